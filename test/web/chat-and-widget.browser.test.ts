import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpDependencies } from '../../src/api/index.ts';
import { createApiKey, getKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { backendSelected, openMigrated, testBackends } from '../helpers/databases.ts';
import {
  axeViolations,
  buildWebForTest,
  hasChromium,
  launchChromium,
  removeWebBuild,
  requireChromiumOnCi,
  screenshots,
  seriousOrWorse,
  serveApp,
  serveHtml,
  watchedPage,
  type LocalServer,
  type PageWatch,
} from './browser-harness.ts';

/**
 * The chat page and the widget as people use them, in real Chromium against a real server:
 * ask, watch a cited answer stream in, follow a citation, see an abstention, rate an
 * answer and find the rating in the analytics; the widget on a plain page of another
 * origin, under hostile CSS; accessibility scans; keyboard only. Screenshots at desktop
 * and phone width go to test-results/web/ (git-ignored). Runs once, on PGlite.
 */
const runnable = hasChromium && backendSelected('pglite');
const helpCenter = path.resolve(import.meta.dirname, '../../examples/help-center');
const articles = ['account/reset-password.md', 'account/two-factor-authentication.md', 'billing/refund-policy.md', 'billing/invoices.md'];
const adminKey = 'web-test-admin-key';
const kbName = 'help';

requireChromiumOnCi('chat-and-widget', 'the chat page and widget in Chromium');

/** A plain page on another origin: the widget tag, and CSS that would flatten any widget living in the page's own DOM. */
function hostPage(apiUrl: string, queryKey: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Acme help</title>
<style>* { all: unset } button { display: none !important } div { font-size: 40px !important; color: red !important }</style>
</head><body><h1>Acme help center</h1><p>Welcome to Acme.</p>
<script src="${apiUrl}/widget.js" data-kb="${kbName}" data-key="${queryKey}" data-title="Acme support" async></script>
</body></html>`;
}

describe.skipIf(!runnable)('the chat page and widget in Chromium', { timeout: 120_000 }, () => {
  const [backend] = testBackends();
  let database: Database;
  let app: TestApp;
  let webDirectory: string;
  let api: LocalServer;
  let apiUrl: string;
  let host: LocalServer;
  let hostUrl: string;
  let browser: Browser;
  let queryKey: string;
  /** A widget key: bound to the host page's origin, public in its HTML. */
  let widgetKey: string;
  /** Another site that copied the host page, widget key included: an origin the key does not list. */
  let otherHost: LocalServer;
  let otherHostUrl: string;
  const watch: PageWatch = { foreignRequests: [], consoleErrors: [], allowedOrigins: () => [apiUrl, hostUrl, otherHostUrl] };

  beforeAll(async () => {
    webDirectory = await buildWebForTest('oriole-web-e2e-');
    const page = () => hostPage(apiUrl, widgetKey);
    host = await serveHtml(page);
    hostUrl = host.url;
    otherHost = await serveHtml(page);
    otherHostUrl = otherHost.url;

    database = await openMigrated(backend!);
    const http = createHttpDependencies(
      // No ORIOLE_CORS_ORIGINS: the widget key's own origins answer CORS for it.
      { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 0, burst: 1 } },
      () => undefined,
    );
    ({ app } = createTestApp(database, { adminKey, http, webDirectory }));
    const admin = { Authorization: `Bearer ${adminKey}` };
    expect((await postJson(app, '/kbs', { name: kbName }, admin)).status).toBe(201);
    for (const article of articles) {
      const content = await readFile(path.join(helpCenter, article), 'utf8');
      const queued = await postJson(
        app,
        '/documents',
        { kb: kbName, source: article, url: `https://help.example.com/${article.replace(/\.md$/, '')}`, contentType: 'text/markdown', content },
        admin,
      );
      expect(queued.status).toBe(202);
      const { jobId } = (await queued.json()) as { jobId: string };
      const job = await waitForJobWithKey(app, jobId);
      expect(job.status).toBe('succeeded');
    }
    const kb = await getKnowledgeBase(database, kbName);
    queryKey = (await createApiKey(database, { scope: 'query', kbId: kb.id, name: 'web test' })).key;
    widgetKey = (await createApiKey(database, { scope: 'query', kbId: kb.id, name: 'widget', origins: [hostUrl] })).key;

    api = await serveApp(app.fetch);
    apiUrl = api.url;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await host?.close();
    await otherHost?.close();
    await backend?.cleanup();
    await removeWebBuild(webDirectory);
  });

  const newPage = (width: number, locale?: string) => watchedPage(browser, watch, width, locale);

  async function enterKey(page: Page): Promise<void> {
    await page.getByLabel(/key/i).fill(queryKey);
    await page.getByRole('button', { name: 'Use key' }).click();
  }

  describe('the chat page at /', () => {
    let page: Page;
    let context: BrowserContext;
    beforeAll(async () => {
      ({ page, context } = await newPage(1280));
      await page.goto(`${apiUrl}/`);
      await enterKey(page);
      await page.getByRole('combobox', { name: /knowledge base/i }).waitFor();
    });
    afterAll(() => context.close());

    it('streams a cited answer and jumps to the cited source', async () => {
      expect(await page.getByRole('combobox', { name: /knowledge base/i }).inputValue()).toBe(kbName);
      const answered = page.waitForResponse((response) => response.url().endsWith('/answer'));
      await page.getByRole('textbox', { name: /question/i }).fill('How do I reset my password?');
      await page.getByRole('button', { name: 'Send' }).click();
      const response = await answered;
      expect(response.headers()['content-type']).toMatch(/^text\/event-stream/);
      const citation = page.getByRole('link', { name: /^Source 1: / }).first();
      await citation.waitFor();
      const sources = page.getByRole('region', { name: 'Sources' }).first();
      await expect.poll(() => sources.innerText()).toMatch(/Reset your password/);
      await citation.click();
      const focused = page.locator(':focus');
      expect(await focused.getAttribute('id')).toMatch(/-source-1$/);
      expect(await focused.innerText()).toContain('Reset your password');
      // The source links out to its http(s) page, at the cited section (the h2 repeats the h1: GitHub numbers it -1).
      const out = sources.getByRole('link', { name: /Reset your password/ }).first();
      expect(await out.getAttribute('href')).toMatch(
        /^https:\/\/help\.example\.com\/account\/reset-password(#(reset-your-password(-1)?|the-reset-email-doesnt-arrive|still-cant-get-in))?$/,
      );
      expect(await out.getAttribute('rel')).toContain('noopener');
      await page.screenshot({ path: path.join(screenshots, 'chat-1280.png'), fullPage: true });
    });

    it('shows an abstention with its reason and a hand-off hint', async () => {
      await page.getByRole('textbox', { name: /question/i }).fill('Which moons of Jupiter have an ocean under the ice?');
      await page.keyboard.press('Enter');
      const abstention = page.getByText('No answer found in the help center');
      await abstention.waitFor();
      const turn = page.locator('article').filter({ has: abstention });
      expect(await turn.innerText()).toMatch(/Reason: /);
      expect(await turn.innerText()).toContain('Need a person?');
    });

    it('records a rating with its comment, which the analytics then list', async () => {
      const first = page.locator('article').first();
      await first.getByRole('button', { name: 'Not helpful' }).click();
      await first.getByRole('status').waitFor();
      await first.getByRole('textbox', { name: /wrong or missing/i }).fill('The link in step 1 is broken');
      await first.getByRole('button', { name: 'Send feedback' }).click();
      await expect
        .poll(async () => {
          const summary = await app.request(`/analytics/summary?kb=${kbName}`, { headers: { Authorization: `Bearer ${adminKey}` } });
          const body = (await summary.json()) as { totals: { feedbackDown: number }; lowRatedAnswers: { question: string; comment: string | null }[] };
          return body.lowRatedAnswers.map((answer) => `${answer.question} | ${answer.comment}`);
        })
        .toContain('How do I reset my password? | The link in step 1 is broken');
    });

    it('has no serious accessibility violations', async () => {
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);
    });

    it('fits a 360 px phone screen', async () => {
      await page.setViewportSize({ width: 360, height: 800 });
      const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth'));
      expect(overflow).toBeLessThanOrEqual(0);
      // The viewport, as a phone shows it: the latest answer above the question box.
      await page.evaluate('window.scrollTo(0, document.documentElement.scrollHeight)');
      await page.screenshot({ path: path.join(screenshots, 'chat-360.png') });
    });

    it('starts a new conversation', async () => {
      await page.getByRole('button', { name: 'New conversation' }).click();
      expect(await page.locator('article').count()).toBe(0);
    });
  });

  it('works from the keyboard alone: Tab to the question, type, Enter', async () => {
    const { page, context } = await newPage(1280);
    await page.goto(`${apiUrl}/`);
    await page.getByLabel(/key/i).focus();
    await page.keyboard.type(queryKey);
    await page.keyboard.press('Enter');
    await page.getByRole('combobox', { name: /knowledge base/i }).waitFor();
    let onQuestion = false;
    for (let step = 0; step < 12 && !onQuestion; step++) {
      await page.keyboard.press('Tab');
      onQuestion = (await page.evaluate('document.activeElement?.tagName')) === 'TEXTAREA';
    }
    expect(onQuestion).toBe(true);
    await page.keyboard.type('Can I get a refund?');
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: /^Source 1: / }).first().waitFor();
    await context.close();
  });

  it('shows the page in Chinese for a Chinese browser', async () => {
    const { page, context } = await newPage(1280, 'zh-CN');
    await page.goto(`${apiUrl}/`);
    await page.getByLabel(/key/i).waitFor();
    expect(await page.getByRole('textbox', { name: /问题/ }).count()).toBe(1);
    expect(await page.getByRole('button', { name: '发送' }).count()).toBe(1);
    await context.close();
  });

  describe('the widget on another origin', () => {
    let page: Page;
    let context: BrowserContext;
    beforeAll(async () => {
      ({ page, context } = await newPage(1280));
      await page.goto(hostUrl);
    });
    afterAll(() => context.close());

    it('opens from its bubble despite the host page CSS, and answers with citations', async () => {
      const bubble = page.getByRole('button', { name: /chat|support|help/i });
      await bubble.waitFor();
      const box = await bubble.boundingBox();
      expect(box?.width).toBeGreaterThanOrEqual(40);
      expect(box?.height).toBeGreaterThanOrEqual(40);
      await bubble.click();
      const panel = page.getByRole('dialog', { name: /support chat/i });
      await panel.waitFor();
      expect(await panel.getByRole('heading').innerText()).toBe('Acme support');
      const question = panel.getByRole('textbox', { name: /question/i });
      // Opening moved focus into the widget (its shadow root holds the question box).
      expect(await page.evaluate('document.activeElement?.tagName')).toBe('ORIOLE-CHAT-WIDGET');
      expect(await question.evaluate((element) => element === (element.getRootNode() as unknown as { activeElement: unknown }).activeElement)).toBe(true);
      await question.fill('How do I turn on two-factor authentication?');
      const send = panel.getByRole('button', { name: 'Send' });
      expect(await send.isVisible()).toBe(true);
      // The host's `div { font-size: 40px }` does not reach in.
      expect(await question.evaluate((element) => (globalThis as unknown as { getComputedStyle(e: unknown): { fontSize: string } }).getComputedStyle(element).fontSize)).not.toBe('40px');
      await send.click();
      await panel.getByRole('link', { name: /^Source 1: / }).first().waitFor();
      expect(await panel.innerText()).toMatch(/two-factor/i);
      await page.screenshot({ path: path.join(screenshots, 'widget-1280.png') });
    });

    it('keeps the conversation for the tab', async () => {
      await page.reload();
      await page.getByRole('button', { name: /chat|support|help/i }).click();
      const panel = page.getByRole('dialog', { name: /support chat/i });
      await panel.getByText('How do I turn on two-factor authentication?').waitFor();
    });

    it('has no serious accessibility violations', async () => {
      const violations = await axeViolations(page, { include: [{ fromShadowDom: ['oriole-chat-widget', '.root'] }] });
      expect(seriousOrWorse(violations)).toEqual([]);
    });

    it('fits a 360 px phone screen', async () => {
      await page.setViewportSize({ width: 360, height: 740 });
      const panel = page.getByRole('dialog', { name: /support chat/i });
      const box = await panel.boundingBox();
      expect(box!.x).toBeGreaterThanOrEqual(0);
      expect(box!.x + box!.width).toBeLessThanOrEqual(360);
      await page.screenshot({ path: path.join(screenshots, 'widget-360.png') });
    });

    it("links to the KB's hand-off contact when asked for a person, and on an abstention", async () => {
      const handoff = { url: 'https://help.example.com/contact', label: 'Chat with our team', email: 'support@example.com' };
      const patched = await app.request(`/kbs/${kbName}/settings`, {
        method: 'PATCH',
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ handoff }),
      });
      expect(patched.status).toBe(200);
      await page.setViewportSize({ width: 1280, height: 900 });
      const panel = page.getByRole('dialog', { name: /support chat/i });
      for (const question of ['I want to talk to a person', 'Which moons of Jupiter have an ocean under the ice?']) {
        await panel.getByRole('textbox', { name: /question/i }).fill(question);
        await panel.getByRole('button', { name: 'Send' }).click();
        const turn = panel.locator('article').filter({ hasText: question });
        const link = turn.getByRole('link', { name: handoff.label });
        await link.waitFor();
        expect(await link.getAttribute('href')).toBe(handoff.url);
        expect(await link.getAttribute('rel')).toContain('noopener');
        expect(await turn.getByRole('link', { name: handoff.email }).getAttribute('href')).toBe(`mailto:${handoff.email}`);
      }
    });
  });

  describe('the same widget key on a site it is not bound to', () => {
    it('is refused: the API answers 403 forbidden without CORS, and the widget shows no answer', async () => {
      const { page, context } = await newPage(1280);
      try {
        await page.goto(otherHostUrl);
        await page.getByRole('button', { name: /chat|support|help/i }).click();
        const panel = page.getByRole('dialog', { name: /support chat/i });
        await panel.getByRole('textbox', { name: /question/i }).fill('How do I turn on two-factor authentication?');
        // The browser blocks the refusal (it carries no CORS grant), so the request fails for the page.
        const blocked = page.waitForEvent('requestfailed', (request) => request.url() === `${apiUrl}/answer` && request.method() === 'POST');
        await panel.getByRole('button', { name: 'Send' }).click();
        await blocked;
        expect(await panel.getByRole('link', { name: /^Source 1: / }).count()).toBe(0);
        // What the server said to that request, as any client from that origin sees it.
        const direct = await fetch(`${apiUrl}/answer`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${widgetKey}`, Origin: otherHostUrl, 'Content-Type': 'application/json' },
          body: JSON.stringify({ question: 'How do I turn on two-factor authentication?' }),
        });
        expect(direct.status).toBe(403);
        expect(((await direct.json()) as { error: { code: string } }).error.code).toBe('forbidden');
        expect(direct.headers.get('access-control-allow-origin')).toBeNull();
      } finally {
        await context.close();
      }
    });
  });

  it('loaded nothing from a third party and broke no policy', () => {
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.consoleErrors.filter((message) => /Content Security Policy|Refused/i.test(message))).toEqual([]);
  });
});

async function waitForJobWithKey(app: TestApp, jobId: string): Promise<Record<string, unknown>> {
  // waitForJob polls without a key; with auth on, poll with the admin key.
  const keyed = { request: (url: string) => app.request(url, { headers: { Authorization: `Bearer ${adminKey}` } }) } as unknown as TestApp;
  return waitForJob(keyed, jobId);
}
