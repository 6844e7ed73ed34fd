/**
 * docs/serving.md runs as written: every `$ curl …` line of its console blocks is run (through bash)
 * against a real `npc serve` of the model built from examples/headlines.jsonl, and prints the lines
 * that follow it in the doc.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, makeTmp, run } from '../helpers/failure-tools.js';
import { repoRoot } from '../helpers/run-npc.js';
import { HANG_GUARD_MS, type Served, startServe } from '../helpers/serve.js';

const doc = readFileSync(join(repoRoot, 'docs', 'serving.md'), 'utf8');

/** Each `$ command` of the doc's console blocks with the lines after it (its output). */
function examples(): { command: string; output: string }[] {
  const found: { command: string; output: string }[] = [];
  for (const block of doc.matchAll(/```console\n([\s\S]*?)```/g)) {
    for (const part of block[1].split(/^\$ /m).slice(1)) {
      const [command, ...output] = part.split('\n');
      found.push({ command, output: output.join('\n') });
    }
  }
  return found;
}

let server: Served;
beforeAll(async () => {
  const model = join(makeTmp('npc-serving-docs-'), 'headlines.npcm');
  const built = await run(['model', 'build', '--train', 'examples/headlines.jsonl', '-o', model, '--name', 'headlines', '-q'], {
    timeoutMs: HANG_GUARD_MS,
  });
  expect(built.code).toBe(0);
  server = await startServe(['--model', model, '--jobs', '2']);
}, HANG_GUARD_MS);

afterAll(async () => {
  await server?.stop();
  cleanupTmp();
});

describe('docs/serving.md', () => {
  it('has curl examples', () => {
    expect(examples().length).toBeGreaterThanOrEqual(6);
    expect(examples().every((e) => e.command.includes('curl -s http://127.0.0.1:8080/'))).toBe(true);
  });

  it.each(examples().map((e) => [e.command, e]))('%s prints what the doc shows', async (_command, example) => {
    const command = example.command.replaceAll('http://127.0.0.1:8080', server.url);
    const { stdout } = await promisify(execFile)('bash', ['-c', command], { timeout: HANG_GUARD_MS });
    expect(stdout.trimEnd()).toBe(example.output.trimEnd());
  });
});
