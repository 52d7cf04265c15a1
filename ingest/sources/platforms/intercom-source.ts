import { z } from 'zod';
import { OrioleError } from '../../../src/core/index.ts';
import type { ConnectorDependencies, ListingEnd, ListingRequest, SourceConnector, SourceDocument, SourceEntry } from '../connector.ts';
import { createSourceHttp } from './source-http.ts';
import type { SourceHttp } from './source-http.ts';

/** A bearer token or API key: printable ASCII without spaces, so it cannot break a header. */
const tokenSchema = z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').max(4096);

export const intercomConfigSchema = z
  .object({
    /** The REST API base: https://api.intercom.io, or the EU / AU region's api.eu.intercom.io / api.au.intercom.io. */
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).optional(),
    token: tokenSchema,
  })
  .strict();

export type IntercomConfig = z.infer<typeof intercomConfigSchema>;

/** Config fields that are secrets: stored encrypted, never echoed back. */
export const intercomCredentialFields = ['token'] as const;

const defaultIntercomApiUrl = 'https://api.intercom.io';

/** The API version whose article shape this connector reads; sent on every request so the app's default cannot change it. */
const intercomApiVersion = '2.11';

/** Articles per listing page (the API allows up to 250; 50 keeps one answer small). */
const intercomPageSize = 50;

/** Help center locales (`fr`, `pt-BR`, `zh-CN`); also skips the object's own `type` key. Part of a source key, so checked. */
const localePattern = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

/** A listing longer than this is a server that keeps saying "next"; stop rather than loop. */
const maxListingPages = 10_000;

const idSchema = z.union([z.string().min(1), z.number()]).transform(String);
const nullableId = z.union([z.string(), z.number()]).nullish().transform((value) => (value === null || value === undefined ? null : String(value)));

/** One language's content, the article's own fields or a `translated_content` entry. */
const contentFields = {
  title: z.string().nullish(),
  body: z.string().nullish(),
  state: z.string().nullish(),
  updated_at: z.number().nullish(),
  url: z.string().nullish(),
};

const articleSchema = z.object({
  id: idSchema,
  ...contentFields,
  parent_id: nullableId,
  parent_type: z.string().nullish(),
  default_locale: z.string().nullish(),
  translated_content: z.record(z.string(), z.unknown()).nullish(),
});
type Article = z.infer<typeof articleSchema>;

const translationSchema = z.object(contentFields);
type Content = z.infer<typeof translationSchema>;

const listSchema = z.object({
  data: z.array(z.unknown()),
  total_count: z.number().nullish(),
  pages: z
    .object({
      // Sent back as a string when the request named a page: never trusted, the connector counts pages itself.
      total_pages: z.coerce.number().nullish(),
      // A URL in some versions, a cursor object in others; either way it means "there is more".
      next: z.unknown().optional(),
    })
    .nullish(),
});
type ArticleList = z.infer<typeof listSchema>;

/**
 * Lists a workspace's Help Center articles through the Articles API
 * (`GET /articles?page=N&per_page=50`). Intercom has no "changed since" listing for
 * articles, so every listing is full; unchanged articles cost the caller a fingerprint
 * comparison only. Published articles become documents, drafts are left out (an article
 * unpublished since the last listing is then absent, and the caller deletes it).
 *
 * A multilingual help center returns the default language's content in the article's own
 * fields and every language, the default included, under `translated_content`; each
 * other language published there is a document of its own (`…/{locale}`), whether or not
 * the default language is published.
 */
export function createIntercomConnector(config: IntercomConfig, dependencies: ConnectorDependencies): SourceConnector {
  const base = (config.url ?? defaultIntercomApiUrl).replace(/\/+$/, '');
  const http = createSourceHttp(dependencies);
  const headers = { authorization: `Bearer ${config.token}`, 'intercom-version': intercomApiVersion, accept: 'application/json' };
  return {
    incremental: false,
    list: (request) => listArticles(http, base, headers, request),
  };
}

