import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import type { Block } from '../../../src/core/index.ts';
import { allText, blocksOfKind, headings } from './loader-fixtures.ts';

/**
 * Pages exported or crawled from help centers and documentation generators: the
 * article's text only, headings with the ids the site links to, code with its language
 * and its lines. The fixtures are small pages written for these tests in the shape each
 * generator emits.
 */
const loaders = createFileLoaders();
const exported = async (name: string) =>
  loaders.load({ source: `html-exports/${name}`, bytes: new Uint8Array(await readFile(`test/fixtures/html-exports/${name}`)) });

const anchors = (blocks: readonly Block[]) => blocks.flatMap((block) => (block.kind === 'heading' ? [[block.text, block.anchor ?? null]] : []));

// What a generator shows around an article; none of it is the article.
const chrome = /Skip to|Was this article helpful|found this helpful|Have more questions|Submit a request|Return to top|Recently viewed|Related articles|Comments|Follow|Updated|Edit this page|Last updated|On this page|Direct link|Copy|Previous|Next|Did this answer|Written by|All Collections|Table of contents|Made with|¶|Articles in this section|We run on Intercom|Dana|Priya/;

describe('HTML exports of help centers and documentation sites', () => {
  it('reads a Zendesk Guide article: the body under its title, no votes, sidebar, breadcrumbs or comments', async () => {
    const document = await exported('zendesk-article.html');
    expect(document.title).toBe('Export your message history');
    expect(document.url).toBe('https://help.wrenchat.example/hc/en-us/articles/360012345678-Export-your-message-history');
    expect(anchors(document.blocks)).toEqual([
      ['Export your message history', null],
      ['Start an export', 'h_01HQ7Z3K2M'],
      ['Export through the API', 'api'],
    ]);
    expect(blocksOfKind(document.blocks, 'list')[0]?.items).toEqual(['Open Settings > Workspace > Data export.', 'Choose a date range and click Start export.']);
    expect(blocksOfKind(document.blocks, 'code')).toEqual([
      { kind: 'code', language: 'bash', text: 'curl -X POST https://api.wrenchat.example/v2/exports \\\n  -H "Authorization: Bearer $TOKEN"' },
    ]);
    expect(allText(document.blocks)).not.toMatch(chrome);
  });

  it('reads an Intercom article: the article body under its title, no reactions or author line', async () => {
    const document = await exported('intercom-article.html');
    expect(document.title).toBe('Set up single sign-on with Okta');
    expect(headings(document.blocks)).toEqual([
      [1, 'Set up single sign-on with Okta'],
      [2, 'Add the Wren Chat app in Okta'],
      [2, 'Test the connection'],
    ]);
    expect(anchors(document.blocks)[1]).toEqual(['Add the Wren Chat app in Okta', 'h_4d7a91c2e0']);
    expect(blocksOfKind(document.blocks, 'code')[0]?.text).toBe('curl https://wrenchat.example/sso/okta/metadata\ncurl -I https://wrenchat.example/sso/okta/login');
    expect(allText(document.blocks)).not.toMatch(chrome);
  });

  it('reads a Docusaurus page: Prism lines kept, tabs labelled, admonitions as notes, no hash links, copy buttons, breadcrumbs or edit link', async () => {
    const document = await exported('docusaurus-page.html');
    expect(document.title).toBe('Receive webhooks');
    expect(anchors(document.blocks)).toEqual([
      ['Receive webhooks', null],
      ['Verify the signature', 'verify-the-signature'],
      ['Install the CLI', 'install-the-cli'],
    ]);
    expect(blocksOfKind(document.blocks, 'code')).toEqual([
      { kind: 'code', language: 'js', text: "const expected = crypto.createHmac('sha256', secret)\n  .update(rawBody)\n  .digest('hex');" },
      { kind: 'code', language: 'bash', text: 'npm install @wren/cli' },
      { kind: 'code', language: 'bash', text: 'yarn add @wren/cli' },
    ]);
    const texts = document.blocks.map((block) => (block.kind === 'paragraph' ? block.text : null));
    expect(texts).toContain('npm:');
    expect(texts).toContain('Yarn:');
    expect(texts).toContain('Tip: Respond with a 2xx within 10 seconds, or the event is retried.');
    expect(allText(document.blocks)).not.toMatch(chrome);
  });

  it('reads a MkDocs Material page: Pygments lines and languages, line-number tables, tabs, admonitions as notes, no permalinks or source-file facts', async () => {
    const document = await exported('mkdocs-material-page.html');
    expect(document.title).toBe('Reverse proxy');
    expect(anchors(document.blocks)).toEqual([
      ['Reverse proxy', 'reverse-proxy'],
      ['Nginx', 'nginx'],
      ['Caddy', 'caddy'],
    ]);
    expect(blocksOfKind(document.blocks, 'code')).toEqual([
      {
        kind: 'code',
        language: 'nginx',
        text: 'location / {\n    proxy_pass http://127.0.0.1:8080;\n    proxy_set_header Upgrade $http_upgrade;\n}',
      },
      { kind: 'code', text: 'wren.example.com {\n    reverse_proxy 127.0.0.1:8080\n}' },
      { kind: 'code', language: 'bash', text: 'docker run -p 443:443 caddy' },
    ]);
    const texts = document.blocks.map((block) => (block.kind === 'paragraph' ? block.text : null));
    expect(texts).toEqual(expect.arrayContaining(['Caddyfile:', 'Docker:', 'Warning: WebSockets', 'Forward the Upgrade header, or live updates stop working.']));
    expect(allText(document.blocks)).not.toMatch(chrome);
  });

  it('reads the language from data-language and highlight wrappers, and lines from divs', async () => {
    const { blocks } = await loaders.load({
      source: 'page.html',
      bytes: new TextEncoder().encode(
        '<main><h2>Run <a class="anchor" href="#run" aria-label="Permalink">#</a></h2>' +
          '<pre data-language="python"><code><div class="line">print("a")</div><div class="line">print("b")</div></code></pre>' +
          '<div class="highlight highlight-source-ruby"><pre>puts 1</pre></div></main>',
      ),
    });
    expect(blocks).toEqual([
      { kind: 'heading', level: 2, text: 'Run', anchor: 'run' },
      { kind: 'code', language: 'python', text: 'print("a")\nprint("b")' },
      { kind: 'code', language: 'ruby', text: 'puts 1' },
    ]);
  });
});
