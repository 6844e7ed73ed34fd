/**
 * Runs before every test file: tests that import src/ spawn search workers from the TypeScript sources
 * (there is no compiled worker.js beside src/parallel/searcher.ts). Spawned CLIs do not inherit this
 * (test/helpers strip NPC_WORKER_SCRIPT): they run dist/ as users do.
 */
import { fileURLToPath } from 'node:url';

process.env.NPC_WORKER_SCRIPT = fileURLToPath(new URL('./helpers/ts-worker.mjs', import.meta.url));
