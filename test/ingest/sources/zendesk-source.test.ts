import { Buffer } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { ConnectorDependencies, ListingEnd, SourceConnector, SourceDocument, SourceEntry, SyncCursor } from '../../../ingest/sources/connector.ts';
import type { ZendeskConfig } from '../../../ingest/sources/platforms/zendesk-source.ts';
import { createZendeskConnector, zendeskConfigSchema, zendeskCredentialFields } from '../../../ingest/sources/platforms/zendesk-source.ts';
import type { FakeZendesk, FakeZendeskOptions } from '../../helpers/fake-zendesk.ts';
import { startFakeZendesk } from '../../helpers/fake-zendesk.ts';

const agent = { email: 'agent@acme.test', token: 'zendesk-api-token' };

/**
 * Two locales, three sections, five articles. Pages hold two items, so each locale's
 * articles and the en-us sections span pages; article 1005 is an en-us draft and 1004
 * has no German translation.
 */
const helpCenter: Omit<FakeZendeskOptions, 'agent'> = {
  locales: ['en-us', 'de'],
  pageSizeLimit: 2,
  incrementalPageSize: 2,
  sections: [
    { id: 100, names: { 'en-us': 'Getting started', de: 'Erste Schritte' } },
    { id: 200, names: { 'en-us': 'Billing', de: 'Abrechnung' } },
    { id: 300, names: { 'en-us': 'Account' } },
  ],
  articles: [
    {
      id: 1001,
      sectionId: 100,
      labels: ['setup', 'beginner'],
      translations: {
        'en-us': { title: 'Install Oriole', body: '<p>Run the installer.</p>' },
        de: { title: 'Oriole installieren', body: '<p>Starten Sie das Installationsprogramm.</p>' },
      },
    },
    {
      id: 1002,
      sectionId: 100,
      translations: {
        'en-us': { title: 'Tips & <tricks>', body: '<p>Press the big button.</p>' },
        de: { title: 'Tipps', body: '<p>Drücken Sie den großen Knopf.</p>' },
      },
    },
    {
      id: 1003,
      sectionId: 200,
      labels: ['billing'],
      translations: {
        'en-us': { title: 'Change your plan', body: '<p>Open the billing page.</p>' },
        de: { title: 'Tarif wechseln', body: '<p>Öffnen Sie die Abrechnung.</p>' },
      },
    },
    { id: 1004, sectionId: 200, translations: { 'en-us': { title: 'Refunds', body: '<p>Within 30 days.</p>' } } },
    { id: 1005, sectionId: 300, translations: { 'en-us': { title: 'Upcoming pricing', body: '<p>Secret.</p>', draft: true } } },
  ],
};

let fake: FakeZendesk;
let sleeps: number[];
let dependencies: ConnectorDependencies;

