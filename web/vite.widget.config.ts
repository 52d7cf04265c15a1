import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import { defaultOutDir, preactJsx, webRoot } from './vite.config.ts';

/**
 * `/widget.js`: one self-contained IIFE (script, styles and messages inside), so a host page
 * adds one tag and loads nothing else. Not hashed: its URL is what sites paste; the server
 * gives it a short cache instead.
 */
export default defineConfig({
  root: webRoot,
  publicDir: false,
  logLevel: 'warn',
  oxc: preactJsx,
  build: {
    outDir: defaultOutDir,
    emptyOutDir: false,
    target: 'es2020',
    assetsInlineLimit: 0,
    lib: { entry: resolve(webRoot, 'widget/main.tsx'), formats: ['iife'], name: 'OrioleWidget', fileName: () => 'widget.js' },
  },
});
