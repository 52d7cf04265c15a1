import { isOrioleError, OrioleError } from '../../src/core/index.ts';

/** Longest parser message quoted back to the user; the full error stays as `cause`. */
const maxReasonLength = 160;

/**
 * The one error for a file its parser rejects: `invalid_request`, naming the source
 * and the format, with the parser's own first line as the reason, never its raw exception.
 */
export function unparseable(source: string, format: string, cause: unknown, reason = 'unparseable'): OrioleError {
  const parserMessage = cause instanceof Error ? cause.message : String(cause);
  const firstLine = parserMessage.split('\n')[0]?.trim() ?? '';
  const shortReason =
    firstLine.length > maxReasonLength ? `${firstLine.slice(0, maxReasonLength - 1)}…` : firstLine || 'unknown error';
  return new OrioleError('invalid_request', `Could not parse ${source} as ${format}: ${shortReason}`, {
    details: { source, reason },
    cause,
  });
}

/**
 * Runs a reader of untrusted bytes: its OrioleErrors (budgets, limits) pass through; anything
 * else it throws, however unexpected the input that caused it, is that file's `unparseable`.
 */
export function parsedOrUnparseable<Result>(source: string, format: string, read: () => Result): Result {
  try {
    return read();
  } catch (error) {
    if (isOrioleError(error)) throw error;
    throw unparseable(source, format, error);
  }
}
