export { createApp } from './app.ts';
export type { AppOptions } from './app.ts';
export type { AppDependencies, EvalDependencies, IngestionDependencies, UploadLimits } from './context.ts';
export { defaultUploadLimits } from './context.ts';
export { httpStatusOf } from './error-response.ts';
