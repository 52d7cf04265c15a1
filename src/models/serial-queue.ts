/**
 * Runs tasks one at a time, in call order. An in-process model given one thread
 * keeps to one core only if its runs do not overlap; concurrent callers queue here.
 */
export interface SerialQueue {
  run<T>(task: () => Promise<T>): Promise<T>;
}

export function createSerialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  return {
    run<T>(task: () => Promise<T>): Promise<T> {
      const result = tail.then(task);
      // The next task waits for this one to settle, whether it failed or not.
      tail = result.catch(() => undefined);
      return result;
    },
  };
}
