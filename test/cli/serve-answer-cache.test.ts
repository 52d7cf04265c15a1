import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { oriole } from '../helpers/cli.ts';
import { backendSelected } from '../helpers/databases.ts';
import { serve, type Served } from '../helpers/serve.ts';

/**
 * The answer cache as `oriole serve` and `npm run demo` compose it, with nothing turned
 * on by hand: a repeated question is served from the cache. The KB was ingested for an
 * embedding model this machine does not have, as in the offline demo, so the server runs
 * lexical-only; that used to keep every answer out of the cache.
 */
describe.skipIf(!backendSelected('pglite'))('the answer cache of oriole serve (embedded PGlite)', () => {
  let dataDir: string;
  let served: Served | undefined;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'oriole-serve-cache-'));
    const noModels = path.join(dataDir, 'no-models');
    const environment = {
      ORIOLE_DATA_DIR: dataDir,
      ORIOLE_EMBEDDER: 'transformers:Xenova/bge-small-en-v1.5',
      ORIOLE_MODELS_DIR: noModels,
    };
    const ingested = await oriole(['ingest', 'examples/help-center/account', '--kb', 'default'], environment, 120_000);
    expect(ingested.code, ingested.stderr).toBe(0);
    served = await serve(environment);
  }, 180_000);

  afterAll(async () => {
    if (served && served.child.exitCode === null) {
      served.child.kill('SIGTERM');
      await served.exited;
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  const ask = async (question: string) => {
    const response = await fetch(`${served!.url}/answer`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ question }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { answer: string; cached: boolean; answerId: string; retrieval: { mode: string } };
  };

  it('answers the same question again from the cache, and counts it', async () => {
    const first = await ask('How do I reset my password?');
    expect(first.retrieval.mode).toBe('lexical');
    expect(first.cached).toBe(false);

    const again = await ask('how do I reset my  password?');
    expect(again).toMatchObject({ cached: true, answer: first.answer });
    expect(again.answerId).not.toBe(first.answerId);

    const metrics = await (await fetch(`${served!.url}/metrics`)).text();
    expect(metrics).toMatch(/oriole_answer_cache_requests_total\{result="hit"\} 1\b/);
  }, 120_000);
});
