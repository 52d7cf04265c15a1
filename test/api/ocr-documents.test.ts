import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/index.ts';
import { createTestApp, expectError, postJson, waitForJob, type TestApp } from '../helpers/app.ts';
import { openMigrated, testBackends } from '../helpers/databases.ts';
import { pdfOfPages, scannedPage, textImage } from '../helpers/ocr-fixtures.ts';

/**
 * A scanned policy and a screenshot uploaded as a support team would (POST /documents,
 * multipart) to the app as `oriole serve` composes it: parse-pool threads, then OCR
 * threads (ORIOLE_OCR=scanned, the default). A sentence from each is found by /search.
 */
interface SearchBody {
  results: Array<{ source: string; text: string }>;
}

interface AnswerBody {
  abstained: boolean;
  citations: Array<{ source: string; page: number | null }>;
}

async function upload(app: TestApp, kb: string, files: { name: string; bytes: Uint8Array }[]): Promise<Response> {
  const form = new FormData();
  form.append('kb', kb);
  for (const file of files) form.append('file', new File([file.bytes as Uint8Array<ArrayBuffer>], file.name));
  return app.request('/documents', { method: 'POST', body: form });
}

const policyLines = ['Signed refund policy', 'Refunds for annual plans are prorated to the day.', 'Requests must reach billing within 30 days.'];
const screenshotLines = ['Settings > Notifications > Quiet hours', 'Turn on quiet hours to mute push alerts between 22:00 and 07:00.'];

describe.each(testBackends())('scanned documents and screenshots uploaded to the API on $name', (backend) => {
  let database: Database;
  let app: TestApp;
  let stop: () => Promise<void>;
  let withoutOcr: { app: TestApp; stop(): Promise<void> };

  const search = async (query: string) => (await (await postJson(app, '/search', { query, kb: 'scans' })).json()) as SearchBody;

  beforeAll(async () => {
    database = await openMigrated(backend);
    ({ app, stop } = createTestApp(database, { servedIngestion: {} }));
    withoutOcr = createTestApp(database, { servedIngestion: { ocr: { mode: 'off' } }, worker: false });
    await postJson(app, '/kbs', { name: 'scans', embedder: 'none' });
    // The scan first: a small document is one passage, cited by the page it starts on.
    const policy = await pdfOfPages([{ image: scannedPage(policyLines) }, { text: ['Enterprise agreement, countersigned copy.'] }]);
    const response = await upload(app, 'scans', [
      { name: 'signed-refund-policy.pdf', bytes: policy },
      { name: 'quiet-hours.png', bytes: textImage(screenshotLines) },
    ]);
    expect(response.status).toBe(202);
    const { jobId } = (await response.json()) as { jobId: string };
    expect(await waitForJob(app, jobId, 150_000)).toMatchObject({ status: 'succeeded' });
  }, 180_000);
  afterAll(async () => {
    await stop();
    await withoutOcr.stop();
    await backend.cleanup();
  });

  it('finds a sentence of the scanned page, and answers from it citing its page', async () => {
    const { results } = await search('annual plans prorated');
    expect(results[0]?.source).toBe('signed-refund-policy.pdf');
    expect(results[0]?.text).toContain('Refunds for annual plans are prorated to the day.');
    const answer = (await (await postJson(app, '/answer', { question: 'Are refunds for annual plans prorated?', kb: 'scans' })).json()) as AnswerBody;
    expect(answer.abstained).toBe(false);
    expect(answer.citations[0]).toMatchObject({ source: 'signed-refund-policy.pdf', page: 1 });
  });

  it('finds a sentence of the screenshot', async () => {
    const { results } = await search('mute push alerts quiet hours');
    expect(results[0]?.source).toBe('quiet-hours.png');
    expect(results[0]?.text).toContain('Turn on quiet hours to mute push alerts between 22:00 and 07:00.');
  });

  it('stores the screenshot as an image document titled from its name, with what OCR did', async () => {
    const { documents } = (await (await withoutOcr.app.request('/documents?kb=scans')).json()) as {
      documents: { source: string; title: string; contentType: string }[];
    };
    expect(documents.find((document) => document.source === 'quiet-hours.png')).toMatchObject({ title: 'quiet hours', contentType: 'image/png' });
  });

  it('with ORIOLE_OCR=off, refuses an image at upload saying how to turn OCR on', async () => {
    const error = await expectError(await upload(withoutOcr.app, 'scans', [{ name: 'diagram.png', bytes: textImage(['A diagram']) }]), 415, 'unsupported_media_type');
    expect(error.message).toBe(
      'diagram.png: unsupported document type image/png (an image, which Oriole reads only with OCR on; set ORIOLE_OCR=scanned (the default) or all)',
    );
  });
});
