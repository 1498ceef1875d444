import { routePathProblem } from '../../src/connectors/http/route-pattern.js';
import { ConnectionRef, codecProperty, defineNode, type LintIssue, Type } from '../../src/spec/index.js';

const signed = ['github', 'stripe', 'hmac'];

const config = Type.Object(
  {
    connection: ConnectionRef('http-server', {
      title: 'Listener',
      description: "The runtime's HTTP listener (port, base path, TLS) to serve this route on.",
    }),
    method: Type.Enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const, {
      title: 'Method',
      default: 'POST',
      description: 'The HTTP method this route answers. Another method on the same path is answered 405.',
    }),
    path: Type.String({
      title: 'Path',
      minLength: 1,
      default: '/webhook',
      description:
        "The route, after the listener's base path: literal segments, `:name` parameters (one segment each, in header `http-param-<name>`) and a last `*` for the rest (`http-param-rest`), e.g. `/hooks/:source`, `/files/*`.",
    }),
    ...codecProperty({
      also: ['form'],
      description:
        '`json`: parse the body as JSON. `text`: UTF-8 text. `bytes`: the raw bytes. `csv`: an array of rows. `form`: URL-encoded fields as an object (a repeated field as an array). A body that does not decode is answered 400 and goes to the error route. A GET or DELETE without a body gives the query parameters as payload.',
    }),
    csvHeader: Type.Boolean({
      title: 'CSV header row',
      default: true,
      description:
        'The first row names the columns and each row becomes an object; off: each row is an array of strings.',
      'x-showWhen': { codec: ['csv'] },
    }),
    csvDelimiter: Type.String({
      title: 'CSV delimiter',
      default: ',',
      minLength: 1,
      maxLength: 4,
      description: 'The field separator, e.g. `;` or a tab.',
      'x-showWhen': { codec: ['csv'] },
    }),
    maxBodyBytes: Type.Integer({
      title: 'Body size limit (bytes)',
      minimum: 1,
      maximum: 1_073_741_824,
      default: 1_048_576,
      description: 'A larger body is answered 413 and never reaches the flow.',
    }),
    auth: Type.Enum(['none', 'bearer', 'github', 'stripe', 'hmac'] as const, {
      title: 'Authentication',
      default: 'none',
      description:
        '`bearer`: `Authorization: Bearer <token>`. `github`: `X-Hub-Signature-256`, an HMAC-SHA256 of the body with the secret. `stripe`: `Stripe-Signature` (`t=...,v1=...` over `<t>.<body>`, timestamp within the tolerance). `hmac`: an HMAC of the body in a header of your choice. Failed checks are answered 401 and never reach the flow.',
    }),
    token: Type.Optional(
      Type.String({
        title: 'Bearer token',
        'x-secret': true,
        description: 'A reference such as `${env:WEBHOOK_TOKEN}`.',
        'x-showWhen': { auth: ['bearer'] },
      }),
    ),
    secret: Type.Optional(
      Type.String({
        title: 'Signing secret',
        'x-secret': true,
        description: 'The shared secret of the signature, a reference such as `${env:GITHUB_WEBHOOK_SECRET}`.',
        'x-showWhen': { auth: signed },
      }),
    ),
    signatureHeader: Type.String({
      title: 'Signature header',
      default: 'x-signature',
      minLength: 1,
      description: 'The header holding the signature.',
      'x-showWhen': { auth: ['hmac'] },
    }),
    signaturePrefix: Type.String({
      title: 'Signature prefix',
      default: '',
      description: 'Text before the signature in the header, e.g. `sha256=`.',
      'x-showWhen': { auth: ['hmac'] },
    }),
    signatureAlgorithm: Type.Enum(['sha256', 'sha1', 'sha512'] as const, {
      title: 'Signature hash',
      default: 'sha256',
      description: 'The HMAC hash function.',
      'x-showWhen': { auth: ['hmac'] },
    }),
    signatureFormat: Type.Enum(['hex', 'base64'] as const, {
      title: 'Signature encoding',
      default: 'hex',
      description: 'How the signature is written in the header.',
      'x-showWhen': { auth: ['hmac'] },
    }),
    signatureToleranceSeconds: Type.Integer({
      title: 'Timestamp tolerance (s)',
      minimum: 1,
      maximum: 86_400,
      default: 300,
      description: 'A Stripe signature whose timestamp is further than this from now is refused (replay protection).',
      'x-showWhen': { auth: ['stripe'] },
    }),
    respond: Type.Enum(['settled', 'at-once'] as const, {
      title: 'Answer',
      default: 'settled',
      description:
        '`settled`: answer once the flow has finished with the message: 2xx delivered (or dropped on purpose), 503 with `Retry-After` when it failed and should be sent again (at least once: the client keeps the message until it sees a 2xx). `at-once`: answer 202 on receipt, before the flow has it (at most once: a crash or a failing sink loses it).',
    }),
    successStatus: Type.Integer({
      title: 'Success status',
      minimum: 200,
      maximum: 299,
      default: 200,
      description: 'The status of the answer when the message was delivered (`settled` mode).',
      'x-showWhen': { respond: ['settled'] },
    }),
    responseTimeoutMs: Type.Integer({
      title: 'Response timeout (ms)',
      minimum: 10,
      maximum: 600_000,
      default: 30_000,
      description:
        "The longest wait for the flow to settle a message (or to have room for it) before answering 503 with `Retry-After`. The message may still be delivered after that: the retry then makes a duplicate. Keep it below the client's own timeout (GitHub waits 10 s).",
    }),
    resendAfterSeconds: Type.Integer({
      title: 'Retry-After (s)',
      minimum: 0,
      maximum: 86_400,
      default: 5,
      description: 'The `Retry-After` hint sent with a 503.',
      'x-advanced': true,
    }),
    idHeader: Type.String({
      title: 'Message id header',
      default: 'x-request-id',
      maxLength: 200,
      description:
        "A request header whose value becomes the message id, so a client's retry keeps its id and sinks can write it once (e.g. `x-github-delivery`, `idempotency-key`). Absent: a new id.",
      'x-advanced': true,
    }),
  },
  { additionalProperties: false },
);

