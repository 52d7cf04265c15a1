import { isOrioleError } from '../core/index.ts';
import { sqlState, type Database, type SqlExecutor } from './database.ts';

/**
 * Search and answer reads sent to PostgreSQL hot standbys (DATABASE_READ_URL), writes
 * and jobs kept on the primary. A standby is used only while it is up and replays the
 * primary's WAL within `maxLagMs`; a query it cannot answer (it went away, or recovery
 * cancelled it) is asked of the primary instead, so a standby's outage costs latency,
 * never an error. docs/scaling.md explains the choices.
 */
export interface ReplicaTarget {
  /** What /ready calls it: its URL without the password. */
  name: string;
  database: Database;
}

export interface ReadRoutingOptions {
  /** ORIOLE_REPLICA_MAX_LAG_MS: a standby further behind is skipped until it catches up. */
  maxLagMs: number;
  /** How often each standby's replay position is checked. */
  checkIntervalMs?: number;
}

export type ReplicaState = 'ok' | 'lagging' | 'down' | 'starting';

export interface ReplicaStatus {
  name: string;
  state: ReplicaState;
  /** How far its replay is behind the primary, when known. */
  lagMs: number | null;
  /** Queries it answered since start. */
  reads: number;
}

export interface ReadRouting {
  /** Send reads here: a standby when one is fit, else the primary. Transactions go to the primary. */
  readonly database: Database;
  /**
   * Marks the primary's current WAL position: reads after this go to a standby only once
   * it has replayed that far (read-your-writes for what this process just did or saw).
   */
  fence(): Promise<void>;
  /** Checks every standby now (the timer does it every `checkIntervalMs`). */
  check(): Promise<void>;
  status(): ReplicaStatus[];
  /** Reads the primary answered since start (none fit, or a standby failed). */
  primaryReads(): number;
  close(): Promise<void>;
}

interface Replica extends ReplicaTarget {
  state: ReplicaState;
  lagMs: number | null;
  /** The WAL position it has replayed, as a number of bytes. */
  replayed: bigint;
  reads: number;
}

export const defaultReplicaCheckIntervalMs = 1_000;

export function createReadRouting(primary: Database, targets: readonly ReplicaTarget[], options: ReadRoutingOptions): ReadRouting {
  const replicas: Replica[] = targets.map((target) => ({ ...target, state: 'starting', lagMs: null, replayed: 0n, reads: 0 }));
  let fenceLsn = 0n;
  let primaryCount = 0;
  let turn = 0;
  let checking: Promise<void> | undefined;

  /** A standby up, within the lag bound and past the fence; round robin among several. */
  const pick = (): Replica | undefined => {
    const fit = replicas.filter((replica) => replica.state === 'ok' && replica.replayed >= fenceLsn);
    if (fit.length === 0) return undefined;
    turn = (turn + 1) % fit.length;
    return fit[turn];
  };

  const checkOne = async (replica: Replica, primaryLsn: bigint | null): Promise<void> => {
    try {
      const { rows } = await replica.database.query<{ replayed: string | null; lag_ms: number | null; recovering: boolean }>(
        `SELECT pg_is_in_recovery() AS recovering,
                (pg_last_wal_replay_lsn() - '0/0'::pg_lsn)::text AS replayed,
                (extract(epoch FROM now() - pg_last_xact_replay_timestamp()) * 1000)::float8 AS lag_ms`,
      );
      const row = rows[0];
      if (!row?.recovering || row.replayed === null) {
        // Promoted, or not a standby at all: reads there could miss writes to the primary.
        replica.state = 'down';
        replica.lagMs = null;
        return;
      }
      replica.replayed = BigInt(row.replayed);
      // Caught up with the primary: no lag, however long ago the last write was replayed.
      const caughtUp = primaryLsn !== null && replica.replayed >= primaryLsn;
      replica.lagMs = caughtUp ? 0 : Math.max(0, Math.round(row.lag_ms ?? 0));
      replica.state = replica.lagMs > options.maxLagMs ? 'lagging' : 'ok';
    } catch {
      replica.state = 'down';
      replica.lagMs = null;
    }
  };

  const check = (): Promise<void> =>
    (checking ??= (async () => {
      try {
        const primaryLsn = await currentLsn(primary).catch(() => null);
        await Promise.all(replicas.map((replica) => checkOne(replica, primaryLsn)));
      } finally {
        checking = undefined;
      }
    })());

  const timer = replicas.length > 0 ? setInterval(() => void check(), options.checkIntervalMs ?? defaultReplicaCheckIntervalMs) : undefined;
  timer?.unref();
  void check();

  const onPrimary = <T>(read: () => Promise<T>): Promise<T> => {
    primaryCount += 1;
    return read();
  };

  const database: Database = {
    backend: primary.backend,
    async query<Row extends object = Record<string, unknown>>(text: string, values?: readonly unknown[]) {
      const replica = pick();
      if (replica === undefined) return onPrimary(() => primary.query<Row>(text, values));
      try {
        const result = await replica.database.query<Row>(text, values);
        replica.reads += 1;
        return result;
      } catch (error) {
        if (!standbyCouldNotAnswer(error)) throw error;
        if (isOrioleError(error)) replica.state = 'down';
        return onPrimary(() => primary.query<Row>(text, values));
      }
    },
    transaction: <T>(work: (transaction: SqlExecutor) => Promise<T>) => primary.transaction(work),
    // The primary belongs to its owner; only the standbys' pools are this router's.
    close: async () => undefined,
  };

  return {
    database,
    async fence() {
      const lsn = await currentLsn(primary).catch(() => null);
      if (lsn !== null && lsn > fenceLsn) fenceLsn = lsn;
    },
    check,
    status: () => replicas.map(({ name, state, lagMs, reads }) => ({ name, state, lagMs, reads })),
    primaryReads: () => primaryCount,
    async close() {
      clearInterval(timer);
      await checking?.catch(() => undefined);
      await Promise.all(replicas.map((replica) => replica.database.close()));
    },
  };
}

async function currentLsn(primary: Database): Promise<bigint> {
  const { rows } = await primary.query<{ lsn: string }>(`SELECT (pg_current_wal_lsn() - '0/0'::pg_lsn)::text AS lsn`);
  return BigInt(rows[0]!.lsn);
}

/**
 * The standby, not the query, failed: it is unreachable (`upstream_unavailable`), or
 * recovery cancelled the query (40001: a conflict with WAL replay) or it shuts down.
 * A SQL error the primary would raise too is the caller's to see.
 */
function standbyCouldNotAnswer(error: unknown): boolean {
  if (isOrioleError(error)) return error.code === 'upstream_unavailable';
  const state = sqlState(error);
  return state === '40001' || state?.startsWith('57') === true || state?.startsWith('08') === true;
}
