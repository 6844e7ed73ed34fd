/**
 * The download and archive code of `npc data get` (tar-stream, yauzl) is loaded only by that command:
 * eval and classify, which import the data set module to resolve names, start without it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp, run } from '../helpers/failure-tools.js';

afterAll(() => cleanupTmp());

const forbid = fileURLToPath(new URL('../helpers/forbid-archive-readers.mjs', import.meta.url));

describe('the archive readers are loaded only by npc data get', () => {
  it('eval and classify run with tar-stream and yauzl made unloadable; data get (the control) fails loading them', async () => {
    const dir = makeTmp('npc-lazy-data-');
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, SENTENCES.map(([label, text]) => JSON.stringify({ label, text }) + '\n').join(''));
    const env = { NODE_OPTIONS: `--import=${forbid}`, NPC_DATA_DIR: join(dir, 'cache') };
    const evaluated = await run(['eval', '--train', train, '--test', train, '-k', '1', '-q', '--json'], { env, timeoutMs: 60_000 });
    expect([evaluated.code, evaluated.stderr]).toEqual([0, '']);
    expect(JSON.parse(evaluated.stdout).strict).toBe(1);
    const classified = await run(['classify', '--train', train, '-k', '1', SENTENCES[2][1]], { env, timeoutMs: 60_000 });
    expect([classified.code, classified.stderr, classified.stdout]).toEqual([0, '', 'money\n']);
    const control = await run(['data', 'get', 'r8', '--from', dir], { env, timeoutMs: 60_000 });
    expect(control.code).not.toBe(0);
    expect(control.stderr).toMatch(/(tar-stream|yauzl) was loaded/);
  });
});
