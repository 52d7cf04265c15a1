import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { allText } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const load = (source: string, text: string) => loaders.load({ source, bytes: new TextEncoder().encode(text) });
const blocksOf = async (source: string, text: string) => (await load(source, text)).blocks;

// Markup a documentation site renders away; none of it may reach a block.
const markupTokens = /:::|\{#|<[A-Z]|import .* from|export (const|default)|!!!/;

describe('documentation-site container directives', () => {
  it('turns VitePress `::: tip Title` containers into notes with their title, keeping the content', async () => {
    const blocks = await blocksOf(
      'guide/routing.md',
      [
        '# Routing',
        '',
        '::: tip Dynamic routes',
        'Use `[id].md` files; the page is built at 10:30 every night.',
        ':::',
        '',
        '::: warning 警告',
        '不要在生产环境中使用。',
        ':::',
        '',
        '::: info',
        'Plain info without a title.',
        ':::',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Routing' },
      { kind: 'paragraph', text: 'Tip: Dynamic routes' },
      { kind: 'paragraph', text: 'Use [id].md files; the page is built at 10:30 every night.' },
      { kind: 'paragraph', text: 'Warning: 警告' },
      { kind: 'paragraph', text: '不要在生产环境中使用。' },
      { kind: 'paragraph', text: 'Info: Plain info without a title.' },
    ]);
  });

  it('reads Docusaurus `:::note[Title]` and `:::tip` containers, with code and lists inside', async () => {
    const blocks = await blocksOf(
      'docs/install.md',
      [':::note[Before you start]', '', '- Node 20', '- npm 10', '', ':::', '', ':::tip', '', '```bash', 'npm install wren', '```', '', ':::'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Note: Before you start' },
      { kind: 'list', ordered: false, items: ['Node 20', 'npm 10'] },
      { kind: 'paragraph', text: 'Tip:' },
      { kind: 'code', language: 'bash', text: 'npm install wren' },
    ]);
  });

  it('keeps a code group’s code blocks without a label, and leaves containers inside code fences alone', async () => {
    const blocks = await blocksOf(
      'guide/install.md',
      ['::: code-group', '```sh [npm]', 'npm add wren', '```', '```sh [pnpm]', 'pnpm add wren', '```', ':::', '', '````md', '::: tip Shown as source', ':::', '````'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'code', language: 'sh', text: 'npm add wren' },
      { kind: 'code', language: 'sh', text: 'pnpm add wren' },
      { kind: 'code', language: 'md', text: '::: tip Shown as source\n:::' },
    ]);
  });

  it('keeps colons in prose as text: only block containers are directives', async () => {
    const blocks = await blocksOf('faq.md', 'Meet at 10:30 :smile: and see ::note for details.\n\n::leaf-like line\n');
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Meet at 10:30 :smile: and see ::note for details.' },
      { kind: 'paragraph', text: '::leaf-like line' },
    ]);
  });
});

describe('custom heading anchors', () => {
  it('cuts `{#custom-id}` from the heading text and keeps it as the heading’s anchor', async () => {
    const blocks = await blocksOf('guide/cors.md', '# CORS {#cors}\n\n## 用法 {#usage}\n\nText.\n\n## Plain heading\n\n```md\n## Kept {#in-code}\n```\n');
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'CORS', anchor: 'cors' },
      { kind: 'heading', level: 2, text: '用法', anchor: 'usage' },
      { kind: 'paragraph', text: 'Text.' },
      { kind: 'heading', level: 2, text: 'Plain heading' },
      { kind: 'code', language: 'md', text: '## Kept {#in-code}' },
    ]);
  });

  it('takes the title from a heading without its anchor', async () => {
    const document = await load('intro.mdx', '# Introduction {#intro}\n\nHello.\n');
    expect(document.title).toBe('Introduction');
    expect(document.blocks[0]).toEqual({ kind: 'heading', level: 1, text: 'Introduction', anchor: 'intro' });
  });
});

