export { OrioleError, errorCodes, isOrioleError, notFound, invalidRequest } from './errors.ts';
export type { ErrorCode, OrioleErrorOptions } from './errors.ts';
export { loadConfig, defaultEmbedder, defaultPort } from './config.ts';
export type { Config, EnvironmentRecord } from './config.ts';
