/**
 * Shared field builders beside retryProperties (retry-schema.ts) and tlsProperties (tls-schema.ts): every node and
 * connection kind takes its common fields from here, so the same setting has the same name, title, unit and range
 * everywhere (forms and docs read alike). Isomorphic.
 */
import type { LintIssue } from './node-definition.js';
import { Secret, StringEnum, Type } from './schema.js';

export const CODECS = ['json', 'text', 'bytes', 'csv'] as const;
export type CodecName = (typeof CODECS)[number];

/** `codec`: how a payload maps to bytes on the wire and back. `description` says it for this node's direction. */
export function codecProperty<const Also extends string[] = []>(o: {
  description: string;
  default?: CodecName;
  /** Codecs of this protocol's own beyond the shared ones (HTTP's `form`). */
  also?: readonly [...Also];
}) {
  const values = [...CODECS, ...(o.also ?? [])] as [...typeof CODECS, ...Also];
  return {
    codec: StringEnum(values, {
      title: 'Payload codec',
      // A shared codec is always among the values; TypeScript cannot see that through the generic spread.
      default: (o.default ?? 'json') as never,
      description: o.description,
    }),
  };
}

/** The words a source's codec description starts with: what each codec does on the way in. */
export const DECODE_DESCRIPTION =
  '`json`: parse as JSON. `text`: UTF-8 text. `bytes`: the raw bytes. `csv`: a CSV document with a header line, as an array of row objects. A payload that does not decode goes to the error route.';

/** The same for a sink: what each codec does on the way out. */
export const ENCODE_DESCRIPTION =
  '`json`: the payload as JSON text. `text`: a string payload as UTF-8. `bytes`: a bytes (or string) payload as is. `csv`: rows (objects under a header line, or arrays) as a CSV document.';

/**
 * `username` and `password` (a secret: a reference, never written into the flow file). `username.default` for a
 * service with a well-known default user (RabbitMQ's guest); `showWhen` for credentials that apply only sometimes.
 */
export function credentialProperties(o: {
  /** Where a password reference would come from, e.g. "`${env:MQTT_PASSWORD}`". */
  passwordExample: string;
  /** More about the password for this service (what happens when it is unset). */
  passwordNote?: string;
  usernameDefault?: string;
  showWhen?: Record<string, readonly unknown[]>;
}) {
  const when = o.showWhen ? { 'x-showWhen': o.showWhen } : {};
  const username =
    o.usernameDefault === undefined
      ? Type.Optional(Type.String({ title: 'Username', ...when }))
      : Type.String({ title: 'Username', default: o.usernameDefault, ...when });
  return {
    username,
    password: Type.Optional(
      Secret({
        title: 'Password',
        description: `A reference such as ${o.passwordExample} or \`\${file:/run/secrets/password}\`.${o.passwordNote ? ` ${o.passwordNote}` : ''}`,
        ...when,
      }),
    ),
  };
}

export interface ReconnectDefaults {
  reconnectDelayMs: number;
  reconnectMaxDelayMs: number;
}

/** A connection's reconnect backoff: `reconnectDelayMs` doubling (with jitter) up to `reconnectMaxDelayMs`. */
export function reconnectProperties(defaults: ReconnectDefaults, o: { minimumMs?: number } = {}) {
  const minimum = o.minimumMs ?? 10;
  return {
    reconnectDelayMs: Type.Integer({
      title: 'First reconnect delay (ms)',
      minimum,
      maximum: 600_000,
      default: defaults.reconnectDelayMs,
      description: 'After a lost or failed connection; doubles (with jitter) on each failure.',
      'x-advanced': true,
    }),
    reconnectMaxDelayMs: Type.Integer({
      title: 'Longest reconnect delay (ms)',
      minimum,
      maximum: 3_600_000,
      default: defaults.reconnectMaxDelayMs,
      description: 'The reconnect backoff never waits longer than this.',
      'x-advanced': true,
    }),
  };
}

/** The lint rule of reconnectProperties; `config` has its defaults applied. */
export function reconnectIssues(config: { reconnectDelayMs?: unknown; reconnectMaxDelayMs?: unknown }): LintIssue[] {
  const first = config.reconnectDelayMs;
  const longest = config.reconnectMaxDelayMs;
  if (typeof first === 'number' && typeof longest === 'number' && longest < first) {
    return [{ path: '/reconnectMaxDelayMs', message: 'the longest reconnect delay is shorter than the first one' }];
  }
  return [];
}

/** `ackTimeoutMs`: how long a sink waits for the broker's acknowledgement of what it sent (PUBACK, confirm, produce). */
export function ackTimeoutProperty(o: {
  default: number;
  description: string;
  /** For a wait that applies only sometimes (nats-out: JetStream only). */
  showWhen?: Record<string, readonly unknown[]>;
}) {
  return {
    ackTimeoutMs: Type.Integer({
      title: 'Acknowledgement timeout (ms)',
      minimum: 100,
      maximum: 600_000,
      default: o.default,
      description: o.description,
      'x-advanced': true,
      ...(o.showWhen ? { 'x-showWhen': o.showWhen } : {}),
    }),
  };
}
