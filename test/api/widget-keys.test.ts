import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpDependencies } from '../../src/api/index.ts';
import { createApiKey, getKnowledgeBase, parseKeyOrigin, type Database } from '../../src/db/index.ts';
import { runKeysCreate, runKeysList } from '../../src/entry/keys-command.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * Widget keys (docs/auth.md, "Widget keys"): a key put in a web page is accepted only
 * from its listed origins, only to ask and rate answers, with CORS answered per key and
 * its own rate limit; and the admin console manages keys over the API.
 */

const adminKey = 'widget-keys-admin-key-0123456789';
const site = 'https://help.example.com';
const otherSite = 'https://evil.example';

describe.each(testBackends())('widget keys and key management on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let widgetKey: string;

  const ask = (key: string, headers: Record<string, string> = {}, body: unknown = { question: 'How long do refunds take?' }) =>
    postJson(app, '/answer', body, { Authorization: `Bearer ${key}`, ...headers });

  beforeAll(async () => {
    database = await openMigrated(backend);
    app = createTestApp(database, { adminKey }).app;
    const admin = { Authorization: `Bearer ${adminKey}` };
    expect((await postJson(app, '/kbs', { name: 'support' }, admin)).status).toBe(201);
    expect((await postJson(app, '/kbs', { name: 'internal' }, admin)).status).toBe(201);
    const queued = await postJson(
      app,
      '/documents',
      { kb: 'support', source: 'refunds.md', content: '# Refunds\n\nRefunds take five days to reach your card.' },
      admin,
    );
    const { jobId } = (await queued.json()) as { jobId: string };
    const job = await fetchJob(jobId);
    expect(job.status).toBe('succeeded');
    const kb = await getKnowledgeBase(database, 'support');
    widgetKey = (await createApiKey(database, { scope: 'query', kbId: kb.id, name: 'widget', origins: [site] })).key;
  });

  afterAll(async () => {
    await database?.close();
    await backend.cleanup();
  });

  async function fetchJob(jobId: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      const job = (await (await app.request(`/jobs/${jobId}`, { headers: { Authorization: `Bearer ${adminKey}` } })).json()) as {
        status: string;
      };
      if (job.status === 'succeeded' || job.status === 'failed') return job;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`job ${jobId} did not finish`);
  }

  it('answers and takes feedback from a listed origin, sharing the response with that origin only', async () => {
    const answered = await ask(widgetKey, { Origin: site });
    expect(answered.status).toBe(200);
    expect(answered.headers.get('access-control-allow-origin')).toBe(site);
    expect(answered.headers.get('access-control-allow-credentials')).toBeNull();
    expect(answered.headers.get('vary')).toContain('Origin');
    const answer = (await answered.json()) as { answerId: string; citations: { source: string }[] };
    expect(answer.citations.map((citation) => citation.source)).toContain('refunds.md');

    const rated = await postJson(app, '/feedback', { answerId: answer.answerId, rating: 'up' }, { Authorization: `Bearer ${widgetKey}`, Origin: site });
    expect(rated.status).toBe(201);
    expect(rated.headers.get('access-control-allow-origin')).toBe(site);
  });

  it('streams an answer to a listed origin', async () => {
    const streamed = await ask(widgetKey, { Origin: site }, { question: 'How long do refunds take?', stream: true });
    expect(streamed.status).toBe(200);
    expect(streamed.headers.get('content-type')).toContain('text/event-stream');
    expect(streamed.headers.get('access-control-allow-origin')).toBe(site);
    expect(await streamed.text()).toContain('event: done');
  });

  it('refuses the key from another origin, or with no Origin at all, with 403 forbidden and no CORS permission', async () => {
    const fromElsewhere = await ask(widgetKey, { Origin: otherSite });
    expect(fromElsewhere.headers.get('access-control-allow-origin')).toBeNull();
    expect((await expectError(fromElsewhere, 403, 'forbidden')).message).toContain(otherSite);
    // Origin is compared exactly: another scheme or port is another origin.
    for (const near of ['http://help.example.com', 'https://help.example.com:8443', 'https://help.example.com.evil.example', 'null']) {
      await expectError(await ask(widgetKey, { Origin: near }), 403, 'forbidden');
    }
    // curl sends no Origin: a widget key is meant for browsers only.
    await expectError(await ask(widgetKey), 403, 'forbidden');
  });

  it('refuses every other route with 403 forbidden, even from a listed origin, and shares that refusal with it', async () => {
    const headers = { Authorization: `Bearer ${widgetKey}`, Origin: site };
    const search = await postJson(app, '/search', { query: 'refunds' }, headers);
    expect(search.headers.get('access-control-allow-origin')).toBe(site);
    expect((await expectError(search, 403, 'forbidden')).message).toContain('POST /answer');
    for (const path of ['/kbs', '/documents', '/v1/models', '/analytics/summary']) {
      await expectError(await app.request(path, { headers }), 403, 'forbidden');
    }
    await expectError(await postJson(app, '/v1/chat/completions', { model: 'support', messages: [{ role: 'user', content: 'refunds?' }] }, headers), 403, 'forbidden');
    // Bound to its KB like any query key.
    await expectError(await ask(widgetKey, { Origin: site }, { kb: 'internal', question: 'refunds?' }), 403, 'forbidden');
  });

  it("answers a widget route's preflight for any origin, without credentials; other routes' preflights are not granted", async () => {
    const preflight = await app.request('/answer', {
      method: 'OPTIONS',
      headers: { Origin: otherSite, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization, content-type' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(otherSite);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
    expect(preflight.headers.get('access-control-allow-credentials')).toBeNull();
    // The real request from that origin is still refused: the key decides.
    expect((await ask(widgetKey, { Origin: otherSite })).status).toBe(403);

    const searchPreflight = await app.request('/search', {
      method: 'OPTIONS',
      headers: { Origin: site, 'Access-Control-Request-Method': 'POST' },
    });
    expect(searchPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("holds a key to its own rate limit, even with the server's limit off", async () => {
    const kb = await getKnowledgeBase(database, 'support');
    const { key } = await createApiKey(database, { scope: 'query', kbId: kb.id, name: null, origins: [site], ratePerMinute: 6 });
    // 6 a minute: a burst of 1, then one every 10 s.
    const first = await ask(key, { Origin: site });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-limit')).toBe('1');
    const second = await ask(key, { Origin: site });
    expect(second.headers.get('retry-after')).not.toBeNull();
    expect(second.headers.get('access-control-allow-origin')).toBe(site);
    await expectError(second, 429, 'rate_limited');
    // Another key is not affected.
    expect((await ask(widgetKey, { Origin: site })).status).toBe(200);
  });

  it("counts a key's own rate apart from the server-wide limit", async () => {
    const http = createHttpDependencies(
      { corsOrigins: [], requestTimeoutMs: 60_000, trustedProxies: 0, rateLimit: { perMinute: 1, burst: 1 } },
      () => undefined,
    );
    const limited = createTestApp(database, { adminKey, worker: false, http }).app;
    const kb = await getKnowledgeBase(database, 'support');
    const { key } = await createApiKey(database, { scope: 'query', kbId: kb.id, name: null, origins: [site], ratePerMinute: 600 });
    const headers = { Authorization: `Bearer ${key}`, Origin: site };
    for (let index = 0; index < 3; index++) {
      const response = await postJson(limited, '/feedback', { answerId: '00000000-0000-4000-8000-000000000000', rating: 'up' }, headers);
      expect(response.status).toBe(404);
      expect(response.headers.get('ratelimit-limit')).toBe('100');
    }
  });

  it('makes only harmless widget keys: query scope, one KB, real origins', async () => {
    const kb = await getKnowledgeBase(database, 'support');
    const refused = [
      { scope: 'admin' as const, kbId: kb.id, origins: [site] },
      { scope: 'ingest' as const, kbId: kb.id, origins: [site] },
      { scope: 'query' as const, kbId: null, origins: [site] },
      { scope: 'query' as const, kbId: kb.id, origins: ['https://help.example.com/widget'] },
      { scope: 'query' as const, kbId: kb.id, origins: ['help.example.com'] },
      { scope: 'query' as const, kbId: kb.id, origins: ['ftp://help.example.com'] },
      { scope: 'query' as const, kbId: kb.id, origins: ['https://user:pw@help.example.com'] },
      { scope: 'query' as const, kbId: kb.id, origins: ['https://help.example.com?x'] },
    ];
    for (const input of refused) {
      await expect(createApiKey(database, { ...input, name: null }), JSON.stringify(input)).rejects.toMatchObject({ code: 'invalid_request' });
    }
    await expect(createApiKey(database, { scope: 'query', kbId: kb.id, name: null, ratePerMinute: 0 })).rejects.toMatchObject({
      code: 'invalid_request',
    });
    // Stored as browsers send it: lower-case host, default port dropped, trailing slash gone.
    expect(parseKeyOrigin('HTTPS://Help.Example.com:443/')).toBe(site);
    expect(parseKeyOrigin('http://localhost:5173')).toBe('http://localhost:5173');
  });

  it('oriole keys create --origin --rate-per-minute makes a widget key, and keys list shows both', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const output = { out: (text: string) => out.push(text), err: (text: string) => err.push(text) };
    const record = await runKeysCreate(
      database,
      { scope: 'query', kb: 'support', origin: [site, 'https://www.example.com'], ratePerMinute: 30 },
      output,
    );
    expect(record.origins).toEqual([site, 'https://www.example.com']);
    expect(record.ratePerMinute).toBe(30);
    expect(err.join('\n')).toContain(`accepted only from ${site}`);
    const key = out[0]!;
    expect((await ask(key, { Origin: 'https://www.example.com' })).status).toBe(200);
    await expect(runKeysCreate(database, { scope: 'admin', origin: [site] }, output)).rejects.toMatchObject({ code: 'invalid_request' });

    out.length = 0;
    await runKeysList(database, { json: true }, output);
    const listed = JSON.parse(out[0]!) as { id: string; origins: string[]; ratePerMinute: number | null }[];
    expect(listed.find((entry) => entry.id === record.id)).toMatchObject({ origins: [site, 'https://www.example.com'], ratePerMinute: 30 });
  });

  describe('the key management API', () => {
    const admin = { Authorization: `Bearer ${adminKey}` };

    it('creates a key shown once, lists keys without their secret, and revokes one at once', async () => {
      const created = await postJson(app, '/keys', { scope: 'query', kb: 'support', origins: [site], ratePerMinute: 120, name: 'help center' }, admin);
      expect(created.status).toBe(201);
      const key = (await created.json()) as { id: string; key: string; prefix: string; scope: string; kb: string; origins: string[]; ratePerMinute: number };
      expect(key).toMatchObject({ scope: 'query', kb: 'support', origins: [site], ratePerMinute: 120, name: 'help center', revokedAt: null });
      expect(key.key.startsWith(key.prefix)).toBe(true);
      expect((await ask(key.key, { Origin: site })).status).toBe(200);

      const listing = await app.request('/keys', { headers: admin });
      expect(listing.status).toBe(200);
      const text = await listing.text();
      expect(text).not.toContain(key.key);
      const { keys } = JSON.parse(text) as { keys: Record<string, unknown>[] };
      const listed = keys.find((entry) => entry.id === key.id)!;
      expect(listed).toMatchObject({ prefix: key.prefix, scope: 'query', kb: 'support', origins: [site], ratePerMinute: 120, revokedAt: null });
      expect(listed).not.toHaveProperty('key');
      expect(typeof listed.lastUsedAt).toBe('string');

      expect((await app.request(`/keys/${key.id}`, { method: 'DELETE', headers: admin })).status).toBe(204);
      await expectError(await ask(key.key, { Origin: site }), 401, 'unauthorized');
      const after = (await (await app.request('/keys', { headers: admin })).json()) as { keys: { id: string; revokedAt: string | null }[] };
      expect(after.keys.find((entry) => entry.id === key.id)?.revokedAt).not.toBeNull();
      // Revoked already, unknown, or not an id (the API takes no prefixes): 404.
      await expectError(await app.request(`/keys/${key.id}`, { method: 'DELETE', headers: admin }), 404, 'not_found');
      await expectError(await app.request(`/keys/${key.prefix}`, { method: 'DELETE', headers: admin }), 404, 'not_found');
    });

    it('refuses a widget key that is not harmless, an unknown KB, and unknown fields', async () => {
      await expectError(await postJson(app, '/keys', { scope: 'admin', origins: [site] }, admin), 400, 'invalid_request');
      await expectError(await postJson(app, '/keys', { scope: 'query', kb: 'support', origins: ['https://x.example/path'] }, admin), 400, 'invalid_request');
      await expectError(await postJson(app, '/keys', { scope: 'query', kb: 'no-such-kb' }, admin), 404, 'not_found');
      await expectError(await postJson(app, '/keys', { scope: 'query', secret: 'x' }, admin), 400, 'invalid_request');
      await expectError(await postJson(app, '/keys', { scope: 'query', ratePerMinute: 0 }, admin), 400, 'invalid_request');
    });

    it('is for admin keys only: a query or ingest key, even unbound, gets 403', async () => {
      for (const scope of ['query', 'ingest'] as const) {
        const { key } = await createApiKey(database, { scope, kbId: null, name: null });
        await expectError(await app.request('/keys', { headers: { Authorization: `Bearer ${key}` } }), 403, 'forbidden');
        await expectError(await postJson(app, '/keys', { scope: 'admin' }, { Authorization: `Bearer ${key}` }), 403, 'forbidden');
      }
    });
  });
});
