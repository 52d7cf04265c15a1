// The parse pool's worker thread starts here. A worker thread does not inherit the
// parent's module hooks, so it registers tsx itself, as bin/oriole.js does for the
// process, then loads the TypeScript worker.
import { register } from 'tsx/esm/api';

register();
await import('./parse-worker.ts');
