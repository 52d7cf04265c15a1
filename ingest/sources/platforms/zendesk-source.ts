import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { OrioleError, webUrlOrNull } from '../../../src/core/index.ts';
import type { ConnectorDependencies, ListingEnd, ListingRequest, SourceConnector, SourceDocument, SourceEntry, SyncCursor } from '../connector.ts';
import type { SourceHttp } from './source-http.ts';
import { createSourceHttp } from './source-http.ts';

/**
 * Zendesk Guide (Help Center) as a source: lists a help center's published articles,
 * one document per article translation, through the Help Center REST API.
 *
 * - Full listing: every enabled locale (`GET /api/v2/help_center/locales`) or the
 *   configured one; per locale its sections once (to name each article's section), then
 *   its articles, both with cursor pagination (`page[size]`, `meta.has_more`, `links.next`).
 * - Incremental listing: the time-based incremental article export
 *   (`GET /api/v2/help_center/incremental/articles?start_time=`), which only agents and
 *   admins may call, so an anonymous source always lists everything.
 */

/** The largest page Zendesk's cursor pagination serves. */
const pageSize = 100;

/**
 * A full listing's cursor starts this long before the listing did: an article edited while
 * the listing ran, or stamped by a Zendesk clock a little behind ours, is listed again by
 * the next incremental run rather than missed. Listing an article twice only replaces it.
 */
const cursorMarginSeconds = 300;

/**
 * Tag limits of the documents API (`src/api/limits.ts`): a longer key could not be used in
 * a search filter, and a document with more tags could not be uploaded by hand either.
 */
const tagLimits = { tags: 50, keyChars: 64, valueChars: 256 } as const;

/** Help center locales: `en-us`, `de`, `pt-br`, `zh-tw`. Checked before one becomes part of a URL path. */
const localePattern = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

export const zendeskConfigSchema = z
  .object({
    /** The help center's origin, `https://acme.zendesk.com` (or its host-mapped domain); http is allowed for local test servers. */
    url: z.string().max(2_048).refine(isOrigin, { message: 'url must be the help center origin, like https://acme.zendesk.com' }),
    /** Only this locale; without it every locale the help center has enabled. */
    locale: z.string().regex(localePattern, { message: 'locale must be a help center locale like en-us' }).optional(),
    /** The agent an API token belongs to. */
    email: z.email().optional(),
    token: z.string().min(1).max(1_024).optional(),
  })
  .strict()
  .refine((config) => config.email === undefined || config.token !== undefined, {
    message: 'an email needs its API token; give neither to read public articles only',
    path: ['token'],
  })
  .refine((config) => config.token === undefined || config.email !== undefined, {
    message: 'an API token needs the email of the agent it belongs to',
    path: ['email'],
  });

export type ZendeskConfig = z.infer<typeof zendeskConfigSchema>;

/** Config fields the caller stores encrypted and never returns. */
export const zendeskCredentialFields = ['token'] as const;

/** Listing with credentials also offers incremental runs; anonymous access reads public articles only and always lists everything. */
export function createZendeskConnector(config: ZendeskConfig, dependencies: ConnectorDependencies): SourceConnector {
  const checked = zendeskConfigSchema.safeParse(config);
  if (!checked.success) {
    throw new OrioleError('invalid_request', `Invalid Zendesk source: ${checked.error.issues.map(describeIssue).join('; ')}`, {
      details: { fields: checked.error.issues.map((issue) => issue.path.join('.')) },
    });
  }
  const settings = checked.data;
  const http = createSourceHttp(dependencies);
  const authenticated = settings.token !== undefined;
  return {
    incremental: authenticated,
    list: (request) => new ZendeskListing(settings, http, request.signal).run(request),
  };
}

const incrementalCursorSchema = z.object({ startTime: z.number().int().nonnegative() });

const articleSchema = z.object({
  id: z.number().int().positive(),
  title: z.string().nullish(),
  body: z.string().nullish(),
  html_url: z.string().nullish(),
  locale: z.string().nullish(),
  draft: z.boolean().nullish(),
  // Set when only signed-in users or agents may see the article.
  user_segment_id: z.number().nullish(),
  section_id: z.number().nullish(),
  label_names: z.array(z.string()).nullish(),
  updated_at: z.string().nullish(),
});

type Article = z.infer<typeof articleSchema>;

const sectionSchema = z.object({ id: z.number(), name: z.string() });

