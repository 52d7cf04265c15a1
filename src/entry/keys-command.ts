import { OrioleError } from '../core/index.ts';
import {
  apiKeyScopes,
  createApiKey,
  getKnowledgeBase,
  listApiKeys,
  revokeApiKey,
  type ApiKeyRecord,
  type ApiKeyScope,
  type Database,
} from '../db/index.ts';

/** `oriole keys create|list|revoke` (docs/auth.md). Output goes to the given writers, so tests and scripts can read it. */

export interface KeysOutput {
  out(text: string): void;
  err(text: string): void;
}

export async function runKeysCreate(
  database: Database,
  options: { scope: string; kb?: string; name?: string; origin?: string[]; ratePerMinute?: number },
  output: KeysOutput,
): Promise<ApiKeyRecord> {
  if (!(apiKeyScopes as readonly string[]).includes(options.scope)) {
    throw new OrioleError('invalid_request', `--scope must be query, ingest or admin; got '${options.scope}'`);
  }
  const kb = options.kb === undefined ? null : await getKnowledgeBase(database, options.kb);
  const { key, record } = await createApiKey(database, {
    scope: options.scope as ApiKeyScope,
    kbId: kb?.id ?? null,
    name: options.name ?? null,
    origins: options.origin ?? [],
    ratePerMinute: options.ratePerMinute ?? null,
  });
  // The key alone on stdout, so `KEY=$(oriole keys create …)` works; the rest on stderr.
  output.out(key);
  const origins = record.origins.length > 0 ? `, accepted only from ${record.origins.join(', ')}` : '';
  const rate = record.ratePerMinute !== null ? `, at most ${record.ratePerMinute} requests a minute` : '';
  output.err(
    `Created ${record.scope} key ${record.id} (${record.prefix}…)${kb ? ` bound to knowledge base '${kb.name}'` : ' for every knowledge base'}${origins}${rate}.\n` +
      (record.origins.length > 0
        ? 'This key is meant for a web page: anyone can read it there, and it can only ask and rate answers.'
        : 'Store it now: it is shown only this once and cannot be recovered (only its hash is kept).'),
  );
  return record;
}

export async function runKeysList(database: Database, options: { json: boolean }, output: KeysOutput): Promise<void> {
  const keys = await listApiKeys(database);
  if (options.json) {
    output.out(JSON.stringify(keys.map(keyJson), null, 2));
    return;
  }
  if (keys.length === 0) {
    output.out('No API keys: the API is open to anyone who can reach it. `oriole keys create --scope admin` makes one.');
    return;
  }
  const rows = keys.map((key) => [
    key.id,
    key.name ?? '',
    `${key.prefix}…`,
    key.scope,
    key.kbName ?? '(all)',
    key.origins.join(' ') || '(any)',
    key.ratePerMinute === null ? '(server)' : `${key.ratePerMinute}/min`,
    key.createdAt.toISOString(),
    key.lastUsedAt?.toISOString() ?? 'never',
    key.revokedAt ? `revoked ${key.revokedAt.toISOString()}` : 'active',
  ]);
  output.out(table(['id', 'name', 'prefix', 'scope', 'kb', 'origins', 'rate', 'created', 'last used', 'status'], rows));
}

export async function runKeysRevoke(database: Database, idOrPrefix: string, output: KeysOutput): Promise<void> {
  const key = await revokeApiKey(database, idOrPrefix);
  output.out(`Revoked key ${key.id} (${key.prefix}…, ${key.scope}${key.kbName ? `, kb ${key.kbName}` : ''}).`);
}

function keyJson(key: ApiKeyRecord): Record<string, unknown> {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scope: key.scope,
    kb: key.kbName,
    origins: key.origins,
    ratePerMinute: key.ratePerMinute,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

function table(header: string[], rows: string[][]): string {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
