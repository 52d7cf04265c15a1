import path from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import type { Browser, BrowserContext, FileChooser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendSelected, openMigrated, testBackends } from '../helpers/databases.ts';
import { axeViolations, hasChromium, requireChromiumOnCi, screenshots, seriousOrWorse, watchedPage, type PageWatch } from './browser-harness.ts';
import { startConsoleUnderTest, type ConsoleUnderTest } from './console-harness.ts';

/**
 * The admin console (`/admin`) as a content team uses it, in real Chromium against a real
 * server with auth on: enter the key, create a knowledge base, upload a Markdown file and a
 * PDF, find the PDF's sentence through "Try it", delete the Markdown file and see it gone
 * from search, create and revoke a key; keyboard only; an axe scan; screenshots at desktop
 * and phone width in test-results/web/ (git-ignored). Runs once, on PGlite.
 */
const runnable = hasChromium && backendSelected('pglite');
const adminKey = 'console-test-admin-key';
const kbName = 'harbour';
const pdfSentence = 'The harbour ferry leaves the north pier every forty minutes.';
const markdownSentence = 'The lighthouse museum opens at nine on Saturdays.';

/** What the page callbacks read; they run in the browser, and this project's types have no DOM library. */
type InPage = {
  document: {
    activeElement: { id: string; textContent: string | null; labels?: ArrayLike<{ textContent: string | null }> } | null;
    documentElement: { scrollWidth: number };
  };
  sessionStorage: { getItem(key: string): string | null };
};

requireChromiumOnCi('admin-console', 'the admin console in Chromium');

async function ferryPdf(): Promise<Buffer> {
  const pdf = await PDFDocument.create();
  pdf.setTitle('Ferry timetable');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const page = pdf.addPage([595, 842]);
  page.drawText('Ferry timetable', { x: 50, y: 780, size: 20, font });
  page.drawText(pdfSentence, { x: 50, y: 740, size: 12, font });
  page.drawText('Tickets are sold on board and at the kiosk.', { x: 50, y: 720, size: 12, font });
  return Buffer.from(await pdf.save());
}

const markdownFile = {
  name: 'lighthouse.md',
  mimeType: 'text/markdown',
  buffer: Buffer.from(`# Lighthouse visits\n\n## Opening hours\n\n${markdownSentence} Guided tours start on the hour.\n`),
};

