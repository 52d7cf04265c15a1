import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { OrioleError } from '../../../src/core/index.ts';
import type { ParsedDocument } from '../../../src/core/index.ts';
import { createUnstructuredLoader, unstructuredContentTypes } from '../../../ingest/unstructured/index.ts';
import type { ElementJson, FakeUnstructuredApi } from './fake-unstructured-api.ts';
import { startFakeUnstructuredApi } from './fake-unstructured-api.ts';

const apiKey = 'test-unstructured-key-0123456789';
const pptx = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const deckBytes = new TextEncoder().encode('PK\u0003\u0004 pretend this is a slide deck');

const common = { languages: ['eng'] };

/** Shaped like the partition endpoint's output for a two-slide deck (element examples in Unstructured's docs). */
const billingDeck: ElementJson[] = [
  { type: 'Header', element_id: '0f2a1c9e4b7d8e3f5a6b7c8d9e0f1a2b', text: 'Acme Corp · Internal', metadata: { ...common, page_number: 1 } },
  { type: 'Title', element_id: '56f24319ae258b735cac3ec2a271b1d9', text: 'Billing guide', metadata: { ...common, page_number: 1, category_depth: 0 } },
  {
    type: 'NarrativeText',
    element_id: '5ef1d1117721f0472c1ad825991d7d37',
    text: 'This guide explains how invoices and refunds work for every plan.',
    metadata: { ...common, page_number: 1, parent_id: '56f24319ae258b735cac3ec2a271b1d9' },
  },
  {
    type: 'ListItem',
    element_id: '1b2c3d4e5f60718293a4b5c6d7e8f901',
    text: 'Invoices are issued on the 1st of each month.',
    metadata: { ...common, page_number: 1, category_depth: 0, parent_id: '56f24319ae258b735cac3ec2a271b1d9' },
  },
  {
    type: 'ListItem',
    element_id: '2c3d4e5f60718293a4b5c6d7e8f90a1b',
    text: '• Refunds reach your card in 5–10 business days.',
    metadata: { ...common, page_number: 1, category_depth: 0, parent_id: '56f24319ae258b735cac3ec2a271b1d9' },
  },
  {
    type: 'ListItem',
    element_id: '3d4e5f60718293a4b5c6d7e8f90a1b2c',
    text: 'Only the account owner can request a refund.',
    metadata: { ...common, page_number: 1, category_depth: 0, parent_id: '56f24319ae258b735cac3ec2a271b1d9' },
  },
  { type: 'Footer', element_id: '4e5f60718293a4b5c6d7e8f90a1b2c3d', text: 'Page 1 of 2', metadata: { ...common, page_number: 1 } },
  { type: 'PageBreak', element_id: '5f60718293a4b5c6d7e8f90a1b2c3d4e', text: '', metadata: { ...common, page_number: 1 } },
  { type: 'Title', element_id: '60718293a4b5c6d7e8f90a1b2c3d4e5f', text: 'Refund windows', metadata: { ...common, page_number: 2, category_depth: 1 } },
  {
    type: 'Table',
    element_id: '758127b42c51b93b59abf08640d1ccab',
    text: 'Plan Refund window Monthly 14 days Annual 30 days',
    metadata: {
      ...common,
      page_number: 2,
      text_as_html:
        '<table><thead><tr><th>Plan</th><th>Refund window</th></tr></thead><tbody><tr><td>Monthly</td><td>14 days</td></tr><tr><td>Annual</td><td>30 days</td></tr></tbody></table>',
    },
  },
  {
    type: 'Table',
    element_id: '8293a4b5c6d7e8f90a1b2c3d4e5f6071',
    text: 'Gels and karyotypes 600 dpi (8 bit grayscale depth) High pressure liquid chromatography 300',
    metadata: {
      ...common,
      page_number: 2,
      text_as_html:
        '<table><tbody><tr><td>Gels and karyotypes</td><td>600 dpi (8 bit grayscale depth)</td></tr><tr><td>High pressure liquid chromatography</td><td>300</td></tr></tbody></table>',
    },
  },
  { type: 'Table', element_id: '93a4b5c6d7e8f90a1b2c3d4e5f607182', text: 'Region Currency EU EUR', metadata: { ...common, page_number: 2 } },
  {
    type: 'CodeSnippet',
    element_id: 'a4b5c6d7e8f90a1b2c3d4e5f60718293',
    text: 'curl -X POST https://api.example.com/v1/refunds \\\n  -d invoice=in_123',
    metadata: { ...common, page_number: 2 },
  },
  { type: 'Image', element_id: 'b5c6d7e8f90a1b2c3d4e5f60718293a4', text: 'ACME logo', metadata: { ...common, page_number: 2 } },
  { type: 'Title', element_id: 'c6d7e8f90a1b2c3d4e5f60718293a4b5', text: 'Contact', metadata: { ...common, page_number: 2 } },
  { type: 'UncategorizedText', element_id: 'd7e8f90a1b2c3d4e5f60718293a4b5c6', text: 'Questions? Ask in #billing.', metadata: { ...common, page_number: 2 } },
  { type: 'EmailAddress', element_id: 'e8f90a1b2c3d4e5f60718293a4b5c6d7', text: 'billing@example.com', metadata: { ...common, page_number: 2 } },
  { type: 'Footer', element_id: 'f90a1b2c3d4e5f60718293a4b5c6d7e8', text: 'Page 2 of 2', metadata: { ...common, page_number: 2 } },
];

