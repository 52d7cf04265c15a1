import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../evals/report/index.ts';
import { sampleEvalReport } from '../helpers/sample-eval-report.ts';

/**
 * The HTML report in a real browser: offline, charts drawn, failing cases readable, the
 * hostile answer inert. Needs Debian's chromium (scripts/setup-chromium.sh); without it the
 * suite is skipped locally and fails on CI, where a skipped browser test would hide a gap.
 */
const executablePath = process.env.ORIOLE_CHROMIUM_PATH ?? '/usr/bin/chromium';
const hasChromium = existsSync(executablePath);
const missingChromium = `Chromium not found at ${executablePath}: install Debian's chromium (scripts/setup-chromium.sh) or set ORIOLE_CHROMIUM_PATH.`;
/** Kept for a person to look at; tmp/ is git-ignored. */
const keptScreenshot = resolve(import.meta.dirname, '../../tmp/report-screenshot.png');
const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

if (!hasChromium && !process.env.CI) console.warn(`[report-screenshot] skipped. ${missingChromium}`);

describe.runIf(!hasChromium && Boolean(process.env.CI))('HTML report in Chromium (CI)', () => {
  it('has a Chromium to run in', () => {
    expect.fail(missingChromium);
  });
});

describe.skipIf(!hasChromium)('HTML report in Chromium', () => {
  let browser: Browser;
  let directory: string;
  const report = sampleEvalReport();
  const outcome = { networkRequests: [] as string[], dialogs: [] as string[], consoleErrors: [] as string[] };
  let screenshot: Buffer;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'oriole-report-'));
    const htmlPath = join(directory, 'report.html');
    await writeFile(htmlPath, renderHtmlReport(report));
    browser = await chromium.launch({
      executablePath,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const pageUrl = pathToFileURL(htmlPath).href;
    await page.route('**/*', (route) => {
      if (route.request().url() === pageUrl) return route.continue();
      outcome.networkRequests.push(route.request().url());
      return route.abort();
    });
    page.on('dialog', (dialog) => {
      outcome.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (message.type() === 'error') outcome.consoleErrors.push(message.text());
    });
    await page.goto(pageUrl, { waitUntil: 'load' });
    await inspect(page);
    screenshot = await page.screenshot({ fullPage: true, path: join(directory, 'report.png') });
    await mkdir(resolve(keptScreenshot, '..'), { recursive: true });
    await writeFile(keptScreenshot, screenshot);
  });

  afterAll(async () => {
    await browser?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  const checks = {
    charts: [] as Array<{ name: string; visible: boolean; width: number; height: number; bars: number }>,
    cases: [] as Array<{ id: string | null; visible: boolean; text: string }>,
    scriptElements: 0,
    filteredVisible: -1,
  };

  async function inspect(page: Page): Promise<void> {
    for (const name of ['token-f1', 'failures', 'latency', 'gold-rank']) {
      const svg = page.locator(`figure[data-chart="${name}"] svg[role="img"]`);
      const box = await svg.boundingBox();
      checks.charts.push({
        name,
        visible: await svg.isVisible(),
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        bars: await svg.locator('rect, path').count(),
      });
    }
    for (const article of await page.locator('#failing-cases article.case').all()) {
      checks.cases.push({ id: await article.getAttribute('id'), visible: await article.isVisible(), text: await article.innerText() });
    }
    checks.scriptElements = await page.locator('script').count();
    // The filter script works: one kind leaves one case, "All" brings them back.
    await page.locator('#failing-cases button[data-filter="not_retrieved"]').click();
    checks.filteredVisible = await page.locator('#failing-cases article.case:visible').count();
    await page.locator('#failing-cases button[data-filter="all"]').click();
  }

  it('requests nothing from the network', () => {
    expect(outcome.networkRequests).toEqual([]);
    expect(outcome.consoleErrors).toEqual([]);
  });

  it('draws the four charts with bars', () => {
    expect(checks.charts.map((chart) => chart.name)).toEqual(['token-f1', 'failures', 'latency', 'gold-rank']);
    for (const chart of checks.charts) {
      expect(chart, chart.name).toMatchObject({ visible: true });
      expect(chart.width, chart.name).toBeGreaterThan(200);
      expect(chart.height, chart.name).toBeGreaterThan(100);
      expect(chart.bars, chart.name).toBeGreaterThan(0);
    }
  });

  it('shows every failing case with its question', () => {
    const failing = report.rows.filter((row) => row.failure !== null);
    expect(checks.cases).toHaveLength(failing.length);
    for (const [index, row] of failing.entries()) {
      expect(checks.cases[index]!.visible, row.id).toBe(true);
      expect(checks.cases[index]!.text).toContain(row.question);
    }
    expect(checks.filteredVisible).toBe(1);
  });

  it('shows the hostile answer as text without running it', () => {
    expect(outcome.dialogs).toEqual([]);
    expect(checks.scriptElements).toBe(1);
    const hostile = checks.cases.find((article) => article.id === 'case-en-annual-refund');
    expect(hostile?.text).toContain('<script>alert(1)</script>');
  });

  it('takes a full-page screenshot', async () => {
    expect(screenshot.subarray(0, 8).equals(pngSignature)).toBe(true);
    expect(screenshot.length).toBeGreaterThan(50_000);
    // Full page: taller than the viewport, as the report runs past one screen.
    expect(screenshot.readUInt32BE(20)).toBeGreaterThan(900);
    expect((await readFile(keptScreenshot)).equals(screenshot)).toBe(true);
  });
});
