import { describe, expect, it } from 'vitest';
import { createFileLoaders } from '../../../ingest/loaders/index.ts';
import { understateSizes, zipDirectorySizes } from '../../helpers/poison-files.ts';
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

  it('refuses a zip bomb as decompression_limit, stopping once it inflates past 100 times its size', async () => {
    const error = await rejectionOf(loaders.load(await brokenFile('zip-bomb.docx')));
    expect(error.code).toBe('decompression_limit');
    expect(error.message).toContain('zip-bomb.docx inflates to more than a document of its size plausibly holds');
    expect(error.details).toEqual({ source: 'zip-bomb.docx', limit: 'maxCompressionRatio', maximum: 100 * 65_787 });
  });

  it('counts what the members really inflate to, whatever the zip directory claims', async () => {
    const { bytes } = await helpDoc('sdk/setup.docx');
    const lying = understateSizes(bytes);
    expect(zipDirectorySizes(lying).every((size) => size <= 1)).toBe(true);
    const strict = createFileLoaders({ maxDecompressedBytes: 10_000 });
    const error = await rejectionOf(strict.load({ source: 'sdk/setup.docx', bytes: lying }));
    expect(error.code).toBe('decompression_limit');
    expect(error.details).toEqual({ source: 'sdk/setup.docx', limit: 'maxDecompressedBytes', maximum: 10_000 });
    // Within the budget, the same lying archive parses as the honest one does.
    const honest = await loaders.load({ source: 'sdk/setup.docx', bytes });
    expect(await loaders.load({ source: 'sdk/setup.docx', bytes: lying })).toEqual(honest);
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
