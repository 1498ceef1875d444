import { defineConnectionKind, type LintIssue, Secret, Type } from '../../../src/spec/index.js';

const tlsOnly = { 'x-showWhen': { tls: [true] } };

export const httpServerConnection = defineConnectionKind({
  kind: 'http-server',
  title: 'HTTP listener',
  summary: "The runtime's own HTTP listener (host, port, base path, TLS) that http-in nodes serve their routes on.",
  config: Type.Object(
    {
      host: Type.String({
        title: 'Listen on',
        default: '0.0.0.0',
        description:
          'The address to listen on: `0.0.0.0` for every IPv4 interface (what webhooks from other machines need), `127.0.0.1` for this machine only, `::` for IPv6 too.',
      }),
      port: Type.Integer({
        title: 'Port',
        minimum: 0,
        maximum: 65_535,
        default: 8080,
        description:
          'The TCP port. Every flow and node with the same host and port shares one listener (each serves its own paths). `0`: a free port chosen by the system (tests).',
      }),
      basePath: Type.String({
        title: 'Base path',
        default: '',
        pattern: '^(/[^?#\\s]*)?$',
        description:
          'Put before every http-in path on this listener, e.g. `/hooks`: an http-in path `/github` is then served at `/hooks/github`. Empty: none.',
      }),
      tls: Type.Boolean({
        title: 'TLS (HTTPS)',
        default: false,
        description: 'Serve HTTPS with the certificate and key below.',
      }),
      cert: Type.Optional(
        Type.String({
          title: 'Server certificate (PEM)',
          description: 'The certificate chain, e.g. `${file:/run/secrets/server.crt}`.',
          'x-widget': 'textarea',
          ...tlsOnly,
        }),
      ),
      key: Type.Optional(
        Secret({
          title: 'Server key (PEM)',
          description: 'A reference such as `${file:/run/secrets/server.key}`.',
        }),
      ),
      requestTimeoutMs: Type.Integer({
        title: 'Request timeout (ms)',
        minimum: 100,
        maximum: 3_600_000,
        default: 30_000,
        description:
          "How long a client may take to send a whole request (headers and body); slower ones are cut off. The wait for the flow's answer is each http-in's own `responseTimeoutMs`.",
        'x-advanced': true,
      }),
      keepAliveTimeoutMs: Type.Integer({
        title: 'Keep-alive timeout (ms)',
        minimum: 0,
        maximum: 600_000,
        default: 5_000,
        description: 'An idle kept-alive connection is closed after this long.',
        'x-advanced': true,
      }),
    },
    { additionalProperties: false },
  ),
  lint: (c) => {
    const issues: LintIssue[] = [];
    if (c.tls && (!c.cert || !c.key)) {
      issues.push({ path: '/cert', message: 'TLS needs a server certificate and key', hint: 'set cert and key' });
    }
    return issues;
  },
  docs: `The runtime's own HTTP listener: \`http-in\` nodes that reference it serve their routes on it. It belongs to
the flow runtime, not to the editor's admin server, so it works the same under \`sluice run\` (headless) and
\`sluice serve\`. Every connection in the process with the same host and port shares one server, so several flows can
serve different paths on one port; two nodes cannot serve the same method and path (the second one fails to start
with the reason). A port already used by another program fails the flow's start with the reason.

**Base path.** Joined in front of every http-in path on this connection (\`/hooks\` + \`/github\` = \`/hooks/github\`),
e.g. to keep the paths of one flow together behind a reverse proxy.

**TLS.** With \`tls\`, the listener serves HTTPS with \`cert\` and \`key\` (references to files). Connections sharing
a port must agree on TLS. Behind a reverse proxy or load balancer that terminates TLS, leave it off.

Requests for paths no node serves are answered \`404\`; a known path with another method \`405\` with \`Allow\`.`,
  examples: [
    { title: 'Webhooks on port 8080 under /hooks', config: { host: '0.0.0.0', port: 8080, basePath: '/hooks' } },
    {
      title: 'HTTPS with a certificate from files',
      config: {
        host: '0.0.0.0',
        port: 8443,
        tls: true,
        cert: '${file:/run/secrets/server.crt}',
        key: '${file:/run/secrets/server.key}',
      },
    },
  ],
});
