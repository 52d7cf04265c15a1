import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendSelected, openMigrated, testBackends } from '../helpers/databases.ts';
import { axeViolations, hasChromium, requireChromiumOnCi, screenshots, seriousOrWorse, type PageWatch } from './browser-harness.ts';
import { startConsoleUnderTest, type ConsoleUnderTest } from './console-harness.ts';

/**
 * The console's curated answers (`/admin#curated`) as a support lead uses them, in real
 * Chromium against a real server with auth on: write one (the server's 400s shown by the
 * form first), see it listed and served with `mode: "curated"`, edit it, turn it off, turn
 * a rated-down answer and an unanswered question from Insights into one, delete one; keyboard
 * only; axe; screenshots at 1280 and 390 px in test-results/web/. Runs once, on PGlite.
 */
const runnable = hasChromium && backendSelected('pglite');
const adminKey = 'curated-console-admin-key';
const kbName = 'ferries';
const ticketQuestion = 'How much is a ferry ticket?';
const ticketAnswer = 'A single ferry ticket costs **4 euros**; children under 12 travel free.';
const firstFerryQuestion = 'When does the first ferry leave the north pier?';
const parkingQuestion = 'How much does airport parking cost?';

type InPage = {
  document: {
    activeElement: { id: string; tagName: string; textContent: string | null; getAttribute(name: string): string | null } | null;
    documentElement: { scrollWidth: number };
  };
  location: { href: string };
};

interface AnswerBody {
  answerId: string;
  answer: string;
  mode: string;
  curatedAnswerId?: string;
  citations: Array<{ source: string }>;
}

requireChromiumOnCi('admin-curated', 'curated answers in the console in Chromium');

