/** fastify is loaded only by `npc serve`: the other commands start without it. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp, run } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';
import { repoRoot } from '../helpers/run-npc.js';

afterAll(() => cleanupTmp());

const forbid = fileURLToPath(new URL('../helpers/forbid-fastify.mjs', import.meta.url));

describe('row 149: the server modules are loaded only for serve', () => {
  it('row 149: npc classify runs with fastify made unloadable; npc serve (the control) fails loading it', async () => {
    const model = join(makeTmp('npc-serve-lazy-'), 'm.npcm');
    await writeTestModel(
      model,
      SENTENCES.map(([label, text]) => ({ label, text })),
    );
    const env = { NODE_OPTIONS: `--import=${forbid}` };
    const classify = await run(['classify', '--model', model, '-q', SENTENCES[2][1]], { env, timeoutMs: 60_000 });
    expect(classify.stderr).toBe('');
    expect([classify.code, classify.stdout]).toEqual([0, 'money\n']);
    const serve = await run(['serve', '--model', model, '--port', '0'], { env, timeoutMs: 60_000 });
    expect(serve.code).not.toBe(0);
    expect(serve.stderr).toMatch(/fastify was loaded/);
  });
});

describe('row 150: the library subpath', () => {
  it('row 150: npc-gzip/server (package.json exports) gives buildServer', async () => {
    const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        process.execPath,
        ['--input-type=module', '-e', "const m = await import('npc-gzip/server'); console.log(typeof m.buildServer);"],
        {
          cwd: repoRoot,
        },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('close', (code) => resolve({ code, out }));
    });
    expect(r).toEqual({ code: 0, out: 'function\n' });
  });
});
