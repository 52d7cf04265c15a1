import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';

/**
 * Debian's Chromium driven by playwright-core, as the eval report's screenshot test does:
 * without it these suites are skipped locally and fail on CI, where a skipped browser test
 * would hide a gap.
 */
export const executablePath = process.env.ORIOLE_CHROMIUM_PATH ?? '/usr/bin/chromium';
export const hasChromium = existsSync(executablePath);
export const missingChromium = `Chromium not found at ${executablePath}: install Debian's chromium (scripts/setup-chromium.sh) or set ORIOLE_CHROMIUM_PATH.`;
export const chromiumRequired = !hasChromium && Boolean(process.env.CI);

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
