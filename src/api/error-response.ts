import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { OrioleError, type ErrorCode } from '../core/index.ts';

/** The one place where error codes become HTTP statuses. */
const statusByCode: Record<ErrorCode, ContentfulStatusCode> = {
  invalid_request: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  document_too_complex: 422,
  decompression_limit: 413,
  rate_limited: 429,
  embedder_mismatch: 409,
  upstream_unavailable: 503,
  config_invalid: 500,
  migration_failed: 500,
  internal: 500,
};

export interface ErrorBody {
  error: { code: ErrorCode; message: string; requestId: string | undefined; details?: Record<string, unknown> };
}

export function httpStatusOf(code: ErrorCode): ContentfulStatusCode {
  return statusByCode[code];
}

const codeByHonoStatus: Partial<Record<number, ErrorCode>> = {
  401: 'unauthorized',
  404: 'not_found',
  405: 'method_not_allowed',
  413: 'payload_too_large',
  415: 'unsupported_media_type',
};

/** Hono's own exceptions (malformed JSON, body limits) get our codes too. */
export function toOrioleError(error: unknown): OrioleError {
  if (error instanceof OrioleError) return error;
  if (error instanceof HTTPException) {
    const code: ErrorCode = codeByHonoStatus[error.status] ?? (error.status < 500 ? 'invalid_request' : 'internal');
    return new OrioleError(code, error.message || 'Bad request');
  }
  return new OrioleError('internal', 'Something went wrong on our side; the request id helps us find it.', {
    cause: error,
  });
}

/** The status logged and counted for a request whose client went away before it was answered (nginx's convention). */
export const clientClosedStatus = 499;

/**
 * Whether a failure is the client's leaving (a body cut off mid-way, a closed
 * connection), not the server's fault: the request's own signal aborted and the
 * error is not one of ours (a request timeout aborts the signal too, as an OrioleError).
 */
export function isClientAbort(context: Context, error: unknown): boolean {
  return !(error instanceof OrioleError) && context.req.raw.signal.aborted;
}

export function errorResponse(context: Context, error: OrioleError): Response {
  const body: ErrorBody = {
    error: {
      code: error.code,
      // Internal details (stack traces, SQL) stay in the log.
      message: error.message,
      requestId: context.get('requestId'),
      ...(error.details ? { details: error.details } : {}),
    },
  };
  return context.json(body, httpStatusOf(error.code));
}
