import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { exportDatabase, importDatabase, type Database } from '../db/index.ts';

/**
 * `oriole export FILE`: the whole database as JSON Lines, written to FILE.partial and
 * renamed when complete, so a killed export never leaves a file that looks whole.
 */
export async function runExport(database: Database, file: string, print: (text: string) => void): Promise<void> {
  const partial = `${file}.partial`;
  const out = createWriteStream(partial, { encoding: 'utf8' });
  try {
    const header = await exportDatabase(database, async (line) => {
      if (!out.write(`${line}\n`)) await once(out, 'drain');
    });
    out.end();
    await once(out, 'finish');
    await rename(partial, file);
    print(`Exported ${describeTables(header.tables)} to ${file} (schema ${header.migrations.at(-1) ?? 'empty'}).`);
  } catch (error) {
    out.destroy();
    await rm(partial, { force: true });
    throw error;
  }
}

/** `oriole import FILE`: an export read into this (migrated, empty) database, in one transaction. */
export async function runImport(database: Database, file: string, print: (text: string) => void): Promise<void> {
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    const report = await importDatabase(database, lines);
    print(`Imported ${describeTables(report.tables)} from ${file}.`);
  } finally {
    lines.close();
  }
}

function describeTables(tables: { name: string; rows: number }[]): string {
  const byName = new Map(tables.map((table) => [table.name, table.rows]));
  const total = tables.reduce((sum, table) => sum + table.rows, 0);
  return `${total} rows (${byName.get('knowledge_bases') ?? 0} knowledge bases, ${byName.get('documents') ?? 0} documents, ${byName.get('chunks') ?? 0} chunks)`;
}
