import { OrioleError } from '../core/index.ts';
import type { Database, SqlExecutor } from './database.ts';

/**
 * A whole Oriole database as JSON Lines, and back: how a knowledge base moves from the
 * embedded PGlite store to a PostgreSQL server (or back, or between servers) with the
 * same rows, vectors, keys and history (docs/scaling.md). Rows are read and written by
 * PostgreSQL itself (`row_to_json`, `json_populate_record`), so every column type —
 * vectors, bytea, jsonb, arrays, timestamps — round-trips through its own text form.
 */
export const exportFormat = 'oriole-export';
export const exportFormatVersion = 1;

export interface ExportHeader {
  format: typeof exportFormat;
  version: number;
  /** The schema the rows fit: the migrations applied to the exported database. */
  migrations: string[];
  /** Tables in the order they are written (parents before children) and their row counts. */
  tables: { name: string; rows: number }[];
}

/**
 * Not data: the migrations' own bookkeeping, rate-limit buckets (transient by design), and
 * the lexical statistics, which triggers on `chunks` and `chunk_terms` keep (migrations 003
 * and 004): importing the postings rebuilds them, so importing them too would count twice.
 */
const skippedTables = new Set(['oriole_migrations', 'rate_limit_buckets', 'lexical_statistics', 'lexical_terms']);

/** References a trigger checks rather than a foreign key (migration 009): the parent goes first too. */
const checkedReferences: Record<string, string[]> = { chunk_terms: ['chunks'] };
/** Rows read per query: bounds memory on a large KB (a chunk with its vector is a few KB). */
const exportBatchRows = 1_000;
/** Rows inserted per statement on import. */
const importBatchRows = 500;

/** Writes the header line, then one line per row: `{"table": …, "row": {…}}`. */
export async function exportDatabase(database: Database, write: (line: string) => Promise<void> | void): Promise<ExportHeader> {
  const tables = await tablesInDependencyOrder(database);
  const counted: ExportHeader['tables'] = [];
  for (const name of tables) {
    const { rows } = await database.query<{ count: string }>(`SELECT count(*)::text AS count FROM ${quoted(name)}`);
    counted.push({ name, rows: Number(rows[0]!.count) });
  }
  const header: ExportHeader = { format: exportFormat, version: exportFormatVersion, migrations: await appliedMigrations(database), tables: counted };
  await write(JSON.stringify(header));
  for (const { name } of counted) {
    const order = await orderingOf(database, name);
    for (let offset = 0; ; offset += exportBatchRows) {
      const { rows } = await database.query<{ row: string }>(
        `SELECT row_to_json(t)::text AS row FROM ${quoted(name)} t ORDER BY ${order} LIMIT ${exportBatchRows} OFFSET ${offset}`,
      );
      for (const { row } of rows) await write(`{"table":${JSON.stringify(name)},"row":${row}}`);
      if (rows.length < exportBatchRows) break;
    }
  }
  return header;
}

export interface ImportReport {
  tables: { name: string; rows: number }[];
}

/**
 * Reads an export into `database`, which must be migrated to the same migrations and hold
 * no data: in one transaction, so an import that fails leaves the database as it was.
 * Identity columns continue after the highest imported value.
 */
export async function importDatabase(database: Database, lines: AsyncIterable<string>): Promise<ImportReport> {
  const iterator = lines[Symbol.asyncIterator]();
  const header = parseHeader((await iterator.next()).value);
  const migrations = await appliedMigrations(database);
  if (JSON.stringify(migrations) !== JSON.stringify(header.migrations)) {
    throw new OrioleError(
      'conflict',
      `The export was made at schema ${header.migrations.at(-1) ?? '(none)'} and this database is at ${migrations.at(-1) ?? '(none)'}: upgrade the older side (oriole migrate) and export again`,
      { details: { exported: header.migrations.at(-1) ?? null, current: migrations.at(-1) ?? null } },
    );
  }
  const known = new Set(await tablesInDependencyOrder(database));
  for (const { name } of header.tables) {
    if (!known.has(name)) throw new OrioleError('invalid_request', `The export names a table this database does not have: ${name}`);
  }
  return database.transaction(async (transaction) => {
    await refuseUnlessEmpty(transaction, [...known]);
    const columns = new Map<string, string[]>();
    const counts = new Map<string, number>();
    let batch: { table: string; rows: string[] } | null = null;
    const flush = async () => {
      if (batch === null || batch.rows.length === 0) return;
      const { table, rows } = batch;
      const names = columns.get(table) ?? (await insertableColumns(transaction, table));
      columns.set(table, names);
      const list = names.map(quoted).join(', ');
      await transaction.query(
        `INSERT INTO ${quoted(table)} (${list}) OVERRIDING SYSTEM VALUE
         SELECT ${list} FROM jsonb_array_elements($1::jsonb) AS e, jsonb_populate_record(NULL::${quoted(table)}, e.value)`,
        [`[${rows.join(',')}]`],
      );
      counts.set(table, (counts.get(table) ?? 0) + rows.length);
      batch = { table, rows: [] };
    };
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      const line = next.value.trim();
      if (line === '') continue;
      const { table, row } = parseRowLine(line);
      if (!known.has(table)) throw new OrioleError('invalid_request', `The export names a table this database does not have: ${table}`);
      if (batch === null || batch.table !== table) {
        await flush();
        batch = { table, rows: [] };
      }
      batch.rows.push(row);
      if (batch.rows.length >= importBatchRows) await flush();
    }
    await flush();
    for (const { name, rows } of header.tables) {
      if ((counts.get(name) ?? 0) !== rows) {
        throw new OrioleError('invalid_request', `The export is incomplete: ${name} should have ${rows} rows, it has ${counts.get(name) ?? 0}`);
      }
    }
    await continueIdentities(transaction, [...counts.keys()]);
    return { tables: header.tables };
  });
}

