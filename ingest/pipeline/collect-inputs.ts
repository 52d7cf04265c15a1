import { lstat, readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { OrioleError, validateSource } from '../../src/core/index.ts';
import type { IngestItem } from './ingest-document.ts';

/** What `oriole ingest` feeds the pipeline: a document, or why a source could not become one. */
export type InputEvent =
  | { kind: 'item'; item: IngestItem }
  | { kind: 'failed'; source: string; message: string }
  | { kind: 'skipped'; source: string; reason: string };

export interface WebPage {
  source: string;
  bytes: Uint8Array;
  contentType: string | null;
}

export interface CollectDependencies {
  /** Fetches URLs (pages and sitemaps), following same-host links within limits. */
  crawl(urls: string[]): AsyncIterable<WebPage | { source: string; error: Error }>;
  /** Whether some loader can parse this file; unsupported files found in a folder are skipped, not failed. */
  isSupported(input: { source: string; bytes: Uint8Array }): boolean;
}

export interface InputPlan {
  /** Files to read, with the source each will have; counted up front for the progress bar. */
  files: { file: string; source: string; explicit: boolean }[];
  urls: string[];
}

/** Folders and dotfiles never worth ingesting. */
const ignoredNames = new Set(['node_modules', '.git', '.svn', '.hg', '.DS_Store', 'Thumbs.db']);

/** Expands the command line's paths and URLs; a missing path is an error before anything is written. */
export async function planInputs(targets: readonly string[]): Promise<InputPlan> {
  const plan: InputPlan = { files: [], urls: [] };
  for (const target of targets) {
    if (/^https?:\/\//i.test(target)) {
      plan.urls.push(target);
      continue;
    }
    const stats = await lstat(target).catch(() => undefined);
    if (!stats) throw new OrioleError('invalid_request', `No such file or folder: ${target}`);
    if (stats.isDirectory()) {
      for (const file of await walk(target)) {
        plan.files.push({ file, source: sourceForFile(target, file), explicit: false });
      }
    } else if (stats.isFile()) {
      plan.files.push({ file: target, source: sourceForFile(path.dirname(target), target), explicit: true });
    }
  }
  return plan;
}

export async function* collectInputs(
  plan: InputPlan,
  dependencies: CollectDependencies,
  tags: Record<string, string>,
): AsyncGenerator<InputEvent> {
  for (const { file, source, explicit } of plan.files) {
    let bytes: Uint8Array;
    try {
      const buffer = await readFile(file);
      // A plain Uint8Array view: some parsers (pdf.js) refuse Node's Buffer subclass.
      bytes = new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
    } catch (error) {
      yield { kind: 'failed', source, message: `Could not read ${file}: ${(error as Error).message}` };
      continue;
    }
    if (!explicit && !dependencies.isSupported({ source, bytes })) {
      yield { kind: 'skipped', source, reason: 'not a supported document type' };
      continue;
    }
    yield { kind: 'item', item: { source, bytes, tags } };
  }
  if (plan.urls.length === 0) return;
  for await (const page of dependencies.crawl(plan.urls)) {
    if ('error' in page) {
      yield { kind: 'failed', source: page.source, message: page.error.message };
    } else {
      yield {
        kind: 'item',
        item: { source: page.source, bytes: page.bytes, tags, ...(page.contentType ? { contentType: page.contentType } : {}) },
      };
    }
  }
}

/**
 * Whether a file found in a folder walk is a document. Any UTF-8 file parses as
 * plain text, so plain text is taken only from `.txt`-like or extensionless files:
 * scripts, configs and data (`.ts`, `.json`, `.yaml`) next to the docs stay out.
 */
export function isDocumentFile(source: string, contentType: string | null, supports: (type: string) => boolean): boolean {
  if (contentType === null || !supports(contentType)) return false;
  if (contentType !== 'text/plain') return true;
  const extension = /\.([^./]+)$/.exec(source)?.[1]?.toLowerCase();
  return extension === undefined || extension === 'txt' || extension === 'text';
}

async function walk(directory: string): Promise<string[]> {
  const files: string[] = [];
  const entries = await readdir(directory, { withFileTypes: true });
  entries.sort((left, right) => left.name.localeCompare(right.name));
  for (const entry of entries) {
    if (ignoredNames.has(entry.name) || entry.name.startsWith('.')) continue;
    const full = path.join(directory, entry.name);
    // Symbolic links are not followed: they can loop, or lead out of the folder given.
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile()) files.push(full);
  }
  return files;
}

/** The source of a file under a folder given to `oriole ingest`: its relative POSIX path. */
export function sourceForFile(root: string, file: string): string {
  const relative = path.relative(root, file);
  return validateSource((relative === '' ? path.basename(file) : relative).split(path.sep).join('/'));
}
