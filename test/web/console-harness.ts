import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Database } from '../../src/db/index.ts';
import { createTestApp } from '../helpers/app.ts';
import { buildWebForTest, launchChromium, removeWebBuild, serveApp, watchedPage, type LocalServer, type PageWatch } from './browser-harness.ts';

/**
 * The console's browser suites share one set-up: the current pages built, served by a test
 * app with auth on (an admin key), Chromium, a watch for foreign requests and the key in a
 * URL, and the API called with the key for seeding and for checking what the console did.
 */
export interface ConsoleUnderTest {
  url: string;
  browser: Browser;
  watch: PageWatch;
  /** One API call with the admin key; the body is undefined for a 204. */
  call<T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }>;
  /** A Markdown document added through POST /documents, its ingest job waited for. */
  addDocument(document: { kb: string; source: string; content: string; title?: string; url?: string }): Promise<void>;
  /** A page at this width with the key entered and accepted; with `kb`, once the KB picker lists it. */
  openConsole(width: number, options?: { locale?: 'en-US' | 'zh-CN'; kb?: string }): Promise<{ page: Page; context: BrowserContext }>;
  close(): Promise<void>;
}

export async function startConsoleUnderTest(options: {
  /** The temporary web build's folder prefix. */
  prefix: string;
  database: Database;
  adminKey: string;
  /** Console errors the suite expects (the first call before the key is entered is always a 401). */
  expectedError?: (text: string) => boolean;
  /** More of the test app's options (ORIOLE_SECRET_KEY's keys, ORIOLE_ALLOW_PRIVATE_NETWORK, source syncs'…). */
  app?: Omit<NonNullable<Parameters<typeof createTestApp>[1]>, 'adminKey' | 'webDirectory'>;
}): Promise<ConsoleUnderTest> {
  const { adminKey } = options;
  const webDirectory = await buildWebForTest(options.prefix);
  let api: LocalServer | undefined;
  let browser: Browser | undefined;
  let stopApp: (() => Promise<void>) | undefined;
  const close = async () => {
    await browser?.close();
    await api?.close();
    // The job worker and the sync scheduler, before the suite's database goes.
    await stopApp?.();
    await removeWebBuild(webDirectory);
  };
  try {
    const { app, stop } = createTestApp(options.database, { ...options.app, adminKey, webDirectory });
    stopApp = stop;
    api = await serveApp(app.fetch);
    browser = await launchChromium();
  } catch (error) {
    await close();
    throw error;
  }
  const url = api.url;
  const watch: PageWatch = {
    foreignRequests: [],
    consoleErrors: [],
    allowedOrigins: () => [url],
    secret: adminKey,
    expectedError: (text) => text.includes('status of 401 (Unauthorized)') || (options.expectedError?.(text) ?? false),
  };
  const headers = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
  const call = async <T>(method: string, route: string, body?: unknown): Promise<{ status: number; body: T }> => {
    const response = await fetch(`${url}${route}`, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: response.status, body: (response.status === 204 ? undefined : await response.json()) as T };
  };
  const opened = browser;
  return {
    url,
    browser: opened,
    watch,
    call,
    async addDocument(document) {
      const queued = await call<{ jobId: string }>('POST', '/documents', { contentType: 'text/markdown', ...document });
      if (queued.status !== 202) throw new Error(`adding ${document.source}: ${queued.status} ${JSON.stringify(queued.body)}`);
      // Called from beforeAll hooks, where expect.poll is not available.
      for (let attempt = 0; attempt < 600; attempt += 1) {
        const job = (await call<{ status: string; error?: string }>('GET', `/jobs/${queued.body.jobId}`)).body;
        if (job.status === 'succeeded') return;
        if (job.status === 'failed') throw new Error(`ingesting ${document.source} failed: ${job.error}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`ingesting ${document.source} did not finish`);
    },
    async openConsole(width, { locale = 'en-US', kb } = {}) {
      const zh = locale === 'zh-CN';
      const { page, context } = await watchedPage(opened, watch, width, locale);
      await page.goto(`${url}/admin`);
      await page.getByLabel(/key/i).fill(adminKey);
      await page.getByRole('button', { name: zh ? '使用密钥' : 'Use key' }).click();
      await page.getByRole('button', { name: zh ? '清除密钥' : 'Forget key' }).waitFor();
      if (kb) {
        // The KB list has loaded and lists this KB (a hook may not use expect.poll).
        await page.getByRole('combobox', { name: zh ? '知识库' : 'Knowledge base' }).getByRole('option', { name: kb }).waitFor({ state: 'attached' });
      }
      return { page, context };
    },
    close,
  };
}