describe('MDX pages', () => {
  it('drops imports, exports and expressions, and keeps the text of inline components', async () => {
    const blocks = await blocksOf(
      'docs/intro.mdx',
      [
        "import Tabs from '@theme/Tabs';",
        "import TabItem from '@theme/TabItem';",
        'export const meta = { draft: false };',
        '',
        '# Introduction',
        '',
        'Wren {props.version} ships a <Badge type="tip">new</Badge> router.',
        '',
        '{/* a comment */}',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Introduction' },
      { kind: 'paragraph', text: 'Wren ships a new router.' },
    ]);
  });

  it('turns tabs into labelled sections whose code stays code, with shell comments not read as headings', async () => {
    const blocks = await blocksOf(
      'docs/install.mdx',
      [
        '## Install',
        '',
        '<Tabs groupId="pm">',
        '  <TabItem value="npm" label="npm">',
        '',
        '```bash',
        '# install the client',
        'npm install wren',
        '```',
        '',
        '  </TabItem>',
        '  <TabItem value="yarn">',
        '',
        'Run `yarn add wren`.',
        '',
        '  </TabItem>',
        '</Tabs>',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 2, text: 'Install' },
      { kind: 'paragraph', text: 'npm:' },
      { kind: 'code', language: 'bash', text: '# install the client\nnpm install wren' },
      { kind: 'paragraph', text: 'yarn: Run yarn add wren.' },
    ]);
  });

  it('turns admonitions, asides and callouts into notes with their title, and lists stay lists', async () => {
    const blocks = await blocksOf(
      'docs/limits.mdx',
      [
        '<Admonition type="warning" title="Rate limits">',
        '',
        '- 5 requests per second',
        '- 100 per minute',
        '',
        '</Admonition>',
        '',
        '<Aside type="caution">Keys are shown once.</Aside>',
        '',
        '<Callout>',
        '',
        'Contact support to raise them.',
        '',
        '</Callout>',
        '',
        ':::danger[Never]',
        '',
        'Share your secret key.',
        '',
        ':::',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Warning: Rate limits' },
      { kind: 'list', ordered: false, items: ['5 requests per second', '100 per minute'] },
      { kind: 'paragraph', text: 'Caution: Keys are shown once.' },
      { kind: 'paragraph', text: 'Note: Contact support to raise them.' },
      { kind: 'paragraph', text: 'Danger: Never' },
      { kind: 'paragraph', text: 'Share your secret key.' },
    ]);
  });

  it('turns simple steps into a numbered list, and steps with code into numbered sections', async () => {
    const simple = await blocksOf(
      'docs/start.mdx',
      ['<Steps>', '  <Step title="Sign up">Create an account.</Step>', '  <Step title="Invite">Add your team.</Step>', '</Steps>'].join('\n'),
    );
    expect(simple).toEqual([{ kind: 'list', ordered: true, items: ['Sign up: Create an account.', 'Invite: Add your team.'] }]);

    const rich = await blocksOf(
      'docs/deploy.mdx',
      ['<Steps>', '<Step title="Build">', '', '```sh', 'npm run build', '```', '', '</Step>', '<Step title="Ship">', '', 'Upload dist/.', '', '</Step>', '</Steps>'].join('\n'),
    );
    expect(rich).toEqual([
      { kind: 'paragraph', text: '1. Build:' },
      { kind: 'code', language: 'sh', text: 'npm run build' },
      { kind: 'paragraph', text: '2. Ship: Upload dist/.' },
    ]);
  });

  it('keeps a Starlight <Steps> ordered list as the list it wraps', async () => {
    const blocks = await blocksOf('docs/setup.mdx', '<Steps>\n\n1. Install the CLI.\n2. Run `wren init`.\n\n</Steps>\n');
    expect(blocks).toEqual([{ kind: 'list', ordered: true, items: ['Install the CLI.', 'Run wren init.'] }]);
  });

  it('reads a page the MDX parser rejects as plain Markdown, without its imports or component tags', async () => {
    const blocks = await blocksOf(
      'docs/broken.mdx',
      ["import Tabs from '@theme/Tabs';", '', '# Comparison', '', 'Use a < b when {unbalanced.', '', '<Tabs>', '<TabItem value="npm">', '', 'npm install wren', '', '</TabItem>', '</Tabs>'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Comparison' },
      { kind: 'paragraph', text: 'Use a < b when {unbalanced.' },
      { kind: 'paragraph', text: 'npm install wren' },
    ]);
  });

  it('reads a page with front matter and a `<!-- truncate -->` comment through the MDX parser', async () => {
    const document = await load(
      'blog/release.mdx',
      ['---', 'title: Release 2.0', '---', '', 'Highlights below.', '', '<!-- truncate -->', '', '<Tabs>', '<TabItem label="npm">', '', 'npm update wren', '', '</TabItem>', '</Tabs>'].join('\n'),
    );
    expect(document.title).toBe('Release 2.0');
    expect(document.blocks).toEqual([
      { kind: 'paragraph', text: 'Highlights below.' },
      { kind: 'paragraph', text: 'npm: npm update wren' },
    ]);
  });

  it('parses a page that holds only components to no blocks, without failing', async () => {
    const document = await load('docs/playground.mdx', "import Playground from '@site/src/Playground';\n\n<Playground />\n");
    expect(document.blocks).toEqual([]);
  });

  it('leaves no markup token in a page that mixes every dialect', async () => {
    const blocks = await blocksOf(
      'docs/all.mdx',
      [
        "import { Card, CardGroup } from '@components';",
        '',
        '# All {#all}',
        '',
        '::: details Click to expand',
        'Hidden text.',
        ':::',
        '',
        '<CardGroup>',
        '  <Card title="Quickstart">Start in five minutes.</Card>',
        '</CardGroup>',
      ].join('\n'),
    );
    expect(allText(blocks)).not.toMatch(markupTokens);
    expect(allText(blocks)).toContain('Details: Click to expand');
    expect(allText(blocks)).toContain('Quickstart: Start in five minutes.');
  });
});

describe('MkDocs admonitions', () => {
  it('turns `!!! note "Title"` and its indented lines into a note, the text after it staying outside', async () => {
    const blocks = await blocksOf(
      'docs/config.md',
      [
        '## Configuration {#config}',
        '',
        '!!! warning "Restart required"',
        '    Changes apply after a restart.',
        '',
        '    ```yaml',
        '    port: 8080',
        '    ```',
        '',
        '??? tip',
        '    Collapsed by default.',
        '',
        'Back to normal text.',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 2, text: 'Configuration', anchor: 'config' },
      { kind: 'paragraph', text: 'Warning: Restart required' },
      { kind: 'paragraph', text: 'Changes apply after a restart.' },
      { kind: 'code', language: 'yaml', text: 'port: 8080' },
      { kind: 'paragraph', text: 'Tip: Collapsed by default.' },
      { kind: 'paragraph', text: 'Back to normal text.' },
    ]);
  });

  it('keeps nested admonitions apart and leaves `!!!` inside code alone', async () => {
    const blocks = await blocksOf(
      'docs/nested.md',
      ['!!! note "Outer"', '    Outer text.', '', '    !!! danger', '        Inner text.', '', '    More outer text.', '', '```md', '!!! note', '```'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Note: Outer' },
      { kind: 'paragraph', text: 'Outer text.' },
      { kind: 'paragraph', text: 'Danger: Inner text.' },
      { kind: 'paragraph', text: 'More outer text.' },
      { kind: 'code', language: 'md', text: '!!! note' },
    ]);
  });
});
