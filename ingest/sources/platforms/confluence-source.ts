import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { OrioleError } from '../../../src/core/index.ts';
import { escapeHtml, storageToHtml, StorageFormatError } from './confluence-storage.ts';
import type { ConnectorDependencies, ListingEnd, ListingRequest, SourceConnector, SourceDocument, SourceEntry } from '../connector.ts';
import { createSourceHttp } from './source-http.ts';
import type { SourceHttp, SourceResponse } from './source-http.ts';

export const confluenceConfigSchema = z
  .object({
    /** The site, e.g. https://acme.atlassian.net (a trailing /wiki is accepted and ignored). */
    url: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }),
    /** The space key, e.g. DOCS, or ~accountid for a personal space. */
    space: z.string().regex(/^~?[A-Za-z0-9_-]+$/, 'must be a space key such as DOCS').max(255),
    /** The Atlassian account the API token belongs to. */
    email: z.email().optional(),
    /** An Atlassian API token; printable ASCII without spaces, so it cannot break a header. */
    token: z.string().regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces').max(4096).optional(),
  })
  .strict()
  .refine((config) => (config.email === undefined) === (config.token === undefined), {
    message: 'give email and token together (an Atlassian API token), or neither for a space open to anonymous readers',
    path: ['token'],
  });

export type ConfluenceConfig = z.infer<typeof confluenceConfigSchema>;

/** Config fields that are secrets: stored encrypted, never echoed back. */
export const confluenceCredentialFields = ['token'] as const;

/** Pages per listing page (the API allows up to 250); bodies make each page large, so fewer. */
const confluencePageSize = 100;

/** The documents API's longest tag value (`src/api/limits.ts`); a deep breadcrumb is cut to fit a search filter. */
const maxTagValueChars = 256;

/** A listing longer than this is a server whose `next` link never ends; stop rather than loop. */
const maxListingPages = 10_000;

const idSchema = z.union([z.string().min(1), z.number()]).transform(String);
const nullableId = z.union([z.string(), z.number()]).nullish().transform((value) => (value === null || value === undefined ? null : String(value)));

const spaceListSchema = z.object({ results: z.array(z.object({ id: idSchema, key: z.string() })) });

const pageSchema = z.object({
  id: idSchema,
  status: z.string().nullish(),
  title: z.string().nullish(),
  parentId: nullableId,
  parentType: z.string().nullish(),
  version: z.object({ number: z.number().nullish() }).nullish(),
  body: z.object({ storage: z.object({ value: z.string().nullish() }).nullish() }).nullish(),
  _links: z.object({ webui: z.string().nullish() }).nullish(),
});
type Page = z.infer<typeof pageSchema>;

const pageListSchema = z.object({
  results: z.array(z.unknown()),
  _links: z.object({ next: z.string().nullish() }).nullish(),
});

/**
 * Lists the current pages of one Confluence Cloud space through the REST API v2: the
 * space id from its key (`GET /wiki/api/v2/spaces?keys=…`), then
 * `GET /wiki/api/v2/spaces/{id}/pages?body-format=storage` following the cursor in
 * `_links.next` (or the `Link` header). Every listing is full (the caller skips pages
 * whose fingerprint is unchanged); a page archived, trashed or deleted since the last
 * listing is absent, and the caller deletes it.
 *
 * Each page's ancestors (titles along its `parentId` chain within the space, root first)
 * become its breadcrumb, in `metadata.breadcrumb` and in the `breadcrumb` tag, never in
 * its text. Pages are listed by id, so a parent usually comes before its children; a page
 * whose ancestor has not been listed yet waits until it has, or until the listing ends
 * (an ancestor outside the listing, such as a folder or a restricted page, ends the chain).
 */
