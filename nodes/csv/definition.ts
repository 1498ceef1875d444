import { defineNode, type LintIssue, StringEnum, Type } from '../../src/spec/index.js';

export const csv = defineNode({
  type: 'csv',
  version: 1,
  category: 'transform',
  title: 'CSV',
  summary: 'Parse a CSV text payload into rows (objects or arrays), or write rows as CSV text.',
  color: '#a3c28f',
  inputs: [{ name: 'in', required: true }],
  outputs: [{ name: 'out' }],
  config: Type.Object(
    {
      action: StringEnum(['parse', 'stringify'] as const, {
        title: 'Action',
        default: 'parse',
        description: 'parse: CSV text to rows; stringify: rows to CSV text.',
      }),
      header: Type.Boolean({
        title: 'Header line',
        description:
          'parse: the first line names the columns (rows become objects); stringify: write a header line first.',
        default: true,
      }),
      columns: Type.Array(Type.String({ minLength: 1 }), {
        title: 'Columns',
        description:
          'parse: names for the columns (rows become objects; with a header line, it is skipped); stringify: the ' +
          'columns written, in this order. Empty: from the header line / the rows.',
        default: [],
        maxItems: 1000,
      }),
      delimiter: Type.String({ title: 'Delimiter', default: ',', minLength: 1, maxLength: 4 }),
      cast: Type.Boolean({
        title: 'Numbers as numbers',
        description: 'parse: fields that look like numbers become numbers (else every field is text).',
        default: false,
        'x-showWhen': { action: ['parse'] },
      }),
      output: StringEnum(['rows', 'messages'] as const, {
        title: 'Send',
        default: 'rows',
        description:
          'parse: one message with all rows (an array), or one message per row (with split-* headers, so a join ' +
          'can collect them again).',
        'x-showWhen': { action: ['parse'] },
      }),
      maxRows: Type.Integer({
        title: 'Most rows',
        description: 'parse: a text with more rows fails (error port or route): a bound on memory.',
        minimum: 1,
        maximum: 10_000_000,
        default: 100_000,
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (config) => {
    const issues: LintIssue[] = [];
    const columns = config.columns ?? [];
    if (new Set(columns).size !== columns.length) {
      issues.push({ path: '/columns', message: 'a column name is given twice', hint: 'give each column its own name' });
    }
    return issues;
  },
  docs: `Converts between CSV text and rows, with [csv-parse](https://csv.js.org/parse/) and
[csv-stringify](https://csv.js.org/stringify/) (quotes, embedded delimiters and newlines handled).

**parse.** The payload (text, or UTF-8 bytes) becomes an array of rows: objects keyed by the header line (or by
\`columns\`), or arrays of fields with \`header: false\` and no columns. Empty lines are skipped; with \`cast\`, numbers
become numbers. With \`output: messages\` each row is its own message (id \`<input id>:<row>\`, headers \`split-id\`,
\`split-index\`, \`split-count\`, \`split-type: array\`): the source acknowledges the input once every row was
delivered, and a \`join\` in mode \`split\` collects them again. Text that is not valid CSV (an unclosed quote, a row
with the wrong number of fields) fails the message with csv-parse's reason, line included.

**stringify.** The payload (an array of objects, one object, or an array of arrays) becomes CSV text: objects under
a header line (the union of their keys, or \`columns\`), arrays as rows; nested values are written as JSON.

A source or sink with the \`csv\` **codec** does the same at the edge: a message is one CSV document with a header
line (parsed to an array of row objects, values as text).`,
  examples: [
    { title: 'CSV file lines to objects', config: { action: 'parse', header: true, cast: true } },
    { title: 'One message per row', config: { action: 'parse', output: 'messages' } },
    { title: 'Rows to semicolon CSV', config: { action: 'stringify', delimiter: ';', columns: ['device', 'temp'] } },
  ],
});
