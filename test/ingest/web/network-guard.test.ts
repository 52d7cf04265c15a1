import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { isIPv6, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { CrawlFailure, CrawlResult, CrawlSummary, FetchedPage, FetchFunction } from '../../../ingest/web/index.ts';
import { crawl, isCrawlFailure } from '../../../ingest/web/index.ts';
import type { LookupFunction } from '../../../ingest/web/network-guard.ts';
import { createGuardedFetch, isPrivateAddress } from '../../../ingest/web/network-guard.ts';

type Handler = (request: IncomingMessage, response: ServerResponse, server: LocalServer) => void;

interface LocalServer {
  port: number;
  /** `GET /path` per request, in arrival order. */
  requests: string[];
  headers: IncomingHttpHeaders[];
  routes: Map<string, Handler>;
  close(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that closes every connection after its answer, so each
 * request opens a new one and the guard's resolver runs again (as after a keep-alive
 * socket times out): that is when a rebinding name gets to answer differently.
 */
async function startServer(routes: Record<string, Handler>): Promise<LocalServer> {
  const local: LocalServer = { port: 0, requests: [], headers: [], routes: new Map(Object.entries(routes)), close: async () => undefined };
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    local.requests.push(`${request.method ?? 'GET'} ${path}`);
    local.headers.push(request.headers);
    response.setHeader('connection', 'close');
    const handler = local.routes.get(path.split('?')[0] ?? path);
    if (handler) handler(request, response, local);
    else page('not found', [], 404)(request, response, local);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  local.port = (server.address() as AddressInfo).port;
  local.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return local;
}

function page(title: string, links: string[] = [], status = 200): Handler {
  return (_request, response) => {
    const body = `<!doctype html><title>${title}</title><h1>${title}</h1>${links.map((href) => `<a href="${href}">${href}</a>`).join(' ')}`;
    response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body) });
    response.end(body);
  };
}

function redirectTo(location: string | ((server: LocalServer) => string), status = 302): Handler {
  return (_request, response, server) => {
    response.writeHead(status, { location: typeof location === 'function' ? location(server) : location, 'content-length': 0 });
    response.end();
  };
}

type Answer = string | string[];

/** A `dns.lookup` stand-in: a table of names, each answer fixed or computed per call. Unknown names fail with ENOTFOUND. */
function stubResolver(table: Record<string, Answer | (() => Answer)>) {
  const calls: { hostname: string; all: boolean }[] = [];
  const lookup: LookupFunction = (hostname, options, callback) => {
    calls.push({ hostname, all: options.all === true });
    const entry = table[hostname];
    setImmediate(() => {
      if (entry === undefined) {
        callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '');
        return;
      }
      const answers = [typeof entry === 'function' ? entry() : entry].flat().map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
      const [first] = answers;
      if (options.all) callback(null, answers);
      else callback(null, first?.address ?? '', first?.family);
    });
  };
  return { lookup, calls, names: () => calls.map((call) => call.hostname) };
}

/** Bounds a request that a broken guard would let through to an address nobody answers on. */
const bounded = (): RequestInit => ({ signal: AbortSignal.timeout(10_000) });

/** The guard's refusal from a rejected fetch (an OrioleError somewhere in the cause chain); fails when the fetch succeeded or failed otherwise. */
async function refusalOf(request: Promise<Response>): Promise<OrioleError> {
  const error = await request.then(
    (response) => {
      throw new Error(`expected the guard to refuse, but the request was answered with HTTP ${response.status}`);
    },
    (rejection: unknown) => rejection,
  );
  for (let current: unknown = error; current instanceof Error; current = current.cause) {
    if (current instanceof OrioleError) return current;
  }
  throw new Error('expected an OrioleError in the cause chain', { cause: error });
}

async function collect(generator: AsyncGenerator<CrawlResult, CrawlSummary>) {
  const pages: FetchedPage[] = [];
  const failures: CrawlFailure[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { pages, failures, summary: next.value };
    if (isCrawlFailure(next.value)) failures.push(next.value);
    else pages.push(next.value);
  }
}

/**
 * The test server can only listen on loopback, so these tests let 127.0.0.1 play "the
 * public internet": this rule forbids every private address the real one does except
 * 127.0.0.1 itself. 127.0.0.2 (what a rebinding name turns into) and 10.0.0.1 stay
 * forbidden, just as any private address is for the default rule.
 */
const publicLoopback = (address: string): boolean => address !== '127.0.0.1' && isPrivateAddress(address);

let server: LocalServer;
let other: LocalServer;

beforeAll(async () => {
  server = await startServer({
    '/': page('Home'),
    '/landing': page('Landing'),
    '/echo': page('Echo'),
    '/to-rebind': redirectTo((self) => `http://rebind.test:${self.port}/landing`),
    '/to-ten': redirectTo('http://10.0.0.1/admin'),
    '/to-data': redirectTo('data:text/plain,not-from-the-network'),
    '/loop': redirectTo('/loop'),
    '/same-origin': redirectTo('/echo'),
    '/cross-origin': redirectTo(() => `http://other.test:${other.port}/echo`),
  });
  other = await startServer({ '/echo': page('Other echo') });
});