export function createConfluenceConnector(config: ConfluenceConfig, dependencies: ConnectorDependencies): SourceConnector {
  const site = siteBase(config.url);
  const http = createSourceHttp(dependencies);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (config.email !== undefined && config.token !== undefined) {
    headers.authorization = `Basic ${Buffer.from(`${config.email}:${config.token}`, 'utf8').toString('base64')}`;
  }
  const listing: Listing = { http, site, space: config.space, headers };
  return {
    incremental: false,
    list: (request) => listSpace(listing, request),
  };
}

interface Listing {
  http: SourceHttp;
  site: string;
  space: string;
  headers: Record<string, string>;
}

/** `https://acme.atlassian.net/wiki/` → `https://acme.atlassian.net`: the API and page URLs add `/wiki` themselves. */
function siteBase(url: string): string {
  const parsed = new URL(url);
  const path = parsed.pathname.replace(/\/+$/, '').replace(/\/wiki$/, '');
  return `${parsed.origin}${path}`;
}

async function* listSpace(listing: Listing, request: ListingRequest): AsyncGenerator<SourceEntry, ListingEnd> {
  const spaceUrl = `${listing.site}/wiki/api/v2/spaces?keys=${encodeURIComponent(listing.space)}`;
  const spaceAnswer = await readJson(listing, spaceUrl, request.signal, true);
  if (spaceAnswer.kind === 'failed') {
    yield spaceAnswer;
    return { complete: false, cursor: null };
  }
  const space = findSpaceId(spaceAnswer.json, listing.space, spaceUrl);
  if (space.kind === 'failed') {
    yield space;
    return { complete: false, cursor: null };
  }

  const breadcrumbs = new BreadcrumbResolver();
  const query = `body-format=storage&limit=${confluencePageSize}&status=current&sort=id`;
  let url = `${listing.site}/wiki/api/v2/spaces/${encodeURIComponent(space.id)}/pages?${query}`;
  let complete = true;
  for (let pageNumber = 1; ; pageNumber += 1) {
    stopIfAborted(request.signal);
    const answer = await readPageList(listing, url, request.signal);
    // Pages still waiting for an ancestor are not yielded with a partial breadcrumb: the
    // listing is incomplete, so their stored documents stay as they are.
    if (answer.kind === 'failed') {
      yield answer;
      return { complete: false, cursor: null };
    }
    for (const raw of answer.pages) {
      const page = pageSchema.safeParse(raw);
      if (!page.success) {
        const failed = unreadablePage(raw, listing, url);
        // An entry without an id cannot be named, so whatever it replaced must not be deleted.
        if (failed === null) complete = false;
        else yield failed;
        continue;
      }
      if (page.data.status && page.data.status !== 'current') continue;
      for (const ready of breadcrumbs.add(page.data)) yield pageEntry(listing, ready.page, ready.breadcrumb);
    }
    if (answer.next === null) break;
    if (answer.next === url || pageNumber >= maxListingPages) return { complete: false, cursor: null };
    url = answer.next;
  }
  for (const ready of breadcrumbs.flush()) yield pageEntry(listing, ready.page, ready.breadcrumb);
  return { complete, cursor: null };
}

function findSpaceId(json: unknown, space: string, url: string): { kind: 'space'; id: string } | Extract<SourceEntry, { kind: 'failed' }> {
  const parsed = spaceListSchema.safeParse(json);
  if (!parsed.success) return listingFailure(url, `${url} did not answer with a list of spaces`);
  const { results } = parsed.data;
  const match = results.find((entry) => entry.key === space) ?? results.find((entry) => entry.key.toLowerCase() === space.toLowerCase());
  // Confluence answers an empty list, not 404, for a space that does not exist or that the
  // account may not see; listing nothing would delete every document, so stop here.
  if (!match) {
    throw new OrioleError('not_found', `Confluence space '${space}' does not exist or the account cannot see it`, { details: { url, space } });
  }
  return { kind: 'space', id: match.id };
}

type JsonAnswer = { kind: 'json'; json: unknown; headers: Headers } | Extract<SourceEntry, { kind: 'failed' }>;

