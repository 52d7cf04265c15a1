import { OrioleError } from './errors.ts';

/** Longest accepted source: a deep path or a long URL, not a payload. */
export const maxSourceLength = 1024;

/**
 * Checks a document's `source` (docs/ingestion.md, "Document identity"): a relative POSIX
 * path without `..`, or an http(s) URL. Sources name documents; they are never
 * opened as files, but a traversal-looking name is refused so no later feature
 * (export, sync back to disk) can be tricked by one.
 */
export function validateSource(source: string): string {
  const trimmed = source.trim();
  const refuse = (why: string) =>
    new OrioleError('invalid_request', `Invalid source '${trimmed.slice(0, 120)}': ${why}`, {
      details: { source: trimmed.slice(0, 120), reason: 'invalid_source' },
    });
  if (trimmed.length === 0) throw refuse('it is empty');
  if (trimmed.length > maxSourceLength) throw refuse(`it is longer than ${maxSourceLength} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw refuse('it contains control characters');
  if (/^https?:\/\//i.test(trimmed)) {
    try {
      const url = new URL(trimmed);
      url.hash = '';
      return url.toString();
    } catch {
      throw refuse('it is not a valid URL');
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(trimmed)) throw refuse('only http(s) URLs and relative paths are accepted');
  if (trimmed.includes('\\')) throw refuse('use forward slashes');
  if (trimmed.startsWith('/')) throw refuse('it must be a relative path');
  const segments = trimmed.split('/');
  if (segments.some((segment) => segment === '..' || segment === '.' || segment === '')) {
    throw refuse("it must not contain '.', '..' or empty path segments");
  }
  return trimmed;
}
