import { describe, expect, it } from 'vitest';
import { createFileLoaders, supportedContentTypes } from '../../../ingest/loaders/index.ts';
import type { Loader, LoaderInput } from '../../../src/core/index.ts';
import { helpDoc, rejectionOf } from './loader-fixtures.ts';

const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** Stands in for another module's loader (the Unstructured API one): records what it was given. */
function recordingLoader(contentTypes: string[], behaviour: 'parse' | 'crash' = 'parse'): Loader & { inputs: LoaderInput[] } {
  const inputs: LoaderInput[] = [];
  return {
    contentTypes,
    inputs,
    async load(input) {
      inputs.push(input);
      if (behaviour === 'crash') throw new TypeError('Cannot read properties of undefined');
      return { title: 'From the extra loader', contentType: input.contentType ?? '', blocks: [], metadata: {} };
    },
  };
}

describe('the file loaders', () => {
  it('parse the eleven formats Oriole reads itself', () => {
    const loaders = createFileLoaders();
    expect([...supportedContentTypes].sort()).toEqual([
      'application/pdf',
      'application/vnd.oasis.opendocument.presentation',
      'application/vnd.oasis.opendocument.spreadsheet',
      'application/vnd.oasis.opendocument.text',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'text/csv',
      'text/html',
      'text/markdown',
      'text/plain',
    ]);
    expect(loaders.contentTypes).toEqual(supportedContentTypes);
    expect(loaders.supports('text/markdown')).toBe(true);
    expect(loaders.supports('Text/HTML; charset=utf-8')).toBe(true);
    expect(loaders.supports('image/png')).toBe(false);
  });

  it('hand types they do not parse to an extra loader, with the detected type', async () => {
    const images = recordingLoader(['image/png']);
    const loaders = createFileLoaders({ extraLoaders: [images] });
    expect(loaders.supports('image/png')).toBe(true);
    const document = await loaders.load({ source: 'screenshots/console.png', bytes: png, contentType: 'image/jpeg' });
    expect(document.title).toBe('From the extra loader');
    expect(images.inputs.map((input) => [input.source, input.contentType])).toEqual([['screenshots/console.png', 'image/png']]);
  });

  it('keep the built-in loader for a type an extra loader also claims', async () => {
    const everything = recordingLoader(['text/markdown', 'application/pdf']);
    const loaders = createFileLoaders({ extraLoaders: [everything] });
    const document = await loaders.load(await helpDoc('getting-started.md'));
    expect(document.title).toBe('Getting started with Wren Chat');
    expect(everything.inputs).toEqual([]);
  });

  it('turn an extra loader’s raw exception into an internal OrioleError', async () => {
    const loaders = createFileLoaders({ extraLoaders: [recordingLoader(['image/png'], 'crash')] });
    const error = await rejectionOf(loaders.load({ source: 'console.png', bytes: png }));
    expect(error.code).toBe('internal');
    expect(error.message).toBe('Loading console.png as image/png failed unexpectedly');
    expect(error.cause).toBeInstanceOf(TypeError);
  });
});
