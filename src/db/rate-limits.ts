import type { Database, SqlExecutor } from './database.ts';

export interface SharedTake {
  /** Tokens left in the bucket after this take. */
  tokens: number;
  allowed: boolean;
}

/**
 * Takes `cost` tokens from `key`'s bucket when it holds them, in one statement: the
 * refill since the bucket's last take is computed on the row PostgreSQL has locked for
 * the update, so concurrent takes from several processes never spend a token twice.
 * A key not seen yet (or whose rate changed) starts with a full bucket.
 */
export async function takeRateLimitTokens(
  executor: SqlExecutor,
  key: string,
  cost: number,
  rate: { perMinute: number; burst: number },
): Promise<SharedTake> {
  const refilled = `CASE WHEN b.rate = $5 THEN LEAST($3::float8, b.tokens + GREATEST(0, EXTRACT(EPOCH FROM clock_timestamp() - b.updated_at)) * $4::float8) ELSE $3::float8 END`;
  const { rows } = await executor.query<{ tokens: number; last_allowed: boolean }>(
    `INSERT INTO rate_limit_buckets AS b (key, tokens, updated_at, rate, last_allowed)
     VALUES ($1, $3::float8 - $2::float8, clock_timestamp(), $5, true)
     ON CONFLICT (key) DO UPDATE SET
       tokens = CASE WHEN ${refilled} >= $2::float8 THEN ${refilled} - $2::float8 ELSE ${refilled} END,
       last_allowed = ${refilled} >= $2::float8,
       updated_at = clock_timestamp(),
       rate = $5
     RETURNING tokens, last_allowed`,
    [key, cost, rate.burst, rate.perMinute / 60, `${rate.perMinute}/${rate.burst}`],
  );
  const row = rows[0]!;
  return { tokens: Number(row.tokens), allowed: row.last_allowed };
}

/** Drops buckets idle longer than `idleSeconds`: refilled by then, the same as no bucket. */
export async function dropIdleRateLimitBuckets(executor: SqlExecutor, idleSeconds: number): Promise<number> {
  const { rowCount } = await executor.query(`DELETE FROM rate_limit_buckets WHERE updated_at < clock_timestamp() - make_interval(secs => $1)`, [idleSeconds]);
  return rowCount;
}

/**
 * The buckets of every API process on a PostgreSQL database (the API's `SharedBuckets`);
 * undefined on PGlite, which only one process can open, so its memory is enough.
 */
export function sharedRateLimitBuckets(database: Database) {
  if (database.backend !== 'postgres') return undefined;
  return {
    take: (key: string, cost: number, rate: { perMinute: number; burst: number }) => takeRateLimitTokens(database, key, cost, rate),
    // An hour idle: a bucket of the default burst (ten seconds' worth) has long refilled; a
    // larger burst at a low rate is forgiven the rest, as a process restart would.
    dropIdle: () => dropIdleRateLimitBuckets(database, 3_600),
  };
}
