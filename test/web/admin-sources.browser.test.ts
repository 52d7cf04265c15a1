import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendSelected, openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeZendesk, type FakeZendesk, type FakeZendeskOptions } from '../helpers/fake-zendesk.ts';
import { axeViolations, hasChromium, requireChromiumOnCi, screenshots, seriousOrWorse, type PageWatch } from './browser-harness.ts';
import { startConsoleUnderTest, type ConsoleUnderTest } from './console-harness.ts';

/**
 * The console's sources (`/admin#sources`) as a content team uses them, in real Chromium
 * against a real server with auth on, ORIOLE_SECRET_KEY set and a job worker: a Zendesk help
 * center (the fake one, over HTTP on loopback) added through the form syncs and its row ends
 * `succeeded` with the article counts; the token never comes back into the page; a refused
 * URL or schedule is shown at its field; Sync now and Full sync; the schedule and the token
 * edited (only what changed is sent); removed with its documents after a confirmation;
 * keyboard only; axe; screenshots at 1280 and 390 px in test-results/web/. Runs once, on PGlite.
 */
const runnable = hasChromium && backendSelected('pglite');
const adminKey = 'sources-console-admin-key';
const secretKey = 'a-test-secret-key-of-32-characters-min';
const kbName = 'support';
const sourceName = 'Help center';
const agent = { email: 'content@acme.example', token: 'zd-console-token-7c41e9b2a05d' };
const wrongToken = 'zd-revoked-token-0b7dd13e55f2';
const tokens = [agent.token, wrongToken];

const helpCenter: Omit<FakeZendeskOptions, 'agent'> = {
  locales: ['en-us'],
  pageSizeLimit: 2,
  sections: [
    { id: 10, names: { 'en-us': 'Billing' } },
    { id: 20, names: { 'en-us': 'Shipping' } },
  ],
  articles: [
    { id: 501, sectionId: 10, translations: { 'en-us': { title: 'Refund policy', body: '<p>Refunds are paid within 14 days of the return reaching our warehouse.</p>' } } },
    { id: 502, sectionId: 20, translations: { 'en-us': { title: 'Shipping times', body: '<p>Parcels to Norway take 6 business days with the standard courier.</p>' } } },
    { id: 503, sectionId: 20, translations: { 'en-us': { title: 'Gift wrapping', body: '<p>Gift wrapping costs 4 euros and is chosen at checkout.</p>' } } },
    { id: 504, sectionId: 10, translations: { 'en-us': { title: 'Price increase draft', body: '<p>Prices rise in March.</p>', draft: true } } },
  ],
};

/** What the page callbacks read; they run in the browser, and this project's types have no DOM library. */
type InPage = {
  document: {
    activeElement: { id: string; tagName: string; textContent: string | null; getAttribute(name: string): string | null } | null;
    documentElement: { scrollWidth: number; outerHTML: string };
    querySelectorAll(selector: string): ArrayLike<{ value: string }>;
    getElementById(id: string): { textContent: string | null } | null;
  };
};

interface SourceBody {
  id: string;
  name: string;
  config: Record<string, unknown>;
  credentials: string[];
  schedule: string | null;
  status: string;
  nextRunAt: string | null;
  lastRun: { status: string; mode: string; added: number; updated: number; unchanged: number; deleted: number; failed: number } | null;
}

/** A request the page sent to the sources routes. */
interface SentRequest {
  method: string;
  path: string;
  body: unknown;
}

requireChromiumOnCi('admin-sources', 'sources in the console in Chromium');

