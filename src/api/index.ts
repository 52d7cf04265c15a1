export { createApp } from './app.ts';
export type { AppOptions } from './app.ts';
export type { AppDependencies } from './context.ts';
export { httpStatusOf } from './error-response.ts';