beforeEach(async () => {
  fake = await startFakeZendesk({ ...helpCenter, agent });
  sleeps = [];
  dependencies = {
    fetch: globalThis.fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
});

afterEach(async () => {
  await fake.close();
});

function connector(config: Partial<ZendeskConfig> = {}, overrides: Partial<ConnectorDependencies> = {}): SourceConnector {
  return createZendeskConnector({ url: fake.url, ...agent, ...config }, { ...dependencies, ...overrides });
}

async function collect(connectorToList: SourceConnector, since: SyncCursor | null, signal = new AbortController().signal) {
  const generator = connectorToList.list({ since, signal });
  const entries: SourceEntry[] = [];
  for (;;) {
    const next = await generator.next();
    if (next.done) return { entries, end: next.value as ListingEnd };
    entries.push(next.value);
  }
}

const documentsOf = (entries: SourceEntry[]): SourceDocument[] =>
  entries.flatMap((entry) => (entry.kind === 'document' ? [entry.document] : []));

const key = (locale: string, id: number) => `${fake.url}/hc/${locale}/articles/${id}`;
const text = (document: SourceDocument) => new TextDecoder().decode(document.bytes);
const count = (prefix: string) => fake.requests.filter((request) => request.startsWith(prefix)).length;

describe('Zendesk connector, full listing', () => {
  it('lists every published translation of every locale across pages, keyed by article id', async () => {
    const before = Math.floor(Date.now() / 1000);
    const { entries, end } = await collect(connector(), null);
    const after = Math.floor(Date.now() / 1000);

    expect(entries.every((entry) => entry.kind === 'document')).toBe(true);
    expect(documentsOf(entries).map((document) => document.source).sort()).toEqual(
      [key('de', 1001), key('de', 1002), key('de', 1003), key('en-us', 1001), key('en-us', 1002), key('en-us', 1003), key('en-us', 1004)].sort(),
    );
    // Pages of two: en-us articles (5 with the draft) take three requests, de two, en-us sections two.
    expect(count('GET /api/v2/help_center/en-us/articles')).toBe(3);
    expect(count('GET /api/v2/help_center/de/articles')).toBe(2);
    expect(count('GET /api/v2/help_center/en-us/sections')).toBe(2);
    expect(count('GET /api/v2/help_center/de/sections')).toBe(1);
    expect(count('GET /api/v2/help_center/locales')).toBe(1);
    expect(fake.requests.some((request) => /page(%5B|\[)after(%5D|\])=/.test(request))).toBe(true);

    expect(end.complete).toBe(true);
    const startTime = (end.cursor as { startTime: number }).startTime;
    expect(startTime).toBeGreaterThanOrEqual(before - 300);
    expect(startTime).toBeLessThanOrEqual(after);
  });

  it('sends the API token as Basic auth of "{email}/token:{token}" on every request', async () => {
    await collect(connector(), null);
    const expected = `Basic ${Buffer.from('agent@acme.test/token:zendesk-api-token').toString('base64')}`;
    expect(fake.authorizations.length).toBeGreaterThan(0);
    expect(new Set(fake.authorizations)).toEqual(new Set([expected]));
  });

  it('skips drafts, which the help center does show to an agent', async () => {
    const shown = await fetch(`${fake.url}/api/v2/help_center/en-us/articles?page[size]=2&page[after]=${Buffer.from('4').toString('base64url')}`, {
      headers: { authorization: `Basic ${Buffer.from(`${agent.email}/token:${agent.token}`).toString('base64')}` },
    });
    expect(((await shown.json()) as { articles: { id: number; draft: boolean }[] }).articles).toMatchObject([{ id: 1005, draft: true }]);

    const { entries } = await collect(connector(), null);
    expect(entries.map((entry) => (entry.kind === 'document' ? entry.document.source : entry.source))).not.toContain(key('en-us', 1005));
    expect(entries.filter((entry) => entry.kind !== 'document')).toEqual([]);
  });

  it('keeps articles restricted to a user segment out (internal notes an agent token can read), as the answers are public', async () => {
    const restricted = await startFakeZendesk({
      ...helpCenter,
      agent,
      articles: [
        ...helpCenter.articles,
        { id: 1099, sectionId: 100, userSegmentId: 360_000_000_777, translations: { 'en-us': { title: 'Escalation runbook', body: '<p>Internal.</p>' } } },
      ],
    });
    try {
      const { entries } = await collect(createZendeskConnector({ url: restricted.url, ...agent, locale: 'en-us' }, dependencies), null);
      expect(documentsOf(entries).map((document) => document.title)).not.toContain('Escalation runbook');
      expect(documentsOf(entries).map((document) => document.title)).toContain('Install Oriole');
      // The agent's token does read it: the connector is what keeps it out.
      expect(restricted.requests.some((request) => request.includes('/articles'))).toBe(true);
    } finally {
      await restricted.close();
    }
  });

  it('makes each article an HTML document titled, linked to its html_url and tagged with locale, section and labels', async () => {
    const documents = documentsOf((await collect(connector(), null)).entries);
    const install = documents.find((document) => document.source === key('en-us', 1001))!;
    expect(install).toMatchObject({
      title: 'Install Oriole',
      url: `${fake.url}/hc/en-us/articles/1001-Install-Oriole`,
      contentType: 'text/html',
      tags: { locale: 'en-us', section: 'Getting started', 'label:setup': 'true', 'label:beginner': 'true' },
      metadata: { zendeskId: 1001, labels: ['setup', 'beginner'], updatedAt: '2023-11-14T22:13:20Z', sectionId: 100 },
    });
    expect(text(install)).toBe('<h1>Install Oriole</h1><p>Run the installer.</p>');

    const german = documents.find((document) => document.source === key('de', 1001))!;
    expect(german.tags).toEqual({ locale: 'de', section: 'Erste Schritte', 'label:setup': 'true', 'label:beginner': 'true' });
    expect(german.url).toBe(`${fake.url}/hc/de/articles/1001-Oriole-installieren`);

    const tips = documents.find((document) => document.source === key('en-us', 1002))!;
    expect(text(tips)).toBe('<h1>Tips &amp; &lt;tricks&gt;</h1><p>Press the big button.</p>');
    expect(tips.tags).toEqual({ locale: 'en-us', section: 'Getting started' });
  });

  it('lists only the configured locale, without asking for the locales', async () => {
    const { entries, end } = await collect(connector({ locale: 'de' }), null);
    expect(documentsOf(entries).map((document) => document.source).sort()).toEqual([key('de', 1001), key('de', 1002), key('de', 1003)]);
    expect(end.complete).toBe(true);
    expect(count('GET /api/v2/help_center/locales')).toBe(0);
    expect(fake.requests.filter((request) => request.includes('/en-us/'))).toEqual([]);
  });

  it('no longer lists an article deleted since the last listing', async () => {
    const first = documentsOf((await collect(connector(), null)).entries).map((document) => document.source);
    expect(first).toContain(key('en-us', 1003));
    expect(first).toContain(key('de', 1003));

    fake.deleteArticle(1003);
    const second = await collect(connector(), null);
    const sources = documentsOf(second.entries).map((document) => document.source);
    expect(second.end.complete).toBe(true);
    expect(sources).not.toContain(key('en-us', 1003));
    expect(sources).not.toContain(key('de', 1003));
    expect(sources.sort()).toEqual(first.filter((source) => !source.endsWith('/1003')).sort());
  });

  it('reads public articles anonymously, without credentials or a cursor', async () => {
    const anonymous = createZendeskConnector({ url: fake.url }, dependencies);
    expect(anonymous.incremental).toBe(false);
    const { entries, end } = await collect(anonymous, null);
    expect(documentsOf(entries)).toHaveLength(7);
    expect(fake.authorizations.every((authorization) => authorization === null)).toBe(true);
    expect(end).toEqual({ complete: true, cursor: null });
  });

  it('yields an article without a body as failed and lists the others', async () => {
    fake.editArticle(1002, 'de', { body: null });
    const { entries, end } = await collect(connector({ locale: 'de' }), null);
    const failed = entries.filter((entry) => entry.kind === 'failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ kind: 'failed', source: key('de', 1002) });
    expect((failed[0] as { error: OrioleError }).error).toBeInstanceOf(OrioleError);
    expect(documentsOf(entries).map((document) => document.source).sort()).toEqual([key('de', 1001), key('de', 1003)]);
    expect(end.complete).toBe(true);
  });
});

describe('Zendesk connector, incremental listing', () => {
  it('yields only the articles changed since the cursor, a draft as gone, and advances the cursor', async () => {
    const full = await collect(connector(), null);
    const cursor = full.end.cursor as { startTime: number };

    fake.editArticle(1001, 'en-us', { body: '<p>Run the new installer.</p>' });
    fake.editArticle(1002, 'de', { title: 'Tipps und Tricks' });
    const lastChange = fake.makeDraft(1003, 'de');

    const { entries, end } = await collect(connector(), cursor);
    expect(entries.map((entry) => [entry.kind, entry.kind === 'document' ? entry.document.source : entry.source])).toEqual([
      ['document', key('en-us', 1001)],
      ['document', key('de', 1002)],
      ['gone', key('de', 1003)],
    ]);
    const [edited, retitled] = documentsOf(entries);
    expect(text(edited!)).toBe('<h1>Install Oriole</h1><p>Run the new installer.</p>');
    expect(retitled).toMatchObject({ title: 'Tipps und Tricks', tags: { locale: 'de', section: 'Erste Schritte' } });

    // Pages of two changes: the export was followed through its next_page links from the cursor.
    expect(fake.requests.filter((request) => request.includes('/incremental/articles'))[0]).toBe(
      `GET /api/v2/help_center/incremental/articles?start_time=${cursor.startTime}`,
    );
    expect(count('GET /api/v2/help_center/incremental/articles')).toBeGreaterThan(1);
    expect(end).toEqual({ complete: true, cursor: { startTime: lastChange } });
    expect(lastChange).toBeGreaterThan(cursor.startTime);
  });

  it('skips changes in other locales when a locale is configured', async () => {
    const cursor = (await collect(connector({ locale: 'en-us' }), null)).end.cursor;
    fake.editArticle(1003, 'de', { body: '<p>Neu.</p>' });
    fake.editArticle(1004, 'en-us', { body: '<p>Within 60 days.</p>' });

    const { entries, end } = await collect(connector({ locale: 'en-us' }), cursor);
    expect(entries.map((entry) => entry.kind === 'document' && entry.document.source)).toEqual([key('en-us', 1004)]);
    expect(end.complete).toBe(true);
  });

  it('ends incomplete, keeping the cursor, when an export page fails after its retries', async () => {
    const cursor = { startTime: 1_600_000_000 };
    fake.failNext({ status: 503, times: 2, when: (url) => url.pathname.includes('/incremental/') });
    const { entries, end } = await collect(connector({}, { maxRetries: 1 }), cursor);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({
      kind: 'failed',
      source: `${fake.url}/api/v2/help_center/incremental/articles?start_time=1600000000`,
      error: { code: 'upstream_unavailable' },
    });
    expect(end).toEqual({ complete: false, cursor });
  });
});

describe('Zendesk connector, errors and limits', () => {
  it('waits out a 429 for its Retry-After and retries', async () => {
    fake.rateLimitNext(2);
    const { entries, end } = await collect(connector(), null);
    expect(sleeps).toEqual([2000]);
    expect(fake.requests[0]).toBe(fake.requests[1]);
    expect(documentsOf(entries)).toHaveLength(7);
    expect(end.complete).toBe(true);
  });

  it('fails the listing with forbidden when the token is wrong', async () => {
    const listing = collect(connector({ token: 'not-the-token' }), null);
    await expect(listing).rejects.toBeInstanceOf(OrioleError);
    await expect(listing).rejects.toMatchObject({ code: 'forbidden', message: expect.stringContaining('check') });
    expect(fake.requests).toHaveLength(1);
  });

  it('ends a full listing incomplete after the documents it read when a later page fails', async () => {
    fake.failNext({ status: 500, times: 2, when: (url) => url.pathname.endsWith('/de/articles') && url.searchParams.has('page[after]') });
    const { entries, end } = await collect(connector({ locale: 'de' }, { maxRetries: 1 }), null);
    expect(entries.map((entry) => entry.kind)).toEqual(['document', 'document', 'failed']);
    expect(entries[2]).toMatchObject({ kind: 'failed', error: { code: 'upstream_unavailable' } });
    expect((entries[2] as { source: string }).source).toMatch(/\/api\/v2\/help_center\/de\/articles\?.*page(%5B|\[)after/);
    expect(end).toEqual({ complete: false, cursor: null });
  });

  it('stops without a request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(collect(connector(), null, controller.signal)).rejects.toBeInstanceOf(OrioleError);
    expect(fake.requests).toEqual([]);
  });
});

describe('zendeskConfigSchema', () => {
  it('accepts an origin with optional locale and credentials together', () => {
    expect(zendeskConfigSchema.safeParse({ url: 'https://acme.zendesk.com' }).success).toBe(true);
    expect(zendeskConfigSchema.safeParse({ url: 'http://127.0.0.1:8080/', locale: 'en-us', email: 'a@acme.test', token: 't' }).success).toBe(true);
    expect(zendeskCredentialFields).toEqual(['token']);
  });

  it.each([
    ['a bare host', { url: 'acme.zendesk.com' }, 'url'],
    ['a non-web URL', { url: 'ftp://acme.zendesk.com' }, 'url'],
    ['a URL with a path', { url: 'https://acme.zendesk.com/hc/en-us' }, 'url'],
    ['a malformed locale', { url: 'https://acme.zendesk.com', locale: '../admin' }, 'locale'],
    ['an email without a token', { url: 'https://acme.zendesk.com', email: 'a@acme.test' }, 'token'],
    ['a token without an email', { url: 'https://acme.zendesk.com', token: 't' }, 'email'],
  ])('refuses %s', (_name, config, field) => {
    const result = zendeskConfigSchema.safeParse(config);
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((issue) => issue.path.join('.'))).toContain(field);
  });

  it('refuses unknown fields', () => {
    expect(zendeskConfigSchema.safeParse({ url: 'https://acme.zendesk.com', password: 'x' }).success).toBe(false);
  });

  it('is checked again when a connector is made', () => {
    expect(() => createZendeskConnector({ url: 'not a url' }, dependencies)).toThrow(expect.objectContaining({ code: 'invalid_request' }));
  });
});
