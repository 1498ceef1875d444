/** API errors: one JSON shape for every failure, `{ error: { code, message, problems? } }`, with a proper status. */
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import type { Problem } from '../flow/problem.js';
import type { SluiceLogger } from '../runtime/log.js';
import type { ApiErrorBody } from './protocol.js';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): ApiErrorBody {
    return { error: { code: this.code, message: this.message, ...(this.problems ? { problems: this.problems } : {}) } };
  }
}

interface SchemaIssue {
  keyword: string;
  instancePath: string;
  message?: string;
  params: Record<string, unknown>;
}

/** Ajv's errors as problems that name the field: `/revision must be integer`, `unknown field "x"`. */
function schemaProblems(context: string, issues: readonly SchemaIssue[]): Problem[] {
  return issues.map((e) => {
    let path = e.instancePath;
    let message = `${context}${path} ${e.message ?? 'is not valid'}`;
    if (e.keyword === 'required' && typeof e.params.missingProperty === 'string') {
      path = `${path}/${e.params.missingProperty}`;
      message = `${context}${path} is required`;
    } else if (e.keyword === 'additionalProperties' && typeof e.params.additionalProperty === 'string') {
      path = `${path}/${e.params.additionalProperty}`;
      message = `${context}${path} is not a known field`;
    }
    return { severity: 'error', code: 'schema', path, message };
  });
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'body-too-large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'bad-request',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'bad-request',
};

/** Fastify error handler: known errors keep their status; anything else is a 500 whose detail stays in the log. */
export function errorHandler(log: SluiceLogger) {
  return (err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply): void => {
    // Refused before its body arrived (e.g. by the access guard): close the connection rather than read the rest.
    if (!request.raw.complete) void reply.header('Connection', 'close');
    if (err instanceof ApiError) {
      void reply.code(err.statusCode).send(err.body());
      return;
    }
    if (err.validation) {
      const problems = schemaProblems(err.validationContext ?? 'request', err.validation as SchemaIssue[]);
      const body: ApiErrorBody = {
        error: {
          code: 'bad-request',
          message: `invalid request: ${problems.map((p) => p.message).join('; ')}`,
          problems,
        },
      };
      void reply.code(400).send(body);
      return;
    }
    const status = err.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      const body: ApiErrorBody = { error: { code: FASTIFY_CODES[err.code] ?? 'bad-request', message: err.message } };
      void reply.code(status).send(body);
      return;
    }
    log.error(
      { err: err.message, stack: err.stack, method: request.method, path: request.routeOptions.url },
      'request failed',
    );
    const body: ApiErrorBody = {
      error: { code: 'internal', message: 'internal error; the server log has the details' },
    };
    void reply.code(500).send(body);
  };
}

/** Fastify's `frameworkErrors`: errors raised before routing (a URL that cannot be decoded, an over-long param). */
export function frameworkErrorHandler(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const status = err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
  const body: ApiErrorBody = { error: { code: 'bad-request', message: err.message } };
  void reply.code(status).send(body);
}
