import { Buffer } from 'node:buffer';
import { Hono } from 'hono';
import type { Context } from 'hono';
import { listenOnLoopback } from './network.ts';

/**
 * A real HTTP server on 127.0.0.1 speaking the part of Confluence Cloud's REST API v2 the
 * Confluence connector reads, shaped as the v2 reference documents it:
 *
 * - `GET /wiki/api/v2/spaces?keys=K` → `{ results: [space…], _links: { base } }` (an
 *   unknown key is an empty list, not a 404);
 * - `GET /wiki/api/v2/spaces/{id}/pages?body-format=storage&limit=N&status=current&sort=id&cursor=…`
 *   → `{ results: [page…], _links: { next, base } }`, with the same next URL in a
 *   `Link: <…>; rel="next"` header. `next` is relative to the site (`/wiki/api/v2/…`) and
 *   carries an opaque cursor; `limit` is capped at `pageSize` so a handful of pages spans
 *   listing pages. Pages carry `parentId`/`parentType`, `version.number`, the storage body
 *   and `_links.webui` (`/spaces/KEY/pages/ID/Title`);
 * - Basic auth `email:token` is required unless `allowAnonymous`; anything else is a 401
 *   with the v2 error body;
 * - `rateLimitNext(n)` answers the next n requests 429 with `Retry-After: 2`;
 *   `failCursorPage(n)` answers the n-th listing page (1-based) 500 until cleared;
 *   `nextLinks` chooses where the next link is given (body, header or both).
 *
 * Tests change `pages` between listings to delete, archive or edit a page.
 */

export interface FakeConfluencePage {
  id: string;
  title: string;
  parentId: string | null;
  parentType?: 'page' | 'folder' | 'whiteboard' | 'database' | 'embed';
  status: 'current' | 'archived' | 'draft' | 'trashed';
  version: number;
  storage: string;
}

export interface FakeConfluenceSpace {
  id: string;
  key: string;
  name: string;
  homepageId: string;
}

export interface FakeConfluence {
  url: string;
  email: string;
  token: string;
  pageSize: number;
  space: FakeConfluenceSpace;
  /** By id; edit freely between listings. */
  pages: Map<string, FakeConfluencePage>;
  requests: { path: string; authorization: string | null }[];
  allowAnonymous: boolean;
  nextLinks: 'body' | 'header' | 'both';
  rateLimitNext(times?: number): void;
  failCursorPage(page: number | null): void;
  close(): Promise<void>;
}

export interface FakeConfluenceOptions {
  pageSize?: number;
  pages?: FakeConfluencePage[];
  allowAnonymous?: boolean;
}

