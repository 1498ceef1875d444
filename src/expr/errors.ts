/** Errors of compiling and evaluating expressions, carrying jsonata's code, message, position and token. */

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  /** The same expression fails the same message the same way again: never worth a redelivery (see spec/failure.ts). */
  readonly failureKind = 'deterministic' as const;
  /** jsonata's error code (S0xxx syntax, T0xxx type, D1xxx/D2xxx/D3xxx evaluation, U1001 anything else) */
  readonly code: string;
  /** character offset in the source, where jsonata knows it */
  readonly position?: number;
  readonly token?: string;

  constructor(message: string, code: string, position?: number, token?: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
    if (position !== undefined) this.position = position;
    if (token !== undefined) this.token = token;
  }
}

interface JsonataErrorShape {
  code: string;
  message?: unknown;
  position?: unknown;
  token?: unknown;
}

function isJsonataError(err: unknown): err is JsonataErrorShape {
  return typeof err === 'object' && err !== null && typeof (err as { code?: unknown }).code === 'string';
}

/**
 * jsonata throws plain objects ({code, message, position, token, ...}); they become ExpressionErrors with the
 * same code and message, the original as `cause`. Anything else jsonata lets escape (a JavaScript error from
 * inside the engine) gets the code U1001.
 */
export function toExpressionError(err: unknown): ExpressionError {
  if (err instanceof ExpressionError) return err;
  if (isJsonataError(err)) {
    const message = typeof err.message === 'string' && err.message !== '' ? err.message : err.code;
    const position = typeof err.position === 'number' ? err.position : undefined;
    const token = typeof err.token === 'string' ? err.token : undefined;
    return new ExpressionError(message, err.code, position, token, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new ExpressionError(message, 'U1001', undefined, undefined, { cause: err });
}