describe.skipIf(!runnable)('curated answers in the console in Chromium', { timeout: 180_000 }, () => {
  const [backend] = testBackends();
  let harness: ConsoleUnderTest;
  let apiUrl: string;
  let watch: PageWatch;
  const call = <T>(method: string, route: string, body?: unknown) => harness.call<T>(method, route, body);
  const ask = async (question: string) => (await call<AnswerBody>('POST', '/answer', { kb: kbName, question })).body;
  const curatedList = async () =>
    (await call<{ curatedAnswers: Array<{ id: string; questions: string[]; answer: string; enabled: boolean; hits: number; citations: Array<{ source: string }>; tags: string[] }> }>(
      'GET',
      `/kbs/${kbName}/curated-answers`,
    )).body.curatedAnswers;

  beforeAll(async () => {
    harness = await startConsoleUnderTest({
      prefix: 'oriole-curated-e2e-',
      database: await openMigrated(backend!),
      adminKey,
      // The 400s the form is meant to show.
      expectedError: (text) => text.includes('status of 400 (Bad Request)'),
    });
    ({ url: apiUrl, watch } = harness);
    expect((await call('POST', '/kbs', { name: kbName })).status).toBe(201);
    await harness.addDocument({ kb: kbName, source: 'timetable.md', content: '# Ferry timetable\n\nThe first ferry leaves the north pier at 6:10. Ferries leave every forty minutes until 22:00.\n' });
    await harness.addDocument({ kb: kbName, source: 'tickets.md', content: '# Tickets\n\nTickets are sold on board and at the kiosk by the pier.\n' });
  });

  afterAll(async () => {
    await harness?.close();
    await backend?.cleanup();
  });

  const openConsole = (width: number) => harness.openConsole(width, { kb: kbName });
  const openSection = (page: Page, name: string) => page.getByRole('navigation', { name: 'Console sections' }).getByRole('link', { name }).click();
  const activeId = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id ?? '');
  const form = (page: Page) => page.getByRole('form');
  const status = (page: Page, text: string | RegExp) => page.getByRole('status').filter({ hasText: text }).waitFor();

  describe('a support lead at 1280 px', () => {
    let page: Page;
    let context: BrowserContext;
    beforeAll(async () => {
      ({ page, context } = await openConsole(1280));
    });
    afterAll(() => context.close());

    it('is told what the server refuses, next to the form, with the field named and focused', async () => {
      await openSection(page, 'Curated answers');
      await page.getByRole('heading', { name: `Curated answers in ${kbName}` }).waitFor();
      await page.getByRole('cell', { name: 'No curated answer yet.' }).waitFor();
      await page.getByRole('button', { name: 'New curated answer' }).click();
      await expect.poll(() => activeId(page)).toBe('curated-form-heading');
      await page.getByLabel('Phrasing 1', { exact: true }).fill(ticketQuestion);

      // An empty answer: the server's 400, announced, the answer field marked and focused.
      await page.getByRole('button', { name: 'Add curated answer' }).click();
      const alert = form(page).getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/answer/i);
      expect(await alert.innerText()).toContain('Check the field “Answer (Markdown)”.');
      await expect.poll(() => activeId(page)).toBe('curated-answer');
      const answerField = page.getByLabel('Answer (Markdown)');
      expect(await answerField.getAttribute('aria-invalid')).toBe('true');
      expect(await answerField.getAttribute('aria-describedby')).toContain('curated-form-error');
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-error-1280.png'), fullPage: true });
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);

      // A cited document the KB does not have: the server names it, the source field is focused.
      await answerField.fill(ticketAnswer);
      await page.getByLabel('Document source').fill('nowhere.md');
      await page.getByLabel('Document source').press('Enter');
      await page.getByRole('button', { name: 'Add curated answer' }).click();
      await expect.poll(() => alert.innerText()).toContain("no document 'nowhere.md'");
      await expect.poll(() => activeId(page)).toBe('curated-source');
      expect(await answerField.getAttribute('aria-invalid')).toBeNull();
      expect(await curatedList()).toEqual([]);
    });

    it('writes a curated answer, lists it, and the same question is then answered with it', async () => {
      await page.getByRole('button', { name: 'Remove cited document nowhere.md' }).click();
      await expect.poll(() => activeId(page)).toBe('curated-source');
      // The KB's sources are offered as suggestions; a typed one is taken as it is.
      await expect.poll(() => page.locator('#curated-source-suggestions option').evaluateAll((options) => options.map((option) => (option as unknown as { value: string }).value))).toContain('tickets.md');
      await page.getByLabel('Document source').fill('tickets.md');
      await page.getByRole('button', { name: 'Add document' }).click();
      await page.getByRole('button', { name: 'Add a phrasing' }).click();
      await expect.poll(() => activeId(page)).toMatch(/^curated-phrasing-/);
      await page.keyboard.type('Ferry ticket price');
      await page.getByLabel('Tags (comma-separated, optional)').fill('tickets, prices');
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-form-1280.png'), fullPage: true });
      await page.getByRole('button', { name: 'Add curated answer' }).click();
      await status(page, `Added the curated answer “${ticketQuestion}”.`);
      expect(await form(page).count()).toBe(0);

      const [stored] = await curatedList();
      expect(stored).toMatchObject({ questions: [ticketQuestion, 'Ferry ticket price'], answer: ticketAnswer, citations: [{ source: 'tickets.md' }], tags: ['tickets', 'prices'], enabled: true });
      // Focus lands on the new row, whose Edit button names it.
      await expect.poll(() => activeId(page)).toBe(`curated-edit-${stored!.id}`);
      const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(ticketQuestion.replace('?', '\\?')) }) });
      const rowText = await row.innerText();
      for (const shown of ['Ferry ticket price', 'A single ferry ticket costs **4 euros**', 'tickets.md', 'tickets', 'prices', 'on']) expect(rowText).toContain(shown);

      const answered = await ask(ticketQuestion);
      expect(answered).toMatchObject({ mode: 'curated', curatedAnswerId: stored!.id, answer: ticketAnswer });
      expect(answered.citations.map((citation) => citation.source)).toEqual(['tickets.md']);
      // The hit shows once the list is read again.
      await openSection(page, 'Try it');
      await openSection(page, 'Curated answers');
      await expect.poll(async () => (await row.getByRole('cell').nth(4).innerText()).trim()).toBe('1');
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-1280.png'), fullPage: true });
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);
    });

    it('edits it and turns it off, and the question goes back to retrieval', async () => {
      const [stored] = await curatedList();
      await page.getByRole('button', { name: `Edit curated answer “${ticketQuestion}”` }).click();
      await expect.poll(() => activeId(page)).toBe('curated-form-heading');
      expect(await page.getByLabel('Phrasing 2', { exact: true }).inputValue()).toBe('Ferry ticket price');
      const changed = 'A single ferry ticket costs **5 euros** since June; children under 12 travel free.';
      await page.getByLabel('Answer (Markdown)').fill(changed);
      await page.getByRole('button', { name: 'Remove phrasing 2' }).click();
      await page.getByRole('button', { name: 'Save changes' }).click();
      await status(page, `Saved the curated answer “${ticketQuestion}”.`);
      await expect.poll(() => activeId(page)).toBe(`curated-edit-${stored!.id}`);
      expect((await curatedList())[0]).toMatchObject({ questions: [ticketQuestion], answer: changed });
      expect((await ask(ticketQuestion)).answer).toBe(changed);

      await page.getByRole('button', { name: `Turn off curated answer “${ticketQuestion}”` }).click();
      await status(page, /^Turned off/);
      // The same button, now turning it on again, keeps the focus.
      await expect.poll(() => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.getAttribute('aria-label'))).toBe(
        `Turn on curated answer “${ticketQuestion}”`,
      );
      expect((await curatedList())[0]!.enabled).toBe(false);
      expect((await ask(ticketQuestion)).mode).not.toBe('curated');
    });

    it('turns a rated-down answer from Insights into a curated answer, Back and Forward keeping the draft out of the URL', async () => {
      const rated = await ask(firstFerryQuestion);
      expect(rated.mode).not.toBe('curated');
      expect((await call('POST', '/feedback', { answerId: rated.answerId, rating: 'down', comment: 'Just tell me the time' })).status).toBeLessThan(300);

      await openSection(page, 'Insights');
      const write = page.getByRole('button', { name: `Write a curated answer for “${firstFerryQuestion}”` });
      await write.waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-insights-1280.png'), fullPage: true });
      await write.click();
      await page.getByRole('heading', { name: 'New curated answer for a rated-down answer' }).waitFor();
      expect(page.url()).toBe(`${apiUrl}/admin#curated`);
      expect(await page.getByLabel('Question of the rated-down answer (always the first phrasing)').inputValue()).toBe(firstFerryQuestion);
      expect(await form(page).innerText()).toContain('Just tell me the time');

      await page.goBack();
      await write.waitFor();
      await page.goForward();
      await page.getByRole('heading', { name: 'New curated answer for a rated-down answer' }).waitFor();
      await page.getByRole('button', { name: 'Add a phrasing' }).click();
      await page.getByLabel('Phrasing 2', { exact: true }).fill('First ferry time');
      await page.getByLabel('Answer (Markdown)').fill('The first ferry leaves the north pier at **6:10**, then every forty minutes.');
      await page.getByRole('button', { name: 'Add curated answer' }).click();
      await status(page, `Added the curated answer “${firstFerryQuestion}”.`);

      const created = (await curatedList()).find((item) => item.questions[0] === firstFerryQuestion);
      expect(created?.questions).toEqual([firstFerryQuestion, 'First ferry time']);
      expect(await ask(firstFerryQuestion)).toMatchObject({ mode: 'curated', curatedAnswerId: created!.id });
      // Saved, the draft is gone from the history entry: a reload shows the list, not the form again.
      await page.reload();
      await page.getByRole('heading', { name: `Curated answers in ${kbName}` }).waitFor();
      await page.getByRole('rowheader', { name: new RegExp(firstFerryQuestion.replace('?', '\\?')) }).waitFor();
      expect(await form(page).count()).toBe(0);
    });

    it('opens an unanswered group as a draft with its questions, and Escape closes it', async () => {
      expect((await ask(parkingQuestion)).mode).not.toBe('curated');
      await openSection(page, 'Insights');
      await page.getByRole('button', { name: `Write a curated answer for “${parkingQuestion}”` }).click();
      await page.getByRole('heading', { name: 'New curated answer for unanswered questions' }).waitFor();
      await expect.poll(() => activeId(page)).toBe('curated-form-heading');
      expect(await page.getByLabel('Phrasing 1', { exact: true }).inputValue()).toBe(parkingQuestion);
      expect(page.url()).not.toContain('parking');
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-from-insights-1280.png'), fullPage: true });
      await page.getByLabel('Answer (Markdown)').press('Escape');
      await expect.poll(() => form(page).count()).toBe(0);
      await expect.poll(() => activeId(page)).toBe('curated-new');
      await page.goBack();
      await page.getByRole('heading', { name: `Insights for ${kbName}` }).waitFor();
    });

    it('deletes one after asking to confirm', async () => {
      await openSection(page, 'Curated answers');
      await page.getByRole('button', { name: `Delete curated answer “${ticketQuestion}”` }).click();
      await page.getByRole('button', { name: `Confirm: delete “${ticketQuestion}”` }).click();
      await status(page, `Deleted the curated answer “${ticketQuestion}”.`);
      await expect.poll(() => activeId(page)).toBe('curated-new');
      expect((await curatedList()).map((item) => item.questions[0])).toEqual([firstFerryQuestion]);
    });
  });

  describe('keyboard only', () => {
    it('writes, saves and re-opens a curated answer with Tab, Enter and Escape', async () => {
      const { page, context } = await openConsole(1280);
      const focused = () =>
        page.evaluate(() => {
          const element = (globalThis as unknown as InPage).document.activeElement;
          return `${element?.id ?? ''}|${element?.getAttribute('aria-label') ?? element?.textContent ?? ''}`;
        });
      const tabTo = async (pattern: RegExp) => {
        for (let step = 0; step < 60; step += 1) {
          await page.keyboard.press('Tab');
          if (pattern.test(await focused())) return;
        }
        throw new Error(`Tab never reached ${pattern}`);
      };
      await tabTo(/\|Curated answers$/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('curated-heading');
      await tabTo(/^curated-new\|/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('curated-form-heading');
      await tabTo(/^curated-phrasing-/);
      await page.keyboard.type('Where do I buy tickets?');
      await tabTo(/^curated-answer\|/);
      await page.keyboard.type('On board or at the kiosk by the pier.');
      await tabTo(/\|Add curated answer$/);
      await page.keyboard.press('Enter');
      await status(page, 'Added the curated answer “Where do I buy tickets?”.');
      const created = (await curatedList()).find((item) => item.questions[0] === 'Where do I buy tickets?');
      await expect.poll(() => activeId(page)).toBe(`curated-edit-${created!.id}`);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('curated-form-heading');
      await page.keyboard.press('Escape');
      await expect.poll(() => activeId(page)).toBe(`curated-edit-${created!.id}`);
      expect(await page.getByRole('form').count()).toBe(0);

      // Delete asks first; Cancel puts the focus back on Delete, not on the page's start.
      await tabTo(/\|Delete curated answer “Where do I buy tickets\?”$/);
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('|Confirm: delete “Where do I buy tickets?”');
      await page.keyboard.press('Tab');
      expect(await focused()).toBe('|Cancel');
      await page.keyboard.press('Enter');
      await expect.poll(focused).toBe('|Delete curated answer “Where do I buy tickets?”');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await status(page, 'Deleted the curated answer “Where do I buy tickets?”.');
      await expect.poll(() => activeId(page)).toBe('curated-new');
      await context.close();
    });
  });

  describe('on a phone, 390 px wide', () => {
    it('fits the width with the list and the form open', async () => {
      const { page, context } = await openConsole(390);
      await openSection(page, 'Curated answers');
      await page.getByRole('rowheader', { name: new RegExp(firstFerryQuestion.replace('?', '\\?')) }).waitFor();
      const width = () => page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth);
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-390.png'), fullPage: true });
      expect(await width()).toBeLessThanOrEqual(390);
      await page.getByRole('button', { name: `Edit curated answer “${firstFerryQuestion}”` }).click();
      await page.getByLabel('Document source').fill('timetable.md');
      await page.getByRole('button', { name: 'Add document' }).click();
      await page.getByLabel('Answer (Markdown)').fill('');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.getByRole('form').getByRole('alert').waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-form-390.png'), fullPage: true });
      expect(await width()).toBeLessThanOrEqual(390);
      await page.getByRole('button', { name: 'Cancel' }).click();
      await openSection(page, 'Insights');
      await page.getByRole('button', { name: `Write a curated answer for “${parkingQuestion}”` }).waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-insights-390.png'), fullPage: true });
      expect(await width()).toBeLessThanOrEqual(390);
      await context.close();
    });
  });

  describe('in Chinese, 390 px wide', () => {
    it('shows the section and the form in Chinese, within the width', async () => {
      const { page, context } = await harness.openConsole(390, { locale: 'zh-CN' });
      await page.getByRole('navigation', { name: '控制台栏目' }).getByRole('link', { name: '精选回答' }).click();
      await page.getByRole('heading', { name: `${kbName} 的精选回答` }).waitFor();
      await page.getByRole('button', { name: '新建精选回答' }).click();
      await page.getByLabel('问法 1', { exact: true }).fill('船票多少钱？');
      await page.getByRole('button', { name: '添加精选回答' }).click();
      await page.getByRole('form').getByRole('alert').waitFor();
      expect(await page.getByRole('form').getByRole('alert').innerText()).toContain('请检查“回答（Markdown）”。');
      await page.screenshot({ path: path.join(screenshots, 'admin-curated-form-zh-390.png'), fullPage: true });
      expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await context.close();
    });
  });

  it('loads nothing from another origin, puts the key in no URL, and logs no unexpected error', () => {
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });
});
