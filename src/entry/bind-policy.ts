import type { Logger } from 'pino';
import { OrioleError, type Config } from '../core/index.ts';
import { anyActiveApiKey, type Database } from '../db/index.ts';

/**
 * Whether `oriole serve` may listen where it was asked to (docs/auth.md): with no
 * API key configured anyone who reaches the port can use the API, so that is allowed on
 * this machine only, with a warning, unless the operator explicitly forces it.
 */
export type BindDecision =
  | { verdict: 'ok' }
  | { verdict: 'warn'; message: string }
  | { verdict: 'refuse'; message: string };

export interface BindSituation {
  host: string;
  /** ORIOLE_ADMIN_KEY is set or an unrevoked API key exists. */
  keysConfigured: boolean;
  /** --allow-unauthenticated or ORIOLE_ALLOW_UNAUTHENTICATED=true. */
  allowUnauthenticated: boolean;
}

export function bindPolicy(situation: BindSituation): BindDecision {
  if (situation.keysConfigured) return { verdict: 'ok' };
  if (isLoopback(situation.host)) {
    return { verdict: 'warn', message: 'no API key configured: anyone on this machine can use the API' };
  }
  if (situation.allowUnauthenticated) {
    return {
      verdict: 'warn',
      message: `no API key configured and listening on ${situation.host} (--allow-unauthenticated): anyone who can reach it can use the API`,
    };
  }
  return {
    verdict: 'refuse',
    message:
      `refusing to listen on ${situation.host} without an API key: anyone who can reach it could read and change every knowledge base.\n` +
      `  Create a key first:   oriole keys create --scope admin\n` +
      `  or set ORIOLE_ADMIN_KEY (at least 16 characters),\n` +
      `  or listen on this machine only:   --host 127.0.0.1\n` +
      `  or, behind your own authenticating proxy, force it:   --allow-unauthenticated (ORIOLE_ALLOW_UNAUTHENTICATED=true)`,
  };
}

/** Loopback addresses and names; anything else (0.0.0.0, ::, a LAN address, a hostname) is treated as public. */
export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || bare === '0:0:0:0:0:0:0:1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare) || bare === '::ffff:127.0.0.1';
}

/**
 * `oriole serve` and `oriole demo`: warns, or closes the database and stops start-up
 * with `config_invalid` (exit code 2) when the address is public and no key exists.
 */
export async function enforceBindPolicy(config: Config, database: Database, logger: Pick<Logger, 'warn'>): Promise<void> {
  const keysConfigured = Boolean(config.adminKey) || (await anyActiveApiKey(database));
  const decision = bindPolicy({ host: config.server.host, keysConfigured, allowUnauthenticated: config.allowUnauthenticated });
  if (decision.verdict === 'warn') logger.warn({ host: config.server.host }, decision.message);
  if (decision.verdict === 'refuse') {
    await database.close();
    throw new OrioleError('config_invalid', decision.message, { details: { host: config.server.host } });
  }
}
