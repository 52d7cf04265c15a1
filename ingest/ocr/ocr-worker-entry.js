// The OCR pool's worker thread starts here: it registers tsx itself (a worker thread
// does not inherit the parent's module hooks), then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./ocr-worker.ts');
