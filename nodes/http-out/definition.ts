import { templateProblem } from '../../src/expr/template.js';
import { codecProperty, credentialProperties, defineNode, type LintIssue, Type } from '../../src/spec/index.js';
import { type RetryDefaults, retryIssues, retryProperties } from '../../src/spec/retry-schema.js';
import { tlsProperties } from '../../src/spec/tls-schema.js';

export const RETRY_DEFAULTS: RetryDefaults = { attempts: 5, retryDelayMs: 500, retryMaxDelayMs: 30_000 };

const config = Type.Object(
  {
    url: Type.String({
      title: 'URL',
      minLength: 1,
      'x-reference': true,
      'x-widget': 'template',
      description:
        'An `http://` or `https://` URL, or a template: text with `{{ }}` parts, each a JSONata expression on the message, e.g. `https://api.example.com/orders/{{$encodeUrlComponent(payload.id)}}`. A part with no value, or a result that is not an http(s) URL, fails the message.',
    }),
    method: Type.Enum(['POST', 'PUT', 'PATCH', 'GET', 'DELETE'] as const, {
      title: 'Method',
      default: 'POST',
      description: 'GET and DELETE send no body.',
    }),
    headers: Type.Record(Type.String(), Type.String(), {
      title: 'Headers',
      default: {},
      'x-reference': true,
      description:
        'Request headers, e.g. `{"x-api-version": "2"}`; values may be references (`${env:API_KEY}`). Credentials belong in Authentication.',
    }),
    ...codecProperty({
      also: ['form'],
      description:
        '`json`: the payload as JSON (`application/json`). `text`: a string payload as UTF-8 (`text/plain`). `bytes`: bytes or a string as is (`application/octet-stream`). `csv`: rows as a CSV document (`text/csv`). `form`: an object payload URL-encoded (`application/x-www-form-urlencoded`). A payload the codec cannot send fails the message.',
    }),
    contentType: Type.String({
      title: 'Content type',
      default: '',
      description: "Overrides the codec's `Content-Type`, e.g. `application/vnd.api+json`. Empty: the codec's.",
      'x-advanced': true,
    }),
    auth: Type.Enum(['none', 'bearer', 'basic'] as const, {
      title: 'Authentication',
      default: 'none',
      description:
        '`bearer`: `Authorization: Bearer <token>`. `basic`: user name and password. For a client certificate (mutual TLS) use the TLS fields.',
    }),
    token: Type.Optional(
      Type.String({
        title: 'Bearer token',
        'x-secret': true,
        description: 'A reference such as `${env:API_TOKEN}`.',
        'x-showWhen': { auth: ['bearer'] },
      }),
    ),
    ...credentialProperties({ passwordExample: '`${env:API_PASSWORD}`', showWhen: { auth: ['basic'] } }),
    ...tlsProperties({
      peer: 'server',
      tlsDescription:
        'Use the TLS settings below for `https://` URLs: your own CA, a client certificate (mutual TLS), verification. Off: the system CAs, no client certificate.',
      caExample: '/etc/ssl/api-ca.pem',
      verifyDetail: 'The host name in the URL is checked against the certificate.',
    }),
    idHeader: Type.String({
      title: 'Message id header',
      default: '',
      maxLength: 200,
      examples: ['idempotency-key'],
      description:
        'A request header to carry the message id (e.g. `idempotency-key`), so the server can drop a retried or redelivered request it already has. Empty: none.',
      'x-advanced': true,
    }),
    timeoutMs: Type.Integer({
      title: 'Timeout (ms)',
      minimum: 10,
      maximum: 600_000,
      default: 30_000,
      description: 'The longest wait for the answer to start, and between its parts; a timeout is retried.',
    }),
    connections: Type.Integer({
      title: 'Connections per server',
      minimum: 1,
      maximum: 1024,
      default: 16,
      description: 'Requests in flight to one origin at most (kept-alive connections); more wait their turn.',
      'x-advanced': true,
    }),
    response: Type.Boolean({
      title: 'Response port',
      default: false,
      description:
        'Add an output port `response` that carries, for each 2xx answer, the input message with the response body as payload (decoded by the response codec) and `http-status`: request and response in the middle of a flow.',
    }),
    responseCodec: Type.Enum(['json', 'text', 'bytes'] as const, {
      title: 'Response codec',
      default: 'json',
      description: 'How the response body is decoded for the response port. An empty body gives a null payload.',
      'x-showWhen': { response: [true] },
    }),
    ...retryProperties({
      per: 'message',
      when: 'the server is unreachable, times out or answers 408, 425, 429 or 5xx',
      note: 'A `Retry-After` is honoured, up to the longest retry delay.',
      defaults: RETRY_DEFAULTS,
    }),
  },
  { additionalProperties: false },
);