describe.skipIf(!runnable)('the admin console in Chromium', { timeout: 180_000 }, () => {
  const [backend] = testBackends();
  let harness: ConsoleUnderTest;
  let apiUrl: string;
  let browser: Browser;
  let watch: PageWatch;

  beforeAll(async () => {
    harness = await startConsoleUnderTest({ prefix: 'oriole-admin-e2e-', database: await openMigrated(backend!), adminKey });
    ({ url: apiUrl, browser, watch } = harness);
  });

  afterAll(async () => {
    await harness?.close();
    await backend?.cleanup();
  });

  const newPage = (width: number) => watchedPage(browser, watch, width);

  async function openConsole(page: Page): Promise<void> {
    await page.goto(`${apiUrl}/admin`);
    await page.getByLabel(/key/i).fill(adminKey);
    await page.getByRole('button', { name: 'Use key' }).click();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    await page.getByRole('button', { name: 'Forget key' }).waitFor();
  }

  async function openSection(page: Page, name: string): Promise<void> {
    await page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name }).click();
  }

  async function tryIt(page: Page, query: string): Promise<string> {
    await openSection(page, 'Try it');
    await page.getByRole('searchbox', { name: 'Search passages' }).fill(query);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    const results = page.getByRole('heading', { name: new RegExp(`Passages for “${query}”`) });
    await results.waitFor();
    return page.locator('section[aria-labelledby="try-results-heading"]').innerText();
  }

  describe('a content team at 1280 px', () => {
    let page: Page;
    let context: BrowserContext;
    beforeAll(async () => {
      ({ page, context } = await newPage(1280));
      await openConsole(page);
    });
    afterAll(() => context.close());

    it('asks for the key, keeps it in sessionStorage only, and creates a knowledge base', async () => {
      expect(await page.evaluate(() => (globalThis as unknown as InPage).sessionStorage.getItem('oriole.key'))).toBe(adminKey);
      expect(page.url()).not.toContain(adminKey);
      await page.getByLabel('Name', { exact: true }).fill(kbName);
      await page.getByRole('button', { name: 'Create', exact: true }).click();
      await page.getByRole('rowheader', { name: kbName }).waitFor();
      await expect.poll(() => page.getByRole('combobox', { name: 'Knowledge base' }).inputValue()).toBe(kbName);
      await page.screenshot({ path: path.join(screenshots, 'admin-kbs-1280.png'), fullPage: true });
    });

    it('uploads a Markdown file and a PDF and follows both jobs to the end', async () => {
      await openSection(page, 'Upload');
      await page.getByLabel(/choose files/i).setInputFiles([
        markdownFile,
        { name: 'ferry.pdf', mimeType: 'application/pdf', buffer: await ferryPdf() },
      ]);
      const uploads = page.getByRole('list').filter({ has: page.getByText('lighthouse.md') });
      await expect.poll(() => uploads.getByText(/^done · harbour$/).count(), { timeout: 60_000 }).toBe(2);
      expect(await uploads.getByText(/failed/).count()).toBe(0);
      await page.screenshot({ path: path.join(screenshots, 'admin-upload-1280.png'), fullPage: true });
    });

    it('lists the documents and shows a document’s chunks with their heading path', async () => {
      await openSection(page, 'Documents');
      await page.getByRole('cell', { name: 'lighthouse.md', exact: true }).waitFor();
      await page.getByRole('cell', { name: 'ferry.pdf', exact: true }).waitFor();
      await page.getByRole('button', { name: 'Show the chunks of lighthouse.md' }).click();
      const chunks = page.locator('section[aria-labelledby="chunks-heading"]');
      await chunks.getByText(markdownSentence, { exact: false }).waitFor();
      expect(await chunks.innerText()).toContain('Lighthouse visits › Opening hours');
      await page.screenshot({ path: path.join(screenshots, 'admin-documents-1280.png'), fullPage: true });
      await page.getByRole('button', { name: 'Close chunks' }).click();
    });

    it('finds a sentence of the PDF through Try it, with a score', async () => {
      const text = await tryIt(page, 'ferry north pier');
      expect(text).toContain(pdfSentence);
      expect(text).toMatch(/score \d+\.\d{3}/);
      expect(await page.getByRole('link', { name: 'Ask it on the chat page' }).getAttribute('href')).toBe('/');
      await page.screenshot({ path: path.join(screenshots, 'admin-try-it-1280.png'), fullPage: true });
    });

    it('deletes the Markdown file, which then is gone from search', async () => {
      expect(await tryIt(page, 'lighthouse museum')).toContain(markdownSentence);
      await openSection(page, 'Documents');
      await page.getByRole('button', { name: 'Delete lighthouse.md' }).click();
      await page.getByRole('button', { name: 'Confirm: delete lighthouse.md' }).click();
      await page.getByRole('status').filter({ hasText: 'Deleted lighthouse.md.' }).waitFor();
      await expect.poll(() => page.getByRole('cell', { name: 'lighthouse.md', exact: true }).count()).toBe(0);
      const after = await tryIt(page, 'lighthouse museum');
      expect(after).not.toContain(markdownSentence);
      expect(after).toContain('Passages for “lighthouse museum”: 0');
    });

    it('creates a widget key, shows its secret once, and revokes it', async () => {
      await openSection(page, 'Keys');
      await page.getByLabel('Name', { exact: true }).fill('help center widget');
      await page.locator('form').getByLabel('Knowledge base', { exact: true }).selectOption(kbName);
      await page.getByLabel(/web origins/i).fill('https://help.example.com');
      await page.getByLabel('Requests per minute').fill('30');
      await page.getByRole('button', { name: 'Create key' }).click();
      const secret = await page.getByLabel('The new key').inputValue();
      expect(secret.length).toBeGreaterThan(20);
      const row = page.getByRole('row').filter({ hasText: 'help center widget' });
      expect(await row.innerText()).toContain('https://help.example.com');
      // The key works from its origin until it is revoked.
      const ask = () =>
        fetch(`${apiUrl}/feedback`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${secret}`, Origin: 'https://help.example.com', 'Content-Type': 'application/json' },
          body: JSON.stringify({ answerId: '00000000-0000-4000-8000-000000000000', rating: 'up' }),
        });
      expect((await ask()).status).toBe(404);
      await page.screenshot({ path: path.join(screenshots, 'admin-keys-1280.png'), fullPage: true });
      await page.getByRole('button', { name: 'Done' }).click();
      expect(await page.getByLabel('The new key').count()).toBe(0);
      await row.getByRole('button', { name: /^Revoke key/ }).click();
      await row.getByRole('button', { name: /^Confirm: revoke/ }).click();
      await expect.poll(() => row.innerText()).toContain('revoked');
      expect((await ask()).status).toBe(401);
    });

    it('shows the insights dashboard with an accessible chart and its table', async () => {
      const headers = { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' };
      const ask = async (question: string) =>
        (await (await fetch(`${apiUrl}/answer`, { method: 'POST', headers, body: JSON.stringify({ kb: kbName, question }) })).json()) as { answerId: string };
      const answered = await ask('When does the ferry leave the north pier?');
      await ask('How much does airport parking cost?');
      await fetch(`${apiUrl}/feedback`, { method: 'POST', headers, body: JSON.stringify({ answerId: answered.answerId, rating: 'down', comment: 'Say the first ferry time' }) });
      await openSection(page, 'Insights');
      await page.getByText('Say the first ferry time').waitFor();
      const chart = page.getByRole('img', { name: 'Answers and abstentions by day' });
      await chart.waitFor();
      expect(await chart.locator('rect').count()).toBeGreaterThan(0);
      await page.getByText('The chart as a table').click();
      await page.getByRole('table', { name: 'Answers and abstentions by day' }).waitFor();
      await page.getByLabel('Period').selectOption('7');
      await expect.poll(() => page.getByRole('table', { name: 'Answers and abstentions by day' }).getByRole('row').count()).toBeGreaterThanOrEqual(8);
      await page.screenshot({ path: path.join(screenshots, 'admin-insights-1280.png'), fullPage: true });
    });

    it('has no serious or critical accessibility violation in any section', async () => {
      const found: Record<string, unknown> = {};
      for (const section of ['Knowledge bases', 'Documents', 'Upload', 'Try it', 'Insights', 'Evals', 'Keys']) {
        await openSection(page, section);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.waitForTimeout(300);
        const violations = seriousOrWorse(await axeViolations(page));
        if (violations.length > 0) found[section] = violations;
      }
      expect(found).toEqual({});
    });
  });

  describe('on a phone, 360 px wide', () => {
    it('fits the width in every section', async () => {
      const { page, context } = await newPage(360);
      await openConsole(page);
      for (const [section, file] of [
        ['Knowledge bases', 'admin-kbs-360.png'],
        ['Documents', 'admin-documents-360.png'],
        ['Upload', 'admin-upload-360.png'],
        ['Insights', 'admin-insights-360.png'],
        ['Keys', 'admin-keys-360.png'],
      ] as const) {
        await openSection(page, section);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        await page.waitForTimeout(300);
        await page.screenshot({ path: path.join(screenshots, file), fullPage: true });
        // Wide tables scroll inside their own box; the page itself never scrolls sideways.
        expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth), section).toBeLessThanOrEqual(360);
      }
      await context.close();
    });
  });

  describe('keyboard only', () => {
    it('reaches the upload input and the search box with Tab and uses them with Enter', async () => {
      // The knowledge base the first tests created (201), or created here when this test runs alone (409: it exists).
      const created = await fetch(`${apiUrl}/kbs`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${adminKey}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: kbName }),
      });
      expect([201, 409]).toContain(created.status);
      const { page, context } = await newPage(1280);
      // Listening early: Playwright turns file-chooser interception on asynchronously, and one key press is quicker than that.
      const chooser = new Promise<FileChooser>((resolve) => page.once('filechooser', resolve));
      await openConsole(page);
      const focusedLabel = () => page.evaluate(() => {
          const focused = (globalThis as unknown as InPage).document.activeElement;
          return focused?.labels?.[0]?.textContent ?? focused?.textContent ?? '';
        });
      const tabTo = async (pattern: RegExp, key = 'Tab') => {
        for (let step = 0; step < 40; step += 1) {
          await page.keyboard.press(key);
          if (pattern.test(await focusedLabel())) return;
        }
        throw new Error(`Tab never reached ${pattern}`);
      };

      await tabTo(/^Upload$/);
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe('upload-heading');
      await tabTo(/choose files/i);
      await page.keyboard.press('Enter');
      await (await chooser).setFiles({ name: 'tides.md', mimeType: 'text/markdown', buffer: Buffer.from('# Tides\n\nHigh tide at the north pier is at noon.\n') });
      await expect.poll(() => page.getByText(/^done · harbour$/).count(), { timeout: 60_000 }).toBe(1);

      await tabTo(/^Try it$/, 'Shift+Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id)).toBe('try-heading');
      await tabTo(/^Search passages$/);
      await page.keyboard.type('high tide noon');
      await page.keyboard.press('Enter');

      await page.getByRole('heading', { name: /Passages for “high tide noon”/ }).waitFor();
      expect(await page.locator('section[aria-labelledby="try-results-heading"]').innerText()).toContain('High tide at the north pier is at noon.');
      await context.close();
    });
  });

  it('loads nothing from another origin, puts the key in no URL, and logs no error', () => {
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });
});
