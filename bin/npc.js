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
// Let stdout drain before exiting; process.exitCode avoids cutting off piped output.
process.exitCode = code;
