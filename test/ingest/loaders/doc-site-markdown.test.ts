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

  it('reads Docusaurus `:::tip Title` (no space after the colons) as a note with its title', async () => {
    const blocks = await blocksOf(
      'docs/domains.md',
      [':::tip Advanced: one site for many domains', 'Point every domain at the same site.', ':::', '', ':::caution[Keep it]', 'Titles in brackets still work.', ':::'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Tip: Advanced: one site for many domains' },
      { kind: 'paragraph', text: 'Point every domain at the same site.' },
      { kind: 'paragraph', text: 'Caution: Keep it' },
      { kind: 'paragraph', text: 'Titles in brackets still work.' },
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

  it('reads the Rspress-escaped `\\{#custom-id}` of an MDX page as the heading’s anchor', async () => {
    const blocks = await blocksOf('guide/alias.mdx', '## TypeScript `paths` 字段 \\{#typescript-paths}\n\nText.\n');
    expect(blocks).toEqual([
      { kind: 'heading', level: 2, text: 'TypeScript paths 字段', anchor: 'typescript-paths' },
      { kind: 'paragraph', text: 'Text.' },
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

  it('reads a `.md` page written as MDX (Docusaurus) through the MDX parser: imports dropped, components rendered', async () => {
    const blocks = await blocksOf(
      'docs/downloads.md',
      [
        '---',
        'title: File downloads',
        '---',
        '',
        "import useBaseUrl from '@docusaurus/useBaseUrl';",
        "import Tabs from '@theme/Tabs';",
        "import TabItem from '@theme/TabItem';",
        '',
        'Track downloads of your files.',
        '',
        '<img alt="Settings" src={useBaseUrl(\'img/settings.png\')} />',
        '',
        '<Tabs>',
        '<TabItem value="wp" label="WordPress">',
        '',
        'Enable it in the plugin settings.',
        '',
        '</TabItem>',
        '</Tabs>',
        '',
        '```js',
        "import { track } from './shown-as-code.js';",
        '```',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Track downloads of your files.' },
      { kind: 'paragraph', text: 'WordPress: Enable it in the plugin settings.' },
      { kind: 'code', language: 'js', text: "import { track } from './shown-as-code.js';" },
    ]);
  });

  it('reads a `.md` page with imports that the MDX parser rejects as plain Markdown without its imports', async () => {
    const blocks = await blocksOf('docs/compare.md', ["import CtaBox from '@site/src/components/CtaBox';", '', 'Use a < b when {unbalanced.', '', '<CtaBox headline="Try it" />'].join('\n'));
    expect(allText(blocks)).not.toMatch(markupTokens);
    expect(blocks).toEqual([{ kind: 'paragraph', text: 'Use a < b when {unbalanced.' }]);
  });

  it('leaves a plain `.md` page that only shows imports in code as plain Markdown', async () => {
    const blocks = await blocksOf('docs/usage.md', ['Costs {about} 5 < 6.', '', '```js', "import { track } from 'wren';", '```'].join('\n'));
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Costs {about} 5 < 6.' },
      { kind: 'code', language: 'js', text: "import { track } from 'wren';" },
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

// Template tags of GitBook (Liquid) and Hugo (shortcodes); none may reach a block either.
const templateTokens = /\{%|%\}|\{\{[<%]|[>%]\}\}/;

describe('GitBook tags', () => {
  const page = [
    '# Install the SDK',
    '',
    '{% hint style="warning" %}',
    'Back up your **workspace** before upgrading.',
    '{% endhint %}',
    '',
    '{% tabs %}',
    '{% tab title="npm" %}',
    '```bash',
    'npm install wren-sdk',
    '```',
    '{% endtab %}',
    '',
    '{% tab title="Yarn" %}',
    'Yarn 1 and Berry both work:',
    '',
    '```bash',
    'yarn add wren-sdk',
    '```',
    '{% endtab %}',
    '{% endtabs %}',
    '',
    '{% code title="wren.config.js" overflow="wrap" lineNumbers="true" %}',
    '```javascript',
    'module.exports = { region: "eu" };',
    '```',
    '{% endcode %}',
    '',
    '{% embed url="https://www.youtube.com/watch?v=wren101" %}',
    'A five-minute tour',
    '{% endembed %}',
    '',
    '{% hint style="success" %}You are ready to send your first message.{% endhint %}',
    '',
    '{% content-ref url="quickstart.md" %}',
    '[quickstart.md](quickstart.md)',
    '{% endcontent-ref %}',
  ].join('\n');

  it('reads hints as notes of their style, tabs as labelled sections, code titles as labels, embeds as their link', async () => {
    const blocks = await blocksOf('gitbook/install.md', page);
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Install the SDK' },
      { kind: 'paragraph', text: 'Warning: Back up your workspace before upgrading.' },
      { kind: 'paragraph', text: 'npm:' },
      { kind: 'code', language: 'bash', text: 'npm install wren-sdk' },
      { kind: 'paragraph', text: 'Yarn: Yarn 1 and Berry both work:' },
      { kind: 'code', language: 'bash', text: 'yarn add wren-sdk' },
      { kind: 'paragraph', text: 'wren.config.js:' },
      { kind: 'code', language: 'javascript', text: 'module.exports = { region: "eu" };' },
      { kind: 'paragraph', text: 'https://www.youtube.com/watch?v=wren101 A five-minute tour' },
      { kind: 'paragraph', text: 'Success: You are ready to send your first message.' },
      { kind: 'paragraph', text: 'quickstart.md' },
    ]);
    expect(allText(blocks)).not.toMatch(templateTokens);
  });

  it('numbers the steps of a stepper and leaves tags inside code fences as code', async () => {
    const blocks = await blocksOf(
      'gitbook/steps.md',
      ['{% stepper %}', '{% step %}', 'Create a key.', '{% endstep %}', '{% step %}', 'Call the API.', '{% endstep %}', '{% endstepper %}', '', '```liquid', '{% hint style="info" %}shown{% endhint %}', '```'].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'paragraph', text: 'Step 1: Create a key.' },
      { kind: 'paragraph', text: 'Step 2: Call the API.' },
      { kind: 'code', language: 'liquid', text: '{% hint style="info" %}shown{% endhint %}' },
    ]);
  });
});

describe('Hugo shortcodes', () => {
  it('reads paired shortcodes as notes, tabs, details and code, refs as link targets, and drops embeds', async () => {
    const blocks = await blocksOf(
      'content/docs/server.md',
      [
        '# Configure the server',
        '',
        '{{< note >}}',
        'Restart the server after every change.',
        '{{< /note >}}',
        '',
        '{{% notice warning "Ports below 1024" %}}',
        'Binding them needs root.',
        '{{% /notice %}}',
        '',
        '{{< tabs >}}',
        '{{% tab "Linux" %}}',
        'Edit `/etc/wren.toml`.',
        '{{% /tab %}}',
        '{{% tab name="macOS" %}}',
        'Edit `~/Library/wren.toml`.',
        '{{% /tab %}}',
        '{{< /tabs >}}',
        '',
        'See [the setup guide]({{< ref "setup.md" >}}) and [TLS]({{< relref "/docs/tls#certs" >}}).',
        '',
        '{{< youtube dQw4w9WgXcQ >}}',
        '',
        '{{< figure src="dashboard.png" caption="The server dashboard" >}}',
        '',
        '{{< highlight go >}}',
        'server.Listen(":8080")',
        '{{< /highlight >}}',
        '',
        '{{< details "Advanced tuning" >}}',
        'Set workers to the number of cores.',
        '{{< /details >}}',
        '',
        '{{< alert title="Heads up" color="warning" >}}Docsy alerts work too.{{< /alert >}}',
      ].join('\n'),
    );
    expect(blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Configure the server' },
      { kind: 'paragraph', text: 'Note: Restart the server after every change.' },
      { kind: 'paragraph', text: 'Warning: Ports below 1024' },
      { kind: 'paragraph', text: 'Binding them needs root.' },
      { kind: 'paragraph', text: 'Linux: Edit /etc/wren.toml.' },
      { kind: 'paragraph', text: 'macOS: Edit ~/Library/wren.toml.' },
      { kind: 'paragraph', text: 'See the setup guide and TLS.' },
      { kind: 'paragraph', text: 'The server dashboard' },
      { kind: 'code', language: 'go', text: 'server.Listen(":8080")' },
      { kind: 'paragraph', text: 'Details: Advanced tuning' },
      { kind: 'paragraph', text: 'Set workers to the number of cores.' },
      { kind: 'paragraph', text: 'Warning: Heads up' },
      { kind: 'paragraph', text: 'Docsy alerts work too.' },
    ]);
  });

  it('keeps the target of a ref shortcode so the link survives', async () => {
    const blocks = await blocksOf('content/a.md', 'Read [Setup]({{< ref "setup.md" >}}).');
    expect(blocks).toEqual([{ kind: 'paragraph', text: 'Read Setup.' }]);
    expect(allText(blocks)).not.toMatch(templateTokens);
  });
});

describe('front matter of documentation sites', () => {
  it('takes the title, description and url from Hugo TOML front matter', async () => {
    const document = await load(
      'content/server.md',
      ['+++', 'title = "Configure the server"', 'description = "Ports, TLS and workers."', 'url = "https://docs.example.com/server"', 'weight = 3', '[params]', 'hidden = true', '+++', '', 'The server reads wren.toml at start.'].join('\n'),
    );
    expect(document.title).toBe('Configure the server');
    expect(document.url).toBe('https://docs.example.com/server');
    expect(document.metadata).toEqual({ title: 'Configure the server', description: 'Ports, TLS and workers.', url: 'https://docs.example.com/server', weight: 3 });
    expect(document.blocks).toEqual([
      { kind: 'paragraph', text: 'Ports, TLS and workers.' },
      { kind: 'paragraph', text: 'The server reads wren.toml at start.' },
    ]);
  });

  it('puts the description under the h1 unless the page opens with it, and falls back to sidebar_label for the title', async () => {
    const described = await load('docs/a.md', '---\ndescription: Send your first message in five minutes.\n---\n\n# Quickstart\n\n## Install\n\nRun the installer.');
    expect(described.blocks.slice(0, 2)).toEqual([
      { kind: 'heading', level: 1, text: 'Quickstart' },
      { kind: 'paragraph', text: 'Send your first message in five minutes.' },
    ]);
    const repeated = await load('docs/b.md', '---\ndescription: Send your first message in five minutes.\n---\n\n# Quickstart\n\nSend your first message in five minutes. Then invite your team.');
    expect(blocksOfKindParagraph(repeated.blocks)).toEqual(['Send your first message in five minutes. Then invite your team.']);
    const labelled = await load('docs/c.mdx', '---\nsidebar_label: Webhooks\n---\n\nWebhooks call your endpoint on each event.');
    expect(labelled.title).toBe('Webhooks');
  });
});

function blocksOfKindParagraph(blocks: readonly { kind: string; text?: string }[]): string[] {
  return blocks.filter((block) => block.kind === 'paragraph').map((block) => block.text ?? '');
}
