import type { Database } from '../db/index.ts';

/** What the API needs from the outside world; composition roots build it. */
export interface AppDependencies {
  database: Database;
  /** Embedder spec recorded on KBs created without one. */
  defaultEmbedder: string;
}

export interface AppEnvironment {
  Variables: {
    dependencies: AppDependencies;
    requestId: string;
  };
}
