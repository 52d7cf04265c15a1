export { createUnstructuredLoader, defaultUnstructuredSettings } from './create-unstructured-loader.ts';
export type { UnstructuredLoaderOptions, UnstructuredStrategy } from './create-unstructured-loader.ts';
export { elementsToDocument, unstructuredElementSchema } from './elements-to-document.ts';
export type { UnstructuredElement } from './elements-to-document.ts';
export { unstructuredContentTypes, unstructuredFileExtensions } from './unstructured-content-types.ts';
