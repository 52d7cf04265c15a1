import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { allText, blocksOfKind, headings, helpDoc } from './loader-fixtures.ts';

const loaders = createFileLoaders();
const html = (source: string, text: string) => loaders.load({ source, bytes: new TextEncoder().encode(text) });

describe('the HTML loader', () => {
  it('reads the article of a help-center page: title, canonical url, description', async () => {
    const document = await loaders.load(await helpDoc('billing/refunds.html'));
    expect(document.contentType).toBe('text/html');
    // "| Wren Chat Help Center" is dropped because the page's h1 confirms the rest.
    expect(document.title).toBe('Refunds and cancellations');
    expect(document.url).toBe('https://help.wrenchat.example/billing/refunds');
    expect(document.metadata).toEqual({
      description: 'How refunds work for Wren Chat subscriptions, and how to cancel a plan.',
      language: 'en',
    });
  });

  it('keeps headings, lists and the table with its header', async () => {
    const { blocks } = await loaders.load(await helpDoc('billing/refunds.html'));
    expect(headings(blocks)).toEqual([
      [1, 'Refunds and cancellations'],
      [2, 'Who can get a refund'],
      [2, 'Refund timelines'],
      [2, 'How to request a refund'],
    ]);
    expect(blocks[1]).toEqual({
      kind: 'paragraph',
      text: 'You can cancel a paid Wren Chat plan at any time from Settings → Billing. Cancelling stops the next renewal; your workspace keeps its paid features until the end of the current billing period.',
    });
    expect(blocksOfKind(blocks, 'list').map((list) => [list.ordered, list.items.length])).toEqual([
      [false, 3],
      [true, 2],
    ]);
    expect(blocksOfKind(blocks, 'list')[1]?.items[0]).toBe('Open Invoices and find the payment.');
    expect(blocksOfKind(blocks, 'table')).toEqual([
      {
        kind: 'table',
        header: ['Payment method', 'Refund appears within'],
        rows: [
          ['Credit card', '5–10 business days'],
          ['PayPal', '3 business days'],
          ['Bank transfer', '10 business days'],
        ],
      },
    ]);
  });

  it('leaves out navigation, header, sidebar, footer, scripts, forms and hidden text', async () => {
    const text = allText((await loaders.load(await helpDoc('billing/refunds.html'))).blocks);
    for (const noise of [
      'SDK reference', // nav
      'Home › Billing', // role=navigation breadcrumbs
      'In this section', // aside
      'Taxes and VAT',
      'Tracking pixel', // script
      'font-family', // style
      'Was this article helpful', // form
      'Decorative divider', // aria-hidden
      '© 2025', // footer
      'Enable JavaScript', // noscript
    ]) {
      expect(text).not.toContain(noise);
    }
  });

  it('reads the body without its chrome when the page marks no main content', async () => {
    const document = await html(
      'status.html',
      `<html><body>
        <header><a href="/">Wren Chat</a> <nav><a href="/pricing">Pricing</a></nav></header>
        <h1>Service status</h1><p>All systems operational.</p>
        <aside>Subscribe to updates</aside><footer>Status page by Wren Chat</footer>
      </body></html>`,
    );
    expect(document.title).toBe('Service status');
    expect(document.blocks).toEqual([
      { kind: 'heading', level: 1, text: 'Service status' },
      { kind: 'paragraph', text: 'All systems operational.' },
    ]);
  });

  it('prefers <main> when there is no single article', async () => {
    const { blocks } = await html(
      'news.html',
      `<body><div class="promo">Try Wren Chat Business</div><main><h2>Release notes</h2>
        <article><p>Reactions</p></article><article><p>Threads</p></article></main></body>`,
    );
    expect(allText(blocks)).toBe('Release notes\nReactions\nThreads');
  });

  it('keeps a page-wide form that holds the content (ASP.NET pages)', async () => {
    const { blocks } = await html('legacy.aspx.html', '<body><form id="form1"><h1>Export chat history</h1><p>Use Settings.</p></form></body>');
    expect(headings(blocks)).toEqual([[1, 'Export chat history']]);
  });

  it('keeps a <title> that the h1 does not confirm, and resolves a relative canonical against a crawled URL', async () => {
    const document = await html(
      'https://help.wrenchat.example/pricing/faq?from=nav',
      '<html><head><title>Pricing FAQ - Wren Chat</title><link rel="canonical" href="/pricing/faq"></head><body><h1>Questions about plans</h1></body></html>',
    );
    expect(document.title).toBe('Pricing FAQ - Wren Chat');
    expect(document.url).toBe('https://help.wrenchat.example/pricing/faq');
  });

  it('gives a table without <th> or <thead> no header', async () => {
    const { blocks } = await html(
      'limits.html',
      '<body><table><tr><td>Attachments</td><td>25 MB</td></tr><tr><td>Channels</td><td>Unlimited</td></tr></table></body>',
    );
    expect(blocks).toEqual([
      {
        kind: 'table',
        header: null,
        rows: [
          ['Attachments', '25 MB'],
          ['Channels', 'Unlimited'],
        ],
      },
    ]);
  });
});
