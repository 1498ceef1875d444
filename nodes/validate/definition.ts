import { defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const WHOLE_FILE_REFERENCE = /^\$\{file:[^}]+\}$/;

export const validate = defineNode({
  type: 'validate',
  version: 1,
  category: 'rule',
  title: 'Validate',
  summary: 'Check each payload against a JSON Schema (draft 2020-12); invalid messages fail with every reason.',
  color: '#e2c275',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out', label: 'valid' }],
  config: Type.Object(
    {
      schema: Type.String({
        title: 'JSON Schema',
        minLength: 1,
        description:
          'The schema as JSON (draft 2020-12), or a reference to a file holding it: `${file:/run/secrets/reading.schema.json}`.',
        default: '{"type": "object", "required": ["device", "temp"], "properties": {"temp": {"type": "number"}}}',
        'x-widget': 'textarea',
        // A `${file:}` reference resolves here (and only under the allowed directories), so a schema can live in a file.
        'x-reference': true,
      }),
      formats: Type.Boolean({
        title: 'Check formats',
        default: true,
        description: 'Check `format` (date-time, email, uuid, ...) with ajv-formats; off: formats are annotations.',
        'x-advanced': true,
      }),
      maxErrors: Type.Integer({
        title: 'Reasons kept',
        minimum: 1,
        maximum: 1000,
        default: 100,
        description:
          'At most this many reasons in the failure text (the rest are counted), so a huge payload cannot make a huge header.',
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    const text = config.schema ?? '';
    if (WHOLE_FILE_REFERENCE.test(text.trim())) return issues;
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
        if (typeof parsed !== 'boolean')
          issues.push({ path: '/schema', message: 'the schema must be a JSON object (or true / false)' });
      }
    } catch (err) {
      issues.push({
        path: '/schema',
        message: `the schema is not JSON: ${(err as Error).message}`,
        hint: 'paste the schema as JSON, or reference a file: ${file:/path/to/schema.json}',
      });
    }
    return issues;
  },
  docs: `Checks each message's **payload** against a [JSON Schema](https://json-schema.org) (draft 2020-12, with
[Ajv](https://ajv.js.org)), compiled once when the flow starts. Valid messages go on unchanged.

An invalid message fails, and the failure is deterministic (the same payload fails the same way every time): it goes
to the **error port** if wired, else the flow's error route, else it is dropped and acknowledged (logged at warn),
never redelivered in a loop. The reason lists **every** error Ajv found, each with where it is, e.g.
\`payload.temp must be number; payload must have required property 'device'\` (at most **maxErrors** of them; the
rest are counted).

The **schema** is JSON typed in the form, or a reference to a file: \`\${file:/run/secrets/reading.schema.json}\`.
Files are read when the flow starts, only under the directories allowed for references (\`SLUICE_SECRET_DIRS\`,
default \`/run/secrets\` and \`/var/run/secrets\`), at most 1 MB. A schema that is not JSON, or that Ajv cannot compile
(an unknown keyword, a \`$ref\` to a schema that is not in it), stops the flow from starting with the reason.
Payloads that are text or bytes are checked as they are (a string is not parsed: put a \`json\` node before). The node
keeps no state.`,
  examples: [
    {
      title: 'A reading: device id and a temperature in range',
      config: {
        schema:
          '{"type": "object", "required": ["device", "temp"], "properties": {"device": {"type": "string", "minLength": 1}, "temp": {"type": "number", "minimum": -50, "maximum": 150}, "at": {"type": "string", "format": "date-time"}}}',
        formats: true,
        maxErrors: 100,
      },
    },
    {
      title: 'Schema from a mounted file',
      config: { schema: '${file:/run/secrets/reading.schema.json}', formats: true, maxErrors: 100 },
    },
  ],
});
