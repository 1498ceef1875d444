import { afterEach, describe, expect, it } from 'vitest';
import { functionNode } from '../../../nodes/function/definition.js';
import { create } from '../../../nodes/function/runtime.js';
import type { Message } from '../../../src/spec/index.js';
import { configFor, startNode, type TestNode, testMessage } from '../../support/node-context.js';

type Config = Parameters<typeof create>[0]['config'];
const running: Array<TestNode<Config>> = [];
afterEach(async () => {
  for (const n of running.splice(0)) await n.stop();
});

async function fn(code: string, extra: Partial<Config> = {}): Promise<TestNode<Config>> {
  const node = await startNode(create, configFor(functionNode, { code, ...extra }));
  running.push(node);
  return node;
}

const input = (payload: unknown, init: Partial<Message> = {}) =>
  testMessage({ id: 'in-1', payload, headers: { source: 'test' }, timestamp: 1000, ...init });

describe('function node: what the code returns', () => {
  it('return msg emits the changed message on out, keeping id, topic, headers and timestamp', async () => {
    const node = await fn('msg.payload.tempF = msg.payload.temp * 1.8 + 32; msg.headers.unit = "F"; return msg;');
    const sent = await node.send(input({ temp: 20 }, { key: 'dev-1' }));
    expect(sent).toEqual([
      {
        port: 'out',
        msg: {
          id: 'in-1',
          topic: 'test/topic',
          key: 'dev-1',
          payload: { temp: 20, tempF: 68 },
          headers: { source: 'test', unit: 'F' },
          timestamp: 1000,
        },
      },
    ]);
  });

  it('a new object is a new message: fields it omits are empty, timestamp and id come from the input', async () => {
    const node = await fn('return { payload: msg.payload * 2 }');
    const [e] = await node.send(input(21));
    expect(e.msg).toEqual({ id: 'in-1', topic: undefined, key: undefined, payload: 42, headers: {}, timestamp: 1000 });
  });

  it('received headers (wire) go on with `return msg`, any name kept; a new object has none unless it sets them', async () => {
    const wire = Object.create(null);
    Object.assign(wire, { site: 'plant-7', tag: ['a', 'b'], 'mqtt-message-expiry': '1' });
    const node = await fn('msg.wire.extra = "x"; return [[msg, { payload: 1 }]]');
    const [kept, fresh] = await node.send(input(1, { wire }));
    expect({ ...kept.msg.wire }).toEqual({ site: 'plant-7', tag: ['a', 'b'], 'mqtt-message-expiry': '1', extra: 'x' });
    expect(fresh.msg.wire).toBeUndefined();
    const bad = await fn('return { payload: 1, wire: { n: 5 } }');
    await expect(bad.send(input(1))).rejects.toThrow(/wire header "n" must be a string or an array of strings/);
  });

  it('the code cannot choose the id; it can set topic, key and timestamp', async () => {
    const node = await fn('return { id: "forged", topic: "t2", key: "k2", timestamp: 5, payload: null }');
    const [e] = await node.send(input(1));
    expect(e.msg).toMatchObject({ id: 'in-1', topic: 't2', key: 'k2', timestamp: 5, payload: null });
  });

  it.each(['return null', 'return undefined', 'msg.payload = 1', ''])('`%s` drops the message', async (code) => {
    const node = await fn(code || '// nothing');
    expect(await node.send(input(1))).toEqual([]);
  });

  it('with one output, [[a, b]] sends both on out with derived ids', async () => {
    const node = await fn('return [msg.payload.map((v) => ({ payload: v, topic: msg.topic }))]');
    const sent = await node.send(input([1, 2, 3]));
    expect(sent.map((e) => [e.port, e.msg.id, e.msg.payload])).toEqual([
      ['out', 'in-1:0', 1],
      ['out', 'in-1:1', 2],
      ['out', 'in-1:2', 3],
    ]);
  });

  it('with three outputs, element i goes to port out{i+1}; null skips a port; arrays send several', async () => {
    const node = await fn('return [msg, null, [{ payload: "a" }, null, { payload: "b" }]]', { outputs: 3 });
    const sent = await node.send(input('x'));
    expect(sent.map((e) => [e.port, e.msg.id, e.msg.payload])).toEqual([
      ['out1', 'in-1:0', 'x'],
      ['out3', 'in-1:1', 'a'],
      ['out3', 'in-1:2', 'b'],
    ]);
  });

  it('with several outputs a plain message goes to the first', async () => {
    const node = await fn('return msg', { outputs: 2 });
    expect((await node.send(input(1))).map((e) => e.port)).toEqual(['out1']);
  });

  it('routes like a switch', async () => {
    const node = await fn('return msg.payload.temp > 30 ? [msg, null] : [null, msg]', { outputs: 2 });
    await node.send(input({ temp: 35 }, { id: 'hot' }));
    await node.send(input({ temp: 10 }, { id: 'cold' }));
    expect(node.output.on('out1').map((m) => m.id)).toEqual(['hot']);
    expect(node.output.on('out2').map((m) => m.id)).toEqual(['cold']);
  });

  it('a bytes payload arrives as an array of byte values', async () => {
    const node = await fn('return { payload: [msg.payload.length, msg.payload[0]] }');
    const [e] = await node.send(input(new Uint8Array([7, 8, 9])));
    expect(e.msg.payload).toEqual([3, 7]);
  });
});

