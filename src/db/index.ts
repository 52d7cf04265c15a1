// The storage stage's public surface. `pglite.ts` (Node-only) and `migration-files.ts`
// (filesystem) are imported by the Node composition root alone.
export { createPoolDatabase, asStorageError, sqlState } from './database.ts';
export type { Database, SqlExecutor, Backend } from './database.ts';
export { openPostgres, quoteIdentifier } from './postgres.ts';
export type { PostgresOptions } from './postgres.ts';
export { migrate, pendingMigrations } from './migrate.ts';
export type { Migration, MigrationReport } from './migrate.ts';
export {
  createKnowledgeBase,
  ensureKnowledgeBase,
  findKnowledgeBase,
  getKnowledgeBase,
  listKnowledgeBases,
  deleteKnowledgeBase,
  knowledgeBaseNamePattern,
} from './knowledge-bases.ts';
export type { KnowledgeBase, KnowledgeBaseSummary } from './knowledge-bases.ts';
export { vectorToSql, vectorFromSql, nearestChunks } from './vectors.ts';
export type { VectorNeighbour } from './vectors.ts';
