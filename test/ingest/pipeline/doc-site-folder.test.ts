import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs, ingestInputs, planInputs, type IngestSummary } from '../../../ingest/pipeline/index.ts';
import { ensureKnowledgeBase, type Database } from '../../../src/db/index.ts';
import { openMigrated, testBackends } from '../../helpers/databases.ts';
import { testCollectDependencies, testIngestContext } from '../../helpers/ingestion.ts';

/**
 * A documentation site's folder in every dialect Oriole reads (VitePress, Docusaurus MDX
 * and `.md` written as MDX, Rspress MDX, GitBook, Hugo, MkDocs, Starlight MDX) and the HTML exports of help centers, ingested
 * whole: every page is indexed and no chunk text or heading carries the markup that the
 * generators render away.
 */
const markupTokens: [string, RegExp][] = [
  ['container fence', /:::/],
  ['heading anchor', /\{#/],
  ['JSX component', /<[A-Z][\w.]*[\s/>]/],
  ['ESM import', /\bimport\b.*\bfrom\b/],
  ['ESM export', /^export\s/m],
  ['Liquid tag', /\{%|%\}/],
  ['Hugo shortcode', /\{\{[<%]|[>%]\}\}/],
  ['MkDocs admonition', /^\s*(!!!|\?\?\?)/m],
  ['HTML comment', /<!--/],
  ['permalink symbol', /¶/],
];

interface ChunkRow {
  source: string;
  heading_path: string[];
  text: string;
  metadata: { anchor?: string };
}

describe.each(testBackends())('a documentation-site folder ingested on $name', (backend) => {
  let database: Database;
  let summary: IngestSummary;
  let chunks: ChunkRow[];

  beforeAll(async () => {
    database = await openMigrated(backend);
    const kb = await ensureKnowledgeBase(database, { name: 'docs', embedder: 'none' });
    const plan = await planInputs(['test/fixtures/doc-site', 'test/fixtures/html-exports']);
    summary = await ingestInputs(testIngestContext(database, null), kb, collectInputs(plan, testCollectDependencies(), {}), { prune: false });
    chunks = (
      await database.query<ChunkRow>(
        `SELECT d.source, c.heading_path, c.text, c.metadata FROM chunks c JOIN documents d ON d.id = c.document_id
          WHERE c.kb_id = $1 ORDER BY d.source, c.ordinal`,
        [kb.id],
      )
    ).rows;
  }, 120_000);
  afterAll(() => backend.cleanup());

  it('indexes every page', () => {
    expect(summary).toMatchObject({ added: 13, failed: 0 });
    expect(new Set(chunks.map((chunk) => chunk.source)).size).toBe(13);
  });

  it.each(markupTokens)('leaves no %s in any chunk or heading', (_name, token) => {
    const leaks = chunks.filter((chunk) => token.test(chunk.text) || chunk.heading_path.some((heading) => token.test(heading)));
    expect(leaks.map((chunk) => `${chunk.source}: ${chunk.text}`)).toEqual([]);
  });

  it('keeps what the markup said: labels, notes, steps, code and section anchors', () => {
    const text = (source: string) => chunks.filter((chunk) => chunk.source === source).map((chunk) => chunk.text).join('\n\n');
    expect(text('docusaurus/install.mdx')).toContain('npm:');
    expect(text('docusaurus/install.mdx')).toContain('# install globally\nnpm install -g @wren/cli');
    expect(text('docusaurus/goals.md')).toContain('Tip: Goals on many sites');
    expect(text('docusaurus/goals.md')).toContain('Dashboard: Open Settings, then Goals, and click Add goal.');
    expect(text('vitepress/middleware.md')).toContain('Warning: 警告');
    expect(text('gitbook/tokens.md')).toContain('Danger: A token grants full access');
    expect(text('gitbook/tokens.md')).toContain('Step 2: Click New token and copy it.');
    expect(text('hugo/backups.md')).toContain('CLI: Run wren backup restore --id <backup-id>.');
    expect(text('mkdocs/proxy.md')).toContain('Warning: WebSockets');
    expect(text('starlight/deploy.mdx')).toContain('Caution: Before you start');
    const anchorsOf = (source: string) => chunks.filter((chunk) => chunk.source === source).map((chunk) => chunk.metadata.anchor ?? null);
    // A page this small is one chunk, under its h1 and the id it declared.
    expect(anchorsOf('vitepress/middleware.md')).toEqual(['middleware']);
    expect(anchorsOf('mkdocs-material-page.html')).toEqual(['reverse-proxy']);
    expect(anchorsOf('rspress/alias.mdx')).toEqual(['tsconfig-paths']);
  });
});
