import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ingestDocument, type JobWorker } from '../../ingest/pipeline/index.ts';
import { ensureKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * A citation (and a search result) links to where its passage is: the document's URL
 * with the section's anchor, as the site itself names it (a declared `{#id}`, else the
 * heading's slug by the site's rules), or a PDF's page.
 */
interface AnswerBody {
  abstained: boolean;
  citations: Array<{ source: string; url: string | null; heading: string | null; page: number | null }>;
}
interface SearchBody {
  results: Array<{ source: string; url: string | null; heading: string | null }>;
}

/** A section long enough to stay a chunk of its own (tiny sections merge into a neighbour). */
function section(heading: string, ...sentences: string[]): string {
  return `${heading}\n\n${sentences.join(' ')}\n`;
}

const documents = [
  {
    source: 'middleware/cors.md',
    url: 'https://docs.example.com/middleware/cors',
    content: [
      '# CORS middleware\n',
      section(
        '## Usage {#cors-usage}',
        'Register the CORS middleware with app.use before the routes that browsers call cross-origin.',
        'Without it the browser blocks the response, even though the server handled the request.',
        'Preflight requests are answered by the middleware and never reach your handlers.',
      ),
      section(
        '## Allowed origins',
        'The origin option lists the allowed origins of cross-origin callers.',
        'A function may decide per request instead, returning the origin to echo or nothing to refuse it.',
        'Wildcards are accepted only when credentials are not sent with the request.',
      ),
    ].join('\n'),
  },
  {
    source: 'guides/caching.md',
    // The site's own fragment is replaced by the section's.
    url: 'https://docs.example.com/guides/caching#top',
    content: [
      '# Caching\n',
      section(
        '## Options',
        'The memory cache options set the entry limit and the eviction order for cached pages.',
        'Entries past the limit are evicted least recently used first, and the limit counts entries, not bytes.',
        'A page marked private is never stored in the memory cache.',
      ),
      section(
        '## Redis',
        'Redis stores shared cache entries for every instance behind the load balancer.',
        'Each instance reads through the shared store before rendering a page again.',
        'Invalidations are published on a channel that every instance subscribes to.',
      ),
      section(
        '### Options',
        'The redis cache options set the connection string and the key prefix for shared entries.',
        'A key prefix keeps two applications apart when they share one Redis database.',
        'The connection string may name a sentinel group instead of a single server.',
      ),
    ].join('\n'),
  },
  {
    source: 'zh/guide.md',
    url: 'https://docs.example.com/zh/guide',
    content: [
      '---\nheadingAnchors: vitepress\n---\n\n# 指南\n',
      section(
        '## 快速开始',
        '运行 pnpm create vite 命令即可创建一个新的脚手架项目，命令会询问项目名称和要使用的框架模板。',
        '创建完成后进入项目目录，运行 pnpm install 安装依赖，再运行 pnpm dev 启动本地开发服务器。',
      ),
      section(
        "## What's new in 3.x",
        'Version three adds streaming renderers and lazy hydration of islands.',
        'Islands hydrate when they scroll into view, so pages with many widgets start faster.',
        'The streaming renderer sends the shell of a page before its slow parts are ready.',
      ),
    ].join('\n'),
  },
  {
    source: 'notes/offline.md',
    content: '# Offline mode\n\n## Sync queue\n\nThe sync queue replays offline edits when the device reconnects.',
  },
];

describe.each(testBackends())('citation links to the cited section, on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let worker: JobWorker | undefined;

  const ask = async (question: string) => (await (await postJson(app, '/answer', { question })).json()) as AnswerBody;
  const search = async (query: string) => (await (await postJson(app, '/search', { query, topK: 3 })).json()) as SearchBody;
  const citationFor = async (question: string, source: string) => {
    const body = await ask(question);
    expect(body.abstained).toBe(false);
    const citation = body.citations.find((candidate) => candidate.source === source);
    expect(citation, `a citation of ${source}`).toBeDefined();
    return citation!;
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    const created = createTestApp(database, {});
    ({ app, worker } = created);
    for (const document of documents) {
      const response = await postJson(app, '/documents', document);
      expect(response.status).toBe(202);
      const { jobId } = (await response.json()) as { jobId: string };
      expect(await waitForJob(app, jobId)).toMatchObject({ status: 'succeeded' });
    }
    const kb = await ensureKnowledgeBase(database, { name: 'default', embedder: 'none' });
    const pdf = new Uint8Array(await readFile('test/fixtures/help-docs/account/reset-password.pdf'));
    await ingestDocument(created.context, kb, { source: 'account/reset-password.pdf', bytes: pdf, url: 'https://docs.example.com/files/reset-password.pdf' });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await backend.cleanup();
  });

  it('carries the custom id a heading declared', async () => {
    const citation = await citationFor('How do I register the CORS middleware with app.use?', 'middleware/cors.md');
    expect(citation.heading).toBe('Usage');
    expect(citation.url).toBe('https://docs.example.com/middleware/cors#cors-usage');
  });

  it("carries the heading's GitHub slug when it declared none", async () => {
    const citation = await citationFor('Which option lists the allowed origins for CORS?', 'middleware/cors.md');
    expect(citation.url).toBe('https://docs.example.com/middleware/cors#allowed-origins');
  });

  it('replaces the fragment the document url had, and numbers a repeated slug as the site does', async () => {
    const first = await citationFor('What do the memory cache options set?', 'guides/caching.md');
    expect(first.url).toBe('https://docs.example.com/guides/caching#options');
    const second = await citationFor('What do the redis cache options set for the connection string?', 'guides/caching.md');
    expect(second.url).toBe('https://docs.example.com/guides/caching#options-1');
  });

  it('keeps the characters of a Chinese heading, and follows the VitePress rules the front matter asks for', async () => {
    const chinese = await citationFor('如何创建脚手架项目？', 'zh/guide.md');
    expect(decodeURIComponent(new URL(chinese.url!).hash)).toBe('#快速开始');
    const english = await citationFor('What does version three add for islands?', 'zh/guide.md');
    expect(english.url).toBe("https://docs.example.com/zh/guide#what-s-new-in-3-x");
  });

  it('sends a PDF citation to the first page its passage spans', async () => {
    const firstPage = await citationFor('How long is the password reset link valid?', 'account/reset-password.pdf');
    expect(firstPage.page).toBe(1);
    expect(firstPage.url).toBe('https://docs.example.com/files/reset-password.pdf#page=1');
    const secondPage = await citationFor('Can workspaces that sign in with single sign-on reset passwords?', 'account/reset-password.pdf');
    expect(secondPage.page).toBe(2);
    expect(secondPage.url).toBe('https://docs.example.com/files/reset-password.pdf#page=2');
  });

  it('gives no link to a document without a url', async () => {
    const citation = await citationFor('When does the sync queue replay offline edits?', 'notes/offline.md');
    expect(citation.url).toBeNull();
  });

  it('gives search results the same anchored links', async () => {
    const { results } = await search('redis cache options connection string key prefix');
    expect(results[0]).toMatchObject({ source: 'guides/caching.md', heading: 'Options', url: 'https://docs.example.com/guides/caching#options-1' });
    const usage = await search('register CORS middleware app.use');
    expect(usage.results[0]?.url).toBe('https://docs.example.com/middleware/cors#cors-usage');
  });
});
