// The search worker from the TypeScript sources, for tests that import src/ (vitest): registers tsx
// in this worker thread, then loads src/parallel/worker.ts. Started by the worker factory of the tests
// that create search pools from src/ (test/unit/searcher.test.ts).
import { register } from 'tsx/esm/api';

register();
await import(new URL('../../src/parallel/worker.ts', import.meta.url).href);