function parseHeader(line: string | undefined): ExportHeader {
  let header: Partial<ExportHeader> | undefined;
  try {
    header = line === undefined ? undefined : (JSON.parse(line) as Partial<ExportHeader>);
  } catch {
    header = undefined;
  }
  if (header?.format !== exportFormat || !Array.isArray(header.migrations) || !Array.isArray(header.tables)) {
    throw new OrioleError('invalid_request', 'Not an Oriole export: the first line is not its header (made by oriole export)');
  }
  if (header.version !== exportFormatVersion) {
    throw new OrioleError('invalid_request', `The export is format version ${header.version}; this Oriole reads version ${exportFormatVersion}`);
  }
  return header as ExportHeader;
}

/** The row's JSON kept as text: PostgreSQL parses it, so numbers and strings keep their exact form. */
function parseRowLine(line: string): { table: string; row: string } {
  const match = /^\{"table":("(?:[^"\\]|\\.)*"),"row":(\{.*\})\}$/s.exec(line);
  if (match === null) throw new OrioleError('invalid_request', `Not a row of an Oriole export: ${line.slice(0, 80)}`);
  return { table: JSON.parse(match[1]!) as string, row: match[2]! };
}

async function appliedMigrations(database: SqlExecutor): Promise<string[]> {
  const { rows } = await database.query<{ name: string }>(`SELECT name FROM oriole_migrations ORDER BY id`);
  return rows.map((row) => row.name);
}

/** Every data table of the current schema, each after the tables its foreign keys point to. */
async function tablesInDependencyOrder(database: SqlExecutor): Promise<string[]> {
  const { rows: tables } = await database.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c
      WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' ORDER BY c.relname`,
  );
  const { rows: references } = await database.query<{ child: string; parent: string }>(
    `SELECT child.relname AS child, parent.relname AS parent FROM pg_constraint k
       JOIN pg_class child ON child.oid = k.conrelid JOIN pg_class parent ON parent.oid = k.confrelid
      WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND k.conrelid <> k.confrelid`,
  );
  const names = tables.map((table) => table.name).filter((name) => !skippedTables.has(name));
  const parents = new Map(
    names.map((name) => [name, new Set([...references.filter((edge) => edge.child === name).map((edge) => edge.parent), ...(checkedReferences[name] ?? [])])]),
  );
  const ordered: string[] = [];
  const placed = new Set<string>();
  while (ordered.length < names.length) {
    const ready = names.filter((name) => !placed.has(name) && [...parents.get(name)!].every((parent) => placed.has(parent) || !parents.has(parent)));
    if (ready.length === 0) throw new OrioleError('internal', 'The tables reference each other in a cycle; the export cannot order them');
    for (const name of ready) {
      ordered.push(name);
      placed.add(name);
    }
  }
  return ordered;
}

/** The primary key (or every column) as a stable order for paging through a table. */
async function orderingOf(database: SqlExecutor, table: string): Promise<string> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey)
      WHERE i.indrelid = $1::regclass AND i.indisprimary ORDER BY array_position(i.indkey, a.attnum)`,
    [quoted(table)],
  );
  return rows.length > 0 ? rows.map((row) => quoted(row.name)).join(', ') : 'ctid';
}

/** Columns a row is written to: all but generated ones, which PostgreSQL computes again. */
async function insertableColumns(database: SqlExecutor, table: string): Promise<string[]> {
  const { rows } = await database.query<{ name: string }>(
    `SELECT column_name AS name FROM information_schema.columns
      WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = 'NEVER' ORDER BY ordinal_position`,
    [table],
  );
  return rows.map((row) => row.name);
}

async function refuseUnlessEmpty(database: SqlExecutor, tables: string[]): Promise<void> {
  for (const table of tables) {
    const { rows } = await database.query(`SELECT 1 FROM ${quoted(table)} LIMIT 1`);
    if (rows.length > 0) {
      throw new OrioleError('conflict', `This database already holds data (table ${table}): import into a new, empty database`, {
        details: { table },
      });
    }
  }
}

/** Identity columns continue after the highest imported value, so new rows never collide. */
async function continueIdentities(database: SqlExecutor, tables: string[]): Promise<void> {
  const { rows } = await database.query<{ table_name: string; column_name: string }>(
    `SELECT table_name, column_name FROM information_schema.columns
      WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%') AND table_name = ANY($1::text[])`,
    [tables],
  );
  for (const { table_name: table, column_name: column } of rows) {
    await database.query(
      `SELECT setval(pg_get_serial_sequence($1, $2), greatest(1, (SELECT coalesce(max(${quoted(column)}), 0) FROM ${quoted(table)})), (SELECT count(*) > 0 FROM ${quoted(table)}))`,
      [quoted(table), column],
    );
  }
}

function quoted(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}
