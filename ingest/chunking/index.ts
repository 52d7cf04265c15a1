export { chunkDocument } from './chunk-document.ts';
export { defaultChunkingSettings } from './default-chunking-settings.ts';
export { countTokens } from './count-tokens.ts';
