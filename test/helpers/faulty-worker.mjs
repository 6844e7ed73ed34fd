// A search worker that fails on its first request, for the failure tests: NPC_FAULT=throw answers
// with an error (as a worker that throws does), NPC_FAULT=exit ends the thread with exit code 3.
// Put in place with NPC_WORKER_SCRIPT=<this file>.
import { parentPort } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message.type === 'setup') return;
  if (process.env.NPC_FAULT === 'exit') process.exit(3);
  parentPort.postMessage({ type: 'error', id: message.id, message: 'injected worker fault' });
});
