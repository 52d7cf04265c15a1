import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { allText, blocksOfKind, headings, helpDoc, rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const markdown = (source: string, text: string) => loaders.load({ source, bytes: new TextEncoder().encode(text) });

describe('the Markdown loader', () => {
  it('takes title, url and metadata from the front matter', async () => {
    const document = await loaders.load(await helpDoc('getting-started.md'));
    expect(document.contentType).toBe('text/markdown');
    expect(document.title).toBe('Getting started with Wren Chat');
    expect(document.url).toBe('https://help.wrenchat.example/getting-started');
    expect(document.metadata).toEqual({
      title: 'Getting started with Wren Chat',
      url: 'https://help.wrenchat.example/getting-started',
      tags: ['onboarding', 'sdk'],
      updated: '2025-03-14',
      audience: ['developers', 'admins'],
    });
  });

  it('keeps headings with their levels, lists, code with its language and GFM tables', async () => {
    const { blocks } = await loaders.load(await helpDoc('getting-started.md'));
    expect(headings(blocks)).toEqual([
      [1, 'Welcome to Wren Chat'],
      [2, 'Create a workspace'],
      [2, 'Send your first message'],
      [2, 'Message limits'],
    ]);
    expect(blocksOfKind(blocks, 'list')).toEqual([
      {
        kind: 'list',
        ordered: true,
        items: [
          'Sign in to the Wren Chat console.',
          'Choose New workspace and pick the region closest to your users.',
          'Copy the App ID and create an API key under Settings → Keys.',
          '  Keep the secret key on your server only.',
          '  Client apps use short-lived user tokens instead.',
        ],
      },
    ]);
    const [code] = blocksOfKind(blocks, 'code');
    expect(code?.language).toBe('ts');
    expect(code?.text).toContain("const client = new WrenClient({ appId: 'APP_ID' });\nawait client.connect(");
    expect(blocksOfKind(blocks, 'table')).toEqual([
      {
        kind: 'table',
        header: ['Plan', 'Messages per second', 'Max message size'],
        rows: [
          ['Free', '5', '4 KB'],
          ['Team', '50', '16 KB'],
          ['Enterprise', '500', '64 KB'],
        ],
      },
    ]);
  });

  it('turns blockquotes into paragraphs, images into their alt text and links into their text', async () => {
    const { blocks } = await loaders.load(await helpDoc('getting-started.md'));
    const paragraphs = blocksOfKind(blocks, 'paragraph').map((block) => block.text);
    expect(paragraphs).toContain('Workspaces on the Free plan are paused after 30 days without traffic.');
    expect(paragraphs).toContain('Diagram of a client talking to the Wren Chat gateway');
    expect(allText(blocks)).not.toMatch(/console\.wrenchat|architecture\.png|\*\*|\]\(/);
  });

  it('keeps the text of HTML inside Markdown, without its tags or scripts', async () => {
    const { blocks } = await loaders.load(await helpDoc('getting-started.md'));
    const paragraphs = blocksOfKind(blocks, 'paragraph').map((block) => block.text);
    expect(paragraphs).toContain('Note: Enterprise workspaces can raise these limits on request.');
    expect(paragraphs).toContain(
      'Messages over the size limit are rejected with error 413 message_too_large. Ctrl + Enter sends a message in the web widget.',
    );
    expect(allText(blocks)).not.toMatch(/<|trackNote/);
  });

  it('reads Chinese, joining wrapped lines without inserting spaces', async () => {
    const document = await loaders.load(await helpDoc('zh/reset-password.md'));
    expect(document.title).toBe('重置密码');
    expect(headings(document.blocks)).toEqual([
      [1, '重置密码'],
      [2, '通过邮箱重置'],
      [2, '收不到重置邮件'],
    ]);
    expect(document.blocks[1]).toEqual({
      kind: 'paragraph',
      text: '忘记了 Wren Chat 控制台的登录密码？你可以通过注册邮箱自助重置。',
    });
    expect(blocksOfKind(document.blocks, 'list')[0]?.items).toEqual([
      '在登录页面点击“忘记密码”。',
      '输入注册时使用的邮箱地址。',
      '打开邮件中的重置链接，设置新密码。',
    ]);
  });

  it('falls back to the first h1 for the title, and has no url or metadata without front matter', async () => {
    const document = await markdown('faq.md', '## Before\n\n# Frequently asked questions\n\nAsk away.\n');
    expect(document.title).toBe('Frequently asked questions');
    expect(document.url).toBeNull();
    expect(document.metadata).toEqual({});
  });

  it('marks task list items and indents nested items', async () => {
    const { blocks } = await markdown('todo.md', '- [x] Create a workspace\n- [ ] Invite your team\n  - Admins first\n');
    expect(blocks).toEqual([
      { kind: 'list', ordered: false, items: ['[x] Create a workspace', '[ ] Invite your team', '  Admins first'] },
    ]);
  });

  it('refuses front matter that is not valid YAML, naming the file', async () => {
    const error = await rejectionOf(markdown('broken.md', '---\ntitle: [unclosed\n---\n\n# Hello\n'));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toMatch(/^Could not parse broken\.md as Markdown: front matter/);
    expect(error.details).toEqual({ source: 'broken.md', reason: 'unparseable' });
  });
});
