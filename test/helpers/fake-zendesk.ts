import { Buffer } from 'node:buffer';
import { listenOnLoopback } from './network.ts';

/**
 * A Zendesk Guide (Help Center) over real HTTP on 127.0.0.1, answering in the shapes of
 * the published Help Center API reference:
 *
 * - `GET /api/v2/help_center/locales` → `{ locales, default_locale }`;
 * - `GET /api/v2/help_center/{locale}/sections` and `…/{locale}/articles` with cursor
 *   pagination: `page[size]` (at most 100, and at most `pageSizeLimit` here so that small
 *   fixtures span pages), `page[after]`, `meta: { has_more, after_cursor, before_cursor }`,
 *   `links: { first, last, prev, next }`; an agent sees drafts (`draft: true`), an
 *   anonymous reader does not;
 * - `GET /api/v2/help_center/incremental/articles?start_time=` (agents only), the
 *   time-based export: translations changed at or after `start_time`, oldest first,
 *   `incrementalPageSize` a page, each page's `end_time` the last change on it and its
 *   `next_page` the same URL with that time as `start_time`; the last page has
 *   `next_page: null` and `end_of_stream: true`;
 * - `Authorization: Basic base64("{email}/token:{token}")` checked on every request: a
 *   wrong one gets 401 `{"error":"Couldn't authenticate you"}`.
 *
 * Paths answer with and without `.json`, as Zendesk's do. Archived (deleted) articles
 * appear nowhere.
 */

export interface FakeTranslation {
  title: string;
  body: string | null;
  draft?: boolean;
  /** Unix seconds of the last change. */
  updatedAt?: number;
}

export interface FakeArticle {
  id: number;
  sectionId: number;
  labels?: string[];
  /** Visible only to this user segment (agents, signed-in users); anonymous readers never see it. */
  userSegmentId?: number;
  /** By locale (`en-us`); the first one is the article's source locale. */
  translations: Record<string, FakeTranslation>;
}

export interface FakeSection {
  id: number;
  /** By locale. */
  names: Record<string, string>;
}

export interface FakeZendeskOptions {
  locales: string[];
  sections: FakeSection[];
  articles: FakeArticle[];
  /** The agent whose API token the help center accepts. */
  agent: { email: string; token: string };
  /** The largest `page[size]` served (Zendesk's own limit is 100). */
  pageSizeLimit?: number;
  /** Articles per page of the incremental export (Zendesk's is 1000). */
  incrementalPageSize?: number;
}

/** Answers the next `times` requests that `when` matches with `status` instead of serving them. */
export interface ScriptedFailure {
  status: number;
  times: number;
  when?: (url: URL) => boolean;
  retryAfterSeconds?: number;
}

/** A request held back until the test releases it (a slow help center, to stop a sync mid-listing). */
export interface HeldRequest {
  /** Resolves with `GET /path?query` once the request arrived and is being held. */
  reached: Promise<string>;
  /** Lets it through (answered as usual); harmless when it never came or its client is gone. */
  release(): void;
}

export interface FakeZendesk {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  url: string;
  /** `GET /path?query` of every request, in arrival order. */
  requests: string[];
  /** The Authorization header of every request (null when absent), in arrival order. */
  authorizations: (string | null)[];
  /** The next request gets 429 with `Retry-After: seconds`. */
  rateLimitNext(seconds: number): void;
  failNext(failure: ScriptedFailure): void;
  /** Holds the next request `when` matches (only that one) until `release()`; others are served meanwhile. */
  hold(when: (url: URL) => boolean): HeldRequest;
  /** Changes a translation (title, body, labels) and stamps it with a new, later change time. */
  editArticle(id: number, locale: string, changes: Partial<Pick<FakeTranslation, 'title' | 'body'>> & { labels?: string[] }): number;
  /** Turns a translation back into a draft, as unpublishing does. */
  makeDraft(id: number, locale: string): number;
  /** Archives an article: gone from every list, the export included. */
  deleteArticle(id: number): void;
  /** The change time of a translation, in Unix seconds. */
  updatedAt(id: number, locale: string): number;
  close(): Promise<void>;
}

/** Fixture translations without a change time changed at this one (2023-11-14), long before any test runs. */
const fixtureTime = 1_700_000_000;

interface Row {
  article: FakeArticle;
  locale: string;
  translation: Required<FakeTranslation>;
}

