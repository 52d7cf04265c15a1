import { Hono } from 'hono';
import type { Context } from 'hono';
import { listenOnLoopback } from './network.ts';

/**
 * A real HTTP server on 127.0.0.1 speaking the part of Intercom's REST API the Intercom
 * connector reads, shaped as the API reference (2.11) documents it:
 *
 * - `GET /articles?page=N&per_page=M` → `{ type: 'list', pages: { type, page, per_page,
 *   total_pages, next }, total_count, data: [article…] }`, newest `updated_at` first, drafts
 *   included; `per_page` is capped at `pageSize` so a handful of articles spans pages; like
 *   the real API, `pages.page` and `pages.per_page` come back as strings when the request
 *   named them, and `next` is the next page's URL (absent on the last page);
 * - `Authorization: Bearer <token>` is required: anything else is a 401 `error.list`
 *   (`unauthorized`, "Access Token Invalid"); a request without `Intercom-Version` is a 400
 *   (the real API would fall back to the app's default version, which a connector must not rely on);
 * - `rateLimitNext(n)` answers the next n requests 429 with `Retry-After: 2` and the
 *   `rate_limit_exceeded` error; `failPage(p)` answers page p 500 until cleared;
 * - `beforePage` runs before a page is served, to change articles mid-listing.
 *
 * Tests change `articles` between listings to delete, unpublish or edit an article.
 */

export interface FakeArticleContent {
  title: string;
  body: string;
  state: 'published' | 'draft';
  url: string | null;
  updated_at: number;
}

export interface FakeArticle extends FakeArticleContent {
  id: string;
  parent_id: number | null;
  parent_type: 'collection' | 'section' | null;
  /** Multilingual help centers only: the default locale and every locale's content, the default's included. */
  default_locale?: string;
  translated_content?: Record<string, FakeArticleContent | null>;
}

export interface FakeIntercomRequest {
  path: string;
  authorization: string | null;
  intercomVersion: string | null;
  accept: string | null;
}

export interface FakeIntercom {
  url: string;
  token: string;
  pageSize: number;
  /** By id; edit freely between (or, through `beforePage`, during) listings. */
  articles: Map<string, FakeArticle>;
  requests: FakeIntercomRequest[];
  beforePage: ((page: number) => void) | null;
  rateLimitNext(times?: number): void;
  failPage(page: number | null): void;
  close(): Promise<void>;
}

export interface FakeIntercomOptions {
  token?: string;
  pageSize?: number;
  articles?: FakeArticle[];
}

const workspaceId = 'ecahpwf5';

export async function startFakeIntercom(options: FakeIntercomOptions = {}): Promise<FakeIntercom> {
  let rateLimited = 0;
  let failingPage: number | null = null;
  const app = new Hono();
  const fake: FakeIntercom = {
    url: '',
    token: options.token ?? 'dG9rOmZha2UtaW50ZXJjb20tdG9rZW4=',
    pageSize: options.pageSize ?? 2,
    articles: new Map((options.articles ?? []).map((article) => [article.id, article])),
    requests: [],
    beforePage: null,
    rateLimitNext: (times = 1) => {
      rateLimited = times;
    },
    failPage: (page) => {
      failingPage = page;
    },
    close: async () => undefined,
  };

  app.use('*', async (c, next) => {
    fake.requests.push({
      path: `${new URL(c.req.url).pathname}${new URL(c.req.url).search}`,
      authorization: c.req.header('authorization') ?? null,
      intercomVersion: c.req.header('intercom-version') ?? null,
      accept: c.req.header('accept') ?? null,
    });
    if (c.req.header('authorization') !== `Bearer ${fake.token}`) return errorList(c, 401, 'unauthorized', 'Access Token Invalid');
    if (!c.req.header('intercom-version')) return errorList(c, 400, 'intercom_version_invalid', 'Requested version is not supported');
    if (rateLimited > 0) {
      rateLimited -= 1;
      c.header('retry-after', '2');
      c.header('x-ratelimit-limit', '10000');
      c.header('x-ratelimit-remaining', '0');
      c.header('x-ratelimit-reset', String(Math.floor(Date.now() / 1000) + 2));
      return errorList(c, 429, 'rate_limit_exceeded', 'Exceeded rate limit of 10000 in 1_minute');
    }
    return next();
  });

  app.get('/articles', (c) => {
    const pageParam = c.req.query('page');
    const perPageParam = c.req.query('per_page');
    const page = Math.max(1, Number(pageParam ?? 1) || 1);
    const perPage = Math.min(Math.max(1, Number(perPageParam ?? 25) || 25), 250, fake.pageSize);
    fake.beforePage?.(page);
    if (failingPage === page) return errorList(c, 500, 'server_error', 'Server Error');
    const all = [...fake.articles.values()].sort((a, b) => b.updated_at - a.updated_at || Number(b.id) - Number(a.id));
    const totalPages = Math.max(1, Math.ceil(all.length / perPage));
    const data = all.slice((page - 1) * perPage, page * perPage).map(articleJson);
    const pages: Record<string, unknown> = {
      type: 'pages',
      page: pageParam === undefined ? page : String(page),
      per_page: perPageParam === undefined ? perPage : String(perPage),
      total_pages: totalPages,
    };
    if (page < totalPages) pages.next = `${fake.url}/articles?page=${page + 1}&per_page=${perPage}`;
    return c.json({ type: 'list', pages, total_count: all.length, data });
  });

  app.notFound((c) => errorList(c, 404, 'not_found', 'Resource Not Found'));

  const server = await listenOnLoopback(app);
  fake.url = server.url;
  fake.close = server.close;
  return fake;
}

function articleJson(article: FakeArticle): Record<string, unknown> {
  const json: Record<string, unknown> = {
    type: 'article',
    id: article.id,
    workspace_id: workspaceId,
    title: article.title,
    description: '',
    body: article.body,
    author_id: 5017691,
    state: article.state,
    created_at: article.updated_at - 3600,
    updated_at: article.updated_at,
    url: article.url,
    parent_id: article.parent_id,
    parent_ids: article.parent_id === null ? [] : [article.parent_id],
    parent_type: article.parent_type,
  };
  if (article.default_locale !== undefined) json.default_locale = article.default_locale;
  if (article.translated_content !== undefined) {
    const translations: Record<string, unknown> = { type: 'article_translated_content' };
    for (const [locale, content] of Object.entries(article.translated_content)) {
      translations[locale] = content === null ? null : { type: 'article_content', description: '', author_id: 5017691, created_at: content.updated_at - 3600, ...content };
    }
    json.translated_content = translations;
  }
  return json;
}

function errorList(c: Context, status: 400 | 401 | 404 | 429 | 500, code: string, message: string): Response {
  return c.json({ type: 'error.list', request_id: `req-${Math.random().toString(36).slice(2, 10)}`, errors: [{ code, message }] }, status);
}

/** A published single-language article, as tests build them. */
export function fakeArticle(id: string, fields: Partial<FakeArticle> = {}): FakeArticle {
  return {
    id,
    title: `Article ${id}`,
    body: `<p>Body of article ${id}.</p>`,
    state: 'published',
    url: `https://intercom.help/acme/en/articles/${id}-article-${id}`,
    updated_at: 1_700_000_000 + Number(id),
    parent_id: 143,
    parent_type: 'collection',
    ...fields,
  };
}
