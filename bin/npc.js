#!/usr/bin/env node
// Runs the compiled CLI (dist/), built by `npm install` / `npm run build`, so start-up skips TypeScript.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('npc: not built yet; run `npm install` or `npm run build` in the npc folder\n');
  process.exit(70);
}
const { main } = await import(entry.href);
const code = await main(process.argv);
if (code === 0) {
  // Let stdout drain before exiting; process.exitCode avoids cutting off piped output.
  process.exitCode = code;
} else {
  // A failure or a signal: what was to be said is said. Exit now, even if an I/O request is still
  // blocked in the thread pool (a write to a FIFO nobody reads, an open waiting for a FIFO's reader),
  // which would otherwise keep the process alive for ever.
  process.exit(code);
}
