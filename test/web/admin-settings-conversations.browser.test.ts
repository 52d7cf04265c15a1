import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendSelected, openMigrated, testBackends } from '../helpers/databases.ts';
import { axeViolations, hasChromium, requireChromiumOnCi, screenshots, seriousOrWorse, type PageWatch } from './browser-harness.ts';
import { startConsoleUnderTest, type ConsoleUnderTest } from './console-harness.ts';

/**
 * The console's answer settings and conversations, in real Chromium against a real server
 * with auth on: a content team changes the abstention text and the hand-off link and the next
 * off-topic answer (asked over HTTP) carries them; a value the server refuses is shown at its
 * field; a conversation seeded over HTTP is found, read and resolved. Keyboard only, axe,
 * screenshots at 1280 and 390 px in test-results/web/. Runs once, on PGlite.
 */
const runnable = hasChromium && backendSelected('pglite');
const adminKey = 'console-settings-admin-key';
const kbName = 'harbour';
const ferryUrl = 'https://harbour.example/ferry';
const abstentionText = 'Our harbour guide does not cover that yet.';
const handoff = { url: 'https://harbour.example/contact', label: 'Ask the harbour office' };
const firstQuestion = 'When does the ferry leave the north pier?';
const followUp = 'When does the <b>last</b> ferry leave?';
const offTopic = 'What is the melting point of tungsten in kelvin?';

/** What the page callbacks read; they run in the browser, and this project's types have no DOM library. */
type InPage = {
  document: {
    activeElement: { id: string; textContent: string | null; getAttribute(name: string): string | null } | null;
    documentElement: { scrollWidth: number };
    getElementById(id: string): { textContent: string | null } | null;
  };
};

interface AnswerBody {
  answer: string;
  abstained: boolean;
  conversationId: string;
  handoff?: { reason: string; url?: string; email?: string; label?: string };
}

requireChromiumOnCi('admin-settings-conversations', 'answer settings and conversations in the console');

