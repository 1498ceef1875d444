import { checkExpression } from '../../src/expr/index.js';
import { defineNode, type LintIssue, StringEnum, Type } from '../../src/spec/index.js';
import { parseFieldPath } from './paths.js';

export const change = defineNode({
  type: 'change',
  version: 1,
  category: 'transform',
  title: 'Change',
  summary: 'Set, move, copy or delete fields of the message (payload, topic, key, headers) without writing JSONata.',
  color: '#a3c28f',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      rules: Type.Array(
        Type.Object(
          {
            action: StringEnum(['set', 'move', 'copy', 'delete'] as const, {
              title: 'Action',
              default: 'set',
              description: 'set a value; move (rename) or copy a field to another; delete a field.',
            }),
            field: Type.String({
              title: 'Field',
              minLength: 1,
              description: '`payload`, `payload.a.b`, `topic`, `key`, `headers` or `headers.name`.',
            }),
            valueType: Type.Optional(
              Type.Enum(['string', 'json', 'field', 'jsonata'] as const, {
                title: 'Value is',
                default: 'string',
                description:
                  'string: the text as it is; json: a number, true, an object... written as JSON; field: the value of another field; jsonata: an expression over the message.',
                'x-showWhen': { action: ['set'] },
              }),
            ),
            value: Type.Optional(
              Type.String({
                title: 'Value',
                description: 'What to set, read as "Value is" says.',
                'x-showWhen': { action: ['set'] },
              }),
            ),
            to: Type.Optional(
              Type.String({
                title: 'To',
                description: 'The field to move or copy to.',
                'x-showWhen': { action: ['move', 'copy'] },
              }),
            ),
          },
          { additionalProperties: false },
        ),
        {
          title: 'Rules',
          description: 'Applied in order; each rule sees the message as the rules before it left it.',
          minItems: 1,
          maxItems: 64,
          default: [{ action: 'set', field: 'headers.source', valueType: 'string', value: 'sluice' }],
        },
      ),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
        description: 'Per JSONata evaluation; a message that exceeds it fails.',
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    (config.rules ?? []).forEach((r, i) => {
      const at = `/rules/${i}`;
      const path = (field: 'field' | 'to' | 'value', text: string | undefined) => {
        if (text === undefined || text === '') {
          issues.push({ path: `${at}/${field}`, message: `rule ${i + 1}: "${field}" is empty`, hint: 'name a field' });
          return;
        }
        const p = parseFieldPath(text);
        if (p instanceof Error) issues.push({ path: `${at}/${field}`, message: `rule ${i + 1}: ${p.message}` });
      };
      path('field', r.field);
      if (r.action === 'move' || r.action === 'copy') {
        path('to', r.to);
        if (r.to !== undefined && r.to.trim() === r.field.trim())
          issues.push({
            path: `${at}/to`,
            message: `rule ${i + 1}: "to" is the field itself`,
            hint: 'choose another field',
          });
      }
      if (r.action !== 'set') return;
      const type = r.valueType ?? 'string';
      const value = r.value ?? '';
      if (type === 'field') path('value', r.value);
      else if (type === 'json') {
        try {
          JSON.parse(value);
        } catch (err) {
          issues.push({
            path: `${at}/value`,
            message: `rule ${i + 1}: the value is not JSON (${(err as Error).message})`,
            hint: 'write JSON (e.g. 42, true, "text", {"a": 1}), or choose "string"',
          });
        }
      } else if (type === 'jsonata') {
        const problem = value.trim() === '' ? { message: 'the expression is empty' } : checkExpression(value);
        if (problem) issues.push({ path: `${at}/value`, message: `rule ${i + 1}: ${problem.message}` });
      }
    });
    return issues;
  },
  docs: `Changes fields of each message by ordered **rules**, Node-RED's change node made declarative. Each rule:

- **set** a **field** to a **value**: a \`string\` as written, \`json\` (a number, \`true\`, an object...), the value of
  another \`field\`, or a \`jsonata\` expression over the message (\`payload\`, \`topic\`, \`key\`, \`headers\`, ...).
- **move** (rename) a field **to** another, **copy** it there, or **delete** it.

Fields: \`payload\`, \`payload.a.b\` (a number indexes an array: \`payload.items.0\`), \`topic\`, \`key\`, \`headers\`
(all of them, as an object) and \`headers.name\` (the rest of the path is the header's name). Setting a payload field
creates the objects on its way; topic, key and headers take text (anything else is written as JSON). A value with no
result (a missing field, a JSONata expression that yields nothing) deletes the field; a deleted payload is \`null\`.
Moving or copying a missing field changes nothing.

Rules apply in order, each on the message as the rules before it left it. The input's objects are never changed in
place (only the containers on a changed path are copied), so this is cheap on large payloads. A rule that cannot
apply (a JSONata error, a path through a number) fails the message with the rule's number: it goes to the error port
or error route, never back to the source (it would fail the same way again). The node keeps no state.`,
  examples: [
    {
      title: 'Rename, tag and compute',
      config: {
        rules: [
          { action: 'move', field: 'payload.t', to: 'payload.temp' },
          { action: 'set', field: 'headers.site', valueType: 'string', value: 'plant-1' },
          { action: 'set', field: 'payload.tempF', valueType: 'jsonata', value: 'payload.temp * 1.8 + 32' },
          { action: 'copy', field: 'payload.device', to: 'key' },
          { action: 'delete', field: 'payload.debug' },
        ],
        timeoutMs: 1000,
      },
    },
    {
      title: 'Route by topic: a fixed topic and a JSON flag',
      config: {
        rules: [
          { action: 'set', field: 'topic', valueType: 'string', value: 'alerts/high' },
          { action: 'set', field: 'payload.alert', valueType: 'json', value: 'true' },
        ],
        timeoutMs: 1000,
      },
    },
  ],
});
