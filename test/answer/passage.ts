import type { Passage } from '../../src/core/index.ts';

/** A retrieved passage with the fields a test cares about; the rest plausible defaults. */
export function passage(fields: Partial<Passage> & Pick<Passage, 'chunkId' | 'documentId' | 'text'>): Passage {
  return {
    source: `${fields.documentId}.md`,
    title: null,
    url: null,
    heading: null,
    headingPath: [],
    pages: [],
    ordinal: 0,
    score: 1,
    ...fields,
  };
}
