import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './network.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/**
 * A PostgreSQL 15 cluster of its own for a test that stops and starts the server (the
 * shared server other test files use must stay up). initdb into a temporary directory,
 * listening on a free port of 127.0.0.1 and a socket in that directory. PostgreSQL
 * refuses to run as root, so as root the cluster belongs to the `postgres` user and
 * every command runs through `runuser`.
 */
export interface PrivatePostgres {
  /** postgres://postgres@127.0.0.1:<port>/postgres (trust authentication). */
  url: string;
  port: number;
  start(): Promise<void>;
  /** `pg_ctl stop -m fast`: open connections are terminated, as in a failover or a restart. */
  stop(): Promise<void>;
  restart(): Promise<void>;
  /** Stops the cluster if it runs and deletes its files. */
  destroy(): Promise<void>;
}

const run = promisify(execFile);
const binaries = process.env.ORIOLE_PG_BINDIR ?? '/usr/lib/postgresql/15/bin';
const isRoot = process.getuid?.() === 0;

/** Why a private cluster cannot be made here, or null when it can. */
export function privatePostgresUnavailable(): string | null {
  if (!existsSync(path.join(binaries, 'initdb'))) return `no initdb in ${binaries} (set ORIOLE_PG_BINDIR)`;
  if (isRoot && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) return 'running as root without runuser';
  return null;
}

export async function createPrivatePostgres(): Promise<PrivatePostgres> {
  const { directory, dataDir } = await ownedDirectory();
  await asOwner(path.join(binaries, 'initdb'), ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
  const cluster = clusterIn(directory, dataDir, await freePort());
  await cluster.start();
  return cluster;
}

/**
 * A hot standby of `primary` on a port of its own: `pg_basebackup -R` (streaming
 * replication, the standby.signal and primary_conninfo written for it), then started.
 * initdb's pg_hba.conf already trusts replication connections from 127.0.0.1.
 */
export async function createPrivateStandby(primary: PrivatePostgres): Promise<PrivatePostgres> {
  const { directory, dataDir } = await ownedDirectory();
  await asOwner(path.join(binaries, 'pg_basebackup'), ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', dataDir, '-R', '-X', 'stream', '--no-sync']);
  const standby = clusterIn(directory, dataDir, await freePort());
  await standby.start();
  return standby;
}

async function asOwner(command: string, args: string[]) {
  const [file, fullArgs] = isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
  return run(file, fullArgs, { timeout: 60_000 });
}

/** A temporary directory the cluster's owner may write; `dataDir` inside it does not exist yet. */
async function ownedDirectory(): Promise<{ directory: string; dataDir: string }> {
  const directory = await mkdtemp(path.join(tmpdir(), 'oriole-private-pg-'));
  if (isRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    await chown(directory, Number(stdout.trim()), Number(group.trim()));
  }
  return { directory, dataDir: path.join(directory, 'data') };
}

function clusterIn(directory: string, dataDir: string, port: number): PrivatePostgres {
  const pgCtl = (...args: string[]) => asOwner(path.join(binaries, 'pg_ctl'), ['-D', dataDir, '-w', '-t', '30', ...args]);
  let running = false;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    async start() {
      const settings = `-p ${port} -k ${directory} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off`;
      await pgCtl('-o', settings, '-l', path.join(directory, 'server.log'), 'start');
      running = true;
    },
    async stop() {
      await pgCtl('-m', 'fast', 'stop');
      running = false;
    },
    async restart() {
      await cluster.stop();
      await cluster.start();
    },
    async destroy() {
      if (running) await cluster.stop().catch(() => undefined);
      await rm(directory, { recursive: true, force: true });
    },
  };
  return cluster;
}