describe.skipIf(!runnable)('answer settings and conversations in the console', { timeout: 180_000 }, () => {
  const [backend] = testBackends();
  let harness: ConsoleUnderTest;
  let watch: PageWatch;
  const call = async <T>(method: string, route: string, body?: unknown): Promise<T> => {
    const response = await harness.call<T>(method, route, body);
    expect(response.status, `${method} ${route}: ${response.status}`).toBeLessThan(300);
    return response.body;
  };
  const ask = (question: string, conversationId?: string) =>
    call<AnswerBody>('POST', '/answer', { kb: kbName, question, ...(conversationId ? { conversationId } : {}) });
  const storedSettings = () => call<{ version: number; settings: Record<string, unknown> }>('GET', `/kbs/${kbName}/settings`);

  beforeAll(async () => {
    harness = await startConsoleUnderTest({
      prefix: 'oriole-admin-settings-e2e-',
      database: await openMigrated(backend!),
      adminKey,
      // The refused settings are a 400 by design.
      expectedError: (text) => text.includes('status of 400 (Bad Request)'),
    });
    ({ watch } = harness);
    await call('POST', '/kbs', { name: kbName });
    await harness.addDocument({
      kb: kbName,
      source: 'ferry.md',
      title: 'Ferry timetable',
      url: ferryUrl,
      content: '# Ferry timetable\n\nThe harbour ferry leaves the north pier every forty minutes, from seven in the morning.\n\nThe last ferry leaves at eleven at night.\n',
    });
  });

  afterAll(async () => {
    await harness?.close();
    await backend?.cleanup();
  });

  async function openConsole(width: number, locale: 'en-US' | 'zh-CN' = 'en-US'): Promise<{ page: Page; close: () => Promise<void> }> {
    const { page, context } = await harness.openConsole(width, { locale, kb: kbName });
    return { page, close: () => context.close() };
  }

  const openSection = (page: Page, name: string) =>
    page.getByRole('navigation', { name: /^(Console sections|控制台栏目)$/ }).getByRole('link', { name }).click();
  const activeId = (page: Page) => page.evaluate(() => (globalThis as unknown as InPage).document.activeElement?.id ?? '');
  /** The text of the elements a control's aria-describedby names: what a screen reader reads after its name. */
  const description = (page: Page, label: string) =>
    page.getByLabel(label, { exact: true }).evaluate((element) => {
      const { document } = globalThis as unknown as InPage;
      return (element.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id: string) => document.getElementById(id)?.textContent ?? '')
        .join(' ');
    });

  describe('at 1280 px', () => {
    let page: Page;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ page, close } = await openConsole(1280));
    });
    afterAll(() => close());

    it('saves a new abstention text and hand-off link, which the next off-topic answer carries', async () => {
      await openSection(page, 'Answer settings');
      await page.getByRole('heading', { name: `Answer settings of ${kbName}` }).waitFor();
      const before = await storedSettings();
      expect(await page.getByLabel('Abstention message, English').inputValue()).toBe('');
      await page.getByLabel('Persona').fill('You are Pip, the harbour assistant.');
      expect(await description(page, 'Persona')).toContain('35 of 1000 characters');
      await page.getByLabel('Abstention message, English').fill(abstentionText);
      await page.getByLabel('Hand-off link (http or https URL)').fill(handoff.url);
      await page.getByLabel('Link text').fill(handoff.label);
      await page.getByRole('button', { name: 'Save settings' }).click();
      const saved = page.getByRole('status').filter({ hasText: /^Saved as version \d+: the next answer of harbour uses these settings\.$/ });
      await saved.waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-settings-1280.png'), fullPage: true });

      const after = await storedSettings();
      expect(after.version).toBeGreaterThan(before.version);
      expect(after.settings).toEqual({ persona: 'You are Pip, the harbour assistant.', abstentionMessage: { en: abstentionText }, handoff });
      const answer = await ask(offTopic);
      expect(answer).toMatchObject({ abstained: true, answer: abstentionText, handoff: { reason: 'abstained', ...handoff } });
    });

    it('shows what the server refuses at its field, announced, and stores nothing', async () => {
      const before = await storedSettings();
      await page.getByLabel('Hand-off link (http or https URL)').fill('javascript:alert(1)');
      await page.getByLabel('Passages per answer (topK)').fill('25');
      await page.getByRole('button', { name: 'Save settings' }).click();
      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toMatch(/^Not saved\. Invalid request: .*handoff\.url: must be an absolute http\(s\) URL/);
      // Each refused field is marked and says why; focus goes to the first.
      const url = page.getByLabel('Hand-off link (http or https URL)');
      expect(await url.getAttribute('aria-invalid')).toBe('true');
      expect(await description(page, 'Hand-off link (http or https URL)')).toContain('must be an absolute http(s) URL');
      expect(await page.getByLabel('Passages per answer (topK)').getAttribute('aria-invalid')).toBe('true');
      expect(await description(page, 'Passages per answer (topK)')).toMatch(/<=20/);
      await expect.poll(() => activeId(page)).toBe('settings-handoff-url');
      await page.screenshot({ path: path.join(screenshots, 'admin-settings-error-1280.png'), fullPage: true });
      expect(await storedSettings()).toEqual(before);
      const violations = seriousOrWorse(await axeViolations(page));
      expect(violations).toEqual([]);

      await page.getByRole('button', { name: 'Undo changes' }).click();
      expect(await url.inputValue()).toBe(handoff.url);
      expect(await page.getByRole('alert').count()).toBe(0);
    });

    it('unsets a field that is emptied, and keeps the others', async () => {
      await page.getByLabel('Persona').fill('');
      await page.getByLabel('Link text').fill('');
      await page.getByLabel('Minimum confidence').fill('0.2');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('status').filter({ hasText: /^Saved as version/ }).waitFor();
      expect((await storedSettings()).settings).toEqual({ abstentionMessage: { en: abstentionText }, handoff: { url: handoff.url }, minConfidence: 0.2 });
      await page.getByLabel('Minimum confidence').fill('');
      await page.getByLabel('Link text').fill(handoff.label);
      await page.getByRole('button', { name: 'Save settings' }).click();
      await expect.poll(async () => (await storedSettings()).settings).toEqual({ abstentionMessage: { en: abstentionText }, handoff });
      // Saving again with nothing changed sends nothing.
      const { version } = await storedSettings();
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('status').filter({ hasText: 'Nothing changed, so nothing was saved.' }).waitFor();
      expect((await storedSettings()).version).toBe(version);
    });

    it('finds a conversation seeded over HTTP, shows both turns as text, and resolves it', async () => {
      const first = await ask(firstQuestion);
      const second = await ask(followUp, first.conversationId);
      expect(second.conversationId).toBe(first.conversationId);

      await openSection(page, 'Conversations');
      const open = page.getByRole('button', { name: `Open the conversation “${firstQuestion}”` });
      await open.waitFor();
      const row = page.getByRole('row').filter({ has: open });
      expect(await row.innerText()).toMatch(/\t2\t/);
      await open.click();
      await expect.poll(() => activeId(page)).toBe('transcript-heading');
      const transcript = page.getByRole('region', { name: /^Conversation started/ });
      const text = await transcript.innerText();
      expect(text).toContain(firstQuestion);
      // Text, never HTML: the tags are shown as typed.
      expect(text).toContain(followUp);
      expect(await transcript.locator('b').count()).toBe(0);
      expect(text).toContain('Turn 1');
      expect(text).toContain('Turn 2');
      expect(text).toContain('Feedback: not rated');
      // A citation links to the document's http(s) page.
      const source = transcript.getByRole('link', { name: 'Ferry timetable' }).first();
      expect(await source.getAttribute('href')).toMatch(/^https:\/\/harbour\.example\/ferry/);
      expect(await transcript.innerText()).toContain('Outcome: answered');
      await page.screenshot({ path: path.join(screenshots, 'admin-conversation-1280.png'), fullPage: true });

      await transcript.getByRole('button', { name: 'Mark resolved' }).click();
      await page.getByRole('status').filter({ hasText: 'Marked resolved. Outcome: resolved.' }).waitFor();
      expect(await transcript.innerText()).toContain('Outcome: resolved');
      await expect.poll(() => row.innerText()).toContain('resolved');
      expect((await call<{ outcome: string }>('GET', `/conversations/${first.conversationId}`)).outcome).toBe('resolved');
      expect(seriousOrWorse(await axeViolations(page))).toEqual([]);

      await transcript.getByRole('button', { name: 'Close conversation' }).click();
      await expect.poll(() => activeId(page)).toBe(`conversation-open-${first.conversationId}`);
    });

    it('filters the list by outcome', async () => {
      await page.getByLabel('Outcome').selectOption('abstained');
      await page.getByRole('button', { name: 'Show' }).click();
      // The off-topic row was already listed before the filter: wait for the other one to go, not for it.
      await page.getByRole('button', { name: `Open the conversation “${firstQuestion}”` }).waitFor({ state: 'detached' });
      await page.getByRole('button', { name: `Open the conversation “${offTopic}”` }).waitFor();
      await page.getByLabel('Outcome').selectOption('handed_off');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByText('No conversation matches these filters.').waitFor();
      // A day range that ended before today holds nothing.
      await page.getByLabel('Outcome').selectOption('');
      await page.getByLabel('Started on or before').fill('2020-01-31');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByText('No conversation matches these filters.').waitFor();
      await page.getByLabel('Started on or before').fill('');
      await page.getByRole('button', { name: 'Show' }).click();
      await page.getByRole('button', { name: `Open the conversation “${firstQuestion}”` }).waitFor();
    });

    it('hands a conversation off and shows it handed off', async () => {
      await page.getByRole('button', { name: `Open the conversation “${offTopic}”` }).click();
      const transcript = page.getByRole('region', { name: /^Conversation started/ });
      await transcript.getByText(abstentionText).waitFor();
      await transcript.getByLabel('Hand-off reason (optional)').fill('asked twice');
      await transcript.getByRole('button', { name: 'Hand off to a person' }).click();
      await page.getByRole('status').filter({ hasText: /^Handed off\. Outcome: handed off\./ }).waitFor();
      expect(await transcript.innerText()).toContain('Outcome: handed off');
      const conversations = await call<{ conversations: Array<{ firstQuestion: string; outcome: string }> }>('GET', `/conversations?kb=${kbName}&outcome=handed_off`);
      expect(conversations.conversations.map((conversation) => conversation.firstQuestion)).toEqual([offTopic]);
      await page.screenshot({ path: path.join(screenshots, 'admin-conversations-1280.png'), fullPage: true });
    });
  });

  describe('on a phone, 390 px wide', () => {
    it('fits both sections and an open transcript in the width', async () => {
      const { page, close } = await openConsole(390);
      const fits = async (what: string) =>
        expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth), what).toBeLessThanOrEqual(390);
      await openSection(page, 'Answer settings');
      await page.getByLabel('Abstention message, English').waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-settings-390.png'), fullPage: true });
      await fits('settings');
      await openSection(page, 'Conversations');
      await page.getByRole('button', { name: `Open the conversation “${firstQuestion}”` }).click();
      await page.getByRole('region', { name: /^Conversation started/ }).getByText(followUp).waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-conversations-390.png'), fullPage: true });
      await fits('conversations');
      await close();
    });

    it('fits in Chinese too', async () => {
      const { page, close } = await openConsole(390, 'zh-CN');
      await openSection(page, '回答设置');
      await page.getByLabel('无法回答时的消息（中文）').waitFor();
      await page.screenshot({ path: path.join(screenshots, 'admin-settings-zh-390.png'), fullPage: true });
      expect(await page.evaluate(() => (globalThis as unknown as InPage).document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await close();
    });
  });

  describe('keyboard only', () => {
    it('edits and saves the settings, and opens and closes a transcript, with Tab and Enter', async () => {
      const { page, close } = await openConsole(1280);
      const focusedName = () =>
        page.evaluate(() => {
          const focused = (globalThis as unknown as InPage).document.activeElement;
          return focused?.getAttribute('aria-label') ?? (focused?.id ? `#${focused.id}` : (focused?.textContent ?? ''));
        });
      const tabTo = async (pattern: RegExp, key = 'Tab') => {
        for (let step = 0; step < 60; step += 1) {
          await page.keyboard.press(key);
          if (pattern.test(await focusedName())) return;
        }
        throw new Error(`Tab never reached ${pattern}`);
      };
      await page.getByRole('button', { name: 'Forget key' }).focus();

      await tabTo(/^Answer settings$/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('settings-heading');
      await tabTo(/^#settings-abstention-zh$/);
      await page.keyboard.type('港口指南里还没有这个答案。');
      await tabTo(/^Save settings$/);
      await page.keyboard.press('Enter');
      await page.getByRole('status').filter({ hasText: /^Saved as version/ }).waitFor();
      // Focus stays on the button that saved.
      expect(await focusedName()).toBe('Save settings');
      expect((await storedSettings()).settings['abstentionMessage']).toEqual({ en: abstentionText, zh: '港口指南里还没有这个答案。' });

      await tabTo(/^Conversations$/, 'Shift+Tab');
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('conversations-heading');
      await tabTo(new RegExp(`^Open the conversation “${firstQuestion.replace(/[?.]/g, '\\$&')}”$`));
      const opener = await activeId(page);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe('transcript-heading');
      await tabTo(/^Close conversation$/);
      await page.keyboard.press('Enter');
      await expect.poll(() => activeId(page)).toBe(opener);
      await close();
    });
  });

  it('loads nothing from another origin, puts the key in no URL, and logs no unexpected error', () => {
    expect(watch.foreignRequests).toEqual([]);
    expect(watch.consoleErrors).toEqual([]);
  });
});
