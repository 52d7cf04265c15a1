import { Writable } from 'node:stream';

/**
 * Keeps stdout for the protocol alone: returns a stream onto the real stdout for the
 * transport, and sends whatever else is written to process.stdout (a console.log in a
 * dependency, a model loader's banner) to stderr, where a client shows it as a log.
 */
export function reserveStdoutForProtocol(): Writable {
  const stdout = process.stdout;
  const writeStdout = stdout.write.bind(stdout) as (chunk: unknown, encoding: BufferEncoding, callback: (error?: Error | null) => void) => boolean;
  const protocol = new Writable({
    write(chunk, encoding, callback) {
      writeStdout(chunk, encoding, callback);
    },
  });
  stdout.write = process.stderr.write.bind(process.stderr) as typeof stdout.write;
  return protocol;
}