async function* listArticles(
  http: SourceHttp,
  base: string,
  headers: Record<string, string>,
  request: ListingRequest,
): AsyncGenerator<SourceEntry, ListingEnd> {
  const seen = new Set<string>();
  let firstTotal: number | null = null;
  let consistent = true;
  for (let page = 1; ; page += 1) {
    stopIfAborted(request.signal);
    const url = `${base}/articles?page=${page}&per_page=${intercomPageSize}`;
    const answer = await readPage(http, url, headers, request.signal, page === 1);
    if (answer.kind === 'failed') {
      yield answer;
      return { complete: false, cursor: null };
    }
    const list = answer.list;
    firstTotal ??= list.total_count ?? null;
    if (list.total_count !== undefined && list.total_count !== null && list.total_count !== firstTotal) consistent = false;
    for (const raw of list.data) {
      const id = idSchema.safeParse((raw as { id?: unknown } | null)?.id);
      if (!id.success) {
        // An entry without an id cannot be named, so whatever it replaced must not be deleted.
        consistent = false;
        continue;
      }
      // An article edited mid-listing moves to the first page and shifts the rest: skip the repeat.
      if (seen.has(id.data)) continue;
      seen.add(id.data);
      const article = articleSchema.safeParse(raw);
      if (article.success) yield* articleEntries(article.data);
      else yield unreadableArticle(id.data, url);
    }
    if (!hasNextPage(list, page)) break;
    if (page >= maxListingPages) return { complete: false, cursor: null };
  }
  // Articles come newest-edit first, so an edit, creation or deletion during the listing
  // shifts page boundaries and can hide an article on a page already read. The counts
  // reveal it; the listing is then not complete and the caller deletes nothing.
  const complete = consistent && (firstTotal === null || seen.size >= firstTotal);
  return { complete, cursor: null };
}

type PageAnswer = { kind: 'list'; list: ArticleList } | Extract<SourceEntry, { kind: 'failed' }>;

async function readPage(http: SourceHttp, url: string, headers: Record<string, string>, signal: AbortSignal, first: boolean): Promise<PageAnswer> {
  try {
    const parsed = listSchema.safeParse(await http.getJson<unknown>(url, { headers, signal }));
    if (parsed.success) return { kind: 'list', list: parsed.data };
    const error = new OrioleError('upstream_unavailable', `${url} did not answer with an article list`, { details: { url } });
    return { kind: 'failed', source: url, error };
  } catch (error) {
    stopIfAborted(signal);
    const refusal = asOrioleError(error, url);
    // Refused credentials make the whole listing meaningless: fail the run loudly instead
    // of reporting one failed page that a user would read as a passing glitch.
    if (first && refusal.code === 'forbidden') throw refusal;
    return { kind: 'failed', source: url, error: refusal };
  }
}

function hasNextPage(list: ArticleList, page: number): boolean {
  if (list.data.length === 0) return false;
  const next = list.pages?.next;
  if (next !== undefined && next !== null && next !== '') return true;
  const totalPages = list.pages?.total_pages;
  return typeof totalPages === 'number' && Number.isFinite(totalPages) && page < totalPages;
}

function* articleEntries(article: Article): Generator<SourceEntry> {
  const defaultLocale = article.default_locale ?? null;
  if (article.state === 'published') yield { kind: 'document', document: toDocument(article, article, defaultLocale, false) };
  // Without the default locale's name its entry in translated_content cannot be told apart
  // from a real translation, so only the article's own fields are read.
  if (defaultLocale === null || !article.translated_content) return;
  for (const [locale, value] of Object.entries(article.translated_content)) {
    if (locale === defaultLocale || !localePattern.test(locale)) continue;
    const translation = translationSchema.safeParse(value);
    if (!translation.success || translation.data.state !== 'published') continue;
    yield { kind: 'document', document: toDocument(article, translation.data, locale, true) };
  }
}

/** An article whose fields are not what the API documents: its stored documents are kept. */
function unreadableArticle(id: string, url: string): SourceEntry {
  const error = new OrioleError('upstream_unavailable', `Intercom article ${id} in ${url} has fields of unexpected types`, {
    details: { url, intercomId: id },
  });
  return { kind: 'failed', source: `intercom/articles/${id}`, error };
}

function toDocument(article: Article, content: Content, locale: string | null, translated: boolean): SourceDocument {
  const title = content.title?.trim() || null;
  const html = `<h1>${escapeHtml(title ?? '')}</h1>\n${content.body ?? ''}`;
  return {
    source: translated ? `intercom/articles/${article.id}/${locale}` : `intercom/articles/${article.id}`,
    title,
    url: content.url || null,
    contentType: 'text/html',
    bytes: new TextEncoder().encode(html),
    ...(locale === null ? {} : { tags: { locale } }),
    metadata: {
      intercomId: article.id,
      parentId: article.parent_id,
      parentType: article.parent_type ?? null,
      updatedAt: typeof content.updated_at === 'number' ? new Date(content.updated_at * 1000).toISOString() : null,
    },
  };
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new OrioleError('upstream_unavailable', 'the sync stopped before the Intercom listing finished');
}

function asOrioleError(error: unknown, url: string): OrioleError {
  if (error instanceof OrioleError) return error;
  return new OrioleError('upstream_unavailable', `${url} could not be read`, { details: { url }, cause: error });
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