async function readJson(listing: Listing, url: string, signal: AbortSignal, first: boolean): Promise<JsonAnswer> {
  let response: SourceResponse;
  try {
    response = await listing.http.get(url, { headers: listing.headers, signal });
  } catch (error) {
    stopIfAborted(signal);
    const failure = asOrioleError(error, url);
    // Refused credentials make the whole listing meaningless: fail the run loudly instead
    // of reporting one failed page that a user would read as a passing glitch.
    if (first && failure.code === 'forbidden') throw failure;
    return { kind: 'failed', source: url, error: failure };
  }
  try {
    return { kind: 'json', json: JSON.parse(new TextDecoder().decode(response.bytes)) as unknown, headers: response.headers };
  } catch {
    return listingFailure(url, `${url} did not answer with JSON`);
  }
}

type PageListAnswer = { kind: 'pages'; pages: unknown[]; next: string | null } | Extract<SourceEntry, { kind: 'failed' }>;

async function readPageList(listing: Listing, url: string, signal: AbortSignal): Promise<PageListAnswer> {
  const answer = await readJson(listing, url, signal, false);
  if (answer.kind === 'failed') return answer;
  const parsed = pageListSchema.safeParse(answer.json);
  if (!parsed.success) return listingFailure(url, `${url} did not answer with a list of pages`);
  const next = parsed.data._links?.next || nextFromLinkHeader(answer.headers.get('link'));
  if (!next) return { kind: 'pages', pages: parsed.data.results, next: null };
  const nextUrl = resolveNext(next, listing.site);
  // The credentials go with every request: a next page on another host is not followed.
  if (nextUrl === null) return listingFailure(url, `${url} pointed its next page at '${next.slice(0, 200)}', off the Confluence site`);
  return { kind: 'pages', pages: parsed.data.results, next: nextUrl };
}

function listingFailure(url: string, message: string): Extract<SourceEntry, { kind: 'failed' }> {
  return { kind: 'failed', source: url, error: new OrioleError('upstream_unavailable', message, { details: { url } }) };
}

/** `</wiki/api/v2/spaces/1/pages?cursor=…>; rel="next"` → the URL. */
function nextFromLinkHeader(header: string | null): string | null {
  if (!header) return null;
  for (const part of header.split(',')) {
    const match = /^\s*<([^>]*)>\s*;(.*)$/.exec(part);
    if (match && /\brel\s*=\s*"?next"?/i.test(match[2] ?? '')) return match[1] ?? null;
  }
  return null;
}

/** The next link is relative to the site (`/wiki/api/v2/…`); null when it leaves the site's origin. */
function resolveNext(next: string, site: string): string | null {
  try {
    const url = new URL(next, `${site}/`);
    return url.origin === new URL(site).origin ? url.href : null;
  } catch {
    return null;
  }
}

/** A page whose fields are not what the API documents is kept as it is stored; without an id, nothing can be named. */
function unreadablePage(raw: unknown, listing: Listing, url: string): SourceEntry | null {
  const id = idSchema.safeParse((raw as { id?: unknown } | null)?.id);
  if (!id.success) return null;
  const error = new OrioleError('upstream_unavailable', `Confluence page ${id.data} in ${url} has fields of unexpected types`, {
    details: { url, confluenceId: id.data },
  });
  return { kind: 'failed', source: pageSource(listing, id.data), error };
}

