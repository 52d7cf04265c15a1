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
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const selectKeys = `SELECT k.id, k.name, k.prefix, k.scope, k.kb_id, kb.name AS kb_name, k.created_at, k.last_used_at, k.revoked_at
  FROM api_keys k LEFT JOIN knowledge_bases kb ON kb.id = k.kb_id`;

/** Creates a key; the returned `key` is the only time the plain key exists. */
export async function createApiKey(
  executor: SqlExecutor,
  input: { scope: ApiKeyScope; kbId: string | null; name: string | null },
): Promise<{ key: string; record: ApiKeyRecord }> {
  if (!(apiKeyScopes as readonly string[]).includes(input.scope)) {
    throw new OrioleError('invalid_request', `Unknown scope '${input.scope}': use query, ingest or admin`);
  }
  const key = generateApiKey();
  const inserted = await executor.query<{ id: string }>(
    `INSERT INTO api_keys (name, prefix, key_hash, scope, kb_id) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
    [input.name, key.slice(0, displayPrefixLength), await hashApiKey(key), input.scope, input.kbId],
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
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
    revokedAt: row.revoked_at,
  };
}
