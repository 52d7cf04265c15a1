import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.ts';

/**
 * Debian's Chromium driven by playwright-core, as the eval report's screenshot test does:
 * without it these suites are skipped locally and fail on CI, where a skipped browser test
 * would hide a gap.
 */
export const executablePath = process.env.ORIOLE_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(executablePath);
export const missingChromium = `Chromium not found at ${executablePath}: install Debian's chromium (scripts/setup-chromium.sh) or set ORIOLE_CHROMIUM_PATH.`;
export const chromiumRequired = !hasChromium && Boolean(process.env.CI);

/**
 * Without Chromium a browser suite warns and is skipped locally, and on CI fails through
 * this suite of its own, so the gap shows.
 */
export function requireChromiumOnCi(tag: string, suite: string): void {
  if (!hasChromium && !process.env.CI) console.warn(`[${tag}] skipped. ${missingChromium}`);
  describe.runIf(chromiumRequired)(`${suite} (CI)`, () => {
    it('has a Chromium to run in', () => {
      expect.fail(missingChromium);
    });
  });
}

/** Where the suites' screenshots go (git-ignored). */
export const screenshots = path.resolve(import.meta.dirname, '../../test-results/web');

/** Builds the current source, not whatever dist/web holds, into a new temporary folder; readies the screenshots folder. */
export async function buildWebForTest(prefix: string): Promise<string> {
  const webDirectory = await mkdtemp(path.join(tmpdir(), prefix));
  await buildWeb(webDirectory);
  await mkdir(screenshots, { recursive: true });
  return webDirectory;
}

export async function removeWebBuild(webDirectory: string | undefined): Promise<void> {
  if (webDirectory) await rm(webDirectory, { recursive: true, force: true });
}

/** A server listening on a free port of 127.0.0.1. */
export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

function listening(server: NetServer): LocalServer {
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Serves an app (its `fetch`) over real HTTP, as a browser needs it. */
export async function serveApp(fetch: (request: Request) => Response | Promise<Response>): Promise<LocalServer> {
  const server = serve({ fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise((resolve) => server.once('listening', resolve));
  return listening(server);
}

/** Serves one HTML page, read at each request, on every path. */
export async function serveHtml(html: () => string): Promise<LocalServer> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    response.end(html());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return listening(server);
}

/** What the pages of a suite did that they should not: requests to other origins, errors in the console. */
export interface PageWatch {
  foreignRequests: string[];
  consoleErrors: string[];
  /** Flags a request to any other origin; read at each request, as the servers start after the watch is made. */
  allowedOrigins: () => string[];
  /** A string no URL may hold (a secret). */
  secret?: string;
  /** Console errors that are expected. */
  expectedError?: (text: string) => boolean;
}

/** A new context and page at the given width, its requests and console errors recorded in `watch`. */
export async function watchedPage(browser: Browser, watch: PageWatch, width: number, locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width, height: 900 }, locale });
  const page = await context.newPage();
  page.on('request', (request) => {
    const url = request.url();
    if (!watch.allowedOrigins().includes(new URL(url).origin)) watch.foreignRequests.push(url);
    if (watch.secret && url.includes(watch.secret)) watch.foreignRequests.push(`key in a URL: ${url}`);
  });
  page.on('console', (message) => {
    if (message.type() === 'error' && !watch.expectedError?.(message.text())) watch.consoleErrors.push(message.text());
  });
  return { context, page };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown; html: string }[];
}

/**
 * Runs axe-core in the page. Evaluated over the DevTools protocol rather than added as a
 * <script>, which the pages' CSP (rightly) refuses.
 */
export async function axeViolations(page: Page, context?: unknown): Promise<AxeViolation[]> {
  const source = await readFile(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  const results = await page.evaluate(async (scope) => {
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<{ violations: AxeViolation[] }> } }).axe;
    return axe.run(scope ?? (globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
  }, context ?? null);
  return results.violations.map((violation) => ({
    id: violation.id,
    impact: violation.impact,
    help: violation.help,
    nodes: violation.nodes.map((node) => ({ target: node.target, html: node.html })),
  }));
}

export function seriousOrWorse(violations: AxeViolation[]): AxeViolation[] {
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}
