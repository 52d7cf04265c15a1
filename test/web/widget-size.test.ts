import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWeb } from '../../scripts/build-web.ts';

/** A help center adds /widget.js to every page: it must stay small (issue budget: 35 kB gzipped). */
const widgetBudgetBytes = 35_000;

describe('the built web bundle', () => {
  let outDir: string;
  beforeAll(async () => {
    outDir = await mkdtemp(path.join(tmpdir(), 'oriole-web-size-'));
    await buildWeb(outDir);
  });
  afterAll(() => rm(outDir, { recursive: true, force: true }));

  it(`keeps widget.js within ${widgetBudgetBytes / 1000} kB gzipped, self-contained`, async () => {
    const widget = await readFile(path.join(outDir, 'widget.js'));
    const gzipped = gzipSync(widget, { level: 9 }).length;
    console.info(`widget.js: ${widget.length} bytes, ${gzipped} bytes gzipped`);
    expect(gzipped).toBeLessThanOrEqual(widgetBudgetBytes);
    // One file: no import of another chunk, no stylesheet to fetch.
    expect(widget.toString()).not.toMatch(/\bimport\s*\(|from\s*["']\.\/|\.css["']/);
  });

  it('names page assets by content hash, for the year-long cache', async () => {
    const html = await readFile(path.join(outDir, 'chat/index.html'), 'utf8');
    const assets = [...html.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]!);
    expect(assets.length).toBeGreaterThan(0);
    for (const asset of assets) expect(asset).toMatch(/^\/assets\/[\w-]+-[\w-]{8}\.(js|css)$/);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>|<style|style="/);
  });
});
