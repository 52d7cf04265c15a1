import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { Block, LoaderInput } from '../../../src/core/index.ts';
import { OrioleError } from '../../../src/core/index.ts';

const fixtures = new URL('../../fixtures/', import.meta.url);

/** A file of the sample help center as ingestion hands it over: its relative path is the source. */
export async function helpDoc(source: string): Promise<LoaderInput> {
  return { source, bytes: new Uint8Array(await readFile(fileURLToPath(new URL(`help-docs/${source}`, fixtures)))) };
}

/** A deliberately damaged file from test/fixtures/broken/. */
export async function brokenFile(name: string): Promise<LoaderInput> {
  return { source: name, bytes: new Uint8Array(await readFile(fileURLToPath(new URL(`broken/${name}`, fixtures)))) };
}

/** The OrioleError a promise rejects with; fails the test on success or on any other error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<OrioleError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(OrioleError);
  return outcome as OrioleError;
}

export function headings(blocks: readonly Block[]): [number, string][] {
  return blocks.flatMap((block) => (block.kind === 'heading' ? [[block.level, block.text] as [number, string]] : []));
}

export function blocksOfKind<Kind extends Block['kind']>(
  blocks: readonly Block[],
  kind: Kind,
): Extract<Block, { kind: Kind }>[] {
  return blocks.filter((block): block is Extract<Block, { kind: Kind }> => block.kind === kind);
}

/** Every piece of text in the blocks, for "this never made it in" checks. */
export function allText(blocks: readonly Block[]): string {
  return blocks
    .map((block) => {
      switch (block.kind) {
        case 'list':
          return block.items.join('\n');
        case 'table':
          return [block.header ?? [], ...block.rows].map((row) => row.join(' | ')).join('\n');
        default:
          return block.text;
      }
    })
    .join('\n');
}
