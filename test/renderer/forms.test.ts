/** The generic form's pieces: schema normalising, default-only changes, problem placement, the no-eval validator. */
import { describe, expect, it } from 'vitest';
import { NODE_CONFIG_PATH, placeProblems } from '../../renderer/src/forms/errors.js';
import { formSchema, userValues } from '../../renderer/src/forms/form-schema.js';
import { uiSchemaFor } from '../../renderer/src/forms/ui-schema.js';
import { matches } from '../../renderer/src/forms/validator.js';
import { wordProblem } from '../../renderer/src/forms/wording.js';
import { nodeDefinition } from '../../renderer/src/model/catalog.js';
import { schemaDefaults } from '../../renderer/src/model/defaults.js';
import type { Problem } from '../../src/flow/index.js';

describe('form schema', () => {
  it('turns a union of constants into an enum select', () => {
    const s = formSchema({
      properties: {
        onError: {
          anyOf: [
            { type: 'string', const: 'nack' },
            { type: 'string', const: 'ack' },
          ],
          default: 'nack',
        },
      },
    });
    expect(s).toEqual({ properties: { onError: { type: 'string', enum: ['nack', 'ack'], default: 'nack' } } });
  });

  it('keeps defaults the user did not set out of the config', () => {
    const schema = { properties: { a: { type: 'integer', default: 1 }, b: { type: 'string', default: 'x' } } };
    expect(userValues({ a: 1, b: 'x' }, {}, schema)).toEqual({});
    expect(userValues({ a: 2, b: 'x' }, {}, schema)).toEqual({ a: 2 });
    expect(userValues({ a: 1, b: 'x' }, { a: 1 }, schema)).toEqual({ a: 1 });
  });

  it('chooses widgets from x- annotations', () => {
    const ui = uiSchemaFor(nodeDefinition('amqp-out')!.config);
    expect(ui.connection).toEqual({ 'ui:widget': 'connection' });
    expect(uiSchemaFor(nodeDefinition('filter')!.config).condition).toEqual({ 'ui:widget': 'expression' });
    const sw = uiSchemaFor(nodeDefinition('switch')!.config);
    expect(sw.rules).toEqual({ items: { condition: { 'ui:widget': 'expression' } } });
  });

  it('fills a new node with its schema defaults', () => {
    expect(schemaDefaults(nodeDefinition('debug')!.config)).toEqual({
      active: true,
      keep: 100,
      capture: 'message',
      log: false,
      maxPayloadBytes: 16384,
    });
  });
});

describe('problem placement', () => {
  it('puts config problems on their fields and keeps the rest general', () => {
    const problems: Problem[] = [
      {
        severity: 'error',
        code: 'schema',
        path: '/nodes/2/config/rules/0/port',
        nodeId: 'x',
        message: 'bad name',
        hint: 'use letters',
      },
      { severity: 'error', code: 'unconnected-input', path: '/nodes/2', nodeId: 'x', message: 'input not connected' },
    ];
    const placed = placeProblems(problems, NODE_CONFIG_PATH);
    expect(placed.errorSchema).toEqual({ rules: { 0: { port: { __errors: ['Bad name. Fix: use letters'] } } } });
    expect(placed.general.map((p) => p.code)).toEqual(['unconnected-input']);
  });

  it('words schema problems with the form labels and positions, and places each once', () => {
    const schema = nodeDefinition('switch')!.config;
    const required: Problem = {
      severity: 'error',
      code: 'schema',
      path: '/nodes/2/config/rules/1/port',
      nodeId: 'x',
      message: 'missing required field "port"',
      hint: 'add "port" to item 1',
    };
    expect(wordProblem(required, schema)).toEqual({
      message: 'Output is required',
      position: 'Rule 2',
      field: 'Output',
    });
    const placed = placeProblems([required, { ...required }], NODE_CONFIG_PATH, schema);
    expect(placed.errorSchema).toEqual({ rules: { 1: { port: { __errors: ['Output is required'] } } } });
    const range: Problem = {
      severity: 'error',
      code: 'schema',
      path: '/nodes/0/config/intervalMs',
      message: '"intervalMs" is -5, out of range (must be >= 0)',
      hint: 'use a value >= 0',
    };
    expect(wordProblem(range, nodeDefinition('generate')!.config).message).toMatch(/^Interval.* is -5, out of range/);
    // Not in a config: as the validator said it.
    expect(
      wordProblem({ severity: 'error', code: 'cycle', path: '/edges/0', message: 'a cycle' }, undefined).message,
    ).toBe('a cycle');
  });
});

describe('option matching without Ajv', () => {
  const root = { $defs: { n: { type: 'number', minimum: 0 } } };
  it('checks type, const, enum, required, ranges and refs', () => {
    expect(matches({ type: 'object', required: ['a'], properties: { a: { const: 1 } } }, { a: 1 }, root)).toBe(true);
    expect(matches({ type: 'object', required: ['a'] }, {}, root)).toBe(false);
    expect(matches({ enum: ['x', 'y'] }, 'z', root)).toBe(false);
    expect(matches({ $ref: '#/$defs/n' }, -1, root)).toBe(false);
    expect(matches({ anyOf: [{ type: 'string' }, { type: 'integer' }] }, 3, root)).toBe(true);
    expect(matches({ oneOf: [{ type: 'number' }, { type: 'integer' }] }, 3, root)).toBe(false);
    expect(matches({ type: 'string', pattern: '^a' }, 'abc', root)).toBe(true);
  });
});
