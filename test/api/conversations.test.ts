import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import {
  deleteExpiredConversations,
  handoffDeliveryHeader,
  handoffSignatureHeader,
  handoffTimestampHeader,
  retentionCutoff,
  startConversationRetention,
  verifyHandoffSignature,
} from '../../src/conversations/index.ts';
import { createApiKey, getKnowledgeBase, type Database } from '../../src/db/index.ts';
import type { AnalyticsSummary } from '../../src/analytics/index.ts';
import { createPrometheusMetrics } from '../../src/entry/metrics.ts';
import { formatReport } from '../../src/entry/report-command.ts';
import { createTestApp, expectError, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

interface AnswerBody {
  answerId: string;
  conversationId: string;
  answer: string;
  abstained: boolean;
  citations: Array<{ source: string }>;
  retrieval: { query: string };
}

interface ConversationBody {
  id: string;
  kb: string;
  outcome: string;
  handedOffAt: string | null;
  turns: Array<{
    answerId: string;
    question: string;
    answer: string;
    citations: Array<{ source: string }>;
    abstained: boolean;
    feedback: { rating: string } | null;
    createdAt: string;
  }>;
}

const adminKey = 'conversations-test-admin-key-0123456789';
const secret = 'handoff-secret-for-the-test-0123456789';

/** A real HTTP receiver: answers each request with the next status of `statuses` (then 200), and keeps what it got. */
async function startReceiver(statuses: number[]): Promise<{
  url: string;
  received: Array<{ headers: IncomingHttpHeaders; raw: string; status: number }>;
  waitFor(count: number, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}> {
  const received: Array<{ headers: IncomingHttpHeaders; raw: string; status: number }> = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const status = statuses.shift() ?? 200;
      received.push({ headers: request.headers, raw: Buffer.concat(chunks).toString('utf8'), status });
      response.writeHead(status, { 'Content-Type': 'text/plain' }).end(status === 200 ? 'ok' : 'down');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/oriole`,
    received,
    async waitFor(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < count) {
        if (Date.now() > deadline) throw new Error(`the receiver got ${received.length} requests, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe.each(testBackends())('conversations on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const metrics = createPrometheusMetrics();
  const admin = { Authorization: `Bearer ${adminKey}` };

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, 'examples/help-center/account');
    await ingestFolder(database, 'examples/help-center/billing', 'billing');
    // The first attempt fails (503): the delivery must be retried.
    receiver = await startReceiver([503]);
    app = createTestApp(database, {
      context,
      worker: false,
      adminKey,
      metrics,
      handoffWebhook: { url: receiver.url, secret, retryDelaysMs: [100, 100, 100] },
    }).app;
  }, 600_000);
  afterAll(async () => {
    await receiver?.close();
    await backend.cleanup();
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = admin) =>
    app.request(path, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const get = (path: string, headers: Record<string, string> = admin) => app.request(path, { headers });
  const ask = async (body: Record<string, unknown>, headers?: Record<string, string>): Promise<AnswerBody> => {
    const response = await post('/answer', body, headers);
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as AnswerBody;
  };
  const conversation = async (id: string): Promise<ConversationBody> => {
    const response = await get(`/conversations/${id}`);
    expect(response.status).toBe(200);
    return (await response.json()) as ConversationBody;
  };

  it('continues a conversation from its id alone: the stored turns rewrite the follow-up', async () => {
    const first = await ask({ question: 'How do I reset my password?' });
    expect(first.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.citations.map((citation) => citation.source).join(' ')).toMatch(/reset-password/);

    const followUp = await ask({ question: 'and on the mobile app?', conversationId: first.conversationId });
    expect(followUp.conversationId).toBe(first.conversationId);
    // Retrieval searched the follow-up made standalone from the stored first turn.
    expect(followUp.retrieval.query.toLowerCase()).toMatch(/password/);
    expect(followUp.citations.map((citation) => citation.source).join(' ')).toMatch(/reset-password/);

    // The same words without the conversation have nothing to lean on, and start a new one.
    const alone = await ask({ question: 'and on the mobile app?' });
    expect(alone.retrieval.query.toLowerCase()).not.toMatch(/password/);
    expect(alone.conversationId).not.toBe(first.conversationId);

    const stored = await conversation(first.conversationId);
    expect(stored).toMatchObject({ id: first.conversationId, kb: 'default', outcome: 'answered' });
    expect(stored.turns.map((turn) => [turn.question, turn.answerId, turn.feedback])).toEqual([
      ['How do I reset my password?', first.answerId, null],
      ['and on the mobile app?', followUp.answerId, null],
    ]);
    expect(stored.turns[0]!.answer).toBe(first.answer);
    expect(stored.turns[0]!.citations).toEqual(first.citations);
    expect(stored.turns[0]!.abstained).toBe(false);
  }, 120_000);

  it('continues over SSE and /v1/chat/completions too', async () => {
    const first = await ask({ question: 'How do I reset my password?' });
    const streamed = await post('/answer', { question: 'and on the mobile app?', conversationId: first.conversationId, stream: true });
    const events = await readEvents(streamed);
    const done = events.find((event) => event.event === 'done')!.data as AnswerBody;
    expect(done.conversationId).toBe(first.conversationId);
    expect(done.retrieval.query.toLowerCase()).toMatch(/password/);

    const chat = await post('/v1/chat/completions', { model: 'default', messages: [{ role: 'user', content: 'How do I reset my password?' }] });
    const opened = (await chat.json()) as { conversationId: string };
    expect(opened.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const next = await post('/v1/chat/completions', {
      model: 'default',
      conversationId: opened.conversationId,
      stream: true,
      messages: [{ role: 'user', content: 'and on the mobile app?' }],
    });
    const chunks = (await readEvents(next)).map((event) => event.data).filter((data) => data !== '[DONE]') as Array<Record<string, unknown>>;
    expect(chunks.at(-1)!.conversationId).toBe(opened.conversationId);
    const stored = await conversation(opened.conversationId);
    expect(stored.turns.map((turn) => turn.question)).toEqual(['How do I reset my password?', 'and on the mobile app?']);
    expect((await conversation(first.conversationId)).turns).toHaveLength(2);

    // /v1/responses: previous_response_id continues the conversation of the response it names.
    const opening = (await (await post('/v1/responses', { model: 'default', input: 'How do I reset my password?' })).json()) as {
      id: string;
      conversationId: string;
    };
    expect(opening.conversationId).toMatch(/^[0-9a-f-]{36}$/);
    const continued = (await (
      await post('/v1/responses', { model: 'default', input: 'and on the mobile app?', previous_response_id: opening.id })
    ).json()) as { conversationId: string };
    expect(continued.conversationId).toBe(opening.conversationId);
    expect((await conversation(opening.conversationId)).turns.map((turn) => turn.question)).toEqual([
      'How do I reset my password?',
      'and on the mobile app?',
    ]);
  }, 120_000);

  it('keys the answer cache on the stored turns as on sent history, and appends a cached replay to its conversation', async () => {
    const cached = createTestApp(database, { worker: false, adminKey, answerSettings: { answerCacheEntries: 100 } }).app;
    const askCached = async (body: Record<string, unknown>): Promise<AnswerBody & { cached: boolean }> => {
      const response = await cached.request('/answer', { method: 'POST', headers: { ...admin, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      expect(response.status).toBe(200);
      return (await response.json()) as AnswerBody & { cached: boolean };
    };
    const a1 = await askCached({ question: 'How do I reset my password?' });
    const a2 = await askCached({ question: 'and on the mobile app?', conversationId: a1.conversationId });
    expect(a2.cached).toBe(false);
    // Another conversation with the same turns so far gets the same answers, from the cache, each stored as its turn.
    const b1 = await askCached({ question: 'How do I reset my password?' });
    const b2 = await askCached({ question: 'and on the mobile app?', conversationId: b1.conversationId });
    expect([b1.cached, b2.cached]).toEqual([true, true]);
    expect(b2.answer).toBe(a2.answer);
    expect(b2.conversationId).toBe(b1.conversationId);
    expect(b2.conversationId).not.toBe(a2.conversationId);
    expect((await conversation(b1.conversationId)).turns.map((turn) => turn.answerId)).toEqual([b1.answerId, b2.answerId]);
    // Other stored turns: another key, answered afresh from them.
    const c1 = await askCached({ question: 'How do I change my email address?' });
    const c2 = await askCached({ question: 'and on the mobile app?', conversationId: c1.conversationId });
    expect(c2.cached).toBe(false);
    expect(c2.retrieval.query.toLowerCase()).toMatch(/email/);
  }, 120_000);

  it('uses history sent with the request over the stored turns', async () => {
    const first = await ask({ question: 'How do I reset my password?' });
    const sent = await ask({
      question: 'and on the mobile app?',
      conversationId: first.conversationId,
      history: [
        { role: 'user', content: 'How do I delete my account?' },
        { role: 'assistant', content: 'Open Settings and choose Delete account.' },
      ],
    });
    expect(sent.retrieval.query.toLowerCase()).toMatch(/delete/);
    expect(sent.retrieval.query.toLowerCase()).not.toMatch(/password/);
    expect((await conversation(first.conversationId)).turns).toHaveLength(2);
  }, 120_000);

  it('answers an unknown conversation, or one of another KB, with 404 not_found', async () => {
    await expectError(await post('/answer', { question: 'and on the mobile app?', conversationId: randomUUID() }), 404, 'not_found');
    await expectError(await post('/answer', { question: 'and on the mobile app?', conversationId: 'not-an-id' }), 404, 'not_found');
    await expectError(await get(`/conversations/${randomUUID()}`), 404, 'not_found');
    await expectError(await post(`/conversations/${randomUUID()}/resolve`, {}), 404, 'not_found');
    await expectError(await post(`/conversations/${randomUUID()}/handoff`, {}), 404, 'not_found');
    await expectError(
      await post('/v1/chat/completions', { model: 'default', conversationId: randomUUID(), messages: [{ role: 'user', content: 'hi' }] }),
      404,
      'not_found',
    );

    const billing = await ask({ question: 'How do I get a refund?', kb: 'billing' });
    // Named without its KB, it answers from its own KB; named with another KB, it does not exist there.
    const continued = await ask({ question: 'and for annual plans?', conversationId: billing.conversationId });
    expect(continued.conversationId).toBe(billing.conversationId);
    expect((await conversation(billing.conversationId)).kb).toBe('billing');
    await expectError(await post('/answer', { question: 'hi', kb: 'default', conversationId: billing.conversationId }), 404, 'not_found');
    await expectError(
      await post('/v1/chat/completions', { model: 'default', conversationId: billing.conversationId, messages: [{ role: 'user', content: 'hi' }] }),
      404,
      'not_found',
    );

    // A key bound to the default KB never reads, continues or marks a billing conversation.
    const defaultKb = await getKnowledgeBase(database, 'default');
    const bound = { Authorization: `Bearer ${(await createApiKey(database, { scope: 'query', kbId: defaultKb.id, name: null })).key}` };
    await expectError(await get(`/conversations/${billing.conversationId}`, bound), 404, 'not_found');
    await expectError(await post('/answer', { question: 'hi', conversationId: billing.conversationId }, bound), 404, 'not_found');
    await expectError(await post(`/conversations/${billing.conversationId}/resolve`, {}, bound), 404, 'not_found');
    await expectError(await post(`/conversations/${billing.conversationId}/handoff`, {}, bound), 404, 'not_found');
    // …but reads its own KB's, by id; it may not list anyone's (query scope).
    const own = await ask({ question: 'How do I reset my password?' }, bound);
    expect((await get(`/conversations/${own.conversationId}`, bound)).status).toBe(200);
    await expectError(await get('/conversations', bound), 403, 'forbidden');

    // A bound admin key lists its own KB's conversations only, and may not name another.
    const boundAdmin = { Authorization: `Bearer ${(await createApiKey(database, { scope: 'admin', kbId: defaultKb.id, name: null })).key}` };
    const listed = (await (await get('/conversations?limit=200', boundAdmin)).json()) as { conversations: Array<{ kb: string }> };
    expect(listed.conversations.length).toBeGreaterThan(0);
    expect(new Set(listed.conversations.map((entry) => entry.kb))).toEqual(new Set(['default']));
    await expectError(await get('/conversations?kb=billing', boundAdmin), 403, 'forbidden');
  }, 120_000);

  it('lists conversations newest first, filtered by KB, period and outcome, page by page', async () => {
    const everything = (await (await get('/conversations?limit=200')).json()) as { conversations: Array<{ id: string; kb: string; createdAt: string; turnCount: number; firstQuestion: string }> };
    expect(everything.conversations.length).toBeGreaterThan(3);
    const times = everything.conversations.map((entry) => entry.createdAt);
    expect([...times].sort().reverse()).toEqual(times);
    expect(new Set(everything.conversations.map((entry) => entry.kb))).toEqual(new Set(['default', 'billing']));
    expect(everything.conversations.every((entry) => entry.turnCount >= 1 && entry.firstQuestion.length > 0)).toBe(true);

    const billing = (await (await get('/conversations?kb=billing')).json()) as { conversations: Array<{ kb: string }> };
    expect(billing.conversations).toHaveLength(1);

    // Paging visits each conversation once.
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = (await (await get(`/conversations?limit=2${cursor ? `&cursor=${cursor}` : ''}`)).json()) as {
        conversations: Array<{ id: string }>;
        nextCursor: string | null;
      };
      seen.push(...page.conversations.map((entry) => entry.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(everything.conversations.map((entry) => entry.id));

    const future = (await (await get('/conversations?from=2999-01-01')).json()) as { conversations: unknown[] };
    expect(future.conversations).toEqual([]);
    const past = (await (await get('/conversations?to=2000-01-01')).json()) as { conversations: unknown[] };
    expect(past.conversations).toEqual([]);
    const today = new Date().toISOString().slice(0, 10);
    const current = (await (await get(`/conversations?from=${today}&to=${today}&limit=200`)).json()) as { conversations: unknown[] };
    expect(current.conversations.length).toBe(everything.conversations.length);

    await expectError(await get('/conversations?outcome=lost'), 400, 'invalid_request');
    await expectError(await get('/conversations?from=yesterday'), 400, 'invalid_request');
    await expectError(await get('/conversations?cursor=garbage'), 400, 'invalid_request');
    await expectError(await get('/conversations?kb=nope'), 404, 'not_found');
  }, 120_000);

  it('follows the last turn until resolved (by the user or a thumbs-up on the last answer) or handed off', async () => {
    const answered = await ask({ question: 'How do I reset my password?' });
    const id = answered.conversationId;
    expect((await conversation(id)).outcome).toBe('answered');
    const unanswerable = await ask({ question: 'What is the melting point of tungsten in kelvin?', conversationId: id });
    expect(unanswerable.abstained).toBe(true);
    expect((await conversation(id)).outcome).toBe('abstained');

    const resolved = await post(`/conversations/${id}/resolve`, {});
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as ConversationBody).outcome).toBe('resolved');
    // Asking again reopens it.
    const more = await ask({ question: 'How do I change my email address?', conversationId: id });
    expect((await conversation(id)).outcome).toBe('answered');

    // A thumbs-up on an earlier answer does not resolve it; on the last one it does.
    expect((await post('/feedback', { answerId: answered.answerId, rating: 'up' })).status).toBe(201);
    expect((await conversation(id)).outcome).toBe('answered');
    expect((await post('/feedback', { answerId: more.answerId, rating: 'up' })).status).toBe(201);
    const rated = await conversation(id);
    expect(rated.outcome).toBe('resolved');
    expect(rated.turns.map((turn) => turn.feedback?.rating ?? null)).toEqual(['up', null, 'up']);

    const outcomes = async (outcome: string) =>
      ((await (await get(`/conversations?outcome=${outcome}&limit=200`)).json()) as { conversations: Array<{ id: string }> }).conversations.map(
        (entry) => entry.id,
      );
    expect(await outcomes('resolved')).toContain(id);
    expect(await outcomes('answered')).not.toContain(id);
  }, 120_000);

  it('hands off once: signed webhook, retried after the receiver failed, not fired again; the outcome stays handed off', async () => {
    const first = await ask({ question: 'How do I reset my password?' });
    const id = first.conversationId;
    const handedOff = await post(`/conversations/${id}/handoff`, { reason: 'user asked for a person' });
    expect(handedOff.status).toBe(200);
    const body = (await handedOff.json()) as ConversationBody & { webhook: string };
    expect(body).toMatchObject({ id, outcome: 'handed_off', webhook: 'queued', handoffReason: 'user asked for a person' });
    expect(body.handedOffAt).not.toBeNull();

    // The first attempt got 503; the second was delivered.
    await receiver.waitFor(2);
    expect(receiver.received.map((request) => request.status)).toEqual([503, 200]);
    for (const request of receiver.received) {
      expect(request.headers['content-type']).toBe('application/json');
      const timestamp = request.headers[handoffTimestampHeader.toLowerCase()] as string;
      const signature = request.headers[handoffSignatureHeader.toLowerCase()] as string;
      // The HMAC, computed here by hand as a receiver would.
      const expected = `v1=${createHmac('sha256', secret).update(`${timestamp}.${request.raw}`).digest('hex')}`;
      expect(signature).toBe(expected);
      expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(120);
      expect(verifyHandoffSignature({ secret, raw: request.raw, timestamp, signature })).toBe(true);
      expect(verifyHandoffSignature({ secret: 'another-secret-0123456789', raw: request.raw, timestamp, signature })).toBe(false);
      expect(verifyHandoffSignature({ secret, raw: `${request.raw} `, timestamp, signature })).toBe(false);
      // An old timestamp (a replay) is refused even with its valid signature.
      expect(verifyHandoffSignature({ secret, raw: request.raw, timestamp, signature, now: new Date(Date.now() + 3_600_000) })).toBe(false);
    }
    const deliveries = receiver.received.map((request) => request.headers[handoffDeliveryHeader.toLowerCase()]);
    expect(deliveries[0]).toBe(deliveries[1]);
    const payload = JSON.parse(receiver.received[1]!.raw) as { type: string; conversation: ConversationBody };
    expect(payload.type).toBe('conversation.handed_off');
    expect(payload.conversation).toMatchObject({ id, kb: 'default', outcome: 'handed_off' });
    expect(payload.conversation.turns.map((turn) => [turn.question, turn.answer])).toEqual([['How do I reset my password?', first.answer]]);

    // Again: nothing new is sent.
    const again = await post(`/conversations/${id}/handoff`, {});
    expect(((await again.json()) as { webhook: string }).webhook).toBe('already_handed_off');
    // A hand-off without a body works too (and, being a repeat, sends nothing either).
    expect((await app.request(`/conversations/${id}/handoff`, { method: 'POST', headers: admin })).status).toBe(200);
    // A later question, and a thumbs-up, leave it with the human.
    const later = await ask({ question: 'How do I change my email address?', conversationId: id });
    await post('/feedback', { answerId: later.answerId, rating: 'up' });
    expect((await conversation(id)).outcome).toBe('handed_off');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.received).toHaveLength(2);

    const rendered = (await metrics.render()).body;
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="retry"\} 1\b/);
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="delivered"\} 1\b/);
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="failed"\} 0\b/);
  }, 120_000);

  it('never fails the hand-off when the receiver is unreachable: the attempts are logged and counted', async () => {
    const closed = await startReceiver([]);
    await closed.close();
    const failingMetrics = createPrometheusMetrics();
    const unreachable = createTestApp(database, {
      worker: false,
      adminKey,
      metrics: failingMetrics,
      handoffWebhook: { url: closed.url, secret, retryDelaysMs: [50, 50] },
    }).app;
    const response = await unreachable.request('/answer', {
      method: 'POST',
      headers: { ...admin, 'Content-Type': 'application/json' },
      body: JSON.stringify({ question: 'How do I reset my password?' }),
    });
    const { conversationId } = (await response.json()) as AnswerBody;
    const handedOff = await unreachable.request(`/conversations/${conversationId}/handoff`, { method: 'POST', headers: admin });
    expect(handedOff.status).toBe(200);
    const deadline = Date.now() + 20_000;
    let rendered = '';
    while (Date.now() < deadline) {
      rendered = (await failingMetrics.render()).body;
      if (/result="failed"\} 1\b/.test(rendered)) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="retry"\} 2\b/);
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="failed"\} 1\b/);
    expect(rendered).toMatch(/oriole_handoff_webhook_attempts_total\{result="delivered"\} 0\b/);
  }, 120_000);

  it('retention deletes the conversations inactive for longer than it, and nothing else', async () => {
    const old = await ask({ question: 'How do I reset my password?' });
    const oldFollowUp = await ask({ question: 'and on the mobile app?', conversationId: old.conversationId });
    await post('/feedback', { answerId: old.answerId, rating: 'down', comment: 'kept for analytics' });
    const recent = await ask({ question: 'How do I change my email address?' });
    await database.query(`UPDATE conversations SET updated_at = now() - interval '91 days' WHERE id = $1`, [old.conversationId]);
    // Started long ago but active yesterday: kept.
    const active = await ask({ question: 'How do I delete my account?' });
    await database.query(`UPDATE conversations SET created_at = now() - interval '200 days', updated_at = now() - interval '1 day' WHERE id = $1`, [
      active.conversationId,
    ]);
    const countOf = async (sql: string, values: unknown[] = []) => Number((await database.query<{ count: string }>(sql, values)).rows[0]!.count);
    const answersBefore = await countOf('SELECT count(*) FROM answers');
    const feedbackBefore = await countOf('SELECT count(*) FROM feedback');
    const conversationsBefore = await countOf('SELECT count(*) FROM conversations');
    const turnsBefore = await countOf('SELECT count(*) FROM conversation_turns');

    expect(await deleteExpiredConversations(database, 0)).toBe(0);
    expect(await deleteExpiredConversations(database, 92)).toBe(0);
    expect(await deleteExpiredConversations(database, 90)).toBe(1);

    await expectError(await get(`/conversations/${old.conversationId}`), 404, 'not_found');
    expect((await conversation(recent.conversationId)).turns).toHaveLength(1);
    expect((await conversation(active.conversationId)).turns).toHaveLength(1);
    expect(await countOf('SELECT count(*) FROM conversations')).toBe(conversationsBefore - 1);
    expect(await countOf('SELECT count(*) FROM conversation_turns')).toBe(turnsBefore - 2);
    // The answers log and its feedback stay: analytics read them.
    expect(await countOf('SELECT count(*) FROM answers')).toBe(answersBefore);
    expect(await countOf('SELECT count(*) FROM answers WHERE id = ANY($1)', [[old.answerId, oldFollowUp.answerId]])).toBe(2);
    expect(await countOf('SELECT count(*) FROM feedback')).toBe(feedbackBefore);
    // A continued deleted conversation is unknown.
    await expectError(await post('/answer', { question: 'and on the mobile app?', conversationId: old.conversationId }), 404, 'not_found');

    // The sweep `oriole serve` runs hourly does the same at once.
    await database.query(`UPDATE conversations SET updated_at = now() - interval '91 days' WHERE id = $1`, [recent.conversationId]);
    const logged: string[] = [];
    const sweeper = startConversationRetention({
      database,
      retentionDays: 90,
      logger: { info: (fields, message) => logged.push(`${message} ${JSON.stringify(fields)}`), warn: () => {} },
    });
    await sweeper.stop();
    expect(logged).toEqual([expect.stringMatching(/"deleted":1/)]);
    await expectError(await get(`/conversations/${recent.conversationId}`), 404, 'not_found');
    expect((await conversation(active.conversationId)).turns).toHaveLength(1);
  }, 120_000);

  it('reports resolution, hand-off and abstention rates of conversations per day (GET /analytics/summary, oriole report)', async () => {
    await ingestFolder(database, 'examples/help-center/account', 'rates');
    const start = async (question: string) => (await ask({ question, kb: 'rates' })).conversationId;
    const resolved = await start('How do I reset my password?');
    await post(`/conversations/${resolved}/resolve`, {});
    const handedOff = await start('How do I change my email address?');
    await post(`/conversations/${handedOff}/handoff`, {});
    const abstained = await start('What is the melting point of tungsten in kelvin?');
    const answered = await start('How do I delete my account?');
    // One of them started yesterday.
    await database.query(`UPDATE conversations SET created_at = created_at - interval '1 day' WHERE id = $1`, [answered]);
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const response = await get(`/analytics/summary?kb=rates&from=${yesterday}&to=${today}`);
    expect(response.status).toBe(200);
    const summary = (await response.json()) as AnalyticsSummary;
    expect(summary.conversations).toMatchObject({
      conversations: 4,
      resolved: 1,
      handedOff: 1,
      abstained: 1,
      resolutionRate: 0.25,
      handoffRate: 0.25,
      abstentionRate: 0.25,
    });
    expect(summary.conversations.byDay).toEqual([
      { day: yesterday, conversations: 1, resolved: 0, handedOff: 0, abstained: 0, resolutionRate: 0, handoffRate: 0, abstentionRate: 0 },
      {
        day: today,
        conversations: 3,
        resolved: 1,
        handedOff: 1,
        abstained: 1,
        resolutionRate: 0.3333,
        handoffRate: 0.3333,
        abstentionRate: 0.3333,
      },
    ]);
    expect((await conversation(abstained)).outcome).toBe('abstained');
    const report = formatReport(summary);
    expect(report).toMatch(/resolved {11}1 \(25\.0%\)/);
    expect(report).toMatch(/handed off {9}1 \(25\.0%\)/);
    expect(report).toContain(`${today}        3     33.3%       33.3%      33.3%`);
  }, 120_000);
});

describe('retention cutoff', () => {
  it('is the retention before now, and none when retention is 0', () => {
    const now = new Date('2026-06-01T12:00:00Z');
    expect(retentionCutoff(now, 90)?.toISOString()).toBe('2026-03-03T12:00:00.000Z');
    expect(retentionCutoff(now, 1)?.toISOString()).toBe('2026-05-31T12:00:00.000Z');
    expect(retentionCutoff(now, 0)).toBeNull();
  });

});
