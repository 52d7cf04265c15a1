import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { ConnectorDependencies, ListingEnd, SourceConnector, SourceDocument, SourceEntry } from '../../../ingest/sources/connector.ts';
import { confluenceConfigSchema, confluenceCredentialFields, createConfluenceConnector } from '../../../ingest/sources/platforms/confluence-source.ts';
import { htmlToDocument } from '../../../ingest/loaders/html-to-document.ts';
import type { FakeConfluence, FakeConfluencePage } from '../../helpers/fake-confluence.ts';
import { startFakeConfluence } from '../../helpers/fake-confluence.ts';

interface Listed {
  documents: SourceDocument[];
  failed: Extract<SourceEntry, { kind: 'failed' }>[];
  end: ListingEnd;
}

async function list(connector: SourceConnector, signal = new AbortController().signal): Promise<Listed> {
  const listed: Listed = { documents: [], failed: [], end: { complete: false, cursor: null } };
  const generator = connector.list({ since: null, signal });
  for (;;) {
    const next = await generator.next();
    if (next.done) return { ...listed, end: next.value };
    if (next.value.kind === 'document') listed.documents.push(next.value.document);
    else if (next.value.kind === 'failed') listed.failed.push(next.value);
    else throw new Error(`unexpected entry ${JSON.stringify(next.value)}`);
  }
}

const text = (document: SourceDocument | undefined) => new TextDecoder().decode(document?.bytes);

const installBody = [
  '<p>Install the service&nbsp;first.</p>',
  '<ac:structured-macro ac:name="toc" ac:schema-version="1" ac:macro-id="a1"><ac:parameter ac:name="maxLevel">3</ac:parameter></ac:structured-macro>',
  '<ac:structured-macro ac:name="code" ac:schema-version="1" ac:macro-id="b2"><ac:parameter ac:name="language">bash</ac:parameter>',
  '<ac:plain-text-body><![CDATA[npm install oriole && oriole serve --port=<port>]]></ac:plain-text-body></ac:structured-macro>',
  '<ac:structured-macro ac:name="warning" ac:schema-version="1" ac:macro-id="c3"><ac:parameter ac:name="title">Before upgrading</ac:parameter>',
  '<ac:rich-text-body><p>Back up your <strong>database</strong> first.</p></ac:rich-text-body></ac:structured-macro>',
  '<p>See <ac:link><ri:page ri:content-title="Billing" /></ac:link> for plans <ac:emoticon ac:name="smile" /> and more.</p>',
].join('');

function page(id: string, title: string, parentId: string | null, fields: Partial<FakeConfluencePage> = {}): FakeConfluencePage {
  return { id, title, parentId, status: 'current', version: 1, storage: `<p>About ${title}.</p>`, ...fields };
}