function urlProblem(url: string): string | undefined {
  const bad = templateProblem(url);
  if (bad) return bad;
  if (url.includes('{{') || url.includes('${')) return undefined;
  try {
    const u = new URL(url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `"${url}" is not an http:// or https:// URL`;
  } catch {
    return `"${url}" is not a URL`;
  }
  return undefined;
}

export const httpOut = defineNode({
  type: 'http-out',
  version: 1,
  category: 'sink',
  title: 'HTTP out',
  summary: 'Send each message as an HTTP request; delivered on a 2xx answer, retried on 5xx, 429 and network errors.',
  color: '#4db6ac',
  inputs: [{ name: 'in', required: true }],
  outputs: (c) =>
    c?.response ? [{ name: 'response', label: 'response', description: 'The 2xx answer per message.' }] : [],
  config,
  lint: (c) => {
    const issues: LintIssue[] = [];
    const bad = typeof c.url === 'string' ? urlProblem(c.url) : undefined;
    if (bad) issues.push({ path: '/url', message: `url: ${bad}` });
    if (c.auth === 'bearer' && !c.token)
      issues.push({ path: '/token', message: 'bearer authentication needs a token' });
    if (c.auth === 'basic' && !c.username)
      issues.push({ path: '/username', message: 'basic authentication needs a user name' });
    if (typeof c.url === 'string' && c.url.startsWith('http://') && c.auth !== 'none') {
      issues.push({
        path: '/url',
        message: 'credentials over plain http:// can be read by anyone on the path',
        hint: 'use https://',
        severity: 'warning',
      });
    }
    issues.push(...retryIssues(c, RETRY_DEFAULTS));
    return issues;
  },
  docs: `Sends each message as an HTTP request (undici, kept-alive connections, up to \`connections\` in flight per
server) and counts it as delivered **only on a 2xx answer**; only then may the source acknowledge its input.

**Request.** URL: fixed or a template with \`{{ }}\` JSONata parts on the message (values are not escaped: use
\`$encodeUrlComponent()\` for a path segment). Body (not for GET and DELETE): the payload by \`codec\`, with its
\`Content-Type\` unless \`contentType\` says otherwise. Headers: \`headers\`, the authentication (\`bearer\` token or
\`basic\` user name and password, as references), and with \`idHeader\` (e.g. \`idempotency-key\`) the message id, so a
server can drop a request it already has. Redirects are not followed. With \`tls\`, \`https://\` requests use your CA,
a client certificate and key (mutual TLS) and \`verifyServer\`.

**Failures.** A network error, a timeout (\`timeoutMs\`), or an answer of 408, 425, 429 or 5xx is retried with
backoff (\`attempts\`, \`retryDelayMs\`, \`retryMaxDelayMs\`), waiting at least what the server's \`Retry-After\` asks (up
to the longest retry delay); after the last attempt the message fails as transient, so the source redelivers it. Any
other answer (4xx, 3xx) fails the message at once as deterministic, to the error port or the error route, with the
status and the start of the response body as the reason: sending it again would not help. At least once: a request
whose answer was lost is sent again, so use \`idHeader\` with servers that can drop duplicates.

**Response port.** With \`response\` on, each 2xx answer is emitted on the \`response\` port: the input message with the
response body as payload (by \`responseCodec\`; an empty body is null), \`http-status\` and the response's
\`content-type\` in the headers, and the response headers in \`wire\`. A body that does not decode fails the message as
deterministic. This makes request/response calls in the middle of a flow (look a value up, enrich, forward).`,
  examples: [
    {
      title: 'POST each message as JSON',
      config: { url: 'https://hooks.example.com/ingest', method: 'POST', codec: 'json' },
    },
    {
      title: 'Look up an order and pass the answer on',
      config: {
        url: 'https://api.example.com/orders/{{$encodeUrlComponent(payload.orderId)}}',
        method: 'GET',
        auth: 'bearer',
        token: '${env:API_TOKEN}',
        response: true,
        responseCodec: 'json',
      },
    },
    {
      title: 'Mutual TLS with an idempotency key',
      config: {
        url: 'https://partner.example.com/v1/events',
        method: 'POST',
        codec: 'json',
        tls: true,
        ca: '${file:/run/secrets/partner-ca.pem}',
        cert: '${file:/run/secrets/client.crt}',
        key: '${file:/run/secrets/client.key}',
        idHeader: 'idempotency-key',
      },
    },
  ],
});
