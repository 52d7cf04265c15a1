import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { build } from 'vite';

/**
 * Builds the web pages (`/`, `/admin`) and the widget (`/widget.js`) into `outDir`
 * (default dist/web): `npm run build:web`, run by `prepare` so `npm ci` leaves a working
 * build. Tests call `buildWeb` with a temporary directory to test the current source.
 */
const webRoot = resolve(import.meta.dirname, '../web');
export const defaultWebOutDir = resolve(import.meta.dirname, '../dist/web');

export async function buildWeb(outDir: string = defaultWebOutDir): Promise<{ seconds: number }> {
  const started = performance.now();
  // Vite builds for NODE_ENV; under vitest that is 'test', which would test a bigger, unminified-JSX bundle than ships.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: resolve(webRoot, 'vite.config.ts'), mode: 'production', build: { outDir } });
    await build({ configFile: resolve(webRoot, 'vite.widget.config.ts'), mode: 'production', build: { outDir } });
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
  }
  return { seconds: (performance.now() - started) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const outDir = process.argv[2] ? resolve(process.argv[2]) : defaultWebOutDir;
  const { seconds } = await buildWeb(outDir);
  console.log(`web: built ${outDir} in ${seconds.toFixed(1)} s`);
}
