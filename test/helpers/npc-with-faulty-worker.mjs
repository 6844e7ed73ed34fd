// A test-only entry point: the built CLI (dist/cli/main.js, as bin/npc.js runs it) with search workers
// that fail on purpose, through the worker-factory parameter of `main` (the product reads no hook from
// the environment). NPC_FAULT says how: `throw` and `exit` start test/helpers/faulty-worker.mjs (which
// reads it), `factory` makes the factory itself throw when asked for a worker, `exit-once` makes the
// first worker asked for one that exits at its first request and every later one a real worker (a
// server that replaces a dead worker then serves again).
import { Worker } from 'node:worker_threads';

const { main } = await import(new URL('../../dist/cli/main.js', import.meta.url).href);

let started = 0;
const createWorker = () => {
  if (process.env.NPC_FAULT === 'factory') throw new Error('injected factory fault');
  if (process.env.NPC_FAULT === 'exit-once') {
    if (started++ > 0) return new Worker(new URL('../../dist/parallel/worker.js', import.meta.url));
    return new Worker(new URL('./faulty-worker.mjs', import.meta.url), { env: { ...process.env, NPC_FAULT: 'exit' } });
  }
  return new Worker(new URL('./faulty-worker.mjs', import.meta.url));
};

const code = await main(process.argv, { createWorker });
// As bin/npc.js: let stdout drain on success, exit at once otherwise.
if (code === 0) process.exitCode = code;
else process.exit(code);