const expectedDeck: ParsedDocument = {
  title: 'Billing guide',
  contentType: pptx,
  blocks: [
    { kind: 'heading', level: 1, text: 'Billing guide', page: 1 },
    { kind: 'paragraph', text: 'This guide explains how invoices and refunds work for every plan.', page: 1 },
    {
      kind: 'list',
      ordered: false,
      items: [
        'Invoices are issued on the 1st of each month.',
        'Refunds reach your card in 5–10 business days.',
        'Only the account owner can request a refund.',
      ],
      page: 1,
    },
    { kind: 'heading', level: 2, text: 'Refund windows', page: 2 },
    {
      kind: 'table',
      header: ['Plan', 'Refund window'],
      rows: [
        ['Monthly', '14 days'],
        ['Annual', '30 days'],
      ],
      page: 2,
    },
    {
      kind: 'table',
      header: null,
      rows: [
        ['Gels and karyotypes', '600 dpi (8 bit grayscale depth)'],
        ['High pressure liquid chromatography', '300'],
      ],
      page: 2,
    },
    { kind: 'paragraph', text: 'Region Currency EU EUR', page: 2 },
    { kind: 'code', text: 'curl -X POST https://api.example.com/v1/refunds \\\n  -d invoice=in_123', page: 2 },
    { kind: 'heading', level: 2, text: 'Contact', page: 2 },
    { kind: 'paragraph', text: 'Questions? Ask in #billing.', page: 2 },
    { kind: 'paragraph', text: 'billing@example.com', page: 2 },
  ],
  metadata: { partitionedBy: 'unstructured', filetype: pptx, languages: ['eng'], pageCount: 2 },
};

/** A fast retry for tests; the default waits a second. */
const quickRetry = { retryDelayMs: 1 };