describe('function node: invalid results fail the message and emit nothing', () => {
  it.each([
    ['return 42', /returned a number/],
    ['return "text"', /returned a string/],
    ['return { topic: "x" }', /output out: the message has no payload/],
    ['return { payload: 1, headers: { n: 1 } }', /header "n" must be a string, not a number/],
    ['return { payload: 1, headers: ["a"] }', /headers must be an object/],
    ['return { payload: 1, topic: 5 }', /topic must be a string/],
    ['return { payload: 1, key: {} }', /key must be a string/],
    ['return { payload: 1, timestamp: "now" }', /timestamp must be a number/],
    ['return [msg, msg]', /array of 2 elements but the node has 1 output; .*\[\[msg1, msg2\]\]/],
    ['return [[msg, 3]]', /output out\[1\]: expected a message object, got a number/],
  ])('`%s`', async (code, reason) => {
    const node = await fn(code);
    await expect(node.send(input(1))).rejects.toThrow(reason);
    expect(node.output.emitted).toEqual([]);
  });

  it('too many elements for the outputs names the fix', async () => {
    const node = await fn('return [msg, msg, msg]', { outputs: 2 });
    await expect(node.send(input(1))).rejects.toThrow(/3 elements but the node has 2 outputs; raise Outputs/);
  });
});

describe('function node: failures', () => {
  it('a throw rejects with the user message and line; the next message works', async () => {
    const node = await fn('if (msg.payload.bad) {\n  throw new Error("bad reading " + msg.payload.v);\n}\nreturn msg;');
    await expect(node.send(input({ bad: true, v: 7 }))).rejects.toThrow('Error: bad reading 7 (line 2, column');
    expect(await node.send(input({ v: 8 }))).toHaveLength(1);
  });

  it('a TypeError from bad input names the property and line', async () => {
    const node = await fn('const t = msg.payload.reading.temp;\nreturn { payload: t };');
    await expect(node.send(input({}))).rejects.toThrow(/^TypeError: .*'temp'.* \(line 1, column \d+\)$/);
  });

  it('the time limit fails the message with a clear reason; the next message works', async () => {
    const node = await fn('if (msg.payload === "spin") { while (true) {} }\nreturn msg;', { timeoutMs: 30 });
    await expect(node.send(input('spin'))).rejects.toThrow(/^function timed out after 30 ms$/);
    expect(await node.send(input('fine'))).toHaveLength(1);
  });

  it('the memory limit fails the message with a clear reason; the next message works', async () => {
    const node = await fn('if (msg.payload === "hog") return { payload: new Uint8Array(64e6).length };\nreturn msg;', {
      memoryMb: 8,
      timeoutMs: 5000,
    });
    await expect(node.send(input('hog'))).rejects.toThrow(/^function ran out of memory \(limit 8 MB\)$/);
    expect(await node.send(input('fine'))).toHaveLength(1);
  });

  it('code that does not compile fails start with the line', async () => {
    await expect(startNode(create, configFor(functionNode, { code: 'return msg;\nif (' }))).rejects.toThrow(
      /^the code does not compile: SyntaxError: .* \(line 2\)$/,
    );
  });

  it('handle before start rejects', async () => {
    const ctx = configFor(functionNode, { code: 'return msg' });
    const { createTestContext } = await import('../../support/node-context.js');
    const rt = await create(createTestContext(ctx));
    await expect(rt.handle?.(input(1), { emit: () => {} }, 'in')).rejects.toThrow(/not started/);
  });
});

describe('function node: helpers', () => {
  it('console and node.* log to the node logger with levels', async () => {
    const node = await fn('console.log("seen", msg.payload); node.warn("careful"); node.error("broken"); return msg;');
    await node.send(input({ a: 1 }));
    expect(node.ctx.logText('info')).toEqual(['seen {"a":1}']);
    expect(node.ctx.logText('warn')).toEqual(['careful']);
    expect(node.ctx.logText('error')).toEqual(['broken']);
  });

  it('context keeps state between messages of the node', async () => {
    const node = await fn('const n = (context.get("n") ?? 0) + 1; context.set("n", n); return { payload: n };');
    for (let i = 0; i < 3; i++) await node.send(input(null, { id: `m${i}` }));
    expect(node.output.on('out').map((m) => m.payload)).toEqual([1, 2, 3]);
  });

  it('many messages in flight at once each get their own result', async () => {
    const node = await fn('return { payload: msg.payload * 10 }');
    const results = await Promise.all(Array.from({ length: 100 }, (_, i) => node.send(input(i, { id: `m${i}` }))));
    expect(results.map((r) => r[0].msg.payload)).toEqual(Array.from({ length: 100 }, (_, i) => i * 10));
  });

  it('stop disposes the sandbox: later messages reject', async () => {
    const node = await startNode(create, configFor(functionNode, { code: 'return msg' }));
    await node.stop();
    await expect(node.send(input(1))).rejects.toThrow(/not started/);
  });
});