const cursorPageSchema = z.object({
  meta: z.object({ has_more: z.boolean(), after_cursor: z.string().nullish() }),
  links: z.object({ next: z.string().nullish() }).nullish(),
});

type CursorPage = z.infer<typeof cursorPageSchema>;

// Items stay unknown here and are checked one by one: one odd article fails alone, not its page.
const articlePageSchema = cursorPageSchema.extend({ articles: z.array(z.unknown()) });
const sectionPageSchema = cursorPageSchema.extend({ sections: z.array(z.unknown()) });
const localesSchema = z.object({ locales: z.array(z.string()) });

const incrementalPageSchema = z.object({
  articles: z.array(z.unknown()),
  next_page: z.string().nullish(),
  end_time: z.number().nullish(),
  end_of_stream: z.boolean().nullish(),
});

/** A listing request that failed after its retries: the listing ends incomplete with it. */
class PageFailure extends Error {
  constructor(
    readonly url: string,
    readonly error: OrioleError,
  ) {
    super(error.message);
  }
}

/** One run of `list`: its request's signal, and the section names it has fetched so far. */
class ZendeskListing {
  private readonly origin: string;
  private readonly headers: Record<string, string>;
  private readonly sectionsByLocale = new Map<string, Map<number, string>>();

  constructor(
    private readonly config: ZendeskConfig,
    private readonly http: SourceHttp,
    private readonly signal: AbortSignal,
  ) {
    this.origin = new URL(config.url).origin;
    this.headers =
      config.email !== undefined && config.token !== undefined
        ? { authorization: `Basic ${Buffer.from(`${config.email}/token:${config.token}`, 'utf8').toString('base64')}` }
        : {};
  }

  private get authenticated(): boolean {
    return this.headers.authorization !== undefined;
  }

  /**
   * A request that still fails after its retries ends the listing incomplete, with a
   * `failed` entry naming it, so the caller deletes nothing and keeps its cursor. Refused
   * credentials (401/403) and a stopped sync are thrown instead: then no page can be read
   * and the run's error should say so ("check the source's token").
   */
  async *run(request: ListingRequest): AsyncGenerator<SourceEntry, ListingEnd> {
    const since = this.authenticated ? incrementalCursorSchema.safeParse(request.since) : null;
    try {
      // A cursor this connector did not write (or an anonymous source, which cannot read
      // the export) gets a full listing: heavier, but never wrong.
      if (since?.success) return yield* this.listChanges(since.data.startTime);
      return yield* this.listEverything();
    } catch (error) {
      if (!(error instanceof PageFailure)) throw error;
      yield { kind: 'failed', source: error.url, error: error.error };
      return { complete: false, cursor: request.since };
    }
  }

  private async *listEverything(): AsyncGenerator<SourceEntry, ListingEnd> {
    const startedAt = Math.floor(Date.now() / 1000);
    const locales = this.config.locale !== undefined ? [this.config.locale.toLowerCase()] : await this.enabledLocales();
    for (const locale of locales) {
      const sections = await this.sectionNames(locale);
      const first = `${this.origin}/api/v2/help_center/${locale}/articles?page[size]=${pageSize}`;
      for await (const page of this.cursorPages(first, articlePageSchema)) {
        for (const item of page.articles) {
          const entry = this.entryFor(item, locale, sections, first);
          // Drafts are skipped: a full listing finds their stored documents absent and removes them.
          if (entry.kind !== 'gone') yield entry;
        }
      }
    }
    const cursor: SyncCursor | null = this.authenticated ? { startTime: Math.max(0, startedAt - cursorMarginSeconds) } : null;
    return { complete: true, cursor };
  }

  /**
   * Follows the export's `next_page` links, each a new `start_time`: the time of the last
   * change on the page before, also given as its `end_time`. The next run starts at the
   * last `end_time`, as Zendesk advises, so no change falls between two runs.
   */
  private async *listChanges(startTime: number): AsyncGenerator<SourceEntry, ListingEnd> {
    let url = `${this.origin}/api/v2/help_center/incremental/articles?start_time=${startTime}`;
    let endTime = startTime;
    // A page starts at the time of the last change on the one before, so it may repeat it.
    const listed = new Set<string>();
    for (;;) {
      const page = await this.getPage(url, incrementalPageSchema);
      for (const item of page.articles) {
        const entry = await this.changedEntry(item, url, listed);
        if (entry !== null) yield entry;
      }
      if (typeof page.end_time === 'number' && page.end_time > endTime) endTime = page.end_time;
      const next = this.nextExportUrl(page, url);
      if (next === null) break;
      url = next;
    }
    return { complete: true, cursor: { startTime: endTime } };
  }