export async function startFakeZendesk(options: FakeZendeskOptions): Promise<FakeZendesk> {
  const pageSizeLimit = options.pageSizeLimit ?? 100;
  const incrementalPageSize = options.incrementalPageSize ?? 1000;
  const expectedAuthorization = `Basic ${Buffer.from(`${options.agent.email}/token:${options.agent.token}`).toString('base64')}`;
  const articles: FakeArticle[] = structuredClone(options.articles);
  for (const article of articles) {
    for (const translation of Object.values(article.translations)) translation.updatedAt ??= fixtureTime;
  }
  const failures: ScriptedFailure[] = [];
  let lastStamp = fixtureTime;
  const requests: string[] = [];
  const authorizations: (string | null)[] = [];
  const holds: { when: (url: URL) => boolean; taken: boolean; arrived: (request: string) => void; released: Promise<void> }[] = [];

  /** Each change gets its own second, later than any before, so the export's order is certain. */
  const stamp = () => (lastStamp = Math.max(Math.floor(Date.now() / 1000), lastStamp + 1));

  const rows = (): Row[] =>
    articles.flatMap((article) =>
      Object.entries(article.translations).map(([locale, translation]) => ({
        article,
        locale,
        translation: { draft: false, updatedAt: fixtureTime, ...translation },
      })),
    );

  function translationOf(id: number, locale: string): FakeTranslation {
    const translation = articles.find((article) => article.id === id)?.translations[locale];
    if (!translation) throw new Error(`the fake help center has no article ${id} in ${locale}`);
    return translation;
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const authorization = request.headers.get('authorization');
    authorizations.push(authorization);
    const held = holds.find((hold) => !hold.taken && hold.when(url));
    if (held) {
      held.taken = true;
      held.arrived(`${request.method} ${url.pathname}${url.search}`);
      await held.released;
    }
    return answer(url, authorization);
  }

  function answer(url: URL, authorization: string | null): Response {
    const base = url.origin;

    const failure = failures.find((scripted) => scripted.times > 0 && (scripted.when?.(url) ?? true));
    if (failure) {
      failure.times -= 1;
      const headers: Record<string, string> = failure.retryAfterSeconds === undefined ? {} : { 'retry-after': String(failure.retryAfterSeconds) };
      const body = failure.status === 429 ? { error: 'TooManyRequests', description: 'Number of allowed API requests per minute exceeded' } : { error: 'ServerError' };
      return json(body, failure.status, headers);
    }

    if (authorization !== null && authorization !== expectedAuthorization) return json({ error: "Couldn't authenticate you" }, 401);
    const agent = authorization !== null;
    const path = url.pathname.replace(/\.json$/, '');

    if (path === '/api/v2/help_center/locales') return json({ locales: options.locales, default_locale: options.locales[0] });
    if (path === '/api/v2/help_center/incremental/articles') {
      if (!agent) return json({ error: "Couldn't authenticate you" }, 401);
      return incrementalExport(url, base);
    }
    const listing = /^\/api\/v2\/help_center\/([a-z-]+)\/(sections|articles)$/.exec(path);
    if (listing) {
      const [, locale, kind] = listing as unknown as [string, string, 'sections' | 'articles'];
      if (!options.locales.includes(locale)) return json({ error: 'RecordNotFound', description: 'Not found' }, 404);
      const items =
        kind === 'sections'
          ? options.sections.filter((section) => locale in section.names).map((section) => sectionJson(section, locale, base))
          : rows()
              .filter((row) => row.locale === locale && (agent || (!row.translation.draft && row.article.userSegmentId === undefined)))
              .map((row) => articleJson(row, base));
      return cursorPage(url, kind, items);
    }
    return json({ error: 'InvalidEndpoint', description: 'Not found' }, 404);
  }

  function cursorPage(url: URL, kind: string, items: unknown[]): Response {
    const size = Number(url.searchParams.get('page[size]'));
    if (!Number.isInteger(size) || size < 1 || size > 100) {
      return json({ error: 'InvalidPaginationParameter', description: 'page[size] must be an integer from 1 to 100' }, 400);
    }
    const after = url.searchParams.get('page[after]');
    const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8'));
    const end = Math.min(items.length, start + Math.min(size, pageSizeLimit));
    const hasMore = end < items.length;
    const cursorAt = (offset: number) => Buffer.from(String(offset)).toString('base64url');
    const link = (cursor: string, direction: 'after' | 'before') => {
      const next = new URL(url);
      next.searchParams.delete('page[after]');
      next.searchParams.delete('page[before]');
      next.searchParams.set(`page[${direction}]`, cursor);
      return next.href;
    };
    const afterCursor = end > start ? cursorAt(end) : null;
    const beforeCursor = end > start ? cursorAt(start) : null;
    return json({
      [kind]: items.slice(start, end),
      meta: { has_more: hasMore, after_cursor: afterCursor, before_cursor: beforeCursor },
      links: {
        first: link(cursorAt(0), 'after'),
        last: null,
        prev: start > 0 && beforeCursor ? link(beforeCursor, 'before') : null,
        next: hasMore && afterCursor ? link(afterCursor, 'after') : null,
      },
    });
  }

  function incrementalExport(url: URL, base: string): Response {
    const startTime = Number(url.searchParams.get('start_time'));
    if (!url.searchParams.has('start_time') || !Number.isInteger(startTime) || startTime < 0) {
      return json({ error: 'InvalidValue', description: 'start_time must be a Unix time in seconds' }, 400);
    }
    const changed = rows()
      .filter((row) => row.translation.updatedAt >= startTime)
      .sort((a, b) => a.translation.updatedAt - b.translation.updatedAt || a.article.id - b.article.id);
    const page = changed.slice(0, incrementalPageSize);
    const endTime = page.at(-1)?.translation.updatedAt ?? startTime;
    const more = changed.length > incrementalPageSize;
    return json({
      articles: page.map((row) => articleJson(row, base)),
      count: page.length,
      end_time: endTime,
      next_page: more ? `${base}/api/v2/help_center/incremental/articles.json?start_time=${endTime}` : null,
      end_of_stream: !more,
    });
  }

  const server = await listenOnLoopback({ fetch: handle });
  return {
    url: server.url,
    requests,
    authorizations,
    rateLimitNext(seconds) {
      failures.push({ status: 429, times: 1, retryAfterSeconds: seconds });
    },
    failNext(failure) {
      failures.push({ ...failure });
    },
    hold(when) {
      let arrived!: (request: string) => void;
      let release!: () => void;
      const reached = new Promise<string>((resolve) => (arrived = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ when, taken: false, arrived, released });
      return { reached, release };
    },
    editArticle(id, locale, changes) {
      const translation = translationOf(id, locale);
      if (changes.title !== undefined) translation.title = changes.title;
      if (changes.body !== undefined) translation.body = changes.body;
      if (changes.labels !== undefined) articles.find((article) => article.id === id)!.labels = changes.labels;
      return (translation.updatedAt = stamp());
    },
    makeDraft(id, locale) {
      const translation = translationOf(id, locale);
      translation.draft = true;
      return (translation.updatedAt = stamp());
    },
    deleteArticle(id) {
      const index = articles.findIndex((article) => article.id === id);
      if (index < 0) throw new Error(`the fake help center has no article ${id}`);
      articles.splice(index, 1);
    },
    updatedAt(id, locale) {
      return translationOf(id, locale).updatedAt ?? fixtureTime;
    },
    close: () => server.close(),
  };
}

