import { afterEach, describe, expect, it } from 'vitest';
import { catalog } from '../../../nodes/catalog.js';
import { createFlowValidator } from '../../../src/flow/validate.js';
import { Engine } from '../../../src/runtime/engine.js';
import type { Message } from '../../../src/spec/message.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';

let engine: Engine | undefined;
afterEach(async () => {
  await engine?.stop({ deadlineMs: 100 });
  engine = undefined;
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

type Nodes = Parameters<typeof flowOf>[0];

/** src -> the given nodes in a chain -> sink. */
async function chain(middle: Nodes, settings: Record<string, unknown> = {}) {
  const nodes: Nodes = [['src', 'test-source'], ...middle, ['sink', 'test-sink', { batchSize: 1, lingerMs: 1 }]];
  const ids = nodes.map((n) => n[0]);
  const edges = ids.slice(1).map((to, i): [string, string] => [ids[i], to]);
  engine = new Engine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  await engine.start(flowOf(nodes, edges, settings));
  return { e: engine, src: sources.get('src')!, sink: sinks.get('sink')! };
}

const payloads = (msgs: Message[]) => msgs.map((m) => m.payload);

describe('split', () => {
  it('an array becomes one message per element with id, position and count', async () => {
    const { e, src, sink } = await chain([['s', 'split', { property: 'payload.items' }]]);
    await src.push({ items: [{ a: 1 }, { a: 2 }, { a: 3 }] }, 'm1');
    await e.whenIdle(1000);
    expect(payloads(sink.delivered)).toEqual([{ a: 1 }, { a: 2 }, { a: 3 }]);
    expect(sink.delivered.map((m) => m.id)).toEqual(['m1:0', 'm1:1', 'm1:2']);
    expect(sink.delivered[1].headers).toMatchObject({
      'split-id': 'm1',
      'split-index': '1',
      'split-count': '3',
      'split-type': 'array',
    });
    expect(src.outcomes.get('m1')).toEqual([{ ok: true }]);
    expect(e.counters().s).toMatchObject({ in: 1, out: 3 });
  });

  it('texts by separator (skipping empty parts), objects by property; other values fail clearly', async () => {
    const { e, src, sink } = await chain([['s', 'split', { separator: ';', skipEmpty: true }]]);
    await src.push('a;b;;c;', 't');
    await src.push({ x: 1, y: 'two' }, 'o');
    await src.push(42, 'n');
    await src.push([], 'empty');
    await e.whenIdle(1000);
    expect(payloads(sink.delivered)).toEqual(['a', 'b', 'c', 1, 'two']);
    expect(sink.delivered[0].headers['split-separator']).toBe(';');
    expect(sink.delivered[4].headers).toMatchObject({ 'split-key': 'y', 'split-type': 'object' });
    expect(src.outcomes.get('n')).toEqual([
      {
        ok: true,
        // A reason in the one pattern already names the node: not named twice.
        dropped: 'split "s": the value to split (payload) is a number, not an array, a text or an object',
      },
    ]);
    expect(src.outcomes.get('empty')).toEqual([{ ok: true }]);
    expect(e.counters().s).toMatchObject({ dropped: 1, failed: 1 });
  });

  it('more parts than maxParts fails the message', async () => {
    const { e, src } = await chain([['s', 'split', { maxParts: 2 }]]);
    await src.push([1, 2, 3], 'big');
    await e.whenIdle(1000);
    expect(src.outcomes.get('big')?.[0]).toMatchObject({
      dropped: expect.stringContaining('3 parts, more than maxParts (2)'),
    });
  });
});

describe('join', () => {
  it('split then join gives back the same array, text and object (output auto), under the input id', async () => {
    const { e, src, sink } = await chain([
      ['s', 'split', {}],
      ['double', 'transform', { expression: '$type(payload) = "number" ? payload * 2 : payload' }],
      ['j', 'join', { mode: 'split' }],
    ]);
    await src.push([1, 2, 3], 'arr');
    await src.push('x\ny', 'txt');
    await src.push({ a: 5, b: 'q' }, 'obj');
    await e.whenIdle(1000);
    expect(sink.delivered.map((m) => [m.id, m.payload])).toEqual([
      ['arr', [2, 4, 6]],
      ['txt', 'x\ny'],
      ['obj', { a: 10, b: 'q' }],
    ]);
    expect(Object.keys(sink.delivered[0].headers).filter((h) => h.startsWith('split-'))).toEqual([]);
    expect(e.counters().src).toMatchObject({ acked: 3, inFlight: 0 });
    expect(e.counters().j).toMatchObject({ in: 7, out: 3, dropped: 0, inFlight: 0 });
  });

  it('a part filtered out upstream keeps the group open until maxWaitMs, then it is emitted incomplete', async () => {
    const { e, src, sink } = await chain([
      ['s', 'split', {}],
      ['f', 'filter', { condition: 'payload != 2' }],
      ['j', 'join', { mode: 'split', maxWaitMs: 100 }],
    ]);
    await src.push([1, 2, 3], 'm');
    await sleep(30);
    expect(sink.delivered).toHaveLength(0);
    expect(src.outcomes.size).toBe(0); // held: not acknowledged yet
    await until(() => sink.delivered.length === 1, 'the incomplete group');
    await e.whenIdle(1000);
    expect(sink.delivered[0].payload).toEqual([1, 3]);
    expect(sink.delivered[0].headers['join-complete']).toBe('false');
    expect(src.outcomes.get('m')).toEqual([{ ok: true }]);
  });

  it('count mode per key into objects; acks wait for the joined message; a sink failure nacks the group', async () => {
    const { e, src, sink } = await chain([
      [
        'j',
        'join',
        { mode: 'count', count: 2, key: 'payload.dev', output: 'object', property: 'payload.k', value: 'payload.v' },
      ],
      ['flag', 'transform', { expression: '$merge([payload, {"fail": payload.bad = true}])' }],
    ]);
    await src.push({ dev: 'a', k: 'temp', v: 20 }, 'a1');
    await src.push({ dev: 'b', k: 'temp', v: 30 }, 'b1');
    await src.push({ dev: 'a', k: 'hum', v: 50 }, 'a2');
    await e.whenIdle(300);
    expect(payloads(sink.delivered)).toEqual([{ temp: 20, hum: 50, fail: false }]);
    expect(sink.delivered[0]).toMatchObject({ id: 'a2:join', key: 'a' });
    expect([...src.outcomes.keys()].sort()).toEqual(['a1', 'a2']);
    await src.push({ dev: 'b', k: 'bad', v: true }, 'b2');
    await e.whenIdle(1000);
    expect(src.outcomes.get('b1')).toEqual([{ ok: false, reason: expect.stringContaining('sink rejected the batch') }]);
    expect(src.outcomes.get('b2')).toEqual([{ ok: false, reason: expect.stringContaining('sink rejected the batch') }]);
  });

  it('time mode: what arrives within the span becomes one text', async () => {
    const { e, src, sink } = await chain([
      ['j', 'join', { mode: 'time', spanMs: 100, output: 'string', separator: ',' }],
    ]);
    await src.push('a', 'm1');
    await src.push('b', 'm2');
    await until(() => sink.delivered.length === 1, 'the joined text');
    await e.whenIdle(1000);
    expect(sink.delivered[0]).toMatchObject({ id: 'm1:join', payload: 'a,b' });
    expect(sink.delivered[0].headers['join-complete']).toBeUndefined();
    expect(e.counters().src).toMatchObject({ acked: 2, inFlight: 0 });
  });

  it('a message without split headers in split mode fails with what to do', async () => {
    const { e, src } = await chain([['j', 'join', { mode: 'split' }]]);
    await src.push(1, 'lone');
    await e.whenIdle(1000);
    expect(src.outcomes.get('lone')?.[0]).toMatchObject({
      dropped: expect.stringContaining('not a part of a split'),
    });
  });

  it('stop: open groups are given back for redelivery (default) or flushed', async () => {
    const first = await chain([['j', 'join', { mode: 'count', count: 3 }]]);
    await first.src.push(1, 'm1');
    await first.e.stop({ deadlineMs: 5000 });
    engine = undefined;
    expect(first.src.outcomes.get('m1')).toEqual([
      { ok: false, reason: expect.stringContaining('flow stopped before the group was complete') },
    ]);
    const second = await chain([['j', 'join', { mode: 'count', count: 3, onStop: 'flush' }]]);
    await second.src.push(1, 'm1');
    await second.e.stop({ deadlineMs: 5000 });
    engine = undefined;
    expect(second.sink.delivered.map((m) => [m.payload, m.headers['join-complete']])).toEqual([[[1], 'false']]);
    expect(second.src.outcomes.get('m1')).toEqual([{ ok: true }]);
  });

  it('validation refuses a count group larger than settings.maxInFlight', () => {
    const v = createFlowValidator(catalog);
    const { problems } = v.validate(
      flowOf(
        [
          ['gen', 'generate', { payload: '$seq', count: 1 }],
          ['j', 'join', { mode: 'count', count: 50 }],
          ['d', 'debug'],
        ],
        [
          ['gen', 'j'],
          ['j', 'd'],
        ],
        { maxInFlight: 20 },
      ),
    );
    expect(problems.find((p) => p.code === 'held-over-bound')).toMatchObject({
      nodeId: 'j',
      path: '/nodes/1/config/count',
      hint: 'lower "count" to at most 20, or raise settings.maxInFlight to at least 50',
    });
  });
});
