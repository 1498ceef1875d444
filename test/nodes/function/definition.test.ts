import { describe, expect, it } from 'vitest';
import { functionNode, functionOutputNames } from '../../../nodes/function/definition.js';
import { create } from '../../../nodes/function/runtime.js';
import { createAjv } from '../../../src/flow/ajv.js';
import { loadNodeRuntime } from '../../../src/runtime/loader.js';
import { outputPorts } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';

const validate = createAjv().compile(JSON.parse(JSON.stringify(functionNode.config)));

describe('function definition', () => {
  it('the engine finds its runtime by folder name', async () => {
    expect(await loadNodeRuntime(functionNode.type)).toBe(create);
  });

  it('the schema compiles and fills defaults: outputs 1, 100 ms, 16 MB', () => {
    expect(configFor(functionNode, { code: 'return msg' })).toEqual({
      code: 'return msg',
      outputs: 1,
      timeoutMs: 100,
      memoryMb: 16,
    });
  });

  it('the code field is a JavaScript code editor with a title and a description', () => {
    const fields: Record<string, Record<string, unknown>> = JSON.parse(JSON.stringify(functionNode.config.properties));
    expect(fields.code['x-widget']).toBe('code');
    expect(fields.code['x-language']).toBe('javascript');
    for (const field of Object.values(fields)) {
      expect(field.title).toBeTruthy();
      expect(field.description).toBeTruthy();
    }
  });

  it.each([
    [{ code: 'return msg', outputs: 1, timeoutMs: 100, memoryMb: 16 }, true],
    [{ code: 'return msg', outputs: 10, timeoutMs: 10_000, memoryMb: 1 }, true],
    [{ outputs: 1, timeoutMs: 100, memoryMb: 16 }, false],
    [{ code: '', outputs: 1, timeoutMs: 100, memoryMb: 16 }, false],
    [{ code: 'return msg', outputs: 0, timeoutMs: 100, memoryMb: 16 }, false],
    [{ code: 'return msg', outputs: 11, timeoutMs: 100, memoryMb: 16 }, false],
    [{ code: 'return msg', outputs: 1, timeoutMs: 10_001, memoryMb: 16 }, false],
    [{ code: 'return msg', outputs: 1, timeoutMs: 100, memoryMb: 0 }, false],
    [{ code: 'return msg', outputs: 1, timeoutMs: 100, memoryMb: 1025 }, false],
    [{ code: 'return msg', outputs: 1, timeoutMs: 100, memoryMb: 16, extra: true }, false],
  ])('validates %j as %s', (config, ok) => {
    expect(validate(config)).toBe(ok);
  });

  it('ports follow the outputs setting, plus the implicit error port', () => {
    expect(outputPorts(functionNode, { code: 'x', outputs: 1 }).map((p) => p.name)).toEqual(['out', 'error']);
    expect(outputPorts(functionNode, { code: 'x', outputs: 3 }).map((p) => p.name)).toEqual([
      'out1',
      'out2',
      'out3',
      'error',
    ]);
    // A half-edited config in the editor still gives usable ports.
    expect(functionOutputNames(undefined)).toEqual(['out']);
    expect(functionOutputNames(99)).toHaveLength(10);
    expect(functionOutputNames(2.5)).toEqual(['out']);
  });

  it('lint warns when the code never returns, and on Node-RED features the sandbox lacks', () => {
    const lint = functionNode.lint!;
    expect(lint(configFor(functionNode, { code: 'return msg;' }))).toEqual([]);
    const noReturn = lint(configFor(functionNode, { code: 'msg.payload = 1;' }));
    expect(noReturn).toEqual([expect.objectContaining({ path: '/code', severity: 'warning' })]);
    const nodeRed = lint(
      configFor(functionNode, {
        code: 'const x = await thing(); node.send(msg); setTimeout(f, 5); flow.get("a"); require("fs"); return null;',
      }),
    );
    expect(nodeRed.map((i) => i.message)).toEqual([
      'node.send() is not available',
      'timers are not available',
      'await is not available',
      'modules cannot be loaded',
      'flow and global context are not available',
    ]);
    expect(nodeRed.every((i) => i.severity === 'warning' && i.hint)).toBe(true);
  });

  it('docs show an example and cover returns, limits and helpers', () => {
    expect(functionNode.docs).toMatch(/```js/);
    for (const word of ['return', 'null', 'out1', 'timeoutMs', 'memoryMb', 'context.get', 'console.log']) {
      expect(functionNode.docs).toContain(word);
    }
  });
});

describe('function examples', () => {
  const [convert, split] = functionNode.examples ?? [];

  it('there are two and they validate', () => {
    expect(functionNode.examples).toHaveLength(2);
    for (const ex of functionNode.examples ?? []) {
      expect(validate(configFor(functionNode, ex.config)), ex.title).toBe(true);
      expect(functionNode.lint?.(configFor(functionNode, ex.config))).toEqual([]);
    }
  });

  it('the conversion example converts and drops bad readings', async () => {
    const node = await startNode(create, configFor(functionNode, convert.config));
    const [e] = await node.send(testMessage({ payload: { temp: 21.5 } }));
    expect(e.msg.payload).toEqual({ temp: 21.5, tempF: 70.7 });
    expect(e.msg.headers.unit).toBe('F');
    expect(await node.send(testMessage({ payload: 'garbage' }))).toEqual([]);
    await node.stop();
  });

  it('the split example splits a batch across its two outputs', async () => {
    const node = await startNode(create, configFor(functionNode, split.config));
    const sent = await node.send(
      testMessage({ id: 'b1', payload: { readings: [{ temp: 35 }, { temp: 12 }, { temp: 31 }] } }),
    );
    expect(sent.map((e) => [e.port, e.msg.id, e.msg.payload])).toEqual([
      ['out1', 'b1:0', { temp: 35 }],
      ['out1', 'b1:1', { temp: 31 }],
      ['out2', 'b1:2', { temp: 12 }],
    ]);
    await node.stop();
  });
});
