import { describe, expect, it } from 'vitest';
import { change } from '../../../nodes/change/definition.js';
import { create } from '../../../nodes/change/runtime.js';
import { failureKindOf } from '../../../src/spec/index.js';
import { configFor, startNode, testMessage } from '../../support/node-context.js';

type Rules = ReturnType<typeof configFor<typeof change.config>>['rules'];

async function changed(rules: Rules, init: Parameters<typeof testMessage>[0]) {
  const node = await startNode(create, configFor(change, { rules }));
  const [emitted] = await node.send(testMessage(init));
  return emitted.msg;
}

describe('change', () => {
  it('sets payload fields from a string, JSON, another field and JSONata, in order', async () => {
    const input = { t: 21.5, device: 'd1', debug: true };
    const msg = await changed(
      [
        { action: 'move', field: 'payload.t', to: 'payload.temp' },
        { action: 'set', field: 'payload.site', valueType: 'string', value: 'plant-1' },
        { action: 'set', field: 'payload.limits', valueType: 'json', value: '{"max": 30}' },
        { action: 'set', field: 'payload.tempF', valueType: 'jsonata', value: 'payload.temp * 1.8 + 32' },
        { action: 'set', field: 'payload.deep.copyOfDevice', valueType: 'field', value: 'payload.device' },
        { action: 'delete', field: 'payload.debug' },
      ],
      { payload: input },
    );
    expect(msg.payload).toEqual({
      device: 'd1',
      temp: 21.5,
      site: 'plant-1',
      limits: { max: 30 },
      tempF: 21.5 * 1.8 + 32,
      deep: { copyOfDevice: 'd1' },
    });
    // The input's objects are not changed in place.
    expect(input).toEqual({ t: 21.5, device: 'd1', debug: true });
  });

  it('sets, copies and deletes topic, key and headers (values become text)', async () => {
    const headers = { a: '1', drop: 'x' };
    const msg = await changed(
      [
        { action: 'set', field: 'topic', valueType: 'jsonata', value: '"sensors/" & payload.device' },
        { action: 'copy', field: 'payload.n', to: 'key' },
        { action: 'set', field: 'headers.site.name', valueType: 'json', value: '{"x": 1}' },
        { action: 'move', field: 'headers.a', to: 'headers.b' },
        { action: 'delete', field: 'headers.drop' },
      ],
      { payload: { device: 'd7', n: 5 }, headers },
    );
    expect(msg.topic).toBe('sensors/d7');
    expect(msg.key).toBe('5');
    expect(msg.headers).toEqual({ 'site.name': '{"x":1}', b: '1' });
    expect(headers).toEqual({ a: '1', drop: 'x' });
    expect(msg.payload).toEqual({ device: 'd7', n: 5 });
  });

  it('replaces or deletes the whole payload, and indexes arrays', async () => {
    expect((await changed([{ action: 'delete', field: 'payload' }], { payload: { a: 1 } })).payload).toBeNull();
    const m = await changed(
      [
        { action: 'set', field: 'payload.items.1', valueType: 'json', value: '"B"' },
        { action: 'delete', field: 'payload.items.0' },
      ],
      { payload: { items: ['a', 'b', 'c'] } },
    );
    expect(m.payload).toEqual({ items: ['B', 'c'] });
    const whole = await changed([{ action: 'set', field: 'payload', valueType: 'json', value: '[1, 2]' }], {
      payload: 'text',
    });
    expect(whole.payload).toEqual([1, 2]);
  });

  it('a missing source field: move and copy change nothing, set from it deletes the target', async () => {
    const msg = await changed(
      [
        { action: 'move', field: 'payload.nope', to: 'payload.x' },
        { action: 'copy', field: 'headers.nope', to: 'topic' },
        { action: 'set', field: 'payload.a', valueType: 'field', value: 'payload.missing' },
      ],
      { payload: { a: 1, b: 2 }, topic: 't' },
    );
    expect(msg.payload).toEqual({ b: 2 });
    expect(msg.topic).toBe('t');
  });

  it('a copy is its own object: a later change to it leaves the original alone', async () => {
    const msg = await changed(
      [
        { action: 'copy', field: 'payload.a', to: 'payload.b' },
        { action: 'set', field: 'payload.b.x', valueType: 'json', value: '2' },
      ],
      { payload: { a: { x: 1 } } },
    );
    expect(msg.payload).toEqual({ a: { x: 1 }, b: { x: 2 } });
  });

  it("many rules on one payload: changed in place only where it is already the node's own copy", async () => {
    const input = { a: { x: 1 }, n: 1 };
    const msg = await changed(
      [
        { action: 'set', field: 'payload.b', valueType: 'field', value: 'payload.a' },
        { action: 'set', field: 'payload.a.x', valueType: 'json', value: '2' },
        { action: 'set', field: 'payload.n', valueType: 'json', value: '3' },
        { action: 'set', field: 'payload', valueType: 'field', value: 'payload.b' },
        { action: 'set', field: 'payload.y', valueType: 'json', value: '4' },
      ],
      { payload: input },
    );
    expect(msg.payload).toEqual({ x: 1, y: 4 });
    expect(input).toEqual({ a: { x: 1 }, n: 1 });
  });

  it('JSON literals are copied per message (one message cannot change the next one)', async () => {
    const node = await startNode(
      create,
      configFor(change, { rules: [{ action: 'set', field: 'payload', valueType: 'json', value: '{"n": 0}' }] }),
    );
    const [a] = await node.send(testMessage({ payload: 1 }));
    (a.msg.payload as { n: number }).n = 99;
    const [b] = await node.send(testMessage({ payload: 2 }));
    expect(b.msg.payload).toEqual({ n: 0 });
  });

  it('uses the interpreter for expressions off the fast path, with the same results', async () => {
    const msg = await changed(
      [
        { action: 'set', field: 'payload.sum', valueType: 'jsonata', value: '$sum(payload.xs.($ * 2))' },
        { action: 'set', field: 'payload.after', valueType: 'jsonata', value: 'payload.sum + 1' },
      ],
      { payload: { xs: [1, 2, 3] } },
    );
    expect(msg.payload).toEqual({ xs: [1, 2, 3], sum: 12, after: 13 });
  });

  it('fails the message deterministically, naming the rule, when a rule cannot apply', async () => {
    const node = await startNode(
      create,
      configFor(change, {
        rules: [
          { action: 'set', field: 'payload.ok', valueType: 'json', value: '1' },
          { action: 'set', field: 'payload.n.deeper', valueType: 'json', value: '1' },
        ],
      }),
    );
    const err = await node.send(testMessage({ payload: { n: 5 } })).catch((e: unknown) => e);
    expect(String(err)).toContain('rule 2 (set payload.n.deeper): cannot reach payload.n.deeper: payload.n is number');
    expect(failureKindOf(err)).toBe('deterministic');
    expect(node.output.emitted).toEqual([]);
    const bad = await startNode(
      create,
      configFor(change, { rules: [{ action: 'set', field: 'payload', valueType: 'jsonata', value: '$error("no")' }] }),
    );
    const err2 = await bad.send(testMessage({ payload: 1 })).catch((e: unknown) => e);
    expect(String(err2)).toContain('rule 1 (set payload): no');
    expect(failureKindOf(err2)).toBe('deterministic');
  });

  it('lint: names the rule and the field for bad paths, JSON and expressions', () => {
    const issues = change.lint!(
      configFor(change, {
        rules: [
          { action: 'set', field: 'body.x', valueType: 'string', value: 'v' },
          { action: 'set', field: 'payload.a', valueType: 'json', value: '{nope' },
          { action: 'set', field: 'payload.b', valueType: 'jsonata', value: 'payload.(' },
          { action: 'move', field: 'topic', to: '' },
          { action: 'copy', field: 'payload.__proto__.x', to: 'payload.y' },
          { action: 'set', field: 'topic.x', valueType: 'string', value: '' },
        ],
      }),
    );
    expect(issues.map((i) => i.path)).toEqual([
      '/rules/0/field',
      '/rules/1/value',
      '/rules/2/value',
      '/rules/3/to',
      '/rules/4/field',
      '/rules/5/field',
    ]);
    expect(issues[0].message).toContain('must start with payload, topic, key or headers');
    expect(issues[1].message).toContain('rule 2: the value is not JSON');
  });

  it('refuses to start with a rule the validator would have refused', async () => {
    await expect(
      startNode(
        create,
        configFor(change, { rules: [{ action: 'set', field: 'nope', valueType: 'string', value: '' }] }),
      ),
    ).rejects.toThrow(/change "node-1": rule 1: "nope" must start with payload/);
  });
});