afterAll(async () => {
  await server.close();
  await other.close();
});

beforeEach(() => {
  for (const local of [server, other]) {
    local.requests.length = 0;
    local.headers.length = 0;
  }
});

describe('createGuardedFetch with the default address rule', () => {
  it('refuses a host name that resolves to 127.0.0.1, at connect time, before the server sees a request', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup });

    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain('docs.test');
    expect(refusal.message).toContain('127.0.0.1');
    expect(refusal.message).toContain('ORIOLE_ALLOW_PRIVATE_NETWORK');
    expect(refusal.details).toEqual({ host: 'docs.test', address: '127.0.0.1' });
    expect(resolver.names()).toEqual(['docs.test']);
    expect(server.requests).toEqual([]);
  });

  it.each(['169.254.169.254', '::1', '::ffff:127.0.0.1'])('refuses a host name that resolves to %s', async (address) => {
    const resolver = stubResolver({ 'docs.test': address });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup });

    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain(`resolves to ${address},`);
    expect(server.requests).toEqual([]);
  });

  it('refuses an answer of several addresses when any one of them is private', async () => {
    // 203.0.113.10 (TEST-NET-3) is public to the rule; connecting to it would go nowhere.
    const resolver = stubResolver({ 'docs.test': ['203.0.113.10', '127.0.0.1'] });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup });

    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain('127.0.0.1');
    // Node asks for every address (happy eyeballs) and expects the array form back.
    expect(resolver.calls).toEqual([{ hostname: 'docs.test', all: true }]);
    expect(server.requests).toEqual([]);
  });

  it.each(['127.0.0.1', '[::1]'])('refuses the literal address %s without resolving or requesting it', async (host) => {
    const resolver = stubResolver({});
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup });

    const refusal = await refusalOf(guardedFetch(`http://${host}:${server.port}/`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain(host);
    expect(refusal.message).toContain('ORIOLE_ALLOW_PRIVATE_NETWORK');
    expect(resolver.calls).toEqual([]);
    expect(server.requests).toEqual([]);
  });
});

describe('createGuardedFetch with 127.0.0.1 standing in for a public address', () => {
  it('fetches from a host name the rule allows', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const response = await guardedFetch(`http://docs.test:${server.port}/`, bounded());

    expect(response.status).toBe(200);
    expect(await response.text()).toContain('<h1>Home</h1>');
    expect(server.requests).toEqual(['GET /']);
  });

  it('refuses a redirect to a host name that resolves to a forbidden address, at that hop', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1', 'rebind.test': '127.0.0.2' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/to-rebind`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain('rebind.test resolves to 127.0.0.2');
    expect(resolver.names()).toEqual(['docs.test', 'rebind.test']);
    expect(server.requests).toEqual(['GET /to-rebind']);
  });

  it('refuses a redirect to a literal private address without requesting it', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/to-ten`, bounded()));

    expect(refusal.code).toBe('forbidden');
    expect(refusal.message).toContain('10.0.0.1');
    expect(resolver.names()).toEqual(['docs.test']);
    expect(server.requests).toEqual(['GET /to-ten']);
  });

  it('judges the address again on every connection, so a name that rebinds between two requests is refused', async () => {
    let lookups = 0;
    const resolver = stubResolver({ 'docs.test': () => (++lookups === 1 ? '127.0.0.1' : '127.0.0.2') });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const first = await guardedFetch(`http://docs.test:${server.port}/landing`, bounded());
    expect(first.status).toBe(200);
    await first.text();
    const refusal = await refusalOf(guardedFetch(`http://docs.test:${server.port}/landing`, bounded()));

    expect(refusal.message).toContain('docs.test resolves to 127.0.0.2');
    expect(resolver.names()).toEqual(['docs.test', 'docs.test']);
    expect(server.requests).toEqual(['GET /landing']);
  });

  it("returns a redirect as it is with redirect: 'manual'", async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1', 'rebind.test': '127.0.0.2' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const response = await guardedFetch(`http://docs.test:${server.port}/to-rebind`, { ...bounded(), redirect: 'manual' });

    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(`http://rebind.test:${server.port}/landing`);
    expect(resolver.names()).toEqual(['docs.test']);
    expect(server.requests).toEqual(['GET /to-rebind']);
  });

  it('gives up after maxRedirects hops', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({
      allowPrivateNetwork: false,
      lookup: resolver.lookup,
      isForbiddenAddress: publicLoopback,
      maxRedirects: 2,
    });

    const error = await guardedFetch(`http://docs.test:${server.port}/loop`, bounded()).then(
      () => null,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as Error).message).toContain('redirected more than 2 times');
    expect(server.requests).toEqual(['GET /loop', 'GET /loop', 'GET /loop']);
  });

  it('refuses a redirect to a scheme other than http(s)', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });

    const error = await guardedFetch(`http://docs.test:${server.port}/to-data`, bounded()).then(
      () => null,
      (rejection: unknown) => rejection,
    );

    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as Error).message).toContain('which is not http(s)');
  });

  it('keeps credentials on a redirect within the origin and drops them on a redirect to another origin', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1', 'other.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });
    const headers = { authorization: 'Bearer source-token', cookie: 'session=1', 'x-request-note': 'kept' };

    expect((await guardedFetch(`http://docs.test:${server.port}/same-origin`, { ...bounded(), headers })).status).toBe(200);
    expect(server.requests).toEqual(['GET /same-origin', 'GET /echo']);
    expect(server.headers[1]).toMatchObject(headers);

    expect((await guardedFetch(`http://docs.test:${server.port}/cross-origin`, { ...bounded(), headers })).status).toBe(200);
    expect(other.requests).toEqual(['GET /echo']);
    expect(other.headers[0]?.authorization).toBeUndefined();
    expect(other.headers[0]?.cookie).toBeUndefined();
    expect(other.headers[0]?.['x-request-note']).toBe('kept');
  });
});

