import type { ModelLoadOptions } from '../models/index.ts';

/** What `createEmbedder` needs from outside; the composition root fills it from `Config`. */
export interface EmbedderOptions extends ModelLoadOptions {
  /** OPENAI_API_KEY / OPENAI_BASE_URL, for `openai:<model>`. */
  openai?: { apiKey?: string; baseUrl?: string };
}
