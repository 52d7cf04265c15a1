import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { WebAssets } from '../api/index.ts';

/** Where `npm run build:web` writes the pages and the widget (git-ignored). */
export const builtWebDirectory = path.resolve(import.meta.dirname, '../../dist/web');

/**
 * The built web pages read from a directory, on each request (the files are small and the
 * OS caches them; a rebuild is served without a restart). A path that would leave the
 * directory reads as missing.
 */
export function directoryWebAssets(directory: string): WebAssets {
  const root = path.resolve(directory);
  return {
    async read(relative) {
      const file = path.resolve(root, relative);
      if (!file.startsWith(root + path.sep)) return null;
      try {
        const bytes = await readFile(file);
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) as Uint8Array<ArrayBuffer>;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') return null;
        throw error;
      }
    },
  };
}
