import { describe, expect, it } from 'vitest';
import { createFileLoaders, defaultDocxLimits } from '../../../ingest/loaders/index.ts';
import { blocksOfKind, brokenFile, headings, helpDoc, rejectionOf } from './loader-fixtures.ts';

const loaders = createFileLoaders();

describe('the DOCX loader', () => {
  it('keeps headings, both kinds of list and the table through mammoth’s HTML', async () => {
    const document = await loaders.load(await helpDoc('sdk/setup.docx'));
    expect(document.contentType).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(document.title).toBe('Setting up the Wren Chat SDK');
    expect(headings(document.blocks)).toEqual([
      [1, 'Setting up the Wren Chat SDK'],
      [2, 'Requirements'],
      [2, 'Installation'],
      [2, 'Client options'],
    ]);
    expect(blocksOfKind(document.blocks, 'list')).toEqual([
      {
        kind: 'list',
        ordered: false,
        items: [
          'Node.js 18 or later, or any evergreen browser',
          'An App ID from the Wren Chat console',
          'A backend endpoint that issues user tokens',
        ],
      },
      {
        kind: 'list',
        ordered: true,
        items: [
          'Add the package: npm install @wrenchat/sdk',
          'Create a WrenClient with your App ID',
          'Call connect() with a user token',
        ],
      },
    ]);
    expect(blocksOfKind(document.blocks, 'table')).toEqual([
      {
        kind: 'table',
        header: ['Option', 'Default', 'Meaning'],
        rows: [
          ['appId', 'none', 'The workspace to connect to'],
          ['region', 'auto', 'Data centre: us, eu or ap'],
          ['reconnect', 'true', 'Reconnect with backoff after a drop'],
        ],
      },
    ]);
    expect(document.blocks.at(-1)).toEqual({
      kind: 'paragraph',
      text: 'Tokens expire after one hour; the SDK asks your tokenProvider for a new one before that.',
    });
  });

  it('refuses a zip bomb as payload_too_large before decompressing it', async () => {
    const error = await rejectionOf(loaders.load(await brokenFile('zip-bomb.docx')));
    expect(error.code).toBe('payload_too_large');
    expect(error.message).toContain('zip-bomb.docx expands to 57.2 MB');
    expect(error.details).toMatchObject({
      source: 'zip-bomb.docx',
      limit: 'maxUncompressedBytes',
      maximum: defaultDocxLimits.maxUncompressedBytes,
    });
  });

  it('refuses a compression ratio beyond the limit even when the total size is allowed', async () => {
    const generous = createFileLoaders({ docxLimits: { maxUncompressedBytes: 200 * 1024 * 1024 } });
    const error = await rejectionOf(generous.load(await brokenFile('zip-bomb.docx')));
    expect(error.code).toBe('payload_too_large');
    expect(error.details).toMatchObject({ limit: 'maxCompressionRatio', maximum: 100 });
    expect(error.details?.value).toBeGreaterThan(500);
  });

  it('takes its limits as options', async () => {
    const strict = createFileLoaders({ docxLimits: { maxUncompressedBytes: 10_000 } });
    const error = await rejectionOf(strict.load(await helpDoc('sdk/setup.docx')));
    expect(error.details).toMatchObject({ source: 'sdk/setup.docx', limit: 'maxUncompressedBytes', maximum: 10_000 });
  });

  it('reports a truncated Word file as invalid_request', async () => {
    const { bytes } = await helpDoc('sdk/setup.docx');
    const error = await rejectionOf(loaders.load({ source: 'sdk/setup.docx', bytes: bytes.subarray(0, 4000) }));
    expect(error.code).toBe('invalid_request');
    expect(error.message).toBe('Could not parse sdk/setup.docx as DOCX: the zip archive is truncated or damaged');
    expect(error.details).toEqual({ source: 'sdk/setup.docx', reason: 'unparseable' });
  });

  it('reports a Word file damaged inside as invalid_request, not a raw exception', async () => {
    const { bytes } = await helpDoc('sdk/setup.docx');
    const damaged = bytes.slice();
    // Overwrites compressed data at the start of the archive, leaving the directory at its end readable.
    damaged.fill(0x41, 200, 1200);
    const error = await rejectionOf(loaders.load({ source: 'sdk/setup.docx', bytes: damaged }));
    expect(error.code).toBe('invalid_request');
    expect(error.details).toEqual({ source: 'sdk/setup.docx', reason: 'unparseable' });
  });
});
