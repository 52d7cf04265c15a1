import { workerData } from 'node:worker_threads';
import { createFileLoaders } from '../loaders/index.ts';
import type { ParseRequest, ParseWorkerData } from './protocol.ts';
import { serveTasks } from './serve-tasks.ts';

/**
 * The inside of a parse-pool thread: the built-in loaders, as pure as anywhere else,
 * answering one request at a time. Budgets of time and heap are enforced from outside
 * (the pool terminates this thread); the decompression budget inside, by the loaders.
 */
const { maxDecompressedBytes, embeddedImages } = workerData as ParseWorkerData;
const loaders = createFileLoaders({ maxDecompressedBytes, embeddedImages });

// createFileLoaders turns every failure into an OrioleError; the fallback message keeps a bug visible.
serveTasks(
  (input: ParseRequest) => loaders.load(input),
  (input) => `Parsing ${input.source} failed unexpectedly`,
);
