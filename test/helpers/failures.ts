import { expect } from 'vitest';
import { OrioleError } from '../../src/core/index.ts';

/** The OrioleError a promise rejects with; the test fails if it resolves or rejects with anything else. */
export async function failure(promise: Promise<unknown>): Promise<OrioleError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OrioleError);
    return error as OrioleError;
  }
  throw new Error('expected a failure');
}