export async function startFakeConfluence(options: FakeConfluenceOptions = {}): Promise<FakeConfluence> {
  let rateLimited = 0;
  let failingPage: number | null = null;
  const app = new Hono();
  const fake: FakeConfluence = {
    url: '',
    email: 'docs-bot@acme.example',
    token: 'ATATT3xFfGF0-fake-confluence-token',
    pageSize: options.pageSize ?? 2,
    space: { id: '98306', key: 'DOCS', name: 'Documentation', homepageId: '100' },
    pages: new Map((options.pages ?? []).map((page) => [page.id, page])),
    requests: [],
    allowAnonymous: options.allowAnonymous ?? false,
    nextLinks: 'both',
    rateLimitNext: (times = 1) => {
      rateLimited = times;
    },
    failCursorPage: (page) => {
      failingPage = page;
    },
    close: async () => undefined,
  };
  const expectedAuthorization = () => `Basic ${Buffer.from(`${fake.email}:${fake.token}`).toString('base64')}`;

  app.use('*', async (c, next) => {
    const url = new URL(c.req.url);
    const authorization = c.req.header('authorization') ?? null;
    fake.requests.push({ path: `${url.pathname}${url.search}`, authorization });
    const anonymousOk = authorization === null && fake.allowAnonymous;
    if (!anonymousOk && authorization !== expectedAuthorization()) {
      return confluenceError(c, 401, 'UNAUTHORIZED', 'Unauthorized');
    }
    if (rateLimited > 0) {
      rateLimited -= 1;
      c.header('retry-after', '2');
      return confluenceError(c, 429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded');
    }
    return next();
  });

  app.get('/wiki/api/v2/spaces', (c) => {
    const keys = c.req.queries('keys')?.flatMap((value) => value.split(',')) ?? [];
    const results = keys.length === 0 || keys.includes(fake.space.key) ? [spaceJson(fake.space)] : [];
    return c.json({ results, _links: { base: `${fake.url}/wiki` } });
  });

  app.get('/wiki/api/v2/spaces/:id/pages', (c) => {
    if (c.req.param('id') !== fake.space.id) return confluenceError(c, 404, 'NOT_FOUND', 'Not Found');
    const limit = Math.min(Math.max(1, Number(c.req.query('limit') ?? 25) || 25), 250, fake.pageSize);
    const statuses = c.req.query('status')?.split(',') ?? ['current', 'archived'];
    const withBody = c.req.query('body-format') === 'storage';
    const cursor = c.req.query('cursor');
    const after = cursor === undefined ? null : JSON.parse(Buffer.from(cursor, 'base64url').toString()) as { id: number; page: number };
    const pageNumber = (after?.page ?? 0) + 1;
    if (failingPage === pageNumber) return confluenceError(c, 500, 'INTERNAL_SERVER_ERROR', 'Internal Server Error');

    const matching = [...fake.pages.values()]
      .filter((page) => statuses.includes(page.status))
      .sort((a, b) => Number(a.id) - Number(b.id))
      .filter((page) => after === null || Number(page.id) > after.id);
    const results = matching.slice(0, limit);
    const links: Record<string, string> = { base: `${fake.url}/wiki` };
    const last = results.at(-1);
    if (matching.length > limit && last) {
      const nextCursor = Buffer.from(JSON.stringify({ id: Number(last.id), page: pageNumber })).toString('base64url');
      const query = new URLSearchParams(new URL(c.req.url).search);
      query.set('cursor', nextCursor);
      const next = `/wiki/api/v2/spaces/${fake.space.id}/pages?${query.toString()}`;
      if (fake.nextLinks !== 'header') links.next = next;
      if (fake.nextLinks !== 'body') c.header('link', `<${next}>; rel="next", <${fake.url}/wiki>; rel="base"`);
    }
    return c.json({ results: results.map((page) => pageJson(fake, page, withBody)), _links: links });
  });

  app.notFound((c) => confluenceError(c, 404, 'NOT_FOUND', 'Not Found'));

  const server = await listenOnLoopback(app);
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

function spaceJson(space: FakeConfluenceSpace): Record<string, unknown> {
  return {
    id: space.id,
    key: space.key,
    name: space.name,
    type: 'global',
    status: 'current',
    authorId: '557058:0a1b2c3d',
    createdAt: '2024-01-02T10:00:00.000Z',
    homepageId: space.homepageId,
    description: null,
    icon: null,
    _links: { webui: `/spaces/${space.key}` },
  };
}

function pageJson(fake: FakeConfluence, page: FakeConfluencePage, withBody: boolean): Record<string, unknown> {
  return {
    id: page.id,
    status: page.status,
    title: page.title,
    spaceId: fake.space.id,
    parentId: page.parentId,
    parentType: page.parentId === null ? null : (page.parentType ?? 'page'),
    position: Number(page.id),
    authorId: '557058:0a1b2c3d',
    ownerId: '557058:0a1b2c3d',
    lastOwnerId: null,
    createdAt: '2024-01-02T10:00:00.000Z',
    version: { createdAt: '2024-03-04T10:00:00.000Z', message: '', number: page.version, minorEdit: false, authorId: '557058:0a1b2c3d' },
    body: withBody ? { storage: { representation: 'storage', value: page.storage } } : {},
    _links: {
      webui: `/spaces/${fake.space.key}/pages/${page.id}/${encodeURIComponent(page.title).replace(/%20/g, '+')}`,
      editui: `/pages/resumedraft.action?draftId=${page.id}`,
      tinyui: `/x/${Buffer.from(page.id).toString('base64url')}`,
    },
  };
}

/** The v2 API's error body. */
function confluenceError(c: Context, status: 401 | 404 | 429 | 500, code: string, title: string): Response {
  return c.json({ errors: [{ status, code, title, detail: null }] }, status);
}
