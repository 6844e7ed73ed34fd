// A search worker that fails on its first request, for the failure tests: NPC_FAULT=throw answers
// with an error (as a worker that throws does), NPC_FAULT=exit ends the thread with exit code 3.
// Started by the worker factory of test/helpers/npc-with-faulty-worker.mjs and test/unit/searcher.test.ts.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message.type === 'setup') return;
  if (process.env.NPC_FAULT === 'exit') process.exit(3);
  parentPort.postMessage({ type: 'error', id: message.id, message: 'injected worker fault' });
});
