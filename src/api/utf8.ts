import type { MiddlewareHandler } from 'hono';
import { OrioleError } from '../core/index.ts';

/**
 * Refuses a JSON body that is not valid UTF-8. Left alone, the decoder would turn the bad
 * bytes into U+FFFD and the request would go on with text the client never sent; a 400
 * tells a broken client what is wrong. Multipart uploads are bytes and are not checked here.
 */
export function refuseInvalidUtf8(): MiddlewareHandler {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return async function checkUtf8(context, next) {
    const type = context.req.header('content-type') ?? '';
    if (context.req.raw.body && /^application\/(?:[\w.+-]+\+)?json\b/i.test(type)) {
      // Read once and cached by Hono: the validator's json() parses these same bytes.
      const bytes = await context.req.arrayBuffer();
      try {
        decoder.decode(bytes);
      } catch {
        throw new OrioleError('invalid_request', 'The request body is not valid UTF-8');
      }
    }
    await next();
  };
}
