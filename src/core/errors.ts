/**
 * One error type for everything Oriole reports to a user. The `code` is a stable
 * contract (listed in docs/api.md): clients and scripts branch on it, so codes are never renamed.
 * The HTTP status for each code is decided in one place, `src/api/error-response.ts`.
 */
export const errorCodes = [
  'invalid_request',
  'unauthorized',
  'forbidden',
  'not_found',
  /** The path exists, but not with the request's method (the response's `Allow` lists those it takes). */
  'method_not_allowed',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  /** A document whose parse ran past its time or heap budget (docs/limits.md). */
  'document_too_complex',
  /** A document that inflates (zip members, PDF streams) past its decompression budget. */
  'decompression_limit',
  'rate_limited',
  'embedder_mismatch',
  'upstream_unavailable',
  'config_invalid',
  'migration_failed',
  'internal',
] as const;

export type ErrorCode = (typeof errorCodes)[number];

export interface OrioleErrorOptions {
  /** Structured facts a client may act on (field names, limits); never secrets or SQL. */
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class OrioleError extends Error {
  override readonly name = 'OrioleError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: OrioleErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }
}

export function isOrioleError(error: unknown): error is OrioleError {
  return error instanceof OrioleError;
}

export const notFound = (what: string, id: string): OrioleError =>
  new OrioleError('not_found', `${what} '${id}' does not exist`, { details: { [what]: id } });

export const invalidRequest = (message: string, details?: Record<string, unknown>): OrioleError =>
  new OrioleError('invalid_request', message, details === undefined ? {} : { details });