function articleJson(row: Row, base: string): Record<string, unknown> {
  const { article, locale, translation } = row;
  const time = new Date(translation.updatedAt * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const sourceLocale = Object.keys(article.translations)[0];
  return {
    id: article.id,
    url: `${base}/api/v2/help_center/${locale}/articles/${article.id}.json`,
    html_url: `${base}/hc/${locale}/articles/${article.id}-${slug(translation.title)}`,
    author_id: 360_000_000_001,
    comments_disabled: false,
    draft: translation.draft,
    promoted: false,
    position: 0,
    vote_sum: 0,
    vote_count: 0,
    section_id: article.sectionId,
    created_at: new Date(fixtureTime * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
    updated_at: time,
    edited_at: time,
    name: translation.title,
    title: translation.title,
    source_locale: sourceLocale,
    locale,
    outdated: false,
    outdated_locales: [],
    permission_group_id: 360_000_000_002,
    user_segment_id: article.userSegmentId ?? null,
    user_segment_ids: article.userSegmentId === undefined ? [] : [article.userSegmentId],
    content_tag_ids: [],
    label_names: article.labels ?? [],
    body: translation.body,
  };
}

function sectionJson(section: FakeSection, locale: string, base: string): Record<string, unknown> {
  const name = section.names[locale]!;
  return {
    id: section.id,
    url: `${base}/api/v2/help_center/${locale}/sections/${section.id}.json`,
    html_url: `${base}/hc/${locale}/sections/${section.id}-${slug(name)}`,
    category_id: 360_000_000_003,
    position: 0,
    sorting: 'manual',
    created_at: '2023-11-14T22:13:20Z',
    updated_at: '2023-11-14T22:13:20Z',
    name,
    description: '',
    locale,
    source_locale: Object.keys(section.names)[0],
    outdated: false,
    parent_section_id: null,
    theme_template: 'section_page',
  };
}

function slug(title: string): string {
  return title
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-|-$/g, '');
}

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json; charset=utf-8', ...headers } });
}
