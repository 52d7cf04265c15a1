import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { freePort } from './network.ts';

const binary = path.resolve('bin/oriole.js');

export interface Served {
  child: ChildProcess;
  url: string;
  port: number;
  exited: Promise<number | null>;
  output(): string;
}

/** The real `oriole serve` in a child process, on a free port; lexical-only unless the environment says otherwise. */
export async function serve(environment: Record<string, string>): Promise<Served> {
  const port = await freePort();
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  const child = spawn(process.execPath, [binary, 'serve', '--host', '127.0.0.1', '--port', String(port)], {
    env: { ...inherited, ORIOLE_LOG_LEVEL: 'warn', ORIOLE_EMBEDDER: 'none', ...environment },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr!.on('data', (data: Buffer) => (output += data.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`oriole serve did not start:\n${output}`)), 60_000);
    child.stdout!.on('data', () => {
      const match = /Oriole is listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`oriole serve exited with ${code}:\n${output}`)));
  });
  return { child, url, port, exited, output: () => output };
}