function pageEntry(listing: Listing, page: Page, breadcrumb: string[]): SourceEntry {
  const source = pageSource(listing, page.id);
  let body: string;
  try {
    body = storageToHtml(page.body?.storage?.value ?? '');
  } catch (error) {
    if (!(error instanceof StorageFormatError)) throw error;
    const failure = new OrioleError('upstream_unavailable', `Confluence page ${page.id}: ${error.message}`, { details: { confluenceId: page.id } });
    return { kind: 'failed', source, error: failure };
  }
  const title = page.title?.trim() || null;
  const document: SourceDocument = {
    source,
    title,
    url: webUrl(listing.site, page._links?.webui) ?? source,
    contentType: 'text/html',
    bytes: new TextEncoder().encode(`<h1>${escapeHtml(title ?? '')}</h1>\n${body}`),
    ...(breadcrumb.length > 0 ? { tags: { breadcrumb: breadcrumb.join(' > ').slice(0, maxTagValueChars) } } : {}),
    metadata: { confluenceId: page.id, version: page.version?.number ?? null, parentId: page.parentId, breadcrumb },
  };
  return { kind: 'document', document };
}

/** Keyed by id, not title: a renamed or moved page keeps its document. */
function pageSource(listing: Listing, id: string): string {
  return `${listing.site}/wiki/spaces/${encodeURIComponent(listing.space)}/pages/${encodeURIComponent(id)}`;
}

/** `_links.webui` (`/spaces/DOCS/pages/123/Title`) is relative to `{site}/wiki`. */
function webUrl(site: string, webui: string | null | undefined): string | null {
  if (!webui) return null;
  try {
    return new URL(`${site}/wiki${webui.startsWith('/') ? '' : '/'}${webui}`).href;
  } catch {
    return null;
  }
}

interface ReadyPage {
  page: Page;
  breadcrumb: string[];
}

/** Ancestors nest a few dozen levels; a longer chain is a cycle in the data. */
const maxAncestors = 100;

/**
 * Holds back each page until every ancestor on its `parentId` chain has been listed, so
 * its breadcrumb is whole. Only titles and parents are kept for pages already yielded;
 * a waiting page keeps its body, and with the listing sorted by id few pages wait.
 */
class BreadcrumbResolver {
  private readonly known = new Map<string, { title: string; parentId: string | null; parentType: string | null }>();
  private waiting: Page[] = [];

  /** Records a page and returns the pages (it among them) whose chain is now known. */
  add(page: Page): ReadyPage[] {
    this.known.set(page.id, { title: page.title?.trim() ?? '', parentId: page.parentId, parentType: page.parentType ?? null });
    this.waiting.push(page);
    const ready: ReadyPage[] = [];
    const still: Page[] = [];
    for (const candidate of this.waiting) {
      const chain = this.ancestors(candidate);
      if (chain.whole) ready.push({ page: candidate, breadcrumb: chain.titles });
      else still.push(candidate);
    }
    this.waiting = still;
    return ready;
  }

  /** At the end of the listing: the waiting pages, their chains cut at the first ancestor never listed. */
  flush(): ReadyPage[] {
    const ready = this.waiting.map((page) => ({ page, breadcrumb: this.ancestors(page).titles }));
    this.waiting = [];
    return ready;
  }

  private ancestors(page: Page): { titles: string[]; whole: boolean } {
    const titles: string[] = [];
    const visited = new Set<string>([page.id]);
    let parentId = page.parentId;
    // A folder, whiteboard or database parent is not a page of the listing: the chain ends there.
    let parentType = page.parentType ?? 'page';
    while (parentId !== null && parentType === 'page') {
      if (visited.has(parentId) || visited.size > maxAncestors) return { titles, whole: true };
      const parent = this.known.get(parentId);
      if (!parent) return { titles, whole: false };
      visited.add(parentId);
      titles.unshift(parent.title);
      parentId = parent.parentId;
      parentType = parent.parentType ?? 'page';
    }
    return { titles, whole: true };
  }
}

function stopIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw new OrioleError('upstream_unavailable', 'the sync stopped before the Confluence listing finished');
}

function asOrioleError(error: unknown, url: string): OrioleError {
  if (error instanceof OrioleError) return error;
  return new OrioleError('upstream_unavailable', `${url} could not be read`, { details: { url }, cause: error });
}
