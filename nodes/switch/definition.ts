import { defineNode, Expression, type LintIssue, type PortDef, StringEnum, Type } from '../../src/spec/index.js';

const RESERVED = ['otherwise', 'error'];

export const switchNode = defineNode({
  type: 'switch',
  version: 1,
  category: 'rule',
  title: 'Switch',
  summary: 'Route each message to the output of the first (or every) rule it matches, else to "otherwise".',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: (config) => [
    ...(config.rules ?? []).map((r): PortDef => ({ name: r.port, label: r.port, description: r.condition })),
    { name: 'otherwise', label: 'otherwise', description: 'Messages no rule matched.' },
  ],
  config: Type.Object(
    {
      rules: Type.Array(
        Type.Object(
          {
            port: Type.String({
              title: 'Output',
              pattern: '^[a-z][a-z0-9_-]*$',
              description: 'Name of the output port for this rule.',
            }),
            condition: Expression({ title: 'Condition', description: 'JSONata over the message.' }),
          },
          { additionalProperties: false },
        ),
        { title: 'Rules', minItems: 1, maxItems: 64, default: [{ port: 'hot', condition: 'payload.temp > 30' }] },
      ),
      mode: StringEnum(['first', 'all'] as const, {
        title: 'Match',
        default: 'first',
        description: 'first: the first matching rule only; all: every matching rule gets a copy.',
      }),
      timeoutMs: Type.Integer({
        title: 'Time limit (ms)',
        minimum: 1,
        maximum: 60_000,
        default: 1000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    const seen = new Set<string>();
    (config.rules ?? []).forEach((r, i) => {
      if (RESERVED.includes(r.port)) {
        issues.push({
          path: `/rules/${i}/port`,
          message: `output name "${r.port}" is reserved`,
          hint: 'choose another name',
        });
      } else if (seen.has(r.port)) {
        issues.push({
          path: `/rules/${i}/port`,
          message: `output name "${r.port}" is used by two rules`,
          hint: 'give each rule its own output name',
        });
      }
      seen.add(r.port);
    });
    return issues;
  },
  docs: `Routes messages by ordered **rules**. Each rule has a JSONata condition and its own output port.
With \`mode: first\` a message goes to the first rule it matches; with \`mode: all\` every matching rule gets
its own copy. A message no rule matches goes to \`otherwise\` (if nothing is wired there, it is dropped on
purpose and acknowledged). An evaluation error fails the message.`,
  examples: [
    {
      title: 'Hot, cold, otherwise',
      config: {
        rules: [
          { port: 'hot', condition: 'payload.temp > 30' },
          { port: 'cold', condition: 'payload.temp < 5' },
        ],
        mode: 'first',
        timeoutMs: 1000,
      },
    },
  ],
});
