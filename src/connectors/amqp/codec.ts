/** AMQP bodies use the shared codecs; AMQP adds a content type per codec. */
import type { Codec } from '../codec.js';

export { type Codec, type Decoded, decode, EncodeError, encode } from '../codec.js';

export function defaultContentType(codec: Codec): string {
  if (codec === 'json') return 'application/json';
  if (codec === 'text') return 'text/plain; charset=utf-8';
  if (codec === 'csv') return 'text/csv; charset=utf-8';
  return 'application/octet-stream';
}
