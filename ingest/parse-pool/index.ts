// Parsing in isolation: the built-in loaders run in worker threads with a time, heap
// and decompression budget per document (docs/limits.md).
export { createParsePool, defaultPoolSize } from './parse-pool.ts';
export type { ParseBudgets, ParsePool, ParsePoolOptions } from './parse-pool.ts';
export { createThreadPool } from './thread-pool.ts';
export type { ThreadPool, ThreadPoolOptions } from './thread-pool.ts';
export { serveTasks } from './serve-tasks.ts';