  private async changedEntry(item: unknown, pageUrl: string, listed: Set<string>): Promise<SourceEntry | null> {
    const locale = articleLocale(item, null);
    if (locale !== null && this.config.locale !== undefined && locale !== this.config.locale.toLowerCase()) return null;
    const parsed = articleSchema.safeParse(item);
    if (!parsed.success || locale === null) return this.entryFor(item, locale, new Map(), pageUrl);
    const key = `${parsed.data.id} ${locale} ${parsed.data.updated_at ?? ''}`;
    if (listed.has(key)) return null;
    listed.add(key);
    // A draft needs no section name: it only becomes a tombstone.
    const sections = parsed.data.draft === true ? new Map<number, string>() : await this.sectionNames(locale);
    return this.entryFor(item, locale, sections, pageUrl);
  }

  /** The export's next page, or null at its end (`end_of_stream`, no `next_page`, an empty page, or a link back to the same page). */
  private nextExportUrl(page: z.infer<typeof incrementalPageSchema>, current: string): string | null {
    if (page.end_of_stream === true || !page.next_page || page.articles.length === 0) return null;
    const next = this.onOrigin(page.next_page);
    // A page full of changes made in one second links to itself; its changes were all listed,
    // and the next run starts from the same second again.
    return next === null || next === current ? null : next;
  }

  /**
   * One article as an entry: a document, `gone` for a draft or a restricted article,
   * or `failed` for an article that cannot become a document; an item without an id or
   * locale to key it by fails under its page's URL.
   */
  private entryFor(item: unknown, listingLocale: string | null, sections: Map<number, string>, pageUrl: string): SourceEntry {
    const parsed = articleSchema.safeParse(item);
    const id = parsed.success ? parsed.data.id : idOf(item);
    const locale = articleLocale(item, listingLocale);
    if (id === null || locale === null) {
      const error = new OrioleError('upstream_unavailable', `${pageUrl} listed an article without an id or locale`, { details: { url: pageUrl } });
      return { kind: 'failed', source: pageUrl, error };
    }
    const source = `${this.origin}/hc/${locale}/articles/${id}`;
    if (!parsed.success) {
      const reason = parsed.error.issues.map(describeIssue).join('; ');
      return { kind: 'failed', source, error: unreadableArticle(source, `its fields do not match the Help Center API (${reason})`) };
    }
    const article = parsed.data;
    // A restricted article (internal notes for agents, content for signed-in customers) is
    // kept out like a draft: the answers built on this KB are public.
    if (article.draft === true || isRestricted(article)) return { kind: 'gone', source };
    if (typeof article.body !== 'string') return { kind: 'failed', source, error: unreadableArticle(source, 'it has no body') };
    return { kind: 'document', document: articleDocument(article, source, locale, sections) };
  }

  private async enabledLocales(): Promise<string[]> {
    const answer = await this.getPage(`${this.origin}/api/v2/help_center/locales`, localesSchema);
    const locales = answer.locales.filter((locale) => localePattern.test(locale)).map((locale) => locale.toLowerCase());
    return [...new Set(locales)];
  }

  private async sectionNames(locale: string): Promise<Map<number, string>> {
    const known = this.sectionsByLocale.get(locale);
    if (known) return known;
    const names = new Map<number, string>();
    const first = `${this.origin}/api/v2/help_center/${locale}/sections?page[size]=${pageSize}`;
    for await (const page of this.cursorPages(first, sectionPageSchema)) {
      for (const item of page.sections) {
        const section = sectionSchema.safeParse(item);
        if (section.success) names.set(section.data.id, section.data.name);
      }
    }
    this.sectionsByLocale.set(locale, names);
    return names;
  }

  /** The pages of a cursor-paginated list, following `links.next` (or `page[after]`) while `meta.has_more`. */
  private async *cursorPages<Page extends CursorPage>(first: string, schema: z.ZodType<Page>): AsyncGenerator<Page> {
    let url: string | null = first;
    while (url !== null) {
      const page: Page = await this.getPage(url, schema);
      yield page;
      url = page.meta.has_more ? this.nextCursorUrl(page, first, url) : null;
    }
  }

