/** A retrievable passage of a document, as the chunker cuts it. */
export interface Chunk {
  /** 0-based position within the document. */
  ordinal: number;
  /** The headings above the chunk, outermost first: ['Billing', 'Refunds']. */
  headingPath: string[];
  /** The passage as shown to users and to the LLM (no breadcrumb). */
  text: string;
  /** Estimated tokens of `text` (see `countTokens` in ingest/chunking). */
  tokenCount: number;
  /** Pages the chunk spans, when the format has pages. */
  pages?: number[];
  /** The anchor of the chunk's deepest heading (the last of `headingPath`) on the published page, when it has one. */
  anchor?: string;
}

/** Named, documented chunking settings (docs/chunking.md explains each). */
export interface ChunkingSettings {
  /** A chunk grows up to about this many tokens before a new one starts. */
  targetTokens: number;
  /** Never exceeded, except by a single indivisible unit (a code line, a table row). */
  maxTokens: number;
  /** Tokens of the previous chunk repeated at the start of the next within one section. */
  overlapTokens: number;
  /** Sections smaller than this merge with their neighbour. */
  minTokens: number;
}
