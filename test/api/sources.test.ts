import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiKey, createKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { createPrometheusMetrics } from '../../src/entry/metrics.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { startFakeZendesk, type FakeZendesk, type FakeZendeskOptions } from '../helpers/fake-zendesk.ts';

/**
 * Sources over the HTTP API (docs/sources.md): a content team points a KB at a help center
 * once, and its articles are answered from, kept in step with edits and deletions, without
 * credentials ever coming back out, and without touching documents added by hand.
 */

const agent = { email: 'content@acme.example', token: 'zd-token-3f9a61c2d7e84b05' };
const secretKey = 'k'.repeat(12) + 'A-test-key-of-enough-length-0123';

const helpCenter: Omit<FakeZendeskOptions, 'agent'> = {
  locales: ['en-us'],
  pageSizeLimit: 2,
  incrementalPageSize: 2,
  sections: [
    { id: 10, names: { 'en-us': 'Billing' } },
    { id: 20, names: { 'en-us': 'Shipping' } },
  ],
  articles: [
    {
      id: 501,
      sectionId: 10,
      labels: ['refunds'],
      translations: { 'en-us': { title: 'Refund policy', body: '<p>Refunds are paid within 14 days of the return reaching our warehouse.</p>' } },
    },
    {
      id: 502,
      sectionId: 20,
      translations: { 'en-us': { title: 'Shipping times', body: '<p>Parcels to Norway take 6 business days with the standard courier.</p>' } },
    },
    {
      id: 503,
      sectionId: 20,
      translations: { 'en-us': { title: 'Gift wrapping', body: '<p>Gift wrapping costs 4 euros and is chosen at checkout.</p>' } },
    },
    {
      id: 504,
      sectionId: 10,
      translations: { 'en-us': { title: 'Price increase draft', body: '<p>Prices rise in March.</p>', draft: true } },
    },
  ],
};

interface SourceBody {
  id: string;
  kb: string;
  type: string;
  name: string;
  config: Record<string, unknown>;
  credentials: string[];
  schedule: string | null;
  status: string;
  lastRun: { status: string; mode: string; added: number; updated: number; unchanged: number; deleted: number; failed: number } | null;
  nextRunAt: string | null;
  lastError: string | null;
  jobId: string | null;
}

interface AnswerBody {
  abstained: boolean;
  answer: string;
  citations: { source: string; url: string | null; title: string }[];
}

