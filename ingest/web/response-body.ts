import { OrioleError } from '../../src/core/index.ts';

/** What the crawler and the source connectors share about reading responses and fetch errors. */

/**
 * Reads a response body up to `maxBytes`: null as soon as it is known to be larger, or,
 * with `truncate`, its first `maxBytes` (robots.txt).
 */
export async function readBodyWithin(response: Response, maxBytes: number, truncate = false): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (!truncate && Number.isFinite(declared) && declared > maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    return null;
  }
  if (response.body === null) return new Uint8Array(0);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      if (!truncate) return null;
      break;
    }
  }
  const bytes = new Uint8Array(Math.min(total, maxBytes));
  let offset = 0;
  for (const chunk of chunks) {
    const room = bytes.byteLength - offset;
    if (room <= 0) break;
    bytes.set(chunk.byteLength > room ? chunk.subarray(0, room) : chunk, offset);
    offset += Math.min(chunk.byteLength, room);
  }
  return bytes;
}

/** The network guard's refusal (a host resolving to a private address), wherever fetch wrapped it. */
export function networkRefusal(error: unknown): OrioleError | null {
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof OrioleError) return current;
  }
  return null;
}

/** A fetch failure in words, with the socket's error code (`ECONNREFUSED`) when there is one. */
export function describeFetchError(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${cause.message} (${code})` : cause.message;
  }
  return String(error);
}
