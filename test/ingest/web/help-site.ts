import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

export type RouteHandler = (request: IncomingMessage, response: ServerResponse, site: TestSite) => void;

export interface TestSite {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  base: string;
  /** `GET /path?query` for every request, in arrival order. */
  requests: string[];
  /** User-Agent headers seen. */
  userAgents: Set<string>;
  routes: Map<string, RouteHandler>;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1:0 that answers from a route table and logs every request. */
export async function startSite(routes: Record<string, RouteHandler> = {}): Promise<TestSite> {
  const site: TestSite = {
    base: '',
    requests: [],
    userAgents: new Set(),
    routes: new Map(Object.entries(routes)),
    close: async () => undefined,
  };
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    site.requests.push(`${request.method ?? 'GET'} ${path}`);
    site.userAgents.add(request.headers['user-agent'] ?? '');
    const handler = site.routes.get(path.split('?')[0] ?? path);
    if (handler) handler(request, response, site);
    else text(404, 'text/plain', 'not found')(request, response, site);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  site.base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  site.close = async () => {
    // The never-answering page keeps its socket open; close it so the server can stop.
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
  };
  return site;
}

export function text(status: number, contentType: string, body: string | ((site: TestSite) => string)): RouteHandler {
  return (_request, response, site) => {
    const content = typeof body === 'function' ? body(site) : body;
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(content) });
    response.end(content);
  };
}

export function html(title: string, links: string[] | ((site: TestSite) => string[])): RouteHandler {
  return text(200, 'text/html; charset=utf-8', (site) => {
    const hrefs = typeof links === 'function' ? links(site) : links;
    const anchors = hrefs.map((href) => `<li><a href="${href}">${href}</a></li>`).join('\n');
    return `<!doctype html><html><head><title>${title}</title></head><body><h1>${title}</h1><p>About ${title}.</p><ul>${anchors}</ul></body></html>`;
  });
}

export function redirect(status: number, location: string | ((site: TestSite) => string)): RouteHandler {
  return (_request, response, site) => {
    response.writeHead(status, { location: typeof location === 'function' ? location(site) : location });
    response.end();
  };
}

export function urlset(paths: string[]): RouteHandler {
  return text(200, 'application/xml', (site) => urlsetXml(site, paths));
}

export function gzippedUrlset(paths: string[]): RouteHandler {
  return (_request, response, site) => {
    const body = gzipSync(urlsetXml(site, paths));
    response.writeHead(200, { 'content-type': 'application/x-gzip', 'content-length': body.byteLength });
    response.end(body);
  };
}

export function sitemapIndex(paths: string[]): RouteHandler {
  return text(
    200,
    'application/xml; charset=utf-8',
    (site) =>
      `<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n` +
      paths.map((path) => `  <sitemap><loc>${site.base}${path}</loc><lastmod>2024-05-01</lastmod></sitemap>`).join('\n') +
      '\n</sitemapindex>\n',
  );
}

function urlsetXml(site: TestSite, paths: string[]): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n` +
    paths.map((path) => `  <url><loc>${site.base}${path}</loc><changefreq>weekly</changefreq></url>`).join('\n') +
    '\n</urlset>\n'
  );
}

/** Streams `totalBytes` of HTML in chunks, without Content-Length, like a generated page. */
export function hugePage(totalBytes: number): RouteHandler {
  return (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html' });
    const chunk = `<p>${'x'.repeat(16 * 1024 - 7)}</p>`;
    let sent = 0;
    const write = (): void => {
      while (sent < totalBytes) {
        sent += chunk.length;
        if (!response.write(chunk)) {
          response.once('drain', write);
          return;
        }
      }
      response.end();
    };
    // The client stops reading and cancels; the write error is expected.
    response.on('error', () => undefined);
    write();
  };
}

/** Accepts the request and never answers. */
export const neverAnswers: RouteHandler = () => undefined;