describe.each(testBackends())('sources over the API on $name', { timeout: 120_000 }, (backend) => {
  let database: Database;
  let app: TestApp;
  let stop: () => Promise<void>;
  let fake: FakeZendesk;
  const metrics = createPrometheusMetrics();

  beforeAll(async () => {
    database = await openMigrated(backend);
    await createKnowledgeBase(database, { name: 'help', embedder: 'none' });
    await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
    ({ app, stop } = createTestApp(database, {
      allowPrivateNetwork: true,
      secretKeys: [secretKey],
      sources: { connector: { sleep: async () => {} } },
      metrics,
    }));
  }, 120_000);
  afterAll(async () => {
    await stop();
    await backend.cleanup();
  });
  beforeEach(async () => {
    fake = await startFakeZendesk({ ...helpCenter, agent });
  });
  afterEach(async () => {
    await fake.close();
    // Each test starts from a KB without sources (their documents go with them).
    const { sources } = (await (await app.request('/kbs/help/sources')).json()) as { sources: { id: string }[] };
    for (const source of sources) await app.request(`/sources/${source.id}`, { method: 'DELETE' });
  });

  const addZendesk = async (name: string, extra: Record<string, unknown> = {}) => {
    const response = await postJson(app, '/kbs/help/sources', {
      type: 'zendesk',
      name,
      config: { url: fake.url, locale: 'en-us', ...agent },
      ...extra,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as SourceBody & { jobId: string };
  };
  const getSource = async (id: string) => (await (await app.request(`/sources/${id}`)).json()) as SourceBody;
  const syncNow = async (id: string, body: unknown = {}) => {
    const response = await postJson(app, `/sources/${id}/sync`, body);
    expect(response.status, await response.clone().text()).toBe(202);
    return (await response.json()) as { jobId: string; queued: boolean };
  };
  const ask = async (question: string) => {
    const response = await postJson(app, '/answer', { kb: 'help', question });
    expect(response.status).toBe(200);
    return (await response.json()) as AnswerBody;
  };
  const remove = (id: string) => app.request(`/sources/${id}`, { method: 'DELETE' });
  const sourceDocuments = async (sourceId: string) =>
    (await database.query<{ source: string; title: string }>(`SELECT source, title FROM documents WHERE source_id = $1 ORDER BY source`, [sourceId]))
      .rows;

  it('syncs a help center added once: its published articles are answered from and cite the article page; no credential comes back', async () => {
    const created = await addZendesk('support', { schedule: '6h' });
    expect(created).toMatchObject({ kb: 'help', type: 'zendesk', name: 'support', schedule: '6h', credentials: ['token'] });
    expect(created.config).toEqual({ url: fake.url, locale: 'en-us', email: agent.email });
    expect(JSON.stringify(created)).not.toContain(agent.token);
    expect(Date.parse(created.nextRunAt!) - Date.now()).toBeGreaterThan(5 * 3_600_000);

    const job = await waitForJob(app, created.jobId);
    expect(job).toMatchObject({ kind: 'sync', status: 'succeeded', sync: { run: { status: 'succeeded', mode: 'full', added: 3, deleted: 0, failed: 0 } } });
    // Sent as Zendesk's API token authentication.
    expect(fake.authorizations).toContain(`Basic ${Buffer.from(`${agent.email}/token:${agent.token}`).toString('base64')}`);

    const source = await getSource(created.id);
    expect(source).toMatchObject({ status: 'succeeded', lastRun: { added: 3 }, lastError: null, jobId: null });
    expect((await sourceDocuments(created.id)).map((document) => document.title)).toEqual(['Refund policy', 'Shipping times', 'Gift wrapping']);

    const answer = await ask('How long do parcels to Norway take?');
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({
      source: `${fake.url}/hc/en-us/articles/502`,
      url: `${fake.url}/hc/en-us/articles/502-Shipping-times`,
    });

    // At rest the token is sealed: neither the row's config nor its credential bytes hold it.
    const stored = await database.query<{ config: Record<string, unknown>; credentials: string }>(
      `SELECT config, encode(credentials, 'escape') AS credentials FROM sources WHERE id = $1`,
      [created.id],
    );
    expect(JSON.stringify(stored.rows[0]!.config)).not.toContain(agent.token);
    expect(stored.rows[0]!.credentials).not.toContain(agent.token);
    expect(JSON.stringify(await (await app.request('/kbs/help/sources')).json())).not.toContain(agent.token);

    const rendered = (await metrics.render()).body;
    expect(rendered).toMatch(/oriole_source_syncs_total\{type="zendesk",status="succeeded"\} [1-9]/);
    expect(rendered).toMatch(/oriole_source_sync_items_total\{type="zendesk",outcome="added"\} [3-9]/);
  });

  it('brings an edit, an unpublished article and a deleted one into the KB within one sync, and never touches a document added by hand', async () => {
    const created = await addZendesk('edits');
    await waitForJob(app, created.jobId);
    const upload = await postJson(app, '/documents', {
      kb: 'help',
      source: 'manual/returns-desk.md',
      content: '# Returns desk\n\nThe returns desk is open on weekdays from 9 to 17.',
      contentType: 'text/markdown',
    });
    await waitForJob(app, ((await upload.json()) as { jobId: string }).jobId);

    fake.editArticle(502, 'en-us', { body: '<p>Parcels to Norway now take 4 business days with the express courier.</p>' });
    fake.makeDraft(503, 'en-us');
    fake.deleteArticle(501);
    // The last full listing is an hour old, as it is for a source synced every hour or less often.
    await database.query(`UPDATE sources SET last_full_sync_at = now() - interval '2 hours' WHERE id = $1`, [created.id]);

    const { jobId } = await syncNow(created.id);
    const job = await waitForJob(app, jobId);
    expect(job).toMatchObject({ status: 'succeeded', sync: { run: { mode: 'full', updated: 1, deleted: 2, added: 0 } } });
    expect((await sourceDocuments(created.id)).map((document) => document.title)).toEqual(['Shipping times']);

    const answer = await ask('How long do parcels to Norway take?');
    expect(answer.answer).toContain('4 business days');
    const refund = await ask('Within how many days are refunds paid after the return reaches the warehouse?');
    expect(refund.citations.map((citation) => citation.source)).not.toContain(`${fake.url}/hc/en-us/articles/501`);
    const manual = await database.query(`SELECT source_id FROM documents WHERE source = 'manual/returns-desk.md'`);
    expect(manual.rows).toEqual([{ source_id: null }]);
  });

  it('lists only what changed between full listings, and a full sync on request finds a deletion at once', async () => {
    const created = await addZendesk('incremental');
    await waitForJob(app, created.jobId);
    fake.editArticle(503, 'en-us', { body: '<p>Gift wrapping costs 5 euros and is chosen at checkout.</p>' });
    fake.deleteArticle(502);

    const incremental = await waitForJob(app, (await syncNow(created.id)).jobId);
    expect(incremental).toMatchObject({ status: 'succeeded', sync: { run: { mode: 'incremental', updated: 1, unchanged: 0, deleted: 0 } } });
    expect((await sourceDocuments(created.id)).map((document) => document.title)).toContain('Shipping times');

    const full = await waitForJob(app, (await syncNow(created.id, { full: true })).jobId);
    expect(full).toMatchObject({ status: 'succeeded', sync: { run: { mode: 'full', deleted: 1, unchanged: 2 } } });
    expect((await sourceDocuments(created.id)).map((document) => document.title)).toEqual(['Refund policy', 'Gift wrapping']);
  });

  it('deletes nothing when the listing fails part way, and says so in the source status', async () => {
    const created = await addZendesk('flaky');
    await waitForJob(app, created.jobId);
    fake.deleteArticle(503);
    // The second page of the article listing keeps failing past the retries.
    fake.failNext({ status: 503, times: 50, when: (url) => url.pathname.endsWith('/articles') && url.searchParams.has('page[after]') });

    const job = await waitForJob(app, (await syncNow(created.id, { full: true })).jobId);
    expect(job).toMatchObject({ status: 'failed', sync: { run: { status: 'partial', deleted: 0 } } });
    const source = await getSource(created.id);
    expect(source.status).toBe('partial');
    expect(source.lastError).toContain('did not complete');
    expect(await sourceDocuments(created.id)).toHaveLength(3);
  });

  it('refuses an article key that a document added by hand already holds, leaving that document as it was', async () => {
    const key = `${fake.url}/hc/en-us/articles/501`;
    const upload = await postJson(app, '/documents', { kb: 'help', source: key, content: 'Our own refund note.', contentType: 'text/plain' });
    await waitForJob(app, ((await upload.json()) as { jobId: string }).jobId);

    const created = await addZendesk('collision');
    const job = await waitForJob(app, created.jobId);
    expect(job).toMatchObject({ status: 'failed', sync: { run: { status: 'partial', added: 2, failed: 1 } } });
    const failure = (job.sync as { items: { source: string; outcome: string; error?: string }[] }).items.find((item) => item.source === key);
    expect(failure).toMatchObject({ outcome: 'failed' });
    expect(failure!.error).toContain('added by hand');
    const kept = await database.query<{ source_id: string | null; chunks: string }>(
      `SELECT d.source_id, (SELECT string_agg(text, ' ') FROM chunks WHERE document_id = d.id) AS chunks FROM documents d WHERE source = $1`,
      [key],
    );
    expect(kept.rows[0]).toMatchObject({ source_id: null });
    expect(kept.rows[0]!.chunks).toContain('Our own refund note');
    await remove(created.id);
    expect((await database.query(`SELECT 1 FROM documents WHERE source = $1`, [key])).rows).toHaveLength(1);
  });

  it('removes a source with exactly the documents it brought in', async () => {
    const created = await addZendesk('removable');
    await waitForJob(app, created.jobId);
    expect(await sourceDocuments(created.id)).toHaveLength(3);
    const response = await remove(created.id);
    expect(await response.json()).toEqual({ id: created.id, documentsRemoved: 3 });
    expect((await database.query(`SELECT 1 FROM documents WHERE source LIKE $1`, [`${fake.url}%`])).rows).toHaveLength(0);
    await expectError(await app.request(`/sources/${created.id}`), 404, 'not_found');
    const answer = await ask('How long do parcels to Norway take?');
    expect(answer.citations.map((citation) => citation.source)).not.toContain(`${fake.url}/hc/en-us/articles/502`);
  });

  it('changes a schedule and a token with PATCH: the token is replaced, never shown, and a bad schedule is refused', async () => {
    const created = await addZendesk('patched');
    await waitForJob(app, created.jobId);
    const patch = (body: unknown) =>
      app.request(`/sources/${created.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

    const scheduled = (await (await patch({ schedule: '0 3 * * *' })).json()) as SourceBody;
    expect(scheduled.schedule).toBe('0 3 * * *');
    expect(new Date(scheduled.nextRunAt!).getUTCHours()).toBe(3);
    await expectError(await patch({ schedule: '1m' }), 400, 'invalid_request');
    await expectError(await patch({ schedule: 'every tuesday' }), 400, 'invalid_request');

    const rotated = await patch({ config: { token: 'zd-token-rotated-77aa01' } });
    expect(rotated.status).toBe(200);
    expect(await rotated.text()).not.toContain('zd-token-rotated');
    // The fake accepts only the agent's token: a sync with the new one is refused, and the source says why.
    const job = await waitForJob(app, (await syncNow(created.id)).jobId);
    expect(job.status).toBe('failed');
    const source = await getSource(created.id);
    expect(source.status).toBe('failed');
    expect(source.lastError).toMatch(/^forbidden: /);
    expect(source.lastError).not.toContain('zd-token-rotated');
  });

  it('answers bad input with 4xx codes and stores nothing', async () => {
    const before = (await database.query(`SELECT count(*)::int AS n FROM sources`)).rows[0];
    const create = (body: unknown, kb = 'help') => postJson(app, `/kbs/${kb}/sources`, body);
    await expectError(await create({ type: 'zendesk', name: 'x', config: { url: 'not a url' } }), 400, 'invalid_request');
    await expectError(await create({ type: 'ftp', name: 'x', config: {} }), 400, 'invalid_request');
    await expectError(await create({ type: 'zendesk', name: 'x', config: { url: fake.url, email: agent.email } }), 400, 'invalid_request');
    await expectError(await create({ type: 'web', name: 'x', config: { url: 'https://docs.example.com', maxPages: 0 } }), 400, 'invalid_request');
    await expectError(await create({ type: 'web', name: 'x', config: { url: 'https://docs.example.com' }, schedule: 'often' }), 400, 'invalid_request');
    await expectError(await create({ type: 'web', name: 'x', config: { url: 'https://docs.example.com' } }, 'nope'), 404, 'not_found');
    await expectError(await app.request('/sources/not-a-uuid'), 404, 'not_found');
    await expectError(await postJson(app, '/sources/7d1e1c4a-3f51-4b7f-9a55-0f6f6b1c2d3e/sync', {}), 404, 'not_found');
    await addZendesk('twice');
    await expectError(await create({ type: 'zendesk', name: 'twice', config: { url: fake.url, ...agent } }), 409, 'conflict');
    const after = (await database.query(`SELECT count(*)::int AS n FROM sources`)).rows[0];
    expect(after).toEqual({ n: (before as { n: number }).n + 1 });
  });

  it('refuses to store credentials without ORIOLE_SECRET_KEY, and sources on private addresses unless they are allowed', async () => {
    const plain = createTestApp(database, { worker: false });
    try {
      const refused = await postJson(plain.app, '/kbs/help/sources', { type: 'zendesk', name: 'nokey', config: { url: 'https://acme.zendesk.com', ...agent } });
      const { message } = await expectError(refused, 400, 'invalid_request');
      expect(message).toContain('ORIOLE_SECRET_KEY');
      const privateSite = await postJson(plain.app, '/kbs/help/sources', { type: 'web', name: 'intranet', config: { url: 'http://10.1.2.3/wiki/' } });
      expect((await expectError(privateSite, 400, 'invalid_request')).message).toContain('ORIOLE_ALLOW_PRIVATE_NETWORK');
      // A public site needs no key.
      const site = await postJson(plain.app, '/kbs/help/sources', { type: 'web', name: 'public-site', config: { url: 'https://docs.example.com/' } });
      expect(site.status).toBe(201);
    } finally {
      await plain.stop();
    }
    expect((await database.query(`SELECT name FROM sources WHERE name IN ('nokey', 'intranet')`)).rows).toEqual([]);
  });
});

describe.each(testBackends())('sources and KB-bound keys on $name', { timeout: 60_000 }, (backend) => {
  it('keeps a key bound to one KB to that KB\'s sources', async () => {
    const database = await openMigrated(backend);
    try {
      const help = await createKnowledgeBase(database, { name: 'help', embedder: 'none' });
      const other = await createKnowledgeBase(database, { name: 'other', embedder: 'none' });
      const { app, stop } = createTestApp(database, { worker: false, adminKey: 'admin-key-for-the-bound-key-test' });
      try {
        const admin = { authorization: 'Bearer admin-key-for-the-bound-key-test', 'content-type': 'application/json' };
        const created = await app.request('/kbs/help/sources', {
          method: 'POST',
          headers: admin,
          body: JSON.stringify({ type: 'web', name: 'site', config: { url: 'https://docs.example.com/' } }),
        });
        expect(created.status).toBe(201);
        const { id } = (await created.json()) as { id: string };
        const { key } = await createApiKey(database, { scope: 'admin', kbId: other.id, name: 'other-admin' });
        const bound = { authorization: `Bearer ${key}` };
        await expectError(await app.request(`/sources/${id}`, { headers: bound }), 404, 'not_found');
        await expectError(await app.request(`/sources/${id}`, { method: 'DELETE', headers: bound }), 404, 'not_found');
        await expectError(await app.request('/kbs/help/sources', { headers: bound }), 403, 'forbidden');
        expect((await app.request('/kbs/other/sources', { headers: bound })).status).toBe(200);
        expect((await app.request(`/sources/${id}`, { headers: admin })).status).toBe(200);
        expect(help.id).not.toBe(other.id);
      } finally {
        await stop();
      }
    } finally {
      await backend.cleanup();
    }
  });
});
