import { OrioleError, notFound } from '../core/index.ts';
import { isUuid } from './documents.ts';
import type { SqlExecutor } from './database.ts';

/**
 * API keys (docs/auth.md). A key is `oriole_` + 32 base62 characters (190 bits);
 * only its SHA-256 and a short display prefix are stored, so a leaked table or backup
 * opens nothing. Web-standard `crypto` only: the Workers entry verifies keys too.
 */

export const apiKeyScopes = ['query', 'ingest', 'admin'] as const;
export type ApiKeyScope = (typeof apiKeyScopes)[number];

export interface ApiKeyRecord {
  id: string;
  name: string | null;
  /** The key's first characters (`oriole_` and 5 more), to tell keys apart in listings. */
  prefix: string;
  scope: ApiKeyScope;
  /** The KB the key is bound to; null: every KB. */
  kbId: string | null;
  kbName: string | null;
  /**
   * Browser origins (`https://help.example.com`) the key is accepted from; empty: any
   * caller. A key with origins is a widget key (docs/auth.md, "Widget keys").
   */
  origins: string[];
  /** The key's own requests a minute; null: the server's rate limit. */
  ratePerMinute: number | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

const keyMarker = 'oriole_';
const keyRandomLength = 32;
const displayPrefixLength = keyMarker.length + 5;
/** last_used_at is written at most this often per key, so a busy key does not write on every request. */
const lastUsedResolutionMs = 60_000;
const base62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

interface ApiKeyRow {
  id: string;
  name: string | null;
  prefix: string;
  scope: ApiKeyScope;
  kb_id: string | null;
  kb_name: string | null;
  origins: string[];
  rate_per_minute: number | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const selectKeys = `SELECT k.id, k.name, k.prefix, k.scope, k.kb_id, kb.name AS kb_name, k.origins, k.rate_per_minute,
       k.created_at, k.last_used_at, k.revoked_at
  FROM api_keys k LEFT JOIN knowledge_bases kb ON kb.id = k.kb_id`;

export interface NewApiKey {
  scope: ApiKeyScope;
  kbId: string | null;
  name: string | null;
  /** Origins a widget key is accepted from (see `parseKeyOrigin`); none: an ordinary key. */
  origins?: readonly string[];
  ratePerMinute?: number | null;
}

/** Most origins one key may list: a key for more sites than this is several keys. */
export const maxKeyOrigins = 20;
/** The highest per-key rate; the server-wide setting has the same ceiling. */
export const maxKeyRatePerMinute = 1_000_000;

/**
 * Creates a key; the returned `key` is the only time the plain key exists. A key with
 * origins will sit in web pages for anyone to read, so it must be harmless: it has to
 * be a `query` key bound to one KB (docs/auth.md, "Widget keys").
 */
export async function createApiKey(executor: SqlExecutor, input: NewApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!(apiKeyScopes as readonly string[]).includes(input.scope)) {
    throw new OrioleError('invalid_request', `Unknown scope '${input.scope}': use query, ingest or admin`);
  }
  const origins = [...new Set((input.origins ?? []).map(parseKeyOrigin))];
  if (origins.length > maxKeyOrigins) {
    throw new OrioleError('invalid_request', `A key lists at most ${maxKeyOrigins} origins; got ${origins.length}`);
  }
  if (origins.length > 0 && (input.scope !== 'query' || input.kbId === null)) {
    throw new OrioleError(
      'invalid_request',
      'A key bound to origins is public (it sits in a web page): it must have the query scope and be bound to one knowledge base (--kb)',
    );
  }
  const rate = input.ratePerMinute ?? null;
  if (rate !== null && !(Number.isSafeInteger(rate) && rate >= 1 && rate <= maxKeyRatePerMinute)) {
    throw new OrioleError('invalid_request', `The rate per minute must be a whole number from 1 to ${maxKeyRatePerMinute}; got ${rate}`);
  }
  const key = generateApiKey();
  const inserted = await executor.query<{ id: string }>(
    `INSERT INTO api_keys (name, prefix, key_hash, scope, kb_id, origins, rate_per_minute)
     VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
    [input.name, key.slice(0, displayPrefixLength), await hashApiKey(key), input.scope, input.kbId, origins, rate],
  );
  const result = await executor.query<ApiKeyRow>(`${selectKeys} WHERE k.id = $1`, [inserted.rows[0]!.id]);
  return { key, record: fromRow(result.rows[0]!) };
}

/**
 * The unrevoked key with this plain value, or undefined. Records the use, at most once
 * a minute per key.
 */
export async function findApiKey(executor: SqlExecutor, key: string, now = new Date()): Promise<ApiKeyRecord | undefined> {
  if (!key.startsWith(keyMarker) || key.length > 256) return undefined;
  const result = await executor.query<ApiKeyRow>(`${selectKeys} WHERE k.key_hash = $1 AND k.revoked_at IS NULL`, [
    await hashApiKey(key),
  ]);
  const row = result.rows[0];
  if (!row) return undefined;
  const record = fromRow(row);
  if (!record.lastUsedAt || now.getTime() - record.lastUsedAt.getTime() >= lastUsedResolutionMs) {
    await executor.query(`UPDATE api_keys SET last_used_at = $2 WHERE id = $1`, [record.id, now]);
  }
  return record;
}

export async function listApiKeys(executor: SqlExecutor): Promise<ApiKeyRecord[]> {
  const result = await executor.query<ApiKeyRow>(`${selectKeys} ORDER BY k.created_at, k.id`);
  return result.rows.map(fromRow);
}

/**
 * Revokes the unrevoked key with this id, this display prefix (or its start), or this
 * whole key. A prefix two keys share is a conflict naming their ids.
 */
export async function revokeApiKey(executor: SqlExecutor, idOrPrefix: string): Promise<ApiKeyRecord> {
  const matches = await matchKeys(executor, idOrPrefix.trim());
  if (matches.length === 0) throw notFound('key', idOrPrefix);
  if (matches.length > 1) {
    throw new OrioleError('conflict', `'${idOrPrefix}' matches ${matches.length} active keys; give the id instead`, {
      details: { ids: matches.map((match) => match.id) },
    });
  }
  const match = matches[0]!;
  await executor.query(`UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`, [match.id]);
  const result = await executor.query<ApiKeyRow>(`${selectKeys} WHERE k.id = $1`, [match.id]);
  return fromRow(result.rows[0]!);
}

/** Whether any unrevoked key exists: auth is on from the first one. */
export async function anyActiveApiKey(executor: SqlExecutor): Promise<boolean> {
  const result = await executor.query(`SELECT 1 FROM api_keys WHERE revoked_at IS NULL LIMIT 1`);
  return result.rows.length > 0;
}

/**
 * An origin as browsers send it in the `Origin` header: `scheme://host[:port]`, http(s)
 * only, lower-case host, default port dropped. Anything with a path, query, fragment or
 * credentials is refused rather than trimmed, so a typo does not silently bind the key
 * to another origin than the one meant. Returns the canonical form the key stores.
 */
export function parseKeyOrigin(text: string): string {
  const refuse = (why: string) =>
    new OrioleError('invalid_request', `'${text.slice(0, 200)}' is not an origin (${why}); write it as https://help.example.com[:port]`);
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw refuse('not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw refuse('only http and https');
  if (url.username || url.password) throw refuse('no user or password');
  // new URL() turns 'https://a.com' into 'https://a.com/': only that bare slash is allowed.
  if (url.pathname !== '/' || url.search || url.hash || /[?#]/.test(text)) {
    throw refuse('no path, query or fragment');
  }
  return url.origin;
}

/** SHA-256 in hex: what `key_hash` holds. A fast hash suffices for 190 random bits. */
export async function hashApiKey(key: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

async function matchKeys(executor: SqlExecutor, argument: string): Promise<ApiKeyRow[]> {
  const active = `${selectKeys} WHERE k.revoked_at IS NULL AND`;
  if (isUuid(argument)) return (await executor.query<ApiKeyRow>(`${active} k.id = $1`, [argument])).rows;
  if (argument.length > displayPrefixLength && argument.startsWith(keyMarker)) {
    return (await executor.query<ApiKeyRow>(`${active} k.key_hash = $1`, [await hashApiKey(argument)])).rows;
  }
  // Shorter than 'oriole_' + 1 would match nearly every key: ask for more.
  if (argument.length <= keyMarker.length || !argument.startsWith(keyMarker)) {
    throw new OrioleError('invalid_request', `Give a key id, or its prefix as 'oriole keys list' shows it (e.g. oriole_Ab3xZ)`);
  }
  return (await executor.query<ApiKeyRow>(`${active} left(k.prefix, $2) = $1`, [argument, argument.length])).rows;
}

function generateApiKey(): string {
  let random = '';
  while (random.length < keyRandomLength) {
    for (const byte of crypto.getRandomValues(new Uint8Array(48))) {
      // 248 = 4 × 62: rejecting the bytes above keeps every character equally likely.
      if (byte < 248 && random.length < keyRandomLength) random += base62[byte % 62];
    }
  }
  return keyMarker + random;
}

function fromRow(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scope: row.scope,
    kbId: row.kb_id === null ? null : String(row.kb_id),
    kbName: row.kb_name,
    origins: row.origins ?? [],
    ratePerMinute: row.rate_per_minute === null ? null : Number(row.rate_per_minute),
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
