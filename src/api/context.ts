import type { AnswerService } from '../answer/index.ts';
import type { Database } from '../db/index.ts';

/** What the API needs from the outside world; composition roots build it. */
export interface AppDependencies {
  database: Database;
  /** Embedder spec recorded on KBs created without one, and required of KBs written to. */
  defaultEmbedder: string;
  /** The knowledge base a request that names none uses. */
  defaultKb: string;
  ingestion: IngestionDependencies;
  /** Search and answers over the KBs (retriever, reader or LLM, answers log). */
  answers: AnswerService;
  evals: EvalDependencies;
}

/** Eval runs (POST /evals) are queued jobs; a worker, not the request, runs them. */
export interface EvalDependencies {
  /** Told when an eval was queued, so a worker in this process starts on it at once. */
  onJobQueued(): void;
}

export interface IngestionDependencies {
  /** Content type from the bytes (and name, and a declared type as a hint); null when unknown. */
  detectContentType(input: { source: string; bytes: Uint8Array; declared?: string }): string | null;
  /** Whether a loader parses this type (natively or through Unstructured). */
  isSupported(contentType: string): boolean;
  /** Told when a job was queued, so a worker in this process starts on it at once. */
  onJobQueued(): void;
  limits: UploadLimits;
}

export interface UploadLimits {
  /** Largest single document, in bytes. */
  maxDocumentBytes: number;
  /** Most files in one multipart upload. */
  maxFilesPerRequest: number;
  /** Largest request body of POST /documents, in bytes. */
  maxRequestBytes: number;
}

export const defaultUploadLimits: UploadLimits = {
  maxDocumentBytes: 25 * 1024 * 1024,
  maxFilesPerRequest: 20,
  maxRequestBytes: 60 * 1024 * 1024,
};

export interface AppEnvironment {
  Variables: {
    dependencies: AppDependencies;
    requestId: string;
  };
}
