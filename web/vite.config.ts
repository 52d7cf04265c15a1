import { resolve } from 'node:path';
import { defineConfig } from 'vite';

/**
 * The pages: `/` (chat/) and `/admin` (admin/), one build with shared chunks. Output goes to
 * dist/web with content-hashed names under assets/, which the server caches for a year.
 * The widget is a second build (vite.widget.config.ts): one self-contained IIFE.
 */
export const webRoot = import.meta.dirname;
export const defaultOutDir = resolve(webRoot, '../dist/web');

export const preactJsx = { jsx: { runtime: 'automatic', importSource: 'preact' } } as const;

export default defineConfig({
  root: webRoot,
  base: '/',
  publicDir: false,
  logLevel: 'warn',
  oxc: preactJsx,
  build: {
    outDir: defaultOutDir,
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows no inline script or style: never inline an asset as a data: URL module.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    rolldownOptions: {
      input: { chat: resolve(webRoot, 'chat/index.html'), admin: resolve(webRoot, 'admin/index.html') },
    },
  },
});