describe('createGuardedFetch with allowPrivateNetwork', () => {
  it('reaches 127.0.0.1 by address and by a name the stub resolver answers', async () => {
    const resolver = stubResolver({ 'docs.test': '127.0.0.1' });
    const guardedFetch = createGuardedFetch({ allowPrivateNetwork: true, lookup: resolver.lookup });

    expect((await guardedFetch(`http://127.0.0.1:${server.port}/`, bounded())).status).toBe(200);
    const byName = await guardedFetch(`http://docs.test:${server.port}/landing`, bounded());

    expect(byName.status).toBe(200);
    expect(await byName.text()).toContain('<h1>Landing</h1>');
    // docs.test exists only in the stub: reaching it proves the stub resolved it.
    expect(resolver.names()).toEqual(['docs.test']);
    expect(server.requests).toEqual(['GET /', 'GET /landing']);
  });
});

describe('crawling through the guard', () => {
  it('reports a forbidden failure for a linked page whose host name rebinds to a private address mid-crawl', async () => {
    // docs.test answers 127.0.0.1 ("public" under the rule) until the start page has been
    // served, then 127.0.0.2: the next connection, for the linked page, is refused.
    let rebound = false;
    const site = await startServer({
      '/robots.txt': (_request, response) => {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('User-agent: *\nAllow: /\n');
      },
      '/': (request, response, self) => {
        rebound = true;
        page('Home', ['/secret'])(request, response, self);
      },
      '/secret': page('Secret'),
    });
    try {
      const resolver = stubResolver({ 'docs.test': () => (rebound ? '127.0.0.2' : '127.0.0.1') });
      const guardedFetch: FetchFunction = createGuardedFetch({
        allowPrivateNetwork: false,
        lookup: resolver.lookup,
        isForbiddenAddress: publicLoopback,
      });
      const start = `http://docs.test:${site.port}/`;

      const { pages, failures } = await collect(crawl([start], { fetch: guardedFetch, allowPrivateNetwork: false, timeoutMs: 10_000 }));

      expect(pages.map((fetched) => fetched.source)).toEqual([start]);
      expect(failures.map((failure) => [failure.source, failure.error.code])).toEqual([[`${start}secret`, 'forbidden']]);
      expect(failures[0]?.error.message).toContain('docs.test resolves to 127.0.0.2');
      expect(site.requests.sort()).toEqual(['GET /', 'GET /robots.txt']);
    } finally {
      await site.close();
    }
  });

  it('reports a forbidden failure for a host that a page redirects to and that resolves to a private address', async () => {
    const site = await startServer({
      '/': page('Home', ['/moved']),
      '/moved': redirectTo((self) => `http://rebind.test:${self.port}/landing`),
      '/landing': page('Landing'),
    });
    try {
      const resolver = stubResolver({ 'docs.test': '127.0.0.1', 'rebind.test': '127.0.0.2' });
      const guardedFetch = createGuardedFetch({ allowPrivateNetwork: false, lookup: resolver.lookup, isForbiddenAddress: publicLoopback });
      const start = `http://docs.test:${site.port}/`;

      const { pages, failures } = await collect(
        crawl([start], { fetch: guardedFetch, allowPrivateNetwork: false, sameHostOnly: false, timeoutMs: 10_000 }),
      );

      expect(pages.map((fetched) => fetched.source)).toEqual([start]);
      // The crawler reads the new host's robots.txt before following the redirect there; the guard refuses that connection.
      expect(failures.map((failure) => [failure.source, failure.error.code])).toEqual([
        [`http://rebind.test:${site.port}/robots.txt`, 'forbidden'],
      ]);
      expect(failures[0]?.error.message).toContain('rebind.test resolves to 127.0.0.2');
      expect(site.requests.sort()).toEqual(['GET /', 'GET /moved', 'GET /robots.txt']);
    } finally {
      await site.close();
    }
  });
});
