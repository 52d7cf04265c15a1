import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { collectInputs, ingestInputs, type IngestContext, type JobWorker } from '../../ingest/pipeline/index.ts';
import { createKnowledgeBase, getKnowledgeBase, type Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';

const fixture = (name: string) => readFile(path.resolve('test/fixtures', name));

async function snapshot(database: Database): Promise<string> {
  const rows = await database.query(
    `SELECT d.source, d.content_hash, d.status, count(c.id) AS chunks
       FROM documents d LEFT JOIN chunks c ON c.document_id = d.id
      GROUP BY d.source, d.content_hash, d.status ORDER BY d.source`,
  );
  return JSON.stringify(rows.rows);
}

function upload(app: TestApp, files: { name: string; bytes: Uint8Array; type?: string }[], fields: Record<string, string> = {}) {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  for (const file of files) form.append('file', new File([file.bytes], file.name, { type: file.type ?? '' }));
  return app.request('/documents', { method: 'POST', body: form });
}

describe.each(testBackends())('the documents API on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let worker: JobWorker | undefined;
  let context: IngestContext;

  beforeAll(async () => {
    database = await openMigrated(backend);
    ({ app, worker, context } = createTestApp(database, { limits: { maxDocumentBytes: 2 * 1024 * 1024, maxRequestBytes: 6 * 1024 * 1024, maxFilesPerRequest: 5 } }));
    // An upload names a KB that exists; only the default KB is created by its first upload.
    for (const name of ['uploads', 'skips', 'paged', 'doomed']) expect((await postJson(app, '/kbs', { name })).status).toBe(201);
  });
  afterAll(async () => {
    await worker?.stop();
    await backend.cleanup();
  });

  it('queues a JSON document, processes it as a job, and lists it', async () => {
    const response = await postJson(app, '/documents', {
      source: 'billing/refunds.md',
      title: 'Refunds',
      content: '# Refunds\n\nRefunds are issued within 5 business days to the original payment method.',
      tags: { product: 'chat' },
    });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string; documents: { id: string; source: string }[] };
    expect(queued.documents).toEqual([{ id: expect.any(String), source: 'billing/refunds.md' }]);

    const job = await waitForJob(app, queued.jobId);
    expect(job).toMatchObject({ status: 'succeeded', progress: { done: 1, total: 1 } });

    const document = (await (await app.request(`/documents/${queued.documents[0]!.id}`)).json()) as Record<string, unknown>;
    expect(document).toMatchObject({ source: 'billing/refunds.md', title: 'Refunds', status: 'ready', kb: 'default', tags: { product: 'chat' } });
    expect(document.chunkCount).toBeGreaterThan(0);

    const listed = (await (await app.request('/documents?kb=default')).json()) as { documents: { source: string }[] };
    expect(listed.documents.map((item) => item.source)).toContain('billing/refunds.md');
  });

  it('accepts multipart uploads of PDF and DOCX, typed by content', async () => {
    const response = await upload(app, [
      { name: 'reset-password.pdf', bytes: await fixture('help-docs/account/reset-password.pdf'), type: 'application/octet-stream' },
      { name: 'setup.docx', bytes: await fixture('help-docs/sdk/setup.docx') },
    ], { kb: 'uploads' });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string };
    const job = await waitForJob(app, queued.jobId);
    expect(job.status).toBe('succeeded');
    const listed = (await (await app.request('/documents?kb=uploads')).json()) as { documents: { source: string; contentType: string }[] };
    expect(listed.documents.map((item) => item.contentType).sort()).toEqual([
      'application/pdf',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    ]);
  });

  it('reports a corrupt upload as a failed job with the reason, keeping everything else', async () => {
    const before = await snapshot(database);
    const response = await upload(app, [{ name: 'manual.pdf', bytes: await fixture('broken/corrupt.pdf') }]);
    expect(response.status).toBe(202);
    const job = (await waitForJob(app, ((await response.json()) as { jobId: string }).jobId)) as { status: string; error: string };
    expect(job.status).toBe('failed');
    expect(job.error).toContain('manual.pdf');
    const after = JSON.parse(await snapshot(database)) as { source: string; status: string }[];
    expect(after.find((row) => row.source === 'manual.pdf')?.status).toBe('failed');
    expect(after.filter((row) => row.source !== 'manual.pdf')).toEqual(JSON.parse(before));
  });

  it('marks an empty upload skipped with the reason, the job succeeding and no document left behind', async () => {
    const response = await upload(app, [
      { name: 'empty.txt', bytes: new Uint8Array(0), type: 'text/plain' },
      { name: 'faq.txt', bytes: new TextEncoder().encode('Refunds take five business days.'), type: 'text/plain' },
    ], { kb: 'skips' });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string; documents: { id: string; source: string }[] };

    const job = (await waitForJob(app, queued.jobId)) as { status: string; error?: string; documents: unknown[] };

    expect(job.status).toBe('succeeded');
    expect(job.error).toBeUndefined();
    expect(job.documents).toEqual([
      { source: 'empty.txt', documentId: null, status: 'succeeded', outcome: 'skipped', error: null, reason: 'no text to index' },
      { source: 'faq.txt', documentId: expect.any(String), status: 'succeeded', outcome: 'added', error: null, reason: null },
    ]);
    const emptyId = queued.documents.find((document) => document.source === 'empty.txt')!.id;
    await expectError(await app.request(`/documents/${emptyId}`), 404, 'not_found');
    const listed = (await (await app.request('/documents?kb=skips')).json()) as { documents: { source: string }[] };
    expect(listed.documents.map((document) => document.source)).toEqual(['faq.txt']);
  });

  it('pages through documents with a cursor', async () => {
    for (const index of [1, 2, 3]) {
      const queued = (await (await postJson(app, '/documents', { kb: 'paged', source: `page-${index}.md`, content: `# Page ${index}\n\nText ${index}.` })).json()) as { jobId: string };
      await waitForJob(app, queued.jobId);
    }
    const first = (await (await app.request('/documents?kb=paged&limit=2')).json()) as { documents: { source: string }[]; nextCursor: string };
    expect(first.documents).toHaveLength(2);
    const second = (await (await app.request(`/documents?kb=paged&limit=2&cursor=${first.nextCursor}`)).json()) as { documents: { source: string }[]; nextCursor: null };
    expect(second.documents.map((item) => item.source)).toEqual(['page-3.md']);
    expect(second.nextCursor).toBeNull();
    await expectError(await app.request('/documents?kb=paged&cursor=garbage'), 400, 'invalid_request');
  });

  it('deletes a document so it is gone, and bumps the KB version', async () => {
    const queued = (await (await postJson(app, '/documents', { kb: 'doomed', source: 'old.md', content: 'Old article.' })).json()) as { jobId: string; documents: { id: string }[] };
    await waitForJob(app, queued.jobId);
    const id = queued.documents[0]!.id;
    const version = async () => ((await (await app.request('/kbs')).json()) as { kbs: { name: string; version: number }[] }).kbs.find((kb) => kb.name === 'doomed')!.version;
    const before = await version();
    expect((await app.request(`/documents/${id}`, { method: 'DELETE' })).status).toBe(204);
    expect(await version()).toBe(before + 1);
    await expectError(await app.request(`/documents/${id}`), 404, 'not_found');
    await expectError(await app.request(`/documents/${id}`, { method: 'DELETE' }), 404, 'not_found');
  });

  it('refuses hostile and malformed uploads with stable codes, storing nothing', async () => {
    const before = await snapshot(database);
    const big = new Uint8Array(3 * 1024 * 1024).fill(0x61);
    await expectError(await upload(app, [{ name: 'big.txt', bytes: big }]), 413, 'payload_too_large');
    await expectError(await postJson(app, '/documents', { source: 'big.md', content: 'a'.repeat(3 * 1024 * 1024) }), 413, 'payload_too_large');
    await expectError(await app.request('/documents', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'x'.repeat(7 * 1024 * 1024) }), 413, 'payload_too_large');
    // A GIF is neither a document nor a picture OCR reads (PNG, JPEG and WebP are, with OCR on: ocr-documents.test.ts).
    const gif = Uint8Array.from([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0, 0x80, 0, 0, ...new Array(32).fill(0)]);
    await expectError(await upload(app, [{ name: 'logo.gif', bytes: gif }]), 415, 'unsupported_media_type');
    await expectError(await upload(app, [{ name: 'notes.md', bytes: gif }]), 415, 'unsupported_media_type');
    for (const source of ['../../etc/passwd', '/etc/passwd', 'a/../../b.md', 'C:\\windows\\win.ini', 'file:///etc/passwd', '']) {
      await expectError(await postJson(app, '/documents', { source, content: 'x' }), 400, 'invalid_request');
    }
    await expectError(await postJson(app, '/documents', '{"source": "a.md", "content": '), 400, 'invalid_request');
    await expectError(await postJson(app, '/documents', { source: 'a.md', content: 42 }), 400, 'invalid_request');
    await expectError(await postJson(app, '/documents', { source: 'a.md', content: 'x', contentType: 'application/pdf' }), 400, 'invalid_request');
    await expectError(await postJson(app, '/documents', { kb: '../x', source: 'a.md', content: 'x' }), 400, 'invalid_request');
    await expectError(await app.request('/documents', { method: 'POST', headers: { 'Content-Type': 'text/csv' }, body: 'a,b' }), 415, 'unsupported_media_type');
    await expectError(await upload(app, []), 400, 'invalid_request');
    await expectError(await upload(app, Array.from({ length: 6 }, (_, index) => ({ name: `f${index}.txt`, bytes: new TextEncoder().encode('hi') }))), 413, 'payload_too_large');
    expect(await snapshot(database)).toBe(before);
  });

  it('fails a zip-bomb-like DOCX with a clear reason and stores none of it', async () => {
    const response = await upload(app, [{ name: 'bomb.docx', bytes: await fixture('broken/zip-bomb.docx') }]);
    expect(response.status).toBe(202);
    const job = (await waitForJob(app, ((await response.json()) as { jobId: string }).jobId)) as { status: string; error: string };
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/bomb\.docx: .*(limit|large|expand)/i);
    const chunks = await database.query(`SELECT 1 FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = 'bomb.docx'`);
    expect(chunks.rowCount).toBe(0);
  });

  it('refuses to add documents to a KB embedded with another model, saying how to fix it', async () => {
    await createKnowledgeBase(database, { name: 'other-model', embedder: 'openai:text-embedding-3-small' });
    const response = await postJson(app, '/documents', { kb: 'other-model', source: 'a.md', content: '# A\n\nText.' });
    const { message } = await expectError(response, 409, 'embedder_mismatch');
    expect(message).toContain("was embedded with 'openai:text-embedding-3-small'");
    expect(message).toContain('oriole reindex --kb other-model');
  });

  it('answers unknown and malformed ids with not_found', async () => {
    for (const id of ['00000000-0000-0000-0000-000000000000', 'not-a-uuid', "1'; DROP TABLE documents; --"]) {
      await expectError(await app.request(`/documents/${encodeURIComponent(id)}`), 404, 'not_found');
      await expectError(await app.request(`/jobs/${encodeURIComponent(id)}`), 404, 'not_found');
    }
    await expectError(await app.request('/documents?kb=no-such-kb'), 404, 'not_found');
  });

  it('refuses an upload or a crawl into a KB that does not exist, creating none (a typo is not a new KB)', async () => {
    const { message } = await expectError(await postJson(app, '/documents', { kb: 'uplaods', source: 'a.md', content: '# A\n\nText.' }), 404, 'not_found');
    expect(message).toContain('POST /kbs');
    const form = new FormData();
    form.append('kb', 'uplaods');
    form.append('file', new Blob(['# A\n\nText.'], { type: 'text/markdown' }), 'a.md');
    await expectError(await app.request('/documents', { method: 'POST', body: form }), 404, 'not_found');
    await expectError(await postJson(app, '/documents', { kb: 'uplaods', url: 'https://help.example.com/' }), 404, 'not_found');
    const kbs = ((await (await app.request('/kbs')).json()) as { kbs: { name: string }[] }).kbs.map((kb) => kb.name);
    expect(kbs).not.toContain('uplaods');
    expect(kbs).toContain('default');
  });

  it('gives a file the same fingerprint from `oriole ingest` and from an upload, so neither re-ingests what the other wrote', async () => {
    const folder = await mkdtemp(path.join(tmpdir(), 'oriole-fingerprint-'));
    try {
      const bytes = new TextEncoder().encode('# Shipping\n\nOrders ship within two business days from our Lisbon warehouse.');
      await writeFile(path.join(folder, 'shipping.md'), bytes);
      await writeFile(path.join(folder, 'returns.txt'), 'Returns are accepted within 30 days of delivery.');
      expect((await postJson(app, '/kbs', { name: 'both-paths' })).status).toBe(201);
      const kb = await getKnowledgeBase(database, 'both-paths');
      // What `oriole ingest shipping.md returns.txt` does.
      const cliRun = () =>
        ingestInputs(
          context,
          kb,
          collectInputs(
            { files: ['shipping.md', 'returns.txt'].map((name) => ({ file: path.join(folder, name), source: name, explicit: true })), urls: [] },
            { crawl: async function* () {}, isSupported: () => true },
            {},
          ),
          { prune: false },
        );
      expect(await cliRun()).toMatchObject({ added: 2, unchanged: 0 });

      // The same bytes uploaded, as a browser sends them (a declared type) and as JSON.
      const form = new FormData();
      form.append('kb', 'both-paths');
      form.append('file', new File([bytes], 'shipping.md', { type: 'text/markdown' }));
      const uploaded = (await (await app.request('/documents', { method: 'POST', body: form })).json()) as { jobId: string };
      const json = await postJson(app, '/documents', { kb: 'both-paths', source: 'returns.txt', content: 'Returns are accepted within 30 days of delivery.' });
      for (const jobId of [uploaded.jobId, ((await json.json()) as { jobId: string }).jobId]) {
        const job = (await waitForJob(app, jobId)) as { status: string; documents: { outcome: string }[] };
        expect(job.status).toBe('succeeded');
        expect(job.documents.map((document) => document.outcome)).toEqual(['unchanged']);
      }
      // And back: the CLI finds nothing to do after the uploads.
      expect(await cliRun()).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('keeps a % that starts no escape in a file name literally (60%-off.md)', async () => {
    const form = new FormData();
    form.append('file', new File(['# Sale\n\nEverything is 60% off this week.'], '60%-off.md', { type: 'text/markdown' }));
    const response = await app.request('/documents', { method: 'POST', body: form });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string; documents: { id: string; source: string }[] };
    expect(queued.documents[0]!.source).toBe('60%-off.md');
    expect(await waitForJob(app, queued.jobId)).toMatchObject({ status: 'succeeded' });
    const document = (await (await app.request(`/documents/${queued.documents[0]!.id}`)).json()) as { title: string };
    expect(document.title).toBe('Sale');
  });

  it('repairs a lone surrogate and a NUL in document content, and says so', async () => {
    const response = await postJson(app, '/documents', { source: 'broken-text.md', content: '# Broken\n\nCafe \ud800 menu\u0000 prices.' });
    expect(response.status).toBe(202);
    const queued = (await response.json()) as { jobId: string; warnings: unknown[] };
    expect(queued.warnings).toEqual([
      { source: 'broken-text.md', field: 'content', message: expect.stringMatching(/U\+FFFD/), replacedSurrogates: 1, removedNuls: 1 },
    ]);
    expect(await waitForJob(app, queued.jobId)).toMatchObject({ status: 'succeeded' });
    const search = (await (await postJson(app, '/search', { query: 'menu prices' })).json()) as { results: { source: string; text: string }[] };
    const passage = search.results.find((result) => result.source === 'broken-text.md');
    expect(passage?.text).toContain('Cafe \ufffd menu prices.');
  });
});