describe('Confluence Cloud connector', () => {
  let confluence: FakeConfluence;
  let waits: number[];
  let dependencies: ConnectorDependencies;

  beforeEach(async () => {
    confluence = await startFakeConfluence({
      pageSize: 2,
      pages: [
        page('100', 'Documentation home', null),
        page('101', 'Guides', '100'),
        page('102', 'Install', '101', { version: 3, storage: installBody }),
        page('103', 'Draft idea', '100', { status: 'draft' }),
        page('104', 'Old release notes', '100', { status: 'archived' }),
        page('105', 'Billing', '100'),
        // Moved under a page created after it, so it is listed before its parent.
        page('106', 'Refunds', '110'),
        page('107', 'Filed away', '900', { parentType: 'folder' }),
        page('110', 'Policies', '105'),
      ],
    });
    waits = [];
    dependencies = {
      fetch: globalThis.fetch,
      sleep: async (ms) => {
        waits.push(ms);
      },
    };
  });

  afterEach(async () => {
    await confluence.close();
  });

  const connector = (overrides: { token?: string; space?: string } = {}) =>
    createConfluenceConnector(
      { url: confluence.url, space: overrides.space ?? 'DOCS', email: confluence.email, token: overrides.token ?? confluence.token },
      dependencies,
    );
  const byId = (listed: Listed, id: string) => listed.documents.find((document) => document.metadata?.confluenceId === id);
  const ids = (listed: Listed) => listed.documents.map((document) => String(document.metadata?.confluenceId)).sort();

  it('resolves the space and lists its current pages over cursor pages', async () => {
    const listed = await list(connector());

    expect(listed.end).toEqual({ complete: true, cursor: null });
    expect(listed.failed).toEqual([]);
    expect(ids(listed)).toEqual(['100', '101', '102', '105', '106', '107', '110']);
    const paths = confluence.requests.map((request) => request.path);
    expect(paths[0]).toBe('/wiki/api/v2/spaces?keys=DOCS');
    expect(paths[1]).toBe('/wiki/api/v2/spaces/98306/pages?body-format=storage&limit=100&status=current&sort=id');
    expect(paths.slice(2).every((path) => path.startsWith('/wiki/api/v2/spaces/98306/pages?') && path.includes('cursor='))).toBe(true);
    expect(paths).toHaveLength(2 + 3);
    const basic = `Basic ${Buffer.from(`${confluence.email}:${confluence.token}`).toString('base64')}`;
    expect(confluence.requests.every((request) => request.authorization === basic)).toBe(true);

    const install = byId(listed, '102');
    expect(install).toMatchObject({
      source: `${confluence.url}/wiki/spaces/DOCS/pages/102`,
      url: `${confluence.url}/wiki/spaces/DOCS/pages/102/Install`,
      title: 'Install',
      contentType: 'text/html',
      metadata: { confluenceId: '102', version: 3, parentId: '101' },
    });
    expect(text(install).startsWith('<h1>Install</h1>')).toBe(true);
  });

  it('gives each page its ancestors as a breadcrumb, in metadata and a tag but not in its text', async () => {
    const listed = await list(connector());

    const install = byId(listed, '102');
    expect(install?.metadata?.breadcrumb).toEqual(['Documentation home', 'Guides']);
    expect(install?.tags).toEqual({ breadcrumb: 'Documentation home > Guides' });
    expect(text(install)).not.toContain('Documentation home');
    // Listed before its parent, it waits for it rather than losing part of its chain.
    expect(byId(listed, '106')?.metadata?.breadcrumb).toEqual(['Documentation home', 'Billing', 'Policies']);
    expect(byId(listed, '100')?.metadata?.breadcrumb).toEqual([]);
    expect(byId(listed, '100')?.tags).toBeUndefined();
    // A folder is not a page of the listing: the chain ends there.
    expect(byId(listed, '107')?.metadata?.breadcrumb).toEqual([]);
  });

  it('turns the code macro into pre/code and keeps panel text, dropping macro parameters', async () => {
    const listed = await list(connector());
    const html = text(byId(listed, '102'));

    expect(html).toContain('<pre><code class="language-bash">npm install oriole &amp;&amp; oriole serve --port=&lt;port&gt;</code></pre>');
    expect(html).toContain('Back up your <strong>database</strong> first.');
    expect(html).toContain('See Billing for plans');
    expect(html).not.toContain('maxLevel');
    expect(html).not.toMatch(/<\/?(ac|ri):/);

    // What the HTML loader makes of it: the code block with its language, the panel as a labelled note.
    const blocks = htmlToDocument(html).blocks;
    expect(blocks).toContainEqual({ kind: 'code', language: 'bash', text: 'npm install oriole && oriole serve --port=<port>' });
    const paragraphs = blocks.flatMap((block) => (block.kind === 'paragraph' ? [block.text] : []));
    expect(paragraphs).toContain('Warning: Before upgrading');
    expect(paragraphs).toContain('Back up your database first.');
    expect(paragraphs.some((paragraph) => /^Install the service\s+first\.$/.test(paragraph))).toBe(true);
  });

  it('reflects deleted, archived and edited pages in the next full listing', async () => {
    await list(connector());
    confluence.pages.delete('107');
    confluence.pages.get('102')!.status = 'archived';
    Object.assign(confluence.pages.get('105')!, { title: 'Billing and plans', version: 2, storage: '<p>Plans are billed monthly.</p>' });

    const listed = await list(connector());

    expect(listed.end.complete).toBe(true);
    expect(ids(listed)).toEqual(['100', '101', '105', '106', '110']);
    const billing = byId(listed, '105');
    expect(billing?.metadata?.version).toBe(2);
    expect(text(billing)).toBe('<h1>Billing and plans</h1>\n<p>Plans are billed monthly.</p>');
    // A renamed ancestor renames the breadcrumbs below it.
    expect(byId(listed, '106')?.tags).toEqual({ breadcrumb: 'Documentation home > Billing and plans > Policies' });
  });

  it('waits what Retry-After asks when rate limited, then goes on', async () => {
    confluence.rateLimitNext(1);
    const listed = await list(connector());

    expect(waits).toEqual([2000]);
    expect(listed.end.complete).toBe(true);
    expect(listed.documents).toHaveLength(7);
  });

  it('follows the Link header when the body has no next link', async () => {
    confluence.nextLinks = 'header';
    const listed = await list(connector());

    expect(listed.end.complete).toBe(true);
    expect(ids(listed)).toEqual(['100', '101', '102', '105', '106', '107', '110']);
  });

  it('throws forbidden for a wrong token instead of listing nothing', async () => {
    const error = await list(connector({ token: 'wrong' })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('forbidden');
    expect(confluence.requests).toHaveLength(1);
  });

  it('throws not_found for a space the account cannot see', async () => {
    const error = await list(connector({ space: 'NOPE' })).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('not_found');
    expect((error as OrioleError).message).toContain("'NOPE'");
  });

  it('reports a listing page that keeps failing and ends incomplete', async () => {
    confluence.failCursorPage(2);
    const listed = await list(connector());

    expect(listed.end).toEqual({ complete: false, cursor: null });
    expect(listed.failed).toHaveLength(1);
    expect(listed.failed[0]?.source).toMatch(new RegExp(`^${confluence.url}/wiki/api/v2/spaces/98306/pages\\?.*cursor=`));
    expect(listed.failed[0]?.error.code).toBe('upstream_unavailable');
    expect(ids(listed)).toEqual(['100', '101']);
    expect(waits).toHaveLength(4);
  });

  it('reads a space open to anonymous readers without credentials', async () => {
    confluence.allowAnonymous = true;
    const anonymous = createConfluenceConnector({ url: `${confluence.url}/wiki/`, space: 'DOCS' }, dependencies);
    const listed = await list(anonymous);

    expect(listed.end.complete).toBe(true);
    expect(listed.documents).toHaveLength(7);
    expect(confluence.requests.every((request) => request.authorization === null)).toBe(true);
    expect(byId(listed, '101')?.source).toBe(`${confluence.url}/wiki/spaces/DOCS/pages/101`);
  });

  it('stops when the sync is aborted', async () => {
    const controller = new AbortController();
    const generator = connector().list({ since: null, signal: controller.signal });
    const first = await generator.next();
    expect(first.done).toBe(false);
    controller.abort();
    const requestsBefore = confluence.requests.length;

    // What the page already read may still come; no further request is made and the listing does not end normally.
    const rest = async () => {
      for (let next = await generator.next(); !next.done; next = await generator.next());
    };
    await expect(rest()).rejects.toBeInstanceOf(OrioleError);
    expect(confluence.requests).toHaveLength(requestsBefore);
  });
});

describe('Confluence config', () => {
  it('accepts email and token together, or neither', () => {
    expect(confluenceConfigSchema.safeParse({ url: 'https://acme.atlassian.net', space: 'DOCS', email: 'a@acme.com', token: 'ATATT3x' }).success).toBe(true);
    expect(confluenceConfigSchema.safeParse({ url: 'https://acme.atlassian.net', space: '~5b10a2844c20165700ede21g' }).success).toBe(true);
    expect(confluenceCredentialFields).toEqual(['token']);
  });

  it.each([
    ['an email without its token', { url: 'https://acme.atlassian.net', space: 'DOCS', email: 'a@acme.com' }],
    ['a token without its email', { url: 'https://acme.atlassian.net', space: 'DOCS', token: 'ATATT3x' }],
    ['no space', { url: 'https://acme.atlassian.net' }],
    ['a space key with a slash', { url: 'https://acme.atlassian.net', space: 'DOCS/../x' }],
    ['a URL that is not http(s)', { url: 'file:///etc/passwd', space: 'DOCS' }],
    ['an email that is not one', { url: 'https://acme.atlassian.net', space: 'DOCS', email: 'nobody', token: 'x' }],
    ['an unknown field', { url: 'https://acme.atlassian.net', space: 'DOCS', password: 'x' }],
  ])('refuses %s', (_label, config) => {
    expect(confluenceConfigSchema.safeParse(config).success).toBe(false);
  });
});
