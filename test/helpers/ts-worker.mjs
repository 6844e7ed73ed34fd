// The search worker from the TypeScript sources, for tests that import src/ (vitest): registers tsx
// in this worker thread, then loads src/parallel/worker.ts. Set as NPC_WORKER_SCRIPT by test/setup.ts.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../../src/parallel/worker.ts', import.meta.url).href);
