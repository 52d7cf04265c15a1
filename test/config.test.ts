import { describe, expect, it } from 'vitest';
import { loadConfig, OrioleError } from '../src/core/index.ts';

function configError(environment: Record<string, string>): OrioleError {
  try {
    loadConfig(environment);
  } catch (error) {
    return error as OrioleError;
  }
  throw new Error('expected loadConfig to throw');
}

describe('configuration', () => {
  it('runs on embedded PGlite with no settings at all', () => {
    const config = loadConfig({});
    expect(config.database).toEqual({ kind: 'pglite', dataDir: './.oriole' });
    expect(config.server).toEqual({ port: 8787, host: '127.0.0.1' });
    expect(config.embedder.spec).toBe('transformers:Xenova/bge-small-en-v1.5');
    expect(config.llm.spec).toBe('extractive');
    expect(config.reranker).toEqual({ spec: 'none' });
    expect(config.defaultKb).toBe('default');
  });

  it('takes a transformers cross-encoder as ORIOLE_RERANKER', () => {
    expect(loadConfig({ ORIOLE_RERANKER: 'transformers:Xenova/ms-marco-MiniLM-L-6-v2' }).reranker).toEqual({
      spec: 'transformers:Xenova/ms-marco-MiniLM-L-6-v2',
    });
    expect(loadConfig({ ORIOLE_RERANKER: 'none' }).reranker.spec).toBe('none');
  });

  it('takes no verifier by default, a transformers model or the LLM as ORIOLE_VERIFIER, with its time budget', () => {
    expect(loadConfig({}).verifier).toEqual({ spec: 'none', timeoutMs: 5_000 });
    expect(loadConfig({ ORIOLE_VERIFIER: 'transformers:MoritzLaurer/mDeBERTa-v3-base-xnli', ORIOLE_VERIFIER_TIMEOUT_MS: '2500' }).verifier).toEqual({
      spec: 'transformers:MoritzLaurer/mDeBERTa-v3-base-xnli',
      timeoutMs: 2_500,
    });
    expect(loadConfig({ ORIOLE_VERIFIER: 'llm', ORIOLE_LLM: 'openai:gpt-4o-mini' }).verifier.spec).toBe('llm');
  });

  it('refuses ORIOLE_VERIFIER=llm without an LLM to ask', () => {
    const error = configError({ ORIOLE_VERIFIER: 'llm' });
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain('ORIOLE_LLM=openai:<model>');
    expect(error.details).toEqual({ variables: ['ORIOLE_VERIFIER'] });
  });

  it('takes the commit eval reports name from ORIOLE_GIT_COMMIT, for installs without .git', () => {
    expect(loadConfig({}).gitCommit).toBeUndefined();
    expect(loadConfig({ ORIOLE_GIT_COMMIT: ' 8b3f041a7e2d ' }).gitCommit).toBe('8b3f041a7e2d');
    expect(loadConfig({ ORIOLE_GIT_COMMIT: '  ' }).gitCommit).toBeUndefined();
  });

  it('uses the PostgreSQL server when DATABASE_URL is set', () => {
    const config = loadConfig({ DATABASE_URL: 'postgres://oriole@db.internal:5432/oriole', PORT: '9000' });
    expect(config.database).toEqual({ kind: 'postgres', url: 'postgres://oriole@db.internal:5432/oriole' });
    expect(config.server.port).toBe(9000);
  });

  it('bounds LLM waits so a slow model falls back to the extractive answer', () => {
    expect(loadConfig({}).llm).toMatchObject({ timeoutMs: 60_000, firstTokenTimeoutMs: 20_000 });
    // The first token cannot be awaited longer than the whole answer.
    expect(loadConfig({ ORIOLE_LLM_TIMEOUT_MS: '5000' }).llm).toMatchObject({ timeoutMs: 5_000, firstTokenTimeoutMs: 5_000 });
  });

  it('reads the parse budgets, with documented defaults', () => {
    expect(loadConfig({}).parsing).toEqual({ timeoutMs: 30_000, maxHeapMb: 512, maxDecompressedBytes: 100 * 1024 * 1024 });
    expect(
      loadConfig({ ORIOLE_PARSE_TIMEOUT_MS: '3000', ORIOLE_PARSE_MAX_HEAP_MB: '128', ORIOLE_MAX_DECOMPRESSED_MB: '20' }).parsing,
    ).toEqual({ timeoutMs: 3_000, maxHeapMb: 128, maxDecompressedBytes: 20 * 1024 * 1024 });
  });

  it('keeps conversations 90 days by default (0: forever) and signs the hand-off webhook with its secret', () => {
    expect(loadConfig({}).conversations).toEqual({ retentionDays: 90, handoffWebhook: null });
    expect(loadConfig({ ORIOLE_CONVERSATION_RETENTION_DAYS: '0' }).conversations.retentionDays).toBe(0);
    const secret = 'a-secret-of-twenty-chars';
    expect(loadConfig({ ORIOLE_HANDOFF_WEBHOOK_URL: 'https://hooks.example.com/oriole', ORIOLE_HANDOFF_WEBHOOK_SECRET: secret }).conversations.handoffWebhook).toEqual({
      url: 'https://hooks.example.com/oriole',
      secret,
    });
    // Never sent unsigned: the URL alone stops start-up, naming the missing secret.
    const error = configError({ ORIOLE_HANDOFF_WEBHOOK_URL: 'https://hooks.example.com/oriole' });
    expect(error.code).toBe('config_invalid');
    expect(error.details).toEqual({ variables: ['ORIOLE_HANDOFF_WEBHOOK_SECRET'] });
    expect(configError({ ORIOLE_HANDOFF_WEBHOOK_SECRET: 'short-secret' }).message).not.toContain('short-secret');
  });

  it('reads OCR settings, on for scans by default', () => {
    expect(loadConfig({}).ocr).toEqual({ mode: 'scanned', concurrency: 1, pageTimeoutMs: 60_000 });
    expect(loadConfig({ ORIOLE_OCR: 'all', ORIOLE_OCR_CONCURRENCY: '2', ORIOLE_OCR_PAGE_TIMEOUT_MS: '30000' }).ocr).toEqual({ mode: 'all', concurrency: 2, pageTimeoutMs: 30_000 });
    expect(loadConfig({ ORIOLE_OCR: 'off' }).ocr.mode).toBe('off');
  });

  it('takes read replicas as a comma-separated list beside a PostgreSQL primary', () => {
    expect(loadConfig({}).readReplicas).toEqual({ urls: [], maxLagMs: 5_000 });
    const config = loadConfig({
      DATABASE_URL: 'postgres://oriole@primary.internal/oriole',
      DATABASE_READ_URL: 'postgres://oriole@replica-1.internal/oriole, postgres://oriole@replica-2.internal/oriole',
      ORIOLE_REPLICA_MAX_LAG_MS: '2000',
    });
    expect(config.readReplicas).toEqual({ urls: ['postgres://oriole@replica-1.internal/oriole', 'postgres://oriole@replica-2.internal/oriole'], maxLagMs: 2_000 });
    // Embedded PGlite has no replicas to read from.
    const error = configError({ DATABASE_READ_URL: 'postgres://oriole@replica-1.internal/oriole' });
    expect(error.details).toEqual({ variables: ['DATABASE_READ_URL'] });
    expect(error.message).toContain('read replicas need a PostgreSQL primary');
    expect(configError({ DATABASE_URL: 'postgres://a@b/c', DATABASE_READ_URL: 'mysql://user:s3cret@replica/db' }).message).not.toContain('s3cret');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ PORT: '', DATABASE_URL: '' }).database.kind).toBe('pglite');
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['PORT', '80.5'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['ORIOLE_EMBEDDER', 'word2vec'],
    ['ORIOLE_RERANKER', 'openai:rerank-1'],
    ['ORIOLE_RERANKER', 'transformers:'],
    ['ORIOLE_VERIFIER', 'nli'],
    ['ORIOLE_VERIFIER', 'openai:gpt-4o-mini'],
    ['ORIOLE_VERIFIER_TIMEOUT_MS', '10'],
    ['ORIOLE_LLM', 'gpt-4'],
    ['ORIOLE_LLM_TIMEOUT_MS', 'soon'],
    ['ORIOLE_LLM_FIRST_TOKEN_TIMEOUT_MS', '5'],
    ['OPENAI_BASE_URL', 'not a url'],
    ['ORIOLE_ADMIN_KEY', 'short'],
    ['ORIOLE_LOG_LEVEL', 'loud'],
    ['ORIOLE_PARSE_TIMEOUT_MS', '50'],
    ['ORIOLE_PARSE_MAX_HEAP_MB', 'lots'],
    ['ORIOLE_MAX_DECOMPRESSED_MB', '0'],
    ['ORIOLE_CONVERSATION_RETENTION_DAYS', '-1'],
    ['ORIOLE_CONVERSATION_RETENTION_DAYS', 'forever'],
    ['ORIOLE_HANDOFF_WEBHOOK_URL', 'ftp://hooks.example.com/oriole'],
    ['ORIOLE_HANDOFF_WEBHOOK_SECRET', 'short'],
    ['ORIOLE_OCR', 'sometimes'],
    ['ORIOLE_OCR_CONCURRENCY', '0'],
    ['ORIOLE_OCR_PAGE_TIMEOUT_MS', '10'],
    ['DATABASE_READ_URL', 'replica.internal'],
    ['ORIOLE_REPLICA_MAX_LAG_MS', 'a while'],
  ])('refuses %s=%s with a message naming the variable', (variable, value) => {
    const error = configError({ [variable]: value });
    expect(error).toBeInstanceOf(OrioleError);
    expect(error.code).toBe('config_invalid');
    expect(error.message).toContain(variable);
    expect(error.details).toEqual({ variables: [variable] });
  });

  it('names every bad variable at once', () => {
    const error = configError({ PORT: 'x', ORIOLE_LLM: 'y' });
    expect(error.message).toContain('PORT');
    expect(error.message).toContain('ORIOLE_LLM');
  });

  it('never echoes a secret back', () => {
    const error = configError({ ORIOLE_ADMIN_KEY: 'hunter2', DATABASE_URL: 'mysql://user:s3cret@host/db' });
    expect(error.message).not.toContain('hunter2');
    expect(error.message).not.toContain('s3cret');
  });
});