describe('the Unstructured loader against a local partition endpoint', () => {
  let api: FakeUnstructuredApi;

  beforeAll(async () => {
    api = await startFakeUnstructuredApi(apiKey);
    api.elementsByFileName.set('billing-guide.pptx', billingDeck);
    api.elementsByFileName.set('diagram.png', [
      { type: 'Title', element_id: '0a1b2c3d4e5f60718293a4b5c6d7e8f9', text: 'Refund flow', metadata: { page_number: 1 } },
      { type: 'NarrativeText', element_id: '1a2b3c4d5e6f708192a3b4c5d6e7f809', text: 'Customer asks, agent approves.', metadata: { page_number: 1 } },
    ]);
  });
  afterAll(async () => api.close());
  beforeEach(() => {
    api.received.length = 0;
    api.failNext.length = 0;
    api.hang = false;
  });

  it('posts the file as multipart/form-data with the API key and maps elements to blocks', async () => {
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, ...quickRetry });
    const document = await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx });

    expect(document).toEqual(expectedDeck);
    expect(api.received).toHaveLength(1);
    const [request] = api.received;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe('/general/v0/general');
    expect(request?.headers['unstructured-api-key']).toBe(apiKey);
    expect(request?.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    expect(request?.file?.name).toBe('billing-guide.pptx');
    expect(request?.file?.type).toBe(pptx);
    expect(request?.file?.bytes).toEqual(deckBytes);
    expect(request?.fields.strategy).toBe('fast');
    expect(request?.fields.split_pdf_page).toBe('false');
  });

  it('names an extensionless source after its type and partitions images with hi_res', async () => {
    const loader = createUnstructuredLoader({ apiUrl: `${api.url}/general/v0/general`, apiKey, ...quickRetry });
    const document = await loader.load({
      source: 'https://help.example.com/media/diagram?size=large',
      bytes: new Uint8Array([0x89, 0x50, 0x4e, 0x47]),
      contentType: 'image/png; name=diagram',
    });
    expect(document.title).toBe('Refund flow');
    expect(document.contentType).toBe('image/png');
    expect(api.received[0]?.path).toBe('/general/v0/general');
    expect(api.received[0]?.file?.name).toBe('diagram.png');
    expect(api.received[0]?.fields.strategy).toBe('hi_res');
  });

  it('reports a rejected API key as upstream_unavailable, without retrying', async () => {
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey: 'wrong-key', ...quickRetry });
    const error = await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OrioleError);
    expect((error as OrioleError).code).toBe('upstream_unavailable');
    expect((error as OrioleError).message).toContain('Unstructured rejected the API key');
    expect((error as OrioleError).message).not.toContain('wrong-key');
    expect(api.received).toHaveLength(1);
  });

  it('reports a 422 as invalid_request with the API’s detail, without retrying', async () => {
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, strategy: 'fast', ...quickRetry });
    const error = await loader
      .load({ source: 'media/diagram.png', bytes: new Uint8Array([0x89, 0x50]), contentType: 'image/png' })
      .catch((caught: unknown) => caught);
    expect((error as OrioleError).code).toBe('invalid_request');
    expect((error as OrioleError).message).toContain('The fast strategy is not available for image files');
    expect((error as OrioleError).details).toMatchObject({ source: 'media/diagram.png', status: 422 });
    expect(api.received).toHaveLength(1);
  });

  it('reports a file type the API cannot read (400) as invalid_request', async () => {
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, ...quickRetry });
    const error = await loader
      .load({ source: 'mail/welcome.eml', bytes: new TextEncoder().encode('Subject: hi'), contentType: 'message/rfc822' })
      .catch((caught: unknown) => caught);
    expect((error as OrioleError).code).toBe('invalid_request');
    expect((error as OrioleError).message).toContain('File type message/rfc822 is not supported.');
  });

  it('retries a 500 once and succeeds, without the SDK writing to the console', async () => {
    api.failNext.push(500);
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const consoleWarn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, ...quickRetry });
      const document = await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx });
      expect(document).toEqual(expectedDeck);
      expect(api.received).toHaveLength(2);
      expect(api.received[1]?.file?.bytes).toEqual(deckBytes);
      expect(consoleError).not.toHaveBeenCalled();
      expect(consoleWarn).not.toHaveBeenCalled();
    } finally {
      consoleError.mockRestore();
      consoleWarn.mockRestore();
    }
  });

  it('gives up after maxAttempts on a server that keeps failing', async () => {
    api.failNext.push(503, 503, 503, 503);
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, maxAttempts: 3, ...quickRetry });
    const error = await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx }).catch((caught: unknown) => caught);
    expect((error as OrioleError).code).toBe('upstream_unavailable');
    expect((error as OrioleError).message).toContain('HTTP 503');
    expect(api.received).toHaveLength(3);
  });

  it('times out a request that never answers, without retrying it', async () => {
    api.hang = true;
    const loader = createUnstructuredLoader({ apiUrl: api.url, apiKey, timeoutMs: 300, ...quickRetry });
    const error = await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx }).catch((caught: unknown) => caught);
    expect((error as OrioleError).code).toBe('upstream_unavailable');
    expect((error as OrioleError).message).toContain('within 300 ms');
    expect(api.received).toHaveLength(1);
  });

  it('uses the injected fetch', async () => {
    const seen: string[] = [];
    const loader = createUnstructuredLoader({
      apiUrl: api.url,
      apiKey,
      fetch: async (input, init) => {
        seen.push(input instanceof Request ? input.url : String(input));
        return fetch(input, init);
      },
    });
    await loader.load({ source: 'decks/billing-guide.pptx', bytes: deckBytes, contentType: pptx });
    expect(seen).toEqual([`${api.url}/general/v0/general`]);
  });
});

describe('the Unstructured loader without a reachable API', () => {
  it('retries connection failures and then reports upstream_unavailable', async () => {
    // A port that was just free: nothing listens there.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    let calls = 0;
    const loader = createUnstructuredLoader({
      apiUrl: `http://127.0.0.1:${port}`,
      maxAttempts: 2,
      retryDelayMs: 1,
      fetch: async (input, init) => {
        calls += 1;
        return fetch(input, init);
      },
    });
    const error = await loader.load({ source: 'a.pptx', bytes: deckBytes, contentType: pptx }).catch((caught: unknown) => caught);
    expect((error as OrioleError).code).toBe('upstream_unavailable');
    expect((error as OrioleError).message).toContain('could not be reached');
    expect(calls).toBe(2);
  });

  it('refuses an apiUrl that is not http(s), naming the variable', () => {
    let thrown: unknown;
    try {
      createUnstructuredLoader({ apiUrl: 'localhost:8000' });
    } catch (error) {
      thrown = error;
    }
    expect((thrown as OrioleError).code).toBe('config_invalid');
    expect((thrown as OrioleError).message).toContain('UNSTRUCTURED_API_URL');
  });

  it('takes the formats Oriole does not parse itself by default', () => {
    const loader = createUnstructuredLoader({ apiUrl: 'https://api.unstructuredapp.io' });
    expect(loader.contentTypes).toEqual(unstructuredContentTypes);
    expect(loader.contentTypes).toEqual(
      expect.arrayContaining(['application/vnd.ms-powerpoint', 'application/msword', 'application/vnd.ms-excel', 'application/rtf', 'application/epub+zip', 'message/rfc822', 'image/png']),
    );
    for (const native of ['text/markdown', 'text/html', 'text/plain', 'application/pdf', 'text/csv', pptx, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'application/vnd.oasis.opendocument.text']) {
      expect(loader.contentTypes).not.toContain(native);
    }
    expect(createUnstructuredLoader({ apiUrl: 'https://api.unstructuredapp.io', contentTypes: ['image/png'] }).contentTypes).toEqual([
      'image/png',
    ]);
  });
});
