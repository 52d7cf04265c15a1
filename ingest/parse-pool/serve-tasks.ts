import { parentPort } from 'node:worker_threads';
import { isOrioleError } from '../../src/core/index.ts';
import type { TaskMessage, TaskReply } from './thread-pool.ts';

/**
 * The inside of a thread-pool worker: answers one task at a time with `handle`. An
 * OrioleError crosses back as its code, message and details; anything else is reported
 * as `internal` under `describeFailure`, so a bug stays visible without leaking a stack.
 */
export function serveTasks<Request, Result>(
  handle: (request: Request) => Promise<Result>,
  describeFailure: (request: Request) => string,
): void {
  const port = parentPort!;
  port.on('message', (message: TaskMessage<Request>) => {
    void answer(message).then((reply) => port.postMessage(reply));
  });
  port.postMessage({ type: 'ready' } satisfies TaskReply<Result>);

  async function answer({ id, request }: TaskMessage<Request>): Promise<TaskReply<Result>> {
    try {
      return { type: 'done', id, ok: true, result: await handle(request) };
    } catch (error) {
      if (!isOrioleError(error)) {
        return { type: 'done', id, ok: false, error: { code: 'internal', message: describeFailure(request) } };
      }
      return {
        type: 'done',
        id,
        ok: false,
        error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
      };
    }
  }
}