export const httpIn = defineNode({
  type: 'http-in',
  version: 1,
  category: 'source',
  title: 'HTTP in',
  summary: 'A webhook: each request becomes a message, answered 2xx only once the flow has delivered it.',
  color: '#4db6ac',
  inputs: [],
  outputs: [{ name: 'out', label: 'out' }],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    const bad = typeof c.path === 'string' ? routePathProblem(c.path) : undefined;
    if (bad) issues.push({ path: '/path', message: `path: ${bad}` });
    if (c.auth === 'bearer' && !c.token) {
      issues.push({
        path: '/token',
        message: 'bearer authentication needs a token',
        hint: 'e.g. ${env:WEBHOOK_TOKEN}',
      });
    }
    if (signed.includes(c.auth) && !c.secret) {
      issues.push({
        path: '/secret',
        message: `${c.auth} signatures need the signing secret`,
        hint: 'e.g. ${env:WEBHOOK_SECRET}',
      });
    }
    if (c.respond === 'at-once') {
      issues.push({
        path: '/respond',
        message: 'answering at once (202) is at most once: a message the flow then fails on, or a crash, loses it',
        severity: 'warning',
      });
    }
    if ((c.method === 'GET' || c.method === 'DELETE') && c.codec !== 'json') {
      issues.push({
        path: '/codec',
        message: `${c.method} requests rarely carry a body: the payload is the query parameters when there is none`,
        severity: 'warning',
      });
    }
    return issues;
  },
  docs: `Receives webhooks and other HTTP requests on the runtime's own listener (an \`http-server\` connection:
host, port, base path, TLS), shared by \`sluice run\` and \`sluice serve\` alike. Each request on \`method\` and
\`path\` becomes one message.

**At least once, in HTTP's terms.** By default (\`respond: settled\`) the request is answered **only once the flow has
finished with the message**: \`successStatus\` (200) with \`{"id": ...}\` when every sink has it or it was dropped
on purpose (a filter), **503 with \`Retry-After\`** when the flow failed on it and it should be sent again (a sink
down), and 503 too when it was not settled within \`responseTimeoutMs\` (it may still land: the retry is then a
duplicate). A crash or kill leaves the client without an answer, so a client that retries until it sees a 2xx
(GitHub, Stripe and most webhook senders do) loses nothing. Give retries a stable id with \`idHeader\` (e.g.
\`x-github-delivery\`) so idempotent sinks write a retried message once. \`respond: at-once\` answers 202 before the flow
has the message: **at most once**, for senders that cannot wait.

**Bad requests** never loop: a body over \`maxBodyBytes\` is answered 413, a failed authentication 401, and a body the
codec cannot decode 400, after it went to the error route (with the raw text or bytes as payload). A path no node
serves is answered 404 by the listener, another method 405.

**Authentication.** \`bearer\` compares the token in constant time. The signature modes check an HMAC of the raw
body with \`secret\`: \`github\` (\`X-Hub-Signature-256: sha256=<hex>\`), \`stripe\` (\`Stripe-Signature: t=<unix>,v1=<hex>\`,
signed text \`<t>.<body>\`, refused when the timestamp is more than \`signatureToleranceSeconds\` away), or \`hmac\` with
your header, prefix, hash and encoding. Token and secret are references (\`\${env:}\`, \`\${file:}\`).

**Message.** Payload: the body decoded by \`codec\` (\`json\`, \`text\`, \`bytes\`, \`form\`, \`csv\`); a GET or DELETE
without a body gives the query parameters as an object. Topic: the request path. Id: the \`idHeader\` value, else a new
one. Headers: \`http-method\`, \`http-path\`, \`http-query\` (the raw query string), \`http-param-<name>\` for each path
parameter (\`http-param-rest\` for \`*\`), \`content-type\`, and each request header with one value and a name Sluice does
not reserve (e.g. \`x-github-event\`). \`wire\` holds the request headers as received, without \`authorization\`,
\`cookie\`, the signature headers and connection framing.

**Back pressure.** While the flow's in-flight window is full, new requests wait for room (up to \`responseTimeoutMs\`,
then 503): memory stays bounded and the senders slow down. While the flow stops, new requests are answered 503 with
\`Retry-After\`; requests still waiting when it stops are answered 503.`,
  examples: [
    {
      title: 'GitHub webhook with signature check',
      config: {
        connection: 'web',
        method: 'POST',
        path: '/github',
        codec: 'json',
        auth: 'github',
        secret: '${env:GITHUB_WEBHOOK_SECRET}',
        idHeader: 'x-github-delivery',
      },
    },
    {
      title: 'CSV upload with a bearer token',
      config: {
        connection: 'web',
        method: 'PUT',
        path: '/upload/:dataset',
        codec: 'csv',
        csvHeader: true,
        auth: 'bearer',
        token: '${env:UPLOAD_TOKEN}',
        maxBodyBytes: 10_485_760,
      },
    },
  ],
});