describe.skipIf(!runnable)('sources in the console in Chromium', { timeout: 240_000 }, () => {
  const [backend] = testBackends();
  let harness: ConsoleUnderTest;
  let apiUrl: string;
  let watch: PageWatch;
  let fake: FakeZendesk;
  /** Every response body the pages received from the server, read as text. */
  const received: Promise<string>[] = [];
  /** What the pages sent to the sources routes, in order. */
  const sent: SentRequest[] = [];
  /** GET /kbs/support/sources requests the pages made (the list, read again while a sync is pending). */
  let listReads = 0;

  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await harness.call<T>(method, route, body);
    expect(response.status, `${method} ${route}: ${response.status}`).toBeLessThan(300);
    return response.body;
  };
  const storedSources = async () => (await call<{ sources: SourceBody[] }>('GET', `/kbs/${kbName}/sources`)).sources;
  const documentSources = async () =>
    (await call<{ documents: Array<{ source: string }> }>('GET', `/documents?kb=${kbName}&limit=100`)).documents.map((document) => document.source).sort();

  beforeAll(async () => {
    fake = await startFakeZendesk({ ...helpCenter, agent });
    harness = await startConsoleUnderTest({
      prefix: 'oriole-sources-e2e-',
      database: await openMigrated(backend!),
      adminKey,
      // The 400s the form is meant to show.
      expectedError: (text) => text.includes('status of 400 (Bad Request)'),
      // The help center is on loopback; retries do not wait.
      app: { secretKeys: [secretKey], allowPrivateNetwork: true, sources: { connector: { sleep: async () => {} } } },
    });
    ({ url: apiUrl, watch } = harness);
    await call('POST', '/kbs', { name: kbName });
    await harness.addDocument({ kb: kbName, source: 'returns-by-hand.md', content: '# Returns\n\nReturns are free within 30 days.\n' });
  });

  afterAll(async () => {
    await harness?.close();
    await fake?.close();
    await backend?.cleanup();
  });

  async function openConsole(width: number, locale: 'en-US' | 'zh-CN' = 'en-US'): Promise<{ page: Page; context: BrowserContext }> {
    const opened = await harness.openConsole(width, { kb: kbName, locale });
    opened.page.on('response', (response) => {
      if (response.url().startsWith(apiUrl)) received.push(response.text().catch(() => ''));
    });
    opened.page.on('request', (request) => {
      const url = new URL(request.url());
      if (url.origin !== apiUrl) return;
      if (request.method() === 'GET' && url.pathname === `/kbs/${kbName}/sources`) listReads += 1;
      if (request.method() !== 'GET' && /\/sources(\/|$)/.test(url.pathname)) {
        const data = request.postData();
        sent.push({ method: request.method(), path: url.pathname, body: data ? (JSON.parse(data) as unknown) : undefined });
      }
    });
    return opened;
  }
  const openSection = (page: Page, name: string) =>
    page.getByRole('navigation', { name: /^(Console sections|控制台栏目)$/ }).getByRole('link', { name }).click();
  const activeId = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id ?? '');
  const form = (page: Page) => page.getByRole('form');
  const announced = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();
  const row = (page: Page, name: string) => page.getByRole('row').filter({ has: page.getByRole('rowheader', { name, exact: true }) });
  /** The row's cells after its name: type, status, last run, schedule (and next run), last error, actions. */
  const cell = (page: Page, name: string, index: number) => row(page, name).getByRole('cell').nth(index);
  const statusOf = async (page: Page, name: string) => (await cell(page, name, 1).innerText()).trim();
  /** The text of the elements a control's aria-describedby names: what a screen reader reads after its name. */
  const description = (page: Page, label: string) =>
    page.getByLabel(label, { exact: true }).evaluate((element) => {
      const { document } = globalThis as unknown as InPage;
      return (element.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id: string) => document.getElementById(id)?.textContent ?? '')
        .join(' ');
    });
  const width = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth);
  /** No token in the page's markup nor in any field's value. */
  const expectNoTokenInPage = async (page: Page) => {
    const { html, values } = await page.evaluate(() => {
      const { document } = globalThis as unknown as InPage;
      return { html: document.documentElement.outerHTML, values: Array.from(document.querySelectorAll('input, textarea, select'), (field) => field.value) };
    });
    for (const token of tokens) {
      expect(html).not.toContain(token);
      expect(values.join('\n')).not.toContain(token);
    }
  };

  describe('a content team at 1280 px', () => {
    let page: Page;
    let context: BrowserContext;
    beforeAll(async () => {
      ({ page, context } = await openConsole(1280));
    });
    afterAll(() => context.close());

    it('is shown a refused URL and a refused schedule at their fields, announced and focused, and nothing is stored', async () => {
      await openSection(page, 'Sources');
      await page.getByRole('heading', { name: `Sources of ${kbName}` }).waitFor();
      await expect.poll(() => activeId(page)).toBe('sources-heading');
      await page.getByRole('cell', { name: 'No source yet.' }).waitFor();
      await page.getByRole('button', { name: 'Add a source' }).click();
      await expect.poll(() => activeId(page)).toBe('source-form-heading');

      await page.getByLabel('Type', { exact: true }).selectOption('zendesk');
      await page.getByRole('group', { name: 'Zendesk Guide settings' }).waitFor();
      await page.getByLabel('Name', { exact: true }).fill(sourceName);
      await page.getByLabel('Help center URL').fill('acme.zendesk.com/hc');
      await page.getByLabel('Locale').fill('en-us');
      await page.getByLabel('Agent email').fill(agent.email);
      const token = page.getByLabel('API token');
      expect(await token.getAttribute('type')).toBe('password');
      expect(await description(page, 'API token')).toContain('Sealed on the server with ORIOLE_SECRET_KEY and never shown again.');
      await token.fill(agent.token);
      await page.getByLabel('Schedule').fill('6h');
      await page.getByRole('button', { name: 'Add source' }).click();

      const alert = form(page).getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/^Not saved\. config\.url: url must be the help center origin/);
      await expect.poll(() => activeId(page)).toBe('source-field-url');
      const url = page.getByLabel('Help center URL');
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await description(page, 'Help center URL')).toMatch(/^url must be the help center origin, like https:\/\/acme\.zendesk\.com/);
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-error-1280.png'), fullPage: true });
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);

      // A schedule under 5 minutes: the schedule field now, the URL no longer marked.
      await url.fill(fake.url);
      await page.getByLabel('Schedule').fill('1m');
      await page.getByRole('button', { name: 'Add source' }).click();
      await expect.poll(() => alert.innerText()).toContain('shorter than the minimum of 5m');
      await expect.poll(() => activeId(page)).toBe('source-schedule');
      expect(await page.getByLabel('Schedule').getAttribute('aria-invalid')).toBe('true');
      expect(await url.getAttribute('aria-invalid')).toBeNull();

      expect(await storedSources()).toEqual([]);
      expect(await documentSources()).toEqual(['returns-by-hand.md']);
    });

    it('adds the help center: the row shows its sync pending, then succeeded with the article counts, and the token comes back nowhere', async () => {
      // The first article page is held, so the sync is seen under way.
      const held = fake.hold((url) => url.pathname.includes('/articles'));
      await page.getByLabel('Schedule').fill('6h');
      await page.getByRole('button', { name: 'Add source' }).click();
      await announced(page, `Added the source ${sourceName}: its first sync is queued.`);
      expect(await form(page).count()).toBe(0);
      const [stored] = await storedSources();
      expect(stored).toMatchObject({ name: sourceName, schedule: '6h', credentials: ['token'], config: { url: fake.url, locale: 'en-us', email: agent.email } });
      expect(stored!.config).not.toHaveProperty('token');
      await expect.poll(() => activeId(page)).toBe(`source-edit-${stored!.id}`);
      expect(sent.at(-1)).toEqual({
        method: 'POST',
        path: `/kbs/${kbName}/sources`,
        body: { type: 'zendesk', name: sourceName, config: { url: fake.url, locale: 'en-us', email: agent.email, token: agent.token }, schedule: '6h' },
      });

      await held.reached;
      await expect.poll(() => statusOf(page, sourceName), { timeout: 30_000 }).toMatch(/^(queued|running)$/);
      expect(await cell(page, sourceName, 2).innerText()).toBe('Not run yet');
      held.release();

      await expect.poll(() => statusOf(page, sourceName), { timeout: 60_000 }).toBe('succeeded');
      await announced(page, `Sync of ${sourceName} ended: succeeded. 3 added, 0 updated, 0 unchanged, 0 deleted, 0 failed.`);
      const lastRun = await cell(page, sourceName, 2).innerText();
      expect(lastRun).toContain('3 added, 0 updated, 0 unchanged, 0 deleted, 0 failed');
      expect(lastRun).toMatch(/Full sync, finished \w+/);
      expect(await cell(page, sourceName, 0).innerText()).toBe('Zendesk Guide');
      expect(await cell(page, sourceName, 3).innerText()).toMatch(/^Every 6h\s+Next run \w+/);
      expect(await cell(page, sourceName, 4).innerText()).toBe('—');
      expect(await documentSources()).toHaveLength(4);

      // Nothing pending: the list is not read again.
      const reads = listReads;
      await new Promise((resolve) => setTimeout(resolve, 5000));
      expect(listReads).toBe(reads);

      await expectNoTokenInPage(page);
      for (const body of await Promise.all(received)) for (const token of tokens) expect(body).not.toContain(token);
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-1280.png'), fullPage: true });
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);
    });

    it('syncs now (an edited article is updated; asked again while pending, the same sync is kept) and fully (everything listed, nothing changed)', async () => {
      fake.editArticle(502, 'en-us', { body: '<p>Parcels to Norway now take 4 business days with the standard courier.</p>' });
      // Held in the export, the sync is pending when asked for again: the same one is kept.
      const held = fake.hold((url) => url.pathname.includes('/incremental/'));
      await page.getByRole('button', { name: `Sync now: ${sourceName}` }).click();
      await announced(page, `Queued a sync of ${sourceName}.`);
      await held.reached;
      await page.getByRole('button', { name: `Sync now: ${sourceName}` }).click();
      await announced(page, `A sync of ${sourceName} is already queued or running.`);
      expect(await statusOf(page, sourceName)).toMatch(/^(queued|running)$/);
      held.release();
      await expect.poll(() => cell(page, sourceName, 2).innerText(), { timeout: 60_000 }).toMatch(/1 updated[\s\S]*Incremental sync, finished/);
      expect(await statusOf(page, sourceName)).toBe('succeeded');
      await announced(page, new RegExp(`^Sync of ${sourceName} ended: succeeded\\. \\d+ added, 1 updated`));
      expect(sent.at(-1)).toMatchObject({ method: 'POST', path: expect.stringMatching(/\/sync$/), body: {} });

      await page.getByRole('button', { name: `Full sync of ${sourceName}` }).click();
      await expect.poll(() => cell(page, sourceName, 2).innerText(), { timeout: 60_000 }).toMatch(
        /^0 added, 0 updated, 3 unchanged, 0 deleted, 0 failed\s+Full sync, finished/,
      );
      expect(sent.at(-1)).toMatchObject({ method: 'POST', path: expect.stringMatching(/\/sync$/), body: { full: true } });
      const [stored] = await storedSources();
      expect(stored!.lastRun).toMatchObject({ status: 'succeeded', mode: 'full', unchanged: 3 });
    });

    it('edits the schedule, sending only the schedule; an unchanged form sends nothing; Escape closes it', async () => {
      const [stored] = await storedSources();
      const editButton = `source-edit-${stored!.id}`;
      await page.getByRole('button', { name: `Edit source ${sourceName}` }).click();
      await expect.poll(() => activeId(page)).toBe('source-form-heading');
      await page.getByRole('heading', { name: `Edit source ${sourceName}` }).waitFor();
      expect(await page.getByLabel('Help center URL').inputValue()).toBe(fake.url);
      expect(await page.getByLabel('Agent email').inputValue()).toBe(agent.email);
      // The stored token is never shown: its field is empty and says what typing in it does.
      const replace = page.getByLabel('Replace the API token');
      expect(await replace.inputValue()).toBe('');
      expect(await replace.getAttribute('type')).toBe('password');
      expect(await description(page, 'Replace the API token')).toContain('Leave this empty to keep it');
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-edit-1280.png'), fullPage: true });

      const before = sent.length;
      await page.getByLabel('Schedule').fill('0 3 * * *');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await announced(page, `Saved the source ${sourceName}.`);
      await expect.poll(() => activeId(page)).toBe(editButton);
      expect(sent.slice(before)).toEqual([{ method: 'PATCH', path: `/sources/${stored!.id}`, body: { schedule: '0 3 * * *' } }]);
      expect(await cell(page, sourceName, 3).innerText()).toMatch(/^0 3 \* \* \* \(cron, UTC\)\s+Next run \w+/);
      const [changed] = await storedSources();
      expect(changed).toMatchObject({ schedule: '0 3 * * *', credentials: ['token'] });
      expect(new Date(changed!.nextRunAt!).getUTCHours()).toBe(3);

      await page.getByRole('button', { name: `Edit source ${sourceName}` }).click();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await announced(page, 'Nothing changed, so nothing was saved.');
      expect(sent.length).toBe(before + 1);
      await page.getByLabel('Schedule').press('Escape');
      await expect.poll(() => form(page).count()).toBe(0);
      await expect.poll(() => activeId(page)).toBe(editButton);
    });

    it('replaces the token with a typed one only: a refused token fails the next sync, whose error is shown in full on demand', async () => {
      const [stored] = await storedSources();
      await page.getByRole('button', { name: `Edit source ${sourceName}` }).click();
      await page.getByLabel('Replace the API token').fill(wrongToken);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await announced(page, `Saved the source ${sourceName}.`);
      expect(sent.at(-1)).toEqual({ method: 'PATCH', path: `/sources/${stored!.id}`, body: { config: { token: wrongToken } } });

      await page.getByRole('button', { name: `Sync now: ${sourceName}` }).click();
      await expect.poll(() => statusOf(page, sourceName), { timeout: 60_000 }).toBe('failed');
      await announced(page, `Sync of ${sourceName} ended: failed.`);
      const errorCell = cell(page, sourceName, 4);
      // Its start in the row; the whole of it behind "Full error".
      expect(await errorCell.innerText()).toMatch(/^forbidden: /);
      const disclosure = errorCell.getByText('Full error');
      await disclosure.waitFor();
      const fullText = errorCell.getByText(/check the source's token/);
      expect(await fullText.isVisible()).toBe(false);
      await disclosure.focus();
      await page.keyboard.press('Enter');
      await expect.poll(() => fullText.isVisible()).toBe(true);
      // Open, the whole error replaces its start.
      expect(await errorCell.innerText()).not.toContain('…');
      expect(await fullText.innerText()).toMatch(/refused the credentials \(HTTP 401\); check the source's token/);
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-failed-1280.png'), fullPage: true });
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);
      // A failed run deletes nothing.
      expect(await documentSources()).toHaveLength(4);

      await page.getByRole('button', { name: `Edit source ${sourceName}` }).click();
      await page.getByLabel('Replace the API token').fill(agent.token);
      await page.getByRole('button', { name: 'Save changes' }).click();
      await announced(page, `Saved the source ${sourceName}.`);
      await page.getByRole('button', { name: `Full sync of ${sourceName}` }).click();
      await expect.poll(() => statusOf(page, sourceName), { timeout: 60_000 }).toBe('succeeded');
      expect(await cell(page, sourceName, 4).innerText()).toBe('—');

      await expectNoTokenInPage(page);
      for (const body of await Promise.all(received)) for (const token of tokens) expect(body).not.toContain(token);
    });

    it('removes the source after a confirmation naming its documents: Cancel keeps it, Confirm removes it and its documents only', async () => {
      const removeButton = page.getByRole('button', { name: `Remove source ${sourceName}` });
      await removeButton.click();
      const confirm = page.getByRole('button', { name: `Confirm: remove ${sourceName} and its documents` });
      await confirm.waitFor();
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.textContent)).toBe(
        `Confirm: remove ${sourceName} and its documents`,
      );
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.getAttribute('aria-label'))).toBe(
        `Remove source ${sourceName}`,
      );
      expect(await storedSources()).toHaveLength(1);

      await removeButton.click();
      await confirm.click();
      await announced(page, `Removed the source ${sourceName} and the 3 documents it brought in.`);
      await expect.poll(() => activeId(page)).toBe('source-new');
      await page.getByRole('cell', { name: 'No source yet.' }).waitFor();
      expect(await storedSources()).toEqual([]);
      expect(await documentSources()).toEqual(['returns-by-hand.md']);
    });
  });

  describe('keyboard only', () => {
    it('adds a public help center with Tab, arrow keys and Enter, sees it synced, and removes it', async () => {
      const { page, context } = await openConsole(1280);
      const focused = () =>
        page.evaluate(() => {
          const element = (globalThis as unknown as InPage).document.activeElement;
          return `${element?.id ?? ''}|${element?.getAttribute('aria-label') ?? element?.textContent ?? ''}`;
        });
      const tabTo = async (pattern: RegExp) => {
        for (let step = 0; step < 80; step += 1) {
          await page.keyboard.press('Tab');
          if (pattern.test(await focused())) return;
        }
        throw new Error(`Tab never reached ${pattern}`);
      };
      await tabTo(/\|Sources$/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('sources-heading');
      await tabTo(/^source-new\|/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('source-form-heading');
      await tabTo(/^source-type\|/);
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => page.getByLabel('Type', { exact: true }).inputValue()).toBe('zendesk');
      await tabTo(/^source-name\|/);
      await page.keyboard.type('Public articles');
      await tabTo(/^source-field-url\|/);
      await page.keyboard.type(fake.url);
      await tabTo(/^source-field-locale\|/);
      await page.keyboard.type('en-us');
      await tabTo(/^source-schedule\|/);
      await page.keyboard.type('1d');
      await tabTo(/\|Add source$/);
      await page.keyboard.press('Enter');
      await announced(page, 'Added the source Public articles: its first sync is queued.');
      const [stored] = await storedSources();
      expect(stored).toMatchObject({ name: 'Public articles', schedule: '1d', credentials: [], config: { url: fake.url, locale: 'en-us' } });
      await expect.poll(() => activeId(page)).toBe(`source-edit-${stored!.id}`);
      await expect.poll(() => statusOf(page, 'Public articles'), { timeout: 60_000 }).toBe('succeeded');
      expect(await cell(page, 'Public articles', 2).innerText()).toContain('3 added');

      await tabTo(/\|Remove source Public articles$/);
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('|Confirm: remove Public articles and its documents');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('|Cancel');
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('|Remove source Public articles');
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('|Confirm: remove Public articles and its documents');
      await page.keyboard.press('Enter');
      await announced(page, 'Removed the source Public articles and the 3 documents it brought in.');
      await expect.poll(() => activeId(page)).toBe('source-new');
      expect(await storedSources()).toEqual([]);
      await context.close();
    });
  });

  describe('on a phone, 390 px wide', () => {
    it('fits the width with a synced source listed and the form open with an error', async () => {
      const created = await call<SourceBody>('POST', `/kbs/${kbName}/sources`, {
        type: 'zendesk',
        name: sourceName,
        config: { url: fake.url, locale: 'en-us', ...agent },
        schedule: '6h',
      });
      const { page, context } = await openConsole(390);
      await openSection(page, 'Sources');
      await expect.poll(() => statusOf(page, sourceName), { timeout: 60_000 }).toBe('succeeded');
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-390.png'), fullPage: true });
      expect(await width(page)).toBeLessThanOrEqual(390);

      await page.getByRole('button', { name: 'Add a source' }).click();
      await page.getByLabel('Type', { exact: true }).selectOption('github');
      await page.getByLabel('Name', { exact: true }).fill('Handbook');
      await page.getByLabel('Repository').fill('not a repository');
      await page.getByRole('button', { name: 'Add source' }).click();
      await form(page).getByRole('alert').waitFor();
      await expect.poll(() => activeId(page)).toBe('source-field-repo');
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-form-390.png'), fullPage: true });
      expect(await width(page)).toBeLessThanOrEqual(390);
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => activeId(page)).toBe('source-new');

      await page.getByRole('button', { name: `Edit source ${sourceName}` }).click();
      await page.getByRole('heading', { name: `Edit source ${sourceName}` }).waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-edit-390.png'), fullPage: true });
      expect(await width(page)).toBeLessThanOrEqual(390);
      await context.close();
      expect((await storedSources()).map((source) => source.id)).toEqual([created.id]);
    });
  });

  describe('in Chinese, 390 px wide', () => {
    it('shows the section and the form in Chinese, within the width', async () => {
      const { page, context } = await openConsole(390, 'zh-CN');
      await openSection(page, '数据源');
      await page.getByRole('heading', { name: `${kbName} 的数据源` }).waitFor();
      await expect.poll(() => statusOf(page, sourceName), { timeout: 60_000 }).toBe('成功');
      await page.getByRole('button', { name: '添加数据源' }).click();
      await page.getByLabel('类型', { exact: true }).selectOption('zendesk');
      await page.getByRole('group', { name: 'Zendesk Guide 设置' }).waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-sources-zh-390.png'), fullPage: true });
      expect(await width(page)).toBeLessThanOrEqual(390);
      await context.close();
    });
  });

  it('loads nothing from another origin, puts the key in no URL, and logs no unexpected error', () => {
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });
});
