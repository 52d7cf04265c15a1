import { parentPort, workerData } from 'node:worker_threads';
import { isOrioleError } from '../../src/core/index.ts';
import { createFileLoaders } from '../loaders/index.ts';
import type { ParseReply, ParseRequest, ParseWorkerData } from './protocol.ts';

/**
 * The inside of a parse-pool thread: the built-in loaders, as pure as anywhere else,
 * answering one request at a time. Budgets of time and heap are enforced from outside
 * (the pool terminates this thread); the decompression budget inside, by the loaders.
 */
const port = parentPort!;
const { maxDecompressedBytes } = workerData as ParseWorkerData;
const loaders = createFileLoaders({ maxDecompressedBytes });

port.on('message', (request: ParseRequest) => {
  void parse(request).then((reply) => port.postMessage(reply));
});
port.postMessage({ type: 'ready' } satisfies ParseReply);

async function parse({ id, input }: ParseRequest): Promise<ParseReply> {
  try {
    return { type: 'parsed', id, ok: true, document: await loaders.load(input) };
  } catch (error) {
    // createFileLoaders turns every failure into an OrioleError; the check keeps a bug visible.
    if (!isOrioleError(error)) {
      return { type: 'parsed', id, ok: false, error: { code: 'internal', message: `Parsing ${input.source} failed unexpectedly` } };
    }
    return {
      type: 'parsed',
      id,
      ok: false,
      error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
    };
  }
}
