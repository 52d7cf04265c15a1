import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { ConnectorDependencies, ListingEnd, SourceConnector, SourceDocument, SourceEntry } from '../../../ingest/sources/connector.ts';
import { createIntercomConnector, intercomConfigSchema, intercomCredentialFields } from '../../../ingest/sources/platforms/intercom-source.ts';
import type { FakeIntercom } from '../../helpers/fake-intercom.ts';
import { fakeArticle, startFakeIntercom } from '../../helpers/fake-intercom.ts';

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
const sources = (listed: Listed) => listed.documents.map((document) => document.source).sort();

describe('Intercom articles connector', () => {
  let intercom: FakeIntercom;
  let waits: number[];
  let dependencies: ConnectorDependencies;

  beforeEach(async () => {
    intercom = await startFakeIntercom({
      pageSize: 2,
      articles: [
        fakeArticle('1', { title: 'Refunds & returns', body: '<p>Refunds take <strong>5 days</strong>.</p>', parent_id: 7, parent_type: 'section' }),
        fakeArticle('2'),
        fakeArticle('3', { state: 'draft', title: 'Unreleased feature', url: null }),
        fakeArticle('4'),
        fakeArticle('5', {
          title: 'Shipping',
          default_locale: 'en',
          translated_content: {
            en: { title: 'Shipping', body: '<p>We ship worldwide.</p>', state: 'published', url: 'https://intercom.help/acme/en/articles/5-shipping', updated_at: 1_700_000_005 },
            fr: { title: 'Livraison', body: '<p>Nous livrons partout.</p>', state: 'published', url: 'https://intercom.help/acme/fr/articles/5-livraison', updated_at: 1_700_000_006 },
            de: { title: 'Versand', body: '<p>Entwurf.</p>', state: 'draft', url: null, updated_at: 1_700_000_007 },
            es: null,
          },
        }),
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
    await intercom.close();
  });

  const connector = (token = intercom.token) => createIntercomConnector({ url: intercom.url, token }, dependencies);

  it('lists every published article over several pages with the documented headers', async () => {
    const listed = await list(connector());

    expect(listed.end).toEqual({ complete: true, cursor: null });
    expect(listed.failed).toEqual([]);
    expect(connector().incremental).toBe(false);
    const pageRequests = intercom.requests.map((request) => request.path);
    expect(pageRequests).toEqual(['/articles?page=1&per_page=50', '/articles?page=2&per_page=50', '/articles?page=3&per_page=50']);
    for (const request of intercom.requests) {
      expect(request.authorization).toBe(`Bearer ${intercom.token}`);
      expect(request.intercomVersion).toBe('2.11');
      expect(request.accept).toBe('application/json');
    }
    expect(sources(listed)).toEqual(['intercom/articles/1', 'intercom/articles/2', 'intercom/articles/4', 'intercom/articles/5', 'intercom/articles/5/fr']);

    const refunds = listed.documents.find((document) => document.source === 'intercom/articles/1');
    expect(refunds).toMatchObject({
      title: 'Refunds & returns',
      url: 'https://intercom.help/acme/en/articles/1-article-1',
      contentType: 'text/html',
      metadata: { intercomId: '1', parentId: '7', parentType: 'section', updatedAt: new Date(1_700_000_001 * 1000).toISOString() },
    });
    expect(refunds?.tags).toBeUndefined();
    expect(text(refunds)).toBe('<h1>Refunds &amp; returns</h1>\n<p>Refunds take <strong>5 days</strong>.</p>');
  });

  it('leaves drafts out, and makes each published translation its own document', async () => {
    const listed = await list(connector());

    expect(listed.documents.some((document) => document.title === 'Unreleased feature')).toBe(false);
    const shipping = listed.documents.find((document) => document.source === 'intercom/articles/5');
    const french = listed.documents.find((document) => document.source === 'intercom/articles/5/fr');
    expect(shipping?.tags).toEqual({ locale: 'en' });
    expect(french).toMatchObject({ title: 'Livraison', url: 'https://intercom.help/acme/fr/articles/5-livraison', tags: { locale: 'fr' } });
    expect(text(french)).toContain('Nous livrons partout.');
    expect(listed.documents.some((document) => document.source === 'intercom/articles/5/de')).toBe(false);
  });

  it('reflects deletions, unpublished articles and edits in the next full listing', async () => {
    const first = await list(connector());
    expect(sources(first)).toContain('intercom/articles/2');

    intercom.articles.delete('2');
    intercom.articles.get('4')!.state = 'draft';
    const edited = intercom.articles.get('1')!;
    edited.body = '<p>Refunds now take 3 days.</p>';
    edited.updated_at = 1_800_000_000;
    const second = await list(connector());

    expect(second.end.complete).toBe(true);
    expect(sources(second)).toEqual(['intercom/articles/1', 'intercom/articles/5', 'intercom/articles/5/fr']);
    const refunds = second.documents.find((document) => document.source === 'intercom/articles/1');
    expect(text(refunds)).toContain('Refunds now take 3 days.');
    expect(refunds?.metadata?.updatedAt).toBe(new Date(1_800_000_000 * 1000).toISOString());
  });

  it('waits what Retry-After asks when rate limited, then goes on', async () => {
    intercom.rateLimitNext(1);
    const listed = await list(connector());

    expect(waits).toEqual([2000]);
    expect(listed.end.complete).toBe(true);
    expect(sources(listed)).toHaveLength(5);
    expect(intercom.requests[0]?.path).toBe(intercom.requests[1]?.path);
  });

  it('throws forbidden for a wrong token instead of listing nothing', async () => {
    const error = await list(connector('wrong-token')).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('forbidden');
    expect((error as OrioleError).message).toContain('Access Token Invalid');
    expect(intercom.requests).toHaveLength(1);
  });

  it('reports a page that keeps failing and ends the listing incomplete', async () => {
    intercom.failPage(2);
    const listed = await list(connector());

    expect(listed.end).toEqual({ complete: false, cursor: null });
    expect(listed.failed).toHaveLength(1);
    expect(listed.failed[0]?.source).toBe(`${intercom.url}/articles?page=2&per_page=50`);
    expect(listed.failed[0]?.error.code).toBe('upstream_unavailable');
    // The first page's articles are still listed; nothing after the failure is.
    expect(listed.documents.length).toBeGreaterThan(0);
    expect(intercom.requests.filter((request) => request.path.includes('page=3'))).toEqual([]);
    expect(waits).toHaveLength(4);
  });

  it('ends incomplete when an edit during the listing shifts articles between pages', async () => {
    intercom.beforePage = (page) => {
      // Article 2 sits on the last page; once page 1 is read, editing it moves it to the front.
      if (page === 2) intercom.articles.get('2')!.updated_at = 1_900_000_000;
    };
    const listed = await list(connector());

    expect(sources(listed)).not.toContain('intercom/articles/2');
    expect(listed.end.complete).toBe(false);
  });

  it('stops when the sync is aborted', async () => {
    const controller = new AbortController();
    intercom.beforePage = (page) => {
      if (page === 2) controller.abort();
    };
    const error = await list(connector(), controller.signal).catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(OrioleError);
    expect(intercom.requests.some((request) => request.path.includes('page=3'))).toBe(false);
  });
});

describe('Intercom config', () => {
  it('accepts a token alone or with a regional API base', () => {
    expect(intercomConfigSchema.safeParse({ token: 'abc=' }).success).toBe(true);
    expect(intercomConfigSchema.safeParse({ url: 'https://api.eu.intercom.io', token: 'abc' }).success).toBe(true);
    expect(intercomCredentialFields).toEqual(['token']);
  });

  it.each([
    ['no token', { url: 'https://api.intercom.io' }],
    ['an empty token', { token: '' }],
    ['a token with a line break', { token: 'abc\r\nx-evil: 1' }],
    ['a URL that is not http(s)', { url: 'ftp://api.intercom.io', token: 'abc' }],
    ['something that is not a URL', { url: 'api.intercom.io', token: 'abc' }],
    ['an unknown field', { token: 'abc', workspace: 'x' }],
  ])('refuses %s', (_label, config) => {
    expect(intercomConfigSchema.safeParse(config).success).toBe(false);
  });
});
