import { defineNode, type LintIssue, type PortDef, Type } from '../../src/spec/index.js';

export const MAX_OUTPUTS = 10;

/** Output port names for `count` outputs: `out` for one, `out1`..`outN` otherwise. Tolerates a half-edited config. */
export function functionOutputNames(count: unknown): string[] {
  const n = typeof count === 'number' && Number.isInteger(count) ? Math.min(Math.max(count, 1), MAX_OUTPUTS) : 1;
  return n === 1 ? ['out'] : Array.from({ length: n }, (_, i) => `out${i + 1}`);
}

/** Node-RED features the sandbox does not offer: cheap textual hints, so they are warnings only. */
const UNSUPPORTED: Array<{ pattern: RegExp; message: string; hint: string }> = [
  {
    pattern: /\bnode\.send\s*\(/,
    message: 'node.send() is not available',
    hint: 'return the message (or an array of messages) instead',
  },
  {
    pattern: /\b(?:setTimeout|setInterval|setImmediate)\s*\(/,
    message: 'timers are not available',
    hint: 'the function runs once per message and must return synchronously',
  },
  {
    pattern: /\bawait\b/,
    message: 'await is not available',
    hint: 'the function is synchronous; there is no I/O to wait for',
  },
  {
    pattern: /\brequire\s*\(|\bimport\s*\(/,
    message: 'modules cannot be loaded',
    hint: 'only built-in JavaScript (JSON, Math, Date, RegExp, ...) is available',
  },
  {
    pattern: /\b(?:flow|global)\.(?:get|set)\s*\(/,
    message: 'flow and global context are not available',
    hint: 'use context.get/set for state kept by this node',
  },
];

export const functionNode = defineNode({
  type: 'function',
  version: 1,
  category: 'transform',
  title: 'Function',
  summary: 'Run JavaScript on each message in a sandbox: change it, drop it, split it or route it to several outputs.',
  color: '#fdd0a2',
  inputs: [{ name: 'in', required: true }],
  outputs: (config) =>
    functionOutputNames(config.outputs).map(
      (name, i, all): PortDef => ({
        name,
        label: name,
        description: all.length === 1 ? 'What the code returns.' : `Element ${i} of the array the code returns.`,
      }),
    ),
  config: Type.Object(
    {
      code: Type.String({
        title: 'Code',
        description:
          'Body of a JavaScript function that receives `msg` ({ id, topic, key, payload, headers, wire, timestamp }). ' +
          'Return the message (changed or new) to send it on, null to drop it, or an array to use several outputs.',
        minLength: 1,
        default: 'return msg;',
        'x-widget': 'code',
        'x-language': 'javascript',
      }),
      outputs: Type.Integer({
        title: 'Outputs',
        description:
          'Number of output ports. One output is named `out`; with more they are `out1`..`outN` and element i of ' +
          'the returned array goes to output i+1.',
        minimum: 1,
        maximum: MAX_OUTPUTS,
        default: 1,
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        description:
          'Per message. A message whose code runs longer fails (error port or error route); code that cannot be ' +
          'interrupted is stopped hard 25 ms later.',
        minimum: 1,
        maximum: 10_000,
        default: 100,
        'x-advanced': true,
      }),
      memoryMb: Type.Integer({
        title: 'Memory limit (MB)',
        description: "The sandbox's heap. A message whose code needs more fails; the sandbox is then rebuilt.",
        minimum: 1,
        maximum: 1024,
        default: 16,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    const code = typeof config.code === 'string' ? config.code : '';
    if (code.trim() !== '' && !/\breturn\b/.test(code)) {
      issues.push({
        path: '/code',
        message: 'the code never returns a message, so every message is dropped',
        hint: 'end with `return msg;` (or return null on purpose to drop)',
        severity: 'warning',
      });
    }
    for (const u of UNSUPPORTED) {
      if (u.pattern.test(code)) issues.push({ path: '/code', message: u.message, hint: u.hint, severity: 'warning' });
    }
    return issues;
  },
  docs: `Runs your JavaScript once per message, like a Node-RED function node, inside a QuickJS WebAssembly sandbox
with a time limit, a memory limit and nothing else: no \`require\`, no file system, network, timers or process.

The code is the **body of a function** that receives \`msg\`:

\`\`\`js
// msg = { id, topic, key, payload, headers, timestamp }
msg.payload.tempF = msg.payload.temp * 1.8 + 32;
msg.headers.unit = 'F';
return msg;
\`\`\`

### What the code returns

| return | effect |
|---|---|
| \`msg\` or a new object \`{ payload, topic?, key?, headers?, wire?, timestamp? }\` | sent on the first output |
| \`null\` / \`undefined\` / nothing | the message is dropped on purpose (and acknowledged) |
| \`[a, b]\` with **Outputs** = 2 | \`a\` goes to \`out1\`, \`b\` to \`out2\`; a \`null\` element sends nothing there |
| \`[[a1, a2], b]\` | several messages on \`out1\`, one on \`out2\` |

With one output the port is \`out\`; with N outputs they are \`out1\`..\`outN\`, and returning more elements than
outputs fails the message. Only the fields above are kept (put anything else in \`payload\` or \`headers\`).
A returned message must have a \`payload\` (\`null\` is fine); \`headers\` values must be strings (\`wire\`, the headers
as received, strings or arrays of strings); \`topic\` and
\`key\` strings. A new object without \`timestamp\` keeps the input's. Messages keep the input's \`id\`; when one
input yields several messages they get \`<id>:0\`, \`<id>:1\`, ... so sinks can still write idempotently.

### Data in and out

Messages cross into the sandbox as JSON: \`undefined\` fields vanish, \`NaN\`/\`Infinity\` become \`null\`,
dates become ISO strings. A bytes payload arrives as an array of byte values (0-255).

### Helpers

- \`console.log/info/debug/warn/error(...)\` and \`node.log/warn/error(...)\` write to the flow's log
  (each line cut at 2,000 characters, at most 100 lines per message).
- \`context.get(key)\` / \`context.set(key, value)\` / \`context.keys()\` keep state between messages of this
  node. It lives in the sandbox: a redeploy, or a time or memory failure (which rebuilds the sandbox), clears it.

### Failures

A throw, the time limit (\`timeoutMs\`, default 100 ms) or the memory limit (\`memoryMb\`, default 16 MB) fails
that message with the reason (for example \`function timed out after 100 ms\` or
\`TypeError: cannot read property 'temp' of undefined (line 2, column 12)\`); it goes to the error port or the
flow's error route and the next message runs normally. Code that does not compile stops the flow from starting
and names the line.

The code runs in a pool of worker threads, never on the thread that runs the flows and the admin API. QuickJS
checks the time limit as the code runs; a call it cannot stop in time (a single built-in call on a huge value,
say \`10n ** 10000000n\`) is stopped hard: its worker is terminated 25 ms after the limit and replaced. The
other function nodes sharing that worker then lose their \`context\` state, and a call's console output is
lost with it. A result must be under 4 M characters of JSON. Recursion is limited to a few hundred nested calls.

### Example: route and split

With **Outputs** = 2, send each reading above 30 to \`out1\` and the rest to \`out2\`, one message per reading:

\`\`\`js
const hot = [], rest = [];
for (const r of msg.payload.readings) {
  const m = { topic: msg.topic, headers: msg.headers, payload: r };
  (r.temp > 30 ? hot : rest).push(m);
}
return [hot, rest];
\`\`\``,
  examples: [
    {
      title: 'Celsius to Fahrenheit, drop bad readings',
      config: {
        code: [
          "if (typeof msg.payload?.temp !== 'number') return null;",
          'msg.payload.tempF = Math.round((msg.payload.temp * 1.8 + 32) * 10) / 10;',
          "msg.headers.unit = 'F';",
          'return msg;',
        ].join('\n'),
        outputs: 1,
        timeoutMs: 100,
        memoryMb: 16,
      },
    },
    {
      title: 'Split a batch and route hot readings to their own output',
      config: {
        code: [
          'const hot = [], rest = [];',
          'for (const r of msg.payload.readings ?? []) {',
          '  const m = { topic: msg.topic, headers: msg.headers, payload: r };',
          '  (r.temp > 30 ? hot : rest).push(m);',
          '}',
          'return [hot, rest];',
        ].join('\n'),
        outputs: 2,
        timeoutMs: 100,
        memoryMb: 16,
      },
    },
  ],
});
