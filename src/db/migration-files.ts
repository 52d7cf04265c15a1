import { readdir, readFile } from 'node:fs/promises';
import { OrioleError } from '../core/index.ts';
import type { Migration } from './migrate.ts';

/** `migrations/` at the package root, next to `src/`. */
export const migrationsDirectory = new URL('../../migrations/', import.meta.url);

const fileNamePattern = /^(\d+)_([a-z0-9_]+)\.sql$/;

/** Reads `NNN_name.sql` files; any other file in the folder is a mistake worth reporting. */
export async function readMigrationFiles(directory: URL | string = migrationsDirectory): Promise<Migration[]> {
  const base = typeof directory === 'string' ? new URL(`file://${directory.replace(/\/?$/, '/')}`) : directory;
  const names = (await readdir(base)).filter((name) => !name.startsWith('.')).sort();
  return Promise.all(
    names.map(async (name) => {
      const match = fileNamePattern.exec(name);
      if (!match) {
        throw new OrioleError('migration_failed', `Unexpected file in migrations/: ${name} (expected NNN_name.sql)`);
      }
      return { id: Number(match[1]), name: name.replace(/\.sql$/, ''), sql: await readFile(new URL(name, base), 'utf8') };
    }),
  );
}
