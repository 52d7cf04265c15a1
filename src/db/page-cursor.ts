import { OrioleError } from '../core/index.ts';
import { isUuid } from './identifiers.ts';

/**
 * The opaque `cursor` of a paged list (documents, conversations): the sort time and id of
 * the last row served, so the next page starts after it however rows are added meanwhile.
 */
export function encodeCursor(row: { cursor_at: string; id: string }): string {
  return Buffer.from(JSON.stringify([row.cursor_at, row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): { createdAt: string; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof createdAt === 'string' && typeof id === 'string' && isUuid(id) && !Number.isNaN(Date.parse(createdAt))) {
      return { createdAt, id };
    }
  } catch {
    // Fall through to the error below.
  }
  throw new OrioleError('invalid_request', 'Invalid cursor: pass the nextCursor of a previous page');
}
