import { invalidRequest } from '../../src/core/index.ts';

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** Crawl options; every one has a documented default in `defaultCrawlSettings`. */
export interface CrawlOptions {
  /** Most pages fetched (successes and failures; robots.txt and sitemaps not counted). */
  maxPages?: number;
  /** Links followed from a start page: 0 fetches the start pages (and sitemap entries) only. */
  maxDepth?: number;
  /** A page larger than this is not read further and fails with `payload_too_large`. */
  maxBytesPerPage?: number;
  /** Per request, from sending it to the last byte of the body. */
  timeoutMs?: number;
  /** Requests in flight at once, across all hosts. */
  concurrency?: number;
  /** Sent with every request and matched against robots.txt groups by its product token. */
  userAgent?: string;
  /** Injected HTTP client; the global `fetch` by default. */
  fetch?: FetchFunction;
  /** Follow links and redirects only to the hosts of the start URLs. */
  sameHostOnly?: boolean;
  /**
   * Allow URLs whose host is a literal loopback or private address (127.0.0.1, 10.x,
   * 169.254.169.254, [::1], localhost). Off by default because crawl URLs can come
   * through the API: a crawler that fetches them is a server-side request forgery
   * vector. Tests and single-user installs crawling an intranet turn it on.
   */
  allowPrivateNetwork?: boolean;
  /** Redirect hops followed per request. */
  maxRedirects?: number;
  /** Sitemap documents fetched in one crawl, indexes included (bounds recursive indexes). */
  maxSitemaps?: number;
  /**
   * Which linked or sitemap-listed pages are fetched at all (a web source's include and
   * exclude patterns); start URLs always are, since their links lead to the pages wanted.
   */
  admitUrl?: (url: URL) => boolean;
}

export type CrawlSettings = Required<CrawlOptions>;

export const defaultCrawlSettings = {
  maxPages: 200,
  maxDepth: 3,
  maxBytesPerPage: 10 * 1024 * 1024,
  timeoutMs: 15_000,
  concurrency: 4,
  userAgent: 'OrioleBot/0.1 (self-hosted knowledge-base crawler)',
  sameHostOnly: true,
  allowPrivateNetwork: false,
  maxRedirects: 5,
  maxSitemaps: 50,
} as const satisfies Omit<CrawlSettings, 'fetch' | 'admitUrl'>;

/** Fills defaults and checks the numbers; throws `invalid_request` naming the bad option. */
export function resolveCrawlSettings(options: CrawlOptions): CrawlSettings {
  const settings: CrawlSettings = {
    ...defaultCrawlSettings,
    ...withoutUndefined(options),
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    admitUrl: options.admitUrl ?? (() => true),
  };
  const counts = { maxPages: 1, maxDepth: 0, maxBytesPerPage: 1, timeoutMs: 1, concurrency: 1, maxRedirects: 0, maxSitemaps: 0 };
  for (const [name, minimum] of Object.entries(counts)) {
    const value = settings[name as keyof typeof counts];
    if (!Number.isSafeInteger(value) || value < minimum) {
      throw invalidRequest(`Crawl option ${name} must be a whole number of at least ${minimum} (got ${String(value)})`, {
        option: name,
      });
    }
  }
  if (settings.userAgent.trim() === '') throw invalidRequest('Crawl option userAgent must not be empty', { option: 'userAgent' });
  return settings;
}

function withoutUndefined<T extends object>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as Partial<T>;
}
