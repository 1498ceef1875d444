import { afterEach, describe, expect, it } from 'vitest';
import { decode, encode } from '../../../src/connectors/codec.js';
import type { Engine } from '../../../src/runtime/engine.js';
import { Engine as FlowEngine } from '../../../src/runtime/engine.js';
import { requireService } from '../../support/services.js';
import { flowOf, loadTestRuntime, sinks, sources, testCatalog } from '../../support/test-nodes.js';
import { startFlow } from '../mqtt-support/flow.js';
import { connectPlain, uniqueBase, uniqueClientId } from '../mqtt-support/mqtt.js';

const engines: Engine[] = [];
afterEach(async () => {
  for (const e of engines.splice(0)) await e.stop({ deadlineMs: 100 });
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('csv codec', () => {
  it('decodes a document with a header line into row objects (quotes, commas, newlines, BOM)', () => {
    const text = '\ufeffdevice,note,temp\n"d1","a, ""quoted""\nnote",21.5\nd2,,19\n';
    expect(decode(bytes(text), 'csv')).toEqual({
      ok: true,
      payload: [
        { device: 'd1', note: 'a, "quoted"\nnote', temp: '21.5' },
        { device: 'd2', note: '', temp: '19' },
      ],
    });
  });

  it('a malformed document is a decode failure with the reason and the text kept', () => {
    const r = decode(bytes('a,b\n1,2,3\n'), 'csv');
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({
      reason: expect.stringMatching(/^the payload is not valid CSV: .*line 2/),
      payload: 'a,b\n1,2,3\n',
    });
  });

  it('encodes rows: objects under a header (union of keys), arrays as rows, nested values as JSON', () => {
    const rows = [
      { device: 'd1', temp: 21.5 },
      { device: 'd,2', temp: 19, tags: ['x'] },
    ];
    expect(encode(rows, 'csv').toString()).toBe('device,temp,tags\nd1,21.5,\n"d,2",19,"[""x""]"\n');
    expect(encode({ a: 1, b: true }, 'csv').toString()).toBe('a,b\n1,true\n');
    expect(
      encode(
        [
          [1, 2],
          ['x', null],
        ],
        'csv',
      ).toString(),
    ).toBe('1,2\nx,\n');
    expect(() => encode(42, 'csv')).toThrow(/the csv codec cannot write a number payload/);
    // What it writes it reads back (as text).
    expect(decode(encode(rows, 'csv'), 'csv')).toMatchObject({
      ok: true,
      payload: [{ device: 'd1' }, { device: 'd,2' }],
    });
  });
});

async function csvFlow(config: Record<string, unknown>) {
  const engine = new FlowEngine({ catalog: testCatalog, loadRuntime: loadTestRuntime });
  engines.push(engine);
  await engine.start(
    flowOf(
      [
        ['src', 'test-source'],
        ['c', 'csv', config],
        ['sink', 'test-sink', { failFlagged: false }],
      ],
      [
        ['src', 'c'],
        ['c', 'sink'],
      ],
    ),
  );
  return { e: engine, src: sources.get('src')!, sink: sinks.get('sink')! };
}

describe('csv node', () => {
  it('parses with a header line and cast numbers; one message per row for a join', async () => {
    const { e, src, sink } = await csvFlow({ action: 'parse', cast: true });
    await src.push('device;temp\nd1;21.5\n', 'bad-delim');
    await src.push('device,temp\nd1,21.5\n\nd2,19\n', 'm1');
    await e.whenIdle(1000);
    expect(sink.delivered.map((m) => m.payload)).toEqual([
      [{ 'device;temp': 'd1;21.5' }],
      [
        { device: 'd1', temp: 21.5 },
        { device: 'd2', temp: 19 },
      ],
    ]);
    const rows = await csvFlow({ action: 'parse', output: 'messages', header: false, columns: ['a', 'b'] });
    await rows.src.push('1,2\n3,4\n', 'm2');
    await rows.e.whenIdle(1000);
    expect(
      rows.sink.delivered.map((m) => [m.id, m.payload, m.headers['split-index'], m.headers['split-count']]),
    ).toEqual([
      ['m2:0', { a: '1', b: '2' }, '0', '2'],
      ['m2:1', { a: '3', b: '4' }, '1', '2'],
    ]);
    expect(rows.src.outcomes.get('m2')).toEqual([{ ok: true }]);
  });

  it('a text that is not valid CSV fails with the line; stringify writes a header and the chosen columns', async () => {
    const { e, src } = await csvFlow({ action: 'parse' });
    await src.push('a,b\n"unclosed,2\n', 'bad');
    await src.push(7, 'num');
    await e.whenIdle(1000);
    expect(src.outcomes.get('bad')?.[0]).toMatchObject({
      dropped: expect.stringMatching(/csv "c": the payload is not valid CSV: .*Quote Not Closed/),
    });
    expect(src.outcomes.get('num')?.[0]).toMatchObject({
      dropped: expect.stringContaining('the payload is a number, not CSV text'),
    });
    const out = await csvFlow({ action: 'stringify', delimiter: ';', columns: ['temp', 'device'] });
    await out.src.push([{ device: 'd1', temp: 1, extra: 'x' }], 's1');
    await out.e.whenIdle(1000);
    expect(out.sink.delivered[0].payload).toBe('temp;device\n1;d1\n');
  });
});

const mqttUp = await requireService('mosquitto');

describe.runIf(mqttUp)('csv codec through Mosquitto', () => {
  it('mqtt-in with codec csv gives row objects; mqtt-out with codec csv publishes CSV text', async () => {
    const base = uniqueBase('csv');
    const watcher = await connectPlain();
    const got: string[] = [];
    watcher.on('message', (_t, p) => got.push(p.toString()));
    await watcher.subscribeAsync(`${base}/out`, { qos: 1 });
    const { engine } = await startFlow(
      [
        [
          'in',
          'mqtt-in',
          { connection: 'broker', clientId: uniqueClientId('csv'), topics: [`${base}/in`], codec: 'csv' },
        ],
        [
          't',
          'transform',
          { expression: '$map(payload, function($r) { {"device": $r.device, "f": $number($r.temp) * 2} })' },
        ],
        ['out', 'mqtt-out', { connection: 'broker', topic: `${base}/out`, codec: 'csv' }],
        ['dead', 'test-sink', { failFlagged: false }],
      ],
      [
        ['in', 't'],
        ['t', 'out'],
      ],
      { settings: { errorRoute: 'dead' } },
    );
    engines.push(engine);
    const pub = await connectPlain();
    await pub.publishAsync(`${base}/in`, 'device,temp\nd1,10\nd2,2.5\n', { qos: 1 });
    await pub.publishAsync(`${base}/in`, 'device,temp\n"broken,1\n', { qos: 1 });
    await pub.endAsync();
    const dead = sinks.get('dead')!;
    for (let i = 0; i < 200 && (got.length < 1 || dead.delivered.length < 1); i++)
      await new Promise((r) => setTimeout(r, 25));
    await watcher.endAsync();
    expect(got).toEqual(['device,f\nd1,20\nd2,5\n']);
    expect(dead.delivered[0].headers['sluice-error']).toMatch(/not valid CSV/);
  });
});
