import { inflateRawSync, inflateSync, constants as zlibConstants } from 'node:zlib';
import { OrioleError } from '../../src/core/index.ts';

/** Why an inflate stopped: the document's whole budget, or a ratio bound that some formats add. */
export type DecompressionLimit = 'maxDecompressedBytes' | 'maxCompressionRatio';

/**
 * Counts the bytes a document inflates to, as they come out of zlib. What archives and
 * streams declare about their own sizes is never used: zlib is told to stop one byte
 * past what is left (`maxOutputLength`), so a bomb costs at most the budget.
 */
export interface InflateBudget {
  /** Raw DEFLATE data (zip members). */
  inflateRaw(data: Uint8Array): Buffer;
  /** zlib-wrapped DEFLATE data (PDF FlateDecode streams). */
  inflate(data: Uint8Array): Buffer;
  /** Bytes inflated so far. */
  readonly used: number;
}

export interface InflateBudgetOptions {
  source: string;
  /** Most bytes the document may inflate to, in total. */
  maxBytes: number;
  /** Which limit `maxBytes` stands for, named in the error. */
  limit?: DecompressionLimit;
}

export function createInflateBudget({ source, maxBytes, limit = 'maxDecompressedBytes' }: InflateBudgetOptions): InflateBudget {
  let used = 0;
  const run = (inflater: typeof inflateSync, data: Uint8Array): Buffer => {
    const remaining = maxBytes - used;
    let output: Buffer;
    try {
      // One byte over what is left tells "exactly fits" from "would go on"; finishFlush
      // keeps what a truncated stream yields, as the parsers themselves would.
      output = inflater(data, { maxOutputLength: Math.max(remaining + 1, 1), finishFlush: zlibConstants.Z_SYNC_FLUSH });
    } catch (error) {
      if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') throw overBudget(source, limit, maxBytes);
      throw error;
    }
    used += output.byteLength;
    if (used > maxBytes) throw overBudget(source, limit, maxBytes);
    return output;
  };
  return {
    inflateRaw: (data) => run(inflateRawSync, data),
    inflate: (data) => run(inflateSync, data),
    get used() {
      return used;
    },
  };
}

function overBudget(source: string, limit: DecompressionLimit, maximum: number): OrioleError {
  const reason =
    limit === 'maxCompressionRatio' ? 'more than a document of its size plausibly holds; it looks like a decompression bomb' : `more than the ${megabytes(maximum)} allowed (ORIOLE_MAX_DECOMPRESSED_MB)`;
  return new OrioleError('decompression_limit', `${source} inflates to ${reason}`, {
    details: { source, limit, maximum },
  });
}

function megabytes(bytes: number): string {
  return `${Number((bytes / (1024 * 1024)).toFixed(1))} MB`;
}
