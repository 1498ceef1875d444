import { defineNode, Expression, type LintIssue, StringEnum, Type } from '../../src/spec/index.js';

export const AGGREGATES = ['count', 'sum', 'avg', 'min', 'max', 'first', 'last', 'expression'] as const;

export const windowNode = defineNode({
  type: 'window',
  version: 1,
  category: 'transform',
  title: 'Window',
  summary: 'Aggregate messages per key over tumbling or sliding windows (by count or time) into one message each.',
  color: '#8fb8c2',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out', description: 'One aggregate per window when it closes.' }],
  config: Type.Object(
    {
      kind: StringEnum(['tumbling', 'sliding'] as const, {
        title: 'Window',
        default: 'tumbling',
        description: 'tumbling: windows follow each other without overlap; sliding: a window every step, overlapping.',
      }),
      by: StringEnum(['time', 'count'] as const, {
        title: 'Size by',
        default: 'time',
        description: 'time: a window spans a duration; count: a window holds a number of messages.',
      }),
      windowMs: Type.Integer({
        title: 'Window length (ms)',
        minimum: 1,
        maximum: 7 * 24 * 3_600_000,
        default: 60_000,
        'x-showWhen': { by: ['time'] },
      }),
      slideMs: Type.Integer({
        title: 'Step (ms)',
        description: 'Sliding time windows: a new window starts every step (at most the window length).',
        minimum: 1,
        maximum: 7 * 24 * 3_600_000,
        default: 10_000,
        'x-showWhen': { kind: ['sliding'], by: ['time'] },
      }),
      count: Type.Integer({
        title: 'Messages per window',
        minimum: 1,
        maximum: 1_000_000,
        default: 10,
        'x-showWhen': { by: ['count'] },
      }),
      slideCount: Type.Integer({
        title: 'Step (messages)',
        description: 'Sliding count windows: an aggregate of the last "messages per window" every this many messages.',
        minimum: 1,
        maximum: 1_000_000,
        default: 1,
        'x-showWhen': { kind: ['sliding'], by: ['count'] },
      }),
      time: StringEnum(['arrival', 'event'] as const, {
        title: 'Time',
        default: 'arrival',
        description: 'arrival: when the message reaches this node; event: a time read from the message.',
        'x-showWhen': { by: ['time'] },
      }),
      eventTime: Expression({
        title: 'Event time',
        description: 'JSONata giving the event time: milliseconds since the epoch, or an ISO 8601 text.',
        default: 'payload.time',
        'x-showWhen': { time: ['event'] },
      }),
      allowedLatenessMs: Type.Integer({
        title: 'Allowed lateness (ms)',
        description:
          'Event time: a window closes once a message this much later than its end has been seen (or, on a quiet ' +
          'stream, this long after its length has passed since it opened).',
        minimum: 0,
        maximum: 24 * 3_600_000,
        default: 5_000,
        'x-showWhen': { time: ['event'] },
      }),
      late: StringEnum(['drop', 'error'] as const, {
        title: 'Late messages',
        default: 'drop',
        description:
          'A message whose windows have all closed: drop it (counted, acknowledged) or fail it (error port/route).',
        'x-showWhen': { time: ['event'] },
      }),
      key: Type.Optional(
        Expression({
          title: 'Per key',
          description: 'JSONata giving the key (e.g. payload.device): one set of windows per key. None: one for all.',
        }),
      ),
      aggregate: StringEnum(AGGREGATES, {
        title: 'Aggregate',
        default: 'avg',
        description: 'count, sum, avg, min, max, first or last of the value, or a JSONata expression over the window.',
      }),
      value: Expression({
        title: 'Value',
        description: 'JSONata giving the value aggregated (a number for sum, avg, min and max).',
        default: 'payload',
      }),
      expression: Expression({
        title: 'Expression',
        description:
          'JSONata over { key, start, end, count, messages }: its result is the aggregate (e.g. $max(messages.payload.temp)).',
        default: '$average(messages.payload)',
        'x-showWhen': { aggregate: ['expression'] },
      }),
      onStop: StringEnum(['redeliver', 'flush'] as const, {
        title: 'On stop',
        default: 'redeliver',
        description:
          'When the flow stops or is redeployed, open windows are given back (not acknowledged: the source ' +
          'redelivers them to the next deployment) or flushed (emitted as they are, acknowledged once delivered).',
        'x-advanced': true,
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        description: 'Per JSONata evaluation.',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  holds: (config) =>
    config.by === 'count' ? { count: config.count, path: '/count', what: 'a count window' } : undefined,
  lint: (config) => {
    const issues: LintIssue[] = [];
    if (config.kind === 'sliding' && config.by === 'time' && config.slideMs > config.windowMs) {
      issues.push({
        path: '/slideMs',
        message: `the step (${config.slideMs} ms) is longer than the window (${config.windowMs} ms): messages between windows would be lost`,
        hint: 'make the step at most the window length, or use a tumbling window',
      });
    }
    if (config.kind === 'sliding' && config.by === 'time' && config.windowMs / config.slideMs > 1000) {
      issues.push({
        path: '/slideMs',
        message: `every message would be in ${Math.ceil(config.windowMs / config.slideMs)} windows at once`,
        hint: 'make the step at least a thousandth of the window length',
      });
    }
    if (config.kind === 'sliding' && config.by === 'count' && config.slideCount > config.count) {
      issues.push({
        path: '/slideCount',
        message: `the step (${config.slideCount} messages) is larger than the window (${config.count}): messages between windows would be lost`,
        hint: 'make the step at most the number of messages per window, or use a tumbling window',
      });
    }
    return issues;
  },
  docs: `Groups messages into **windows** and emits one aggregate per window when it closes: Redpanda Connect's and
Flink's windows, for a flow.

**Windows.** *Tumbling* windows follow each other without overlap; *sliding* windows start every step and overlap
(a message is in every window that covers it). By **time** (\`windowMs\`, \`slideMs\`; windows are aligned to the
epoch, so a 1-minute window runs from :00 to :00) or by **count** (\`count\` messages; sliding: the last \`count\`
messages every \`slideCount\` messages; a message stays held, unacknowledged, until it has left the last \`count\`).
With a **key** (JSONata, e.g. \`payload.device\`) each key has its own windows.

**Time.** *arrival*: the time the message reaches this node; a window closes when its end passes on the clock.
*event*: the time read by \`eventTime\` (epoch milliseconds or ISO 8601 text). An event-time window closes when a
message later than its end by \`allowedLatenessMs\` has been seen, or on a quiet stream when \`windowMs +
allowedLatenessMs\` have passed since it opened. A **late** message (all its windows already closed) is dropped
on purpose (counted as dropped, acknowledged) or failed (error port or route), as \`late\` says.

**Aggregate.** \`count\`, \`sum\`, \`avg\`, \`min\`, \`max\`, \`first\`, \`last\` of \`value\` (JSONata over each message,
default the payload; sum, avg, min and max need numbers, else the message fails), or \`expression\`: JSONata over
\`{ key, start, end, count, messages }\`. The aggregate message has the payload
\`{ key, start, end, count, <aggregate>: value }\` (\`value\` for an expression; \`start\`/\`end\` as ISO 8601 text:
the window's bounds, or for a count window the first and last message's times), \`key\` set to the window's key, and
a stable id (the key and start for time windows, the last message's id for count windows) so an idempotent sink
writes a redelivered window once.

**The guarantee.** A message held in a window is not acknowledged yet: its source acknowledges it only when the
aggregate built from it was delivered, dropped on purpose or taken by an error route; if the aggregate fails in a
way the source must redeliver, every message in the window is redelivered (an event-time window is then reopened, so
the redelivered messages are taken into it again rather than dropped as late; it closes by the clock). So held messages count against the
source's in-flight bound (\`settings.maxInFlight\`, default 1000, or less where the source itself acknowledges fewer:
mqtt-in's \`window\`, amqp-in's \`prefetch\`):
- a **count** window larger than that bound could never fill: \`sluice validate\` refuses the flow and says to
  lower \`count\` or raise \`maxInFlight\` (with keys, all keys' open windows share the bound: keep
  \`count x keys\` under it, or the source waits for windows that only the other keys could close);
- a **time** window holds every message that arrives during it: when more arrive than the bound, the source waits
  (back pressure, nothing lost) until the window closes, so throughput is at most \`maxInFlight\` messages per
  window length. Raise \`maxInFlight\` above the messages expected per window (the node's status says how many it
  holds), or aggregate before the window (e.g. deadband).

**Stop and redeploy.** State lives in one deployment. With \`onStop: redeliver\` (default) open windows are given
back when the flow stops: their messages are not acknowledged and the source redelivers them to the next deployment,
which rebuilds the windows (no partial aggregate is written; a sliding window's messages, already in earlier
aggregates, are counted again in the next deployment's first windows). With \`onStop: flush\` open windows are emitted as they
are and acknowledged once delivered (a sliding count window with messages since its last aggregate emits its last \`count\` once more). A key whose
messages stop coming keeps its open count window until the flow stops.`,
  examples: [
    {
      title: '1-minute average per device',
      config: { by: 'time', windowMs: 60_000, key: 'payload.device', aggregate: 'avg', value: 'payload.temp' },
    },
    {
      title: 'Event-time 5-minute maximum, 10 s lateness',
      config: {
        by: 'time',
        windowMs: 300_000,
        time: 'event',
        eventTime: 'payload.ts',
        allowedLatenessMs: 10_000,
        aggregate: 'max',
        value: 'payload.value',
      },
    },
    {
      title: 'Moving average of the last 10 readings',
      config: { kind: 'sliding', by: 'count', count: 10, slideCount: 1, aggregate: 'avg', value: 'payload.temp' },
    },
  ],
});