  private nextCursorUrl(page: CursorPage, first: string, current: string): string {
    const linked = page.links?.next ? this.onOrigin(page.links.next) : null;
    const after = page.meta.after_cursor;
    const next = linked ?? (after ? `${first}&page[after]=${encodeURIComponent(after)}` : null);
    if (next === null || next === current) {
      const error = new OrioleError('upstream_unavailable', `${current} said it has more results but gave no next page`, { details: { url: current } });
      throw new PageFailure(current, error);
    }
    return next;
  }

  /**
   * A link a page gave, moved onto the configured origin: the credentials go to the host the
   * user named and nowhere else, whatever host a page names (a brand's other domain included).
   */
  private onOrigin(link: string): string | null {
    if (!URL.canParse(link, this.origin)) return null;
    const url = new URL(link, this.origin);
    return `${this.origin}${url.pathname}${url.search}`;
  }

  private async getPage<T>(url: string, schema: z.ZodType<T>): Promise<T> {
    let answer: unknown;
    try {
      answer = await this.http.getJson<unknown>(url, { headers: this.headers, signal: this.signal });
    } catch (error) {
      const failure = error instanceof OrioleError ? error : new OrioleError('upstream_unavailable', `${url} could not be read`, { cause: error });
      if (this.signal.aborted) throw failure;
      if (failure.code === 'forbidden') throw this.refusal(failure);
      throw new PageFailure(url, failure);
    }
    const parsed = schema.safeParse(answer);
    if (!parsed.success) {
      const reason = parsed.error.issues.map(describeIssue).join('; ');
      throw new PageFailure(url, new OrioleError('upstream_unavailable', `${url} did not answer like the Zendesk Help Center API (${reason})`, { details: { url } }));
    }
    return parsed.data;
  }

  /** Without credentials the fix is to add them, not to check them. */
  private refusal(error: OrioleError): OrioleError {
    if (this.authenticated) return error;
    return new OrioleError(
      'forbidden',
      `${this.origin} refuses anonymous reads (its help center may require sign-in); give the source an agent's email and API token`,
      { details: error.details, cause: error },
    );
  }
}

function articleDocument(article: Article, source: string, locale: string, sections: Map<number, string>): SourceDocument {
  const title = article.title?.trim() || null;
  const heading = title === null ? '' : `<h1>${escapeHtml(title)}</h1>`;
  const labels = article.label_names ?? [];
  const sectionId = article.section_id ?? null;
  return {
    source,
    title,
    url: webUrlOrNull(article.html_url),
    contentType: 'text/html',
    bytes: new TextEncoder().encode(`${heading}${article.body ?? ''}`),
    tags: articleTags(locale, sectionId === null ? undefined : sections.get(sectionId), labels),
    metadata: { zendeskId: article.id, labels, updatedAt: article.updated_at ?? null, sectionId },
  };
}

/** `{ locale, section, 'label:<name>': 'true' }`; labels past the tag limits stay in the metadata only. */
function articleTags(locale: string, section: string | undefined, labels: readonly string[]): Record<string, string> {
  const tags: Record<string, string> = { locale };
  if (section !== undefined) tags.section = section.slice(0, tagLimits.valueChars);
  for (const label of labels) {
    const key = `label:${label}`;
    if (Object.keys(tags).length >= tagLimits.tags) break;
    if (label.length > 0 && key.length <= tagLimits.keyChars) tags[key] = 'true';
  }
  return tags;
}

/** The article's own locale when it names a valid one, else the locale it was listed under. */
function articleLocale(article: unknown, listingLocale: string | null): string | null {
  const locale = typeof article === 'object' && article !== null ? (article as { locale?: unknown }).locale : undefined;
  return typeof locale === 'string' && localePattern.test(locale) ? locale.toLowerCase() : listingLocale;
}

function idOf(item: unknown): number | null {
  const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
  return typeof id === 'number' && Number.isSafeInteger(id) && id > 0 ? id : null;
}

function unreadableArticle(source: string, reason: string): OrioleError {
  return new OrioleError('upstream_unavailable', `Zendesk article ${source} cannot be ingested: ${reason}`, { details: { source } });
}

function isOrigin(text: string): boolean {
  if (!URL.canParse(text)) return false;
  const url = new URL(text);
  const web = url.protocol === 'https:' || url.protocol === 'http:';
  return web && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '';
}

function describeIssue(issue: z.core.$ZodIssue): string {
  return issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** Visible to a user segment only (agents, signed-in users), not to everyone. */
function isRestricted(article: Article): boolean {
  return article.user_segment_id !== null && article.user_segment_id !== undefined;
}
