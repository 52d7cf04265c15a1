import type { Loader } from '../../src/core/index.ts';
import { ocrImageTypes } from '../../src/core/index.ts';

/**
 * PNG, JPEG and WebP files (screenshots, scans): no text of their own, the whole file
 * left for the OCR stage. Registered only while OCR is on.
 */
export const imageLoader: Loader = {
  contentTypes: ocrImageTypes,
  load: async ({ contentType }) => ({
    title: null,
    contentType: contentType ?? ocrImageTypes[0]!,
    blocks: [],
    metadata: {},
    ocrTargets: [{ kind: 'image_file' }],
  }),
};
