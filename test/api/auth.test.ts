import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authStateTtlMs, type Requirement } from '../../src/api/auth.ts';
import { apiKeyCacheTtlMs } from '../../src/api/key-cache.ts';
import { createApiKey, getKnowledgeBase, listDocuments, listEvalSets, revokeApiKey, type Database } from '../../src/db/index.ts';
import { createTestApp, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

/**
 * Auth (docs/auth.md) on every route of the OpenAPI document: a route added later is
 * checked as soon as it is documented, and fails here until it is classified below.
 */

/** The scope each route needs: independent of the table in src/api/auth.ts, on purpose. */
const expectedRequirements: Record<string, Requirement> = {
  'GET /health': 'open',
  'GET /ready': 'any',
  'GET /openapi.json': 'any',
  'GET /docs': 'any',
  'GET /kbs': 'any',
  'POST /kbs': 'admin',
  'DELETE /kbs/{name}': 'admin',
  'GET /kbs/{name}/settings': 'admin',
  'PATCH /kbs/{name}/settings': 'admin',
  'POST /documents': 'ingest',
  'GET /documents': 'ingest',
  'GET /documents/{id}': 'ingest',
  'GET /documents/{id}/chunks': 'ingest',
  'DELETE /documents/{id}': 'ingest',
  'GET /jobs/{id}': 'ingest',
  'POST /answer': 'query',
  'POST /search': 'query',
  'POST /feedback': 'query',
  'POST /v1/chat/completions': 'query',
  'POST /v1/responses': 'query',
  'GET /v1/models': 'query',
  'POST /evals': 'admin',
  'GET /evals': 'admin',
  'GET /evals/{id}': 'admin',
  'GET /evals/{id}/report.html': 'admin',
  'POST /eval-sets': 'admin',
  'GET /eval-sets': 'admin',
  'GET /eval-sets/{name}': 'admin',
  'DELETE /eval-sets/{name}': 'admin',
  'GET /analytics/summary': 'admin',
  // Everyone's conversations are the admin's; one conversation is its client's, who holds its id.
  'GET /conversations': 'admin',
  'GET /conversations/{id}': 'query',
  'POST /conversations/{id}/resolve': 'query',
  'POST /conversations/{id}/handoff': 'query',
  'GET /metrics': 'admin',
  'GET /keys': 'admin',
  'POST /keys': 'admin',
  'DELETE /keys/{id}': 'admin',
  'POST /kbs/{name}/curated-answers': 'ingest',
  'GET /kbs/{name}/curated-answers': 'ingest',
  'GET /kbs/{name}/curated-answers/{id}': 'ingest',
  'PATCH /kbs/{name}/curated-answers/{id}': 'ingest',
  'DELETE /kbs/{name}/curated-answers/{id}': 'ingest',
  // Sources hold platform credentials: admin only.
  'POST /kbs/{name}/sources': 'admin',
  'GET /kbs/{name}/sources': 'admin',
  'GET /sources/{id}': 'admin',
  'PATCH /sources/{id}': 'admin',
  'DELETE /sources/{id}': 'admin',
  'POST /sources/{id}/sync': 'admin',
  // The MCP tools search and answer like /search and /answer.
  'POST /mcp': 'query',
};

/** Served but not (necessarily) in the OpenAPI document. */
const undocumentedRoutes = ['GET /openapi.json', 'GET /docs', 'GET /metrics'];

/** Routes that name or load no KB, so there is nothing for a bound key to cross. */
const kbAgnosticRoutes = new Set(['GET /health', 'GET /ready', 'GET /openapi.json', 'GET /docs']);

const adminKey = 'test-admin-key-0123456789';
const unknownId = '00000000-0000-4000-8000-000000000000';

describe.each(testBackends())('API keys and scopes on $name', (backend) => {
  let database: Database;
  let openApp: TestApp;
  let app: TestApp;
  const keys: Record<'queryA' | 'ingestA' | 'adminA' | 'queryAll' | 'ingestAll' | 'adminAll' | 'revoked', string> = {} as never;
  const ids = { alphaDocument: '', alphaJob: '', betaDocument: '', betaJob: '', betaEval: '', betaAnswer: '', betaConversation: '', betaSource: '' };
  let routes: string[];

  const call = (method: string, path: string, key: string | null, body?: unknown) =>
    app.request(path, {
      method,
      headers: {
        ...(key ? { Authorization: `Bearer ${key}` } : {}),
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  const ingest = async (kb: string, source: string, content: string) => {
    const response = await call('POST', '/documents', adminKey, { kb, source, content });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string; documents: { id: string }[] };
    for (let attempt = 0; attempt < 400; attempt++) {
      const job = (await (await call('GET', `/jobs/${queued.jobId}`, adminKey)).json()) as { status: string };
      if (job.status === 'succeeded') return { jobId: queued.jobId, documentId: queued.documents[0]!.id };
      if (job.status === 'failed') throw new Error(`ingestion failed: ${JSON.stringify(job)}`);
      await delay(25);
    }
    throw new Error('ingestion did not finish');
  };

  beforeAll(async () => {
    database = await openMigrated(backend);
    // Built before any key exists: auth is off, and remembered as off for a moment.
    openApp = createTestApp(database, { worker: false }).app;
    expect((await openApp.request('/kbs')).status).toBe(200);
    app = createTestApp(database, { adminKey }).app;
    for (const name of ['alpha', 'beta']) expect((await call('POST', '/kbs', adminKey, { name })).status).toBe(201);
    const alpha = await ingest('alpha', 'alpha/refunds.md', '# Refunds\n\nAlpha refunds take five days to reach your card.');
    const beta = await ingest('beta', 'beta/refunds.md', '# Refunds\n\nBeta refunds take nine weeks to reach your card.');
    Object.assign(ids, { alphaDocument: alpha.documentId, alphaJob: alpha.jobId, betaDocument: beta.documentId, betaJob: beta.jobId });
    const evalSet = { kb: 'beta', name: 'golden', cases: [{ id: 'q1', question: 'How long do refunds take?' }] };
    expect((await call('POST', '/eval-sets', adminKey, evalSet)).status).toBe(201);
    const evalRun = await call('POST', '/evals', adminKey, { kb: 'beta', evalSet: 'golden' });
    ids.betaEval = ((await evalRun.json()) as { id: string }).id;
    const answered = await call('POST', '/answer', adminKey, { kb: 'beta', question: 'How long do refunds take?' });
    const betaAnswer = (await answered.json()) as { answerId: string; conversationId: string };
    ids.betaAnswer = betaAnswer.answerId;
    ids.betaConversation = betaAnswer.conversationId;
    const source = await call('POST', '/kbs/beta/sources', adminKey, { type: 'web', name: 'site', config: { url: 'https://docs.example.com/' } });
    ids.betaSource = ((await source.json()) as { id: string }).id;

    const alphaKb = await getKnowledgeBase(database, 'alpha');
    const create = async (scope: 'query' | 'ingest' | 'admin', kbId: string | null) =>
      (await createApiKey(database, { scope, kbId, name: null })).key;
    keys.queryA = await create('query', alphaKb.id);
    keys.ingestA = await create('ingest', alphaKb.id);
    keys.adminA = await create('admin', alphaKb.id);
    keys.queryAll = await create('query', null);
    keys.ingestAll = await create('ingest', null);
    keys.adminAll = await create('admin', null);
    keys.revoked = await create('admin', null);
    await revokeApiKey(database, keys.revoked);

    const document = (await (await call('GET', '/openapi.json', adminKey)).json()) as { paths: Record<string, Record<string, unknown>> };
    const documented = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((method) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
    routes = [...new Set([...documented, ...undocumentedRoutes])];
  });

  afterAll(async () => {
    await database?.close();
    await backend.cleanup();
  });

  /** A concrete request for a route pattern: unknown ids and names, so nothing real is changed. */
  const concrete = (route: string) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const path = pattern.replace('{id}', unknownId).replace('{name}', 'no-such-name');
    return { method, path, body: method === 'POST' ? {} : undefined };
  };

  it('classifies every route of the API', () => {
    expect(routes.length).toBeGreaterThan(15);
    const unclassified = routes.filter((route) => !(route in expectedRequirements));
    expect(unclassified, 'add these routes to expectedRequirements (and to src/api/auth.ts)').toEqual([]);
  });

  it('without a key: 401 unauthorized with WWW-Authenticate on every route but /health', async () => {
    for (const route of routes) {
      const { method, path, body } = concrete(route);
      const response = await call(method, path, null, body);
      if (expectedRequirements[route] === 'open') {
        expect(response.status, route).toBe(200);
        continue;
      }
      expect(response.status, route).toBe(401);
      expect(response.headers.get('www-authenticate'), route).toMatch(/^Bearer/);
      expect(((await response.json()) as { error: { code: string } }).error.code, route).toBe('unauthorized');
    }
  });

  it('with an unknown, malformed or revoked key: 401 on every route but /health', async () => {
    for (const key of ['oriole_notARealKeyAtAll00000000000000', 'garbage', keys.revoked, `${adminKey}x`]) {
      for (const route of routes.filter((entry) => expectedRequirements[entry] !== 'open')) {
        const { method, path, body } = concrete(route);
        expect((await call(method, path, key, body)).status, `${route} with ${key.slice(0, 10)}`).toBe(401);
      }
    }
  });

  it('a key of too small a scope gets 403 forbidden naming the scope; a sufficient one passes', async () => {
    const byScope = { query: keys.queryAll, ingest: keys.ingestAll, admin: keys.adminAll };
    for (const route of routes) {
      const requirement = expectedRequirements[route]!;
      const { method, path, body } = concrete(route);
      for (const [scope, key] of Object.entries(byScope)) {
        const response = await call(method, path, key, body);
        const allowed = requirement === 'open' || requirement === 'any' || scope === 'admin' || scope === requirement;
        if (allowed) {
          expect([401, 403], `${route} with a ${scope} key`).not.toContain(response.status);
        } else {
          expect(response.status, `${route} with a ${scope} key`).toBe(403);
          const error = ((await response.json()) as { error: { code: string; message: string } }).error;
          expect(error.code).toBe('forbidden');
          expect(error.message).toContain(`'${requirement}'`);
        }
      }
    }
  });

  it('ORIOLE_ADMIN_KEY passes every route, and sees every KB', async () => {
    for (const route of routes) {
      const { method, path, body } = concrete(route);
      expect([401, 403], route).not.toContain((await call(method, path, adminKey, body)).status);
    }
    const listed = (await (await call('GET', '/kbs', adminKey)).json()) as { kbs: { name: string }[] };
    expect(listed.kbs.map((kb) => kb.name)).toEqual(['alpha', 'beta']);
  });

  it('a key bound to KB alpha cannot read or change KB beta on any route, and beta is unchanged', async () => {
    const multipart = new FormData();
    multipart.append('kb', 'beta');
    multipart.append('file', new File(['# Injected\n\nNot yours.'], 'injected.md', { type: 'text/markdown' }));
    const evalCases = [{ id: 'q1', question: 'How long do refunds take?' }];
    const cases: { route: string; key: string; path: string; body?: unknown; form?: FormData; status: number }[] = [
      { route: 'POST /answer', key: keys.queryA, path: '/answer', body: { kb: 'beta', question: 'How long do refunds take?' }, status: 403 },
      { route: 'POST /search', key: keys.queryA, path: '/search', body: { kb: 'beta', query: 'refunds' }, status: 403 },
      { route: 'POST /feedback', key: keys.queryA, path: '/feedback', body: { answerId: ids.betaAnswer, rating: 'down' }, status: 404 },
      {
        route: 'POST /v1/chat/completions',
        key: keys.queryA,
        path: '/v1/chat/completions',
        body: { model: 'beta', messages: [{ role: 'user', content: 'How long do refunds take?' }] },
        status: 403,
      },
      { route: 'POST /v1/responses', key: keys.queryA, path: '/v1/responses', body: { model: 'beta', input: 'How long do refunds take?' }, status: 403 },
      {
        // Beta's answer is no earlier response in alpha: its id reveals nothing there.
        route: 'POST /v1/responses',
        key: keys.queryA,
        path: '/v1/responses',
        body: { model: 'alpha', input: 'And then?', previous_response_id: `resp_${ids.betaAnswer.replaceAll('-', '')}` },
        status: 404,
      },
      { route: 'POST /documents', key: keys.ingestA, path: '/documents', body: { kb: 'beta', source: 'x.md', content: '# X\n\nInjected.' }, status: 403 },
      { route: 'POST /documents', key: keys.ingestA, path: '/documents', form: multipart, status: 403 },
      { route: 'GET /documents', key: keys.ingestA, path: '/documents?kb=beta', status: 403 },
      { route: 'GET /documents/{id}', key: keys.ingestA, path: `/documents/${ids.betaDocument}`, status: 404 },
      { route: 'DELETE /documents/{id}', key: keys.ingestA, path: `/documents/${ids.betaDocument}`, status: 404 },
      { route: 'GET /jobs/{id}', key: keys.ingestA, path: `/jobs/${ids.betaJob}`, status: 404 },
      { route: 'POST /kbs', key: keys.adminA, path: '/kbs', body: { name: 'gamma' }, status: 403 },
      { route: 'DELETE /kbs/{name}', key: keys.adminA, path: '/kbs/beta', status: 403 },
      { route: 'GET /kbs/{name}/settings', key: keys.adminA, path: '/kbs/beta/settings', status: 403 },
      { route: 'PATCH /kbs/{name}/settings', key: keys.adminA, path: '/kbs/beta/settings', body: { topK: 1 }, status: 403 },
      { route: 'POST /evals', key: keys.adminA, path: '/evals', body: { kb: 'beta', cases: evalCases }, status: 403 },
      { route: 'GET /evals/{id}', key: keys.adminA, path: `/evals/${ids.betaEval}`, status: 404 },
      { route: 'GET /evals/{id}/report.html', key: keys.adminA, path: `/evals/${ids.betaEval}/report.html`, status: 404 },
      { route: 'POST /eval-sets', key: keys.adminA, path: '/eval-sets', body: { kb: 'beta', name: 'golden', cases: evalCases }, status: 403 },
      { route: 'GET /eval-sets', key: keys.adminA, path: '/eval-sets?kb=beta', status: 403 },
      { route: 'GET /eval-sets/{name}', key: keys.adminA, path: '/eval-sets/golden?kb=beta', status: 403 },
      { route: 'DELETE /eval-sets/{name}', key: keys.adminA, path: '/eval-sets/golden?kb=beta', status: 403 },
      { route: 'GET /analytics/summary', key: keys.adminA, path: '/analytics/summary?kb=beta', status: 403 },
      { route: 'GET /metrics', key: keys.adminA, path: '/metrics', status: 403 },
      { route: 'GET /conversations', key: keys.adminA, path: '/conversations?kb=beta', status: 403 },
      { route: 'GET /conversations/{id}', key: keys.queryA, path: `/conversations/${ids.betaConversation}`, status: 404 },
      { route: 'POST /conversations/{id}/resolve', key: keys.queryA, path: `/conversations/${ids.betaConversation}/resolve`, body: {}, status: 404 },
      { route: 'POST /conversations/{id}/handoff', key: keys.queryA, path: `/conversations/${ids.betaConversation}/handoff`, body: {}, status: 404 },
      {
        route: 'POST /answer',
        key: keys.queryA,
        path: '/answer',
        body: { question: 'And for annual plans?', conversationId: ids.betaConversation },
        status: 404,
      },
      { route: 'POST /documents', key: keys.ingestA, path: '/documents', body: { kb: 'beta', url: 'https://help.example.com/' }, status: 403 },
      { route: 'GET /documents/{id}/chunks', key: keys.ingestA, path: `/documents/${ids.betaDocument}/chunks`, status: 404 },
      { route: 'GET /evals', key: keys.adminA, path: '/evals?kb=beta', status: 403 },
      // A bound admin key must not mint a key for every KB, nor list or revoke other KBs' keys.
      { route: 'GET /keys', key: keys.adminA, path: '/keys', status: 403 },
      { route: 'POST /keys', key: keys.adminA, path: '/keys', body: { scope: 'admin' }, status: 403 },
      { route: 'DELETE /keys/{id}', key: keys.adminA, path: `/keys/${unknownId}`, status: 403 },
      { route: 'POST /kbs/{name}/curated-answers', key: keys.ingestA, path: '/kbs/beta/curated-answers', body: { questions: ['q'], answer: 'a' }, status: 403 },
      { route: 'GET /kbs/{name}/curated-answers', key: keys.ingestA, path: '/kbs/beta/curated-answers', status: 403 },
      { route: 'GET /kbs/{name}/curated-answers/{id}', key: keys.ingestA, path: `/kbs/beta/curated-answers/${unknownId}`, status: 403 },
      { route: 'PATCH /kbs/{name}/curated-answers/{id}', key: keys.ingestA, path: `/kbs/beta/curated-answers/${unknownId}`, body: { enabled: false }, status: 403 },
      { route: 'DELETE /kbs/{name}/curated-answers/{id}', key: keys.ingestA, path: `/kbs/beta/curated-answers/${unknownId}`, status: 403 },
      { route: 'POST /kbs/{name}/sources', key: keys.adminA, path: '/kbs/beta/sources', body: { type: 'web', name: 'x', config: { url: 'https://a.example/' } }, status: 403 },
      { route: 'GET /kbs/{name}/sources', key: keys.adminA, path: '/kbs/beta/sources', status: 403 },
      { route: 'GET /sources/{id}', key: keys.adminA, path: `/sources/${ids.betaSource}`, status: 404 },
      { route: 'PATCH /sources/{id}', key: keys.adminA, path: `/sources/${ids.betaSource}`, body: { schedule: '6h' }, status: 404 },
      { route: 'POST /sources/{id}/sync', key: keys.adminA, path: `/sources/${ids.betaSource}/sync`, body: {}, status: 404 },
      { route: 'DELETE /sources/{id}', key: keys.adminA, path: `/sources/${ids.betaSource}`, status: 404 },
    ];
    for (const entry of cases) {
      if (!routes.includes(entry.route)) continue; // built by another change; checked once it is served
      const method = entry.route.split(' ')[0]!;
      const response = entry.form
        ? await app.request(entry.path, { method, headers: { Authorization: `Bearer ${entry.key}` }, body: entry.form })
        : await call(method, entry.path, entry.key, entry.body);
      const label = `${method} ${entry.path}`;
      // 404 for ids of another KB: a bound key cannot tell them from ids that do not exist.
      const expected = entry.route === 'POST /feedback' ? [403, 404] : [entry.status];
      expect(expected, `${label}: got ${response.status}`).toContain(response.status);
      const code = ((await response.json().catch(() => ({}))) as { error?: { code: string } }).error?.code;
      expect(code, label).toBe(response.status === 404 ? 'not_found' : 'forbidden');
    }
    // Every route that touches a KB is in the list above.
    // POST /mcp answers a bound key's reach with MCP tool errors, not HTTP statuses: test/mcp/mcp-http.test.ts checks every tool and resource.
    const covered = new Set([...cases.map((entry) => entry.route), 'GET /kbs', 'GET /v1/models', 'POST /mcp']);
    const uncovered = routes.filter((route) => !kbAgnosticRoutes.has(route) && !covered.has(route));
    expect(uncovered, 'add a bound-key case for these routes').toEqual([]);

    // Listings show the bound KB only.
    const kbs = (await (await call('GET', '/kbs', keys.queryA)).json()) as { kbs: { name: string }[] };
    expect(kbs.kbs.map((kb) => kb.name)).toEqual(['alpha']);
    const models = (await (await call('GET', '/v1/models', keys.queryA)).json()) as { data: { id: string }[] };
    expect(models.data.map((model) => model.id)).toEqual(['alpha']);

    // Beta is exactly as it was.
    const beta = await getKnowledgeBase(database, 'beta');
    const documents = await listDocuments(database, { kbId: beta.id, limit: 10 });
    expect(documents.documents.map((document) => document.source)).toEqual(['beta/refunds.md']);
    expect((await listEvalSets(database, beta.id)).map((set) => set.name)).toEqual(['golden']);
    const kbNames = ((await (await call('GET', '/kbs', adminKey)).json()) as { kbs: { name: string }[] }).kbs.map((kb) => kb.name);
    expect(kbNames).toEqual(['alpha', 'beta']);
  });

  it("a bound key that names no KB uses its own, not the server's default", async () => {
    const search = (await (await call('POST', '/search', keys.queryA, { query: 'refunds card' })).json()) as {
      results: { source: string }[];
    };
    expect(search.results.map((result) => result.source)).toEqual(['alpha/refunds.md']);
    const answer = (await (await call('POST', '/answer', keys.queryA, { question: 'How long do refunds take?' })).json()) as {
      citations: { source: string }[];
    };
    expect(answer.citations.map((citation) => citation.source)).toContain('alpha/refunds.md');
    const listed = (await (await call('GET', '/documents', keys.ingestA)).json()) as { documents: { kb: string; source: string }[] };
    expect(listed.documents.map((document) => `${document.kb}:${document.source}`)).toEqual(['alpha:alpha/refunds.md']);
    // Its own KB by name, and its own resources by id, are open to it.
    expect((await call('POST', '/search', keys.queryA, { query: 'refunds', kb: 'alpha' })).status).toBe(200);
    expect((await call('GET', `/documents/${ids.alphaDocument}`, keys.ingestA)).status).toBe(200);
    expect((await call('GET', `/jobs/${ids.alphaJob}`, keys.ingestA)).status).toBe(200);
    // An unbound key without a KB gets the server's default, which does not exist here.
    expect((await call('POST', '/search', keys.queryAll, { query: 'refunds' })).status).toBe(404);
  });

  it('records when a key was last used', async () => {
    const { listApiKeys } = await import('../../src/db/index.ts');
    const used = (await listApiKeys(database)).filter((key) => key.lastUsedAt !== null);
    expect(used.length).toBeGreaterThan(0);
    expect(used.every((key) => key.revokedAt === null)).toBe(true);
  });

  it('a key revoked through DELETE /keys/:id is refused on the very next request, though it was just used', async () => {
    const { key, record } = await createApiKey(database, { scope: 'query', kbId: null, name: 'short-lived' });
    expect((await call('GET', '/kbs', key)).status).toBe(200);
    expect((await call('GET', '/kbs', key)).status).toBe(200);
    expect((await call('DELETE', `/keys/${record.id}`, adminKey)).status).toBe(204);
    expect((await call('GET', '/kbs', key)).status).toBe(401);
  });

  it('a key revoked by another process (the CLI, another replica) stops working within apiKeyCacheTtlMs', async () => {
    const { key, record } = await createApiKey(database, { scope: 'query', kbId: null, name: 'revoked-elsewhere' });
    expect((await call('GET', '/kbs', key)).status).toBe(200);
    await revokeApiKey(database, record.id);
    await delay(apiKeyCacheTtlMs + 100);
    expect((await call('GET', '/kbs', key)).status).toBe(401);
  });

  it('with no key at all auth is off; the first key turns it on within seconds', async () => {
    const fresh = await openMigrated(backend);
    try {
      const freshApp = createTestApp(fresh, { worker: false }).app;
      expect((await freshApp.request('/kbs')).status).toBe(200);
      // OpenAI clients always send a key: with auth off it is ignored.
      const withToken = await freshApp.request('/v1/models', { headers: { Authorization: 'Bearer sk-anything' } });
      expect(withToken.status).toBe(200);
      await createApiKey(fresh, { scope: 'admin', kbId: null, name: null });
      await delay(authStateTtlMs + 100);
      expect((await freshApp.request('/kbs')).status).toBe(401);
      expect((await freshApp.request('/health')).status).toBe(200);
    } finally {
      await fresh.close();
    }
    // The app built before this file's keys existed has noticed them too.
    expect((await openApp.request('/kbs')).status).toBe(401);
  });
});
