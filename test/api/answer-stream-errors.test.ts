import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnswerService, type AnswerService } from '../../src/answer/index.ts';
import { OrioleError, type AnswerEvent } from '../../src/core/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createHybridRetriever } from '../../src/retrieval/index.ts';
import { createTestApp, expectError, postJson, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { ingestFolder } from '../helpers/ingestion.ts';
import { readEvents } from '../helpers/server-sent-events.ts';

/** The database, except that the answers log cannot be written: a failure after the sources went out. */
function withBrokenAnswersLog(database: Database): Database {
  return new Proxy(database, {
    get(target, key) {
      if (key === 'query') {
        return (text: string, values?: readonly unknown[]) =>
          /INSERT INTO answers/i.test(text)
            ? Promise.reject(new OrioleError('upstream_unavailable', 'The answers log cannot be written'))
            : target.query(text, values);
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

describe.each(testBackends())('an answer that fails after its sources went out, on $name', (backend) => {
  let database: Database;
  let answers: AnswerService;
  let app: TestApp;
  const question = { question: 'How do I reset my password?' };

  beforeAll(async () => {
    database = await openMigrated(backend);
    const context = await ingestFolder(database, 'examples/help-center');
    answers = createAnswerService({
      database: withBrokenAnswersLog(database),
      retriever: createHybridRetriever({ database, embedder: context.embedder }),
      chatModel: null,
      modelName: 'extractive',
      defaultKb: 'default',
    });
    ({ app } = createTestApp(database, { worker: false, answers }));
  }, 120_000);

  afterAll(async () => {
    await database?.close();
  });

  it('ends the event stream with an error event carrying what went wrong, after sources and no done', async () => {
    const events: AnswerEvent[] = [];
    for await (const event of answers.stream({ ...question, kb: 'default' })) events.push(event);
    expect(events[0]?.type).toBe('sources');
    expect(events.some((event) => event.type === 'done')).toBe(false);
    const last = events.at(-1);
    expect(last?.type).toBe('error');
    expect(last?.type === 'error' && last.error instanceof OrioleError && last.error.code).toBe('upstream_unavailable');
  });

  it('throws that error from answer(), so POST /answer answers 503 upstream_unavailable', async () => {
    await expect(answers.answer({ ...question, kb: 'default' })).rejects.toMatchObject({ code: 'upstream_unavailable' });
    await expectError(await postJson(app, '/answer', question), 503, 'upstream_unavailable');
  });

  it('streams /answer as sources, deltas, then an error event with the request id', async () => {
    const response = await postJson(app, '/answer', { ...question, stream: true });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events[0]?.event).toBe('sources');
    expect(events.map((event) => event.event)).not.toContain('done');
    const last = events.at(-1)!;
    expect(last.event).toBe('error');
    expect(last.data).toEqual({
      error: { code: 'upstream_unavailable', message: 'The answers log cannot be written', requestId: response.headers.get('x-request-id') },
    });
  });

  it('streams a chat completion that ends in an error chunk instead of [DONE]', async () => {
    const response = await postJson(app, '/v1/chat/completions', { model: 'default', stream: true, messages: [{ role: 'user', content: question.question }] });
    expect(response.status).toBe(200);
    const events = await readEvents(response);
    expect(events.map((event) => event.data)).not.toContain('[DONE]');
    expect(events.at(-1)?.data).toEqual({ error: { code: 'upstream_unavailable', message: 'The answers log cannot be written' } });
  });
});
