import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobWorker } from '../../ingest/pipeline/index.ts';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { xlsxBomb } from '../helpers/poison-files.ts';

/**
 * The sample help center's Excel price list and PowerPoint deck, uploaded as a support
 * team would (POST /documents, multipart), parsed by Oriole itself and answered from:
 * the citation names the sheet (its heading) or the slide (its page).
 */
interface AnswerBody {
  abstained: boolean;
  answer: string;
  citations: Array<{ source: string; heading: string | null; page: number | null; snippet: string; supported: boolean }>;
}

async function upload(app: TestApp, kb: string, files: { name: string; bytes: Uint8Array }[]): Promise<Response> {
  const form = new FormData();
  form.append('kb', kb);
  for (const file of files) form.append('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  return app.request('/documents', { method: 'POST', body: form });
}

const helpCenterFile = async (path: string) => new Uint8Array(await readFile(`examples/help-center/${path}`));

describe.each(testBackends())('Office files uploaded to the API on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let worker: JobWorker | undefined;

  const ask = async (question: string) =>
    (await (await postJson(app, '/answer', { question, kb: 'office' })).json()) as AnswerBody;

  beforeAll(async () => {
    database = await openMigrated(backend);
    ({ app, worker } = createTestApp(database, {}));
    await postJson(app, '/kbs', { name: 'office', embedder: 'none' });
    const response = await upload(app, 'office', [
      { name: 'price-list-2026.xlsx', bytes: await helpCenterFile('billing/price-list-2026.xlsx') },
      { name: 'onboarding-webinar.pptx', bytes: await helpCenterFile('sdk/onboarding-webinar.pptx') },
    ]);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect(await waitForJob(app, jobId, 60_000)).toMatchObject({ status: 'succeeded' });
  }, 120_000);
  afterAll(async () => {
    await worker?.stop();
    await backend.cleanup();
  });

  it('stores the workbook and the deck with their titles and types', async () => {
    const { documents } = (await (await app.request('/documents?kb=office')).json()) as {
      documents: { source: string; title: string; contentType: string; status: string }[];
    };
    expect(documents.map(({ source, title, contentType, status }) => ({ source, title, contentType, status })).sort((a, b) => a.source.localeCompare(b.source))).toEqual([
      {
        source: 'onboarding-webinar.pptx',
        title: 'Getting started with Parley: onboarding webinar',
        contentType: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
        status: 'ready',
      },
      {
        source: 'price-list-2026.xlsx',
        title: 'Parley price list 2026',
        contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        status: 'ready',
      },
    ]);
  });

  it('answers from a cell, citing the sheet it is on', async () => {
    const body = await ask('How much does an additional Console team member cost?');
    expect(body.abstained).toBe(false);
    expect(body.answer).toContain('$10.00');
    const citation = body.citations.find((candidate) => candidate.source === 'price-list-2026.xlsx');
    expect(citation).toMatchObject({ heading: 'Add-ons', page: null, supported: true });
    expect(citation?.snippet).toContain('Additional Console team member');
  });

  it('answers from a date cell as the sheet displays it', async () => {
    const body = await ask('When does the price of extra file storage change?');
    expect(body.abstained).toBe(false);
    expect(body.answer).toContain('1 January 2027');
    expect(body.citations.find((candidate) => candidate.source === 'price-list-2026.xlsx')?.heading).toBe('Price changes');
  });

  it('answers from a slide and from its speaker notes, citing the slide by number', async () => {
    const hours = await ask("When are Parley's live office hours?");
    expect(hours.abstained).toBe(false);
    expect(hours.answer).toContain('16:00–17:00 UTC');
    expect(hours.citations.find((candidate) => candidate.source === 'onboarding-webinar.pptx')).toMatchObject({ heading: 'Getting help', page: 6 });
    const review = await ask('How do I book a go-live review?');
    expect(review.abstained).toBe(false);
    expect(review.answer).toContain('Book a go-live review');
    expect(review.citations.find((candidate) => candidate.source === 'onboarding-webinar.pptx')?.page).toBe(5);
  });

  it('refuses a legacy .doc at upload, saying what to do', async () => {
    const compoundFile = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, ...new Array(504).fill(0)]);
    const error = await expectError(await upload(app, 'office', [{ name: 'terms.doc', bytes: compoundFile }]), 415, 'unsupported_media_type');
    expect(error.message).toBe(
      'terms.doc: unsupported document type application/msword (a Word 97–2003 file (.doc); save it as .docx, or set UNSTRUCTURED_API_URL to have the Unstructured API parse it)',
    );
  });

  it('fails a zip bomb dressed as a workbook in its job with decompression_limit, and keeps serving', async () => {
    const bomb = await xlsxBomb(40 * 1024 * 1024);
    const response = await upload(app, 'office', [{ name: 'bomb.xlsx', bytes: bomb }]);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    const job = (await waitForJob(app, jobId, 60_000)) as { status: string; documents: { source: string; outcome: string | null; error: string | null }[] };
    expect(job.status).toBe('failed');
    expect(job.documents).toEqual([
      expect.objectContaining({ source: 'bomb.xlsx', error: expect.stringMatching(/^decompression_limit: bomb\.xlsx inflates to more than/) }),
    ]);
    expect((await app.request('/health')).status).toBe(200);
  }, 60_000);
});
