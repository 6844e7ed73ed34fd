/**
 * Search workers that fail: the built CLI started through a test-only entry point
 * (test/helpers/npc-with-faulty-worker.mjs) that passes `main` a worker factory whose workers fail on
 * purpose (test/helpers/faulty-worker.mjs) or which fails itself. The product reads no hook from the
 * environment: bin/npc.js with the same environment runs its own workers.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, listTree, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';

afterAll(() => cleanupTmp());

const entry = fileURLToPath(new URL('../helpers/npc-with-faulty-worker.mjs', import.meta.url));
const train = writeJsonl(
  join(makeTmp('npc-worker-faults-'), 'train.jsonl'),
  SENTENCES.map(([label, text]) => ({ label, text })),
);
const current = writeJsonl(
  join(makeTmp('npc-worker-faults-'), 'current.jsonl'),
  SENTENCES.map(([, text]) => ({ text: text.split(' ').reverse().join(' ') })),
);
/** Generous hang guard: a run that needs it has hung (the tests wait for the exit, not for a duration). */
const HANG_GUARD_MS = 60_000;

describe.concurrent('row 20: a worker throws or dies', () => {
  it.each([
    ['throw', 'search worker \\d+ failed: injected worker fault'],
    ['exit', 'search worker \\d+ exited unexpectedly \\(exit code 3\\)'],
  ])(
    'row 20: a worker that fails (NPC_FAULT=%s, test/helpers/faulty-worker.mjs) → error with the cause, exit 1, no hang, no output files',
    async (fault, cause) => {
      const out = makeTmp('npc-fm-r20-');
      const env = { NPC_FAULT: fault };
      const e = await run(['eval', '--train', train, '--test', train, '--jobs', '2', '--quiet', '--predictions', join(out, 'p.jsonl')], {
        entry,
        env,
        timeoutMs: HANG_GUARD_MS,
      });
      expect(e.timedOut).toBe(false);
      expect(listTree(out)).toEqual([]);
      expectNpcError(e, 1, new RegExp(`(.+: )?${cause}`));
      const c = await run(['classify', '--train', train, '--jobs', '2', '--input', 'text'], {
        entry,
        env,
        input: 'the striker scored\n',
        timeoutMs: HANG_GUARD_MS,
      });
      expect(c.timedOut).toBe(false);
      expectNpcError(c, 1, new RegExp(`(.+: )?${cause}`));
    },
  );
});

describe.concurrent('row 78: a worker factory that throws', () => {
  it('row 78: the factory fails to start a worker (classify, eval, drift with --jobs 2) → `cannot start search worker 0: …`, exit 1, no hang, no output files', async () => {
    const env = { NPC_FAULT: 'factory' };
    const out = makeTmp('npc-fm-r78-');
    const runs = await Promise.all([
      run(['classify', '--train', train, '--jobs', '2', '--input', 'text'], {
        entry,
        env,
        input: 'the striker scored\n',
        timeoutMs: HANG_GUARD_MS,
      }),
      run(['eval', '--train', train, '--test', train, '--jobs', '2', '--quiet', '--predictions', join(out, 'p.jsonl')], {
        entry,
        env,
        timeoutMs: HANG_GUARD_MS,
      }),
      run(['drift', '--train', train, '--reference', train, '--current', current, '--jobs', '2', '--quiet'], {
        entry,
        env,
        timeoutMs: HANG_GUARD_MS,
      }),
    ]);
    for (const r of runs) {
      expect(r.timedOut).toBe(false);
      expectNpcError(r, 1, /cannot start search worker 0: injected factory fault/);
    }
    expect(listTree(out)).toEqual([]);
  });

  it('row 78: bin/npc.js with the same environment runs its own workers (the product reads no hook from it)', async () => {
    for (const fault of ['factory', 'throw', 'exit']) {
      const r = await run(['classify', '--train', train, '--jobs', '2', '--input', 'text'], {
        env: { NPC_FAULT: fault, NPC_WORKER_SCRIPT: fileURLToPath(new URL('../helpers/faulty-worker.mjs', import.meta.url)) },
        input: 'The striker scored twice and the home side won the football match\n',
        timeoutMs: HANG_GUARD_MS,
      });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe('sport\n');
    }
  });
});
