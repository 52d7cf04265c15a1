import { Hono } from 'hono';
import { OrioleError } from '../core/index.ts';
import type { AppEnvironment, WebAssets } from './context.ts';

/**
 * The built web pages (web/, built to dist/web by `npm run build:web`): `/` the chat page,
 * `/admin` the console, `/widget.js` the embeddable widget, `/assets/*` their hashed
 * scripts and styles. Files come from `WebAssets`, which the composition root provides
 * (a directory on Node, the static-assets binding on Workers). The pages are open (auth.ts):
 * they hold no data; every call they make to the API carries the user's key.
 */

/** A strict policy for the pages: scripts and styles from this origin only, nothing inline, never framed. */
export const pageContentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Hashed names (`chat-1a2B3c.js`) never change content: cached for a year. */
const immutableCache = 'public, max-age=31536000, immutable';
/** The HTML names the current hashed assets: always revalidated. */
const pageCache = 'no-cache';
/** Sites paste the widget's URL, so it cannot be hashed: a short cache lets a new version arrive within minutes. */
const widgetCache = 'public, max-age=300';

const assetName = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

const contentTypes: Record<string, string> = {
  html: 'text/html; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  map: 'application/json; charset=utf-8',
};

export function webPageRoutes(): Hono<AppEnvironment> {
  const app = new Hono<AppEnvironment>();
  app.get('/', (context) => servePage(context.get('dependencies').web, 'chat/index.html'));
  app.get('/admin', (context) => servePage(context.get('dependencies').web, 'admin/index.html'));
  app.get('/widget.js', async (context) => {
    const body = await readBuilt(context.get('dependencies').web, 'widget.js');
    return new Response(body, {
      headers: {
        ...commonHeaders('widget.js'),
        'Cache-Control': widgetCache,
        // Host pages on other origins load it with a plain <script> tag, COEP or not.
        'Cross-Origin-Resource-Policy': 'cross-origin',
      },
    });
  });
  app.get('/assets/:file', async (context) => {
    const file = context.req.param('file');
    if (!assetName.test(file)) throw missing(`/assets/${file}`);
    const body = await readBuilt(context.get('dependencies').web, `assets/${file}`);
    return new Response(body, { headers: { ...commonHeaders(file), 'Cache-Control': immutableCache } });
  });
  return app;
}

async function servePage(web: WebAssets | undefined, path: string): Promise<Response> {
  const body = await readBuilt(web, path);
  return new Response(body, {
    headers: {
      ...commonHeaders(path),
      'Cache-Control': pageCache,
      'Content-Security-Policy': pageContentSecurityPolicy,
      'X-Frame-Options': 'DENY',
    },
  });
}

async function readBuilt(web: WebAssets | undefined, path: string): Promise<Uint8Array<ArrayBuffer>> {
  if (!web) throw new OrioleError('not_found', 'This deployment serves the API only: no web pages were given to it');
  const body = await web.read(path);
  if (body === null) {
    throw path.startsWith('assets/')
      ? missing(`/${path}`)
      : new OrioleError('not_found', `The web pages are not built (${path} is missing): run npm run build:web`);
  }
  return body;
}

function commonHeaders(path: string): Record<string, string> {
  const extension = path.slice(path.lastIndexOf('.') + 1);
  return {
    'Content-Type': contentTypes[extension] ?? 'application/octet-stream',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  };
}

function missing(path: string): OrioleError {
  return new OrioleError('not_found', `No such file: ${path}`);
}
