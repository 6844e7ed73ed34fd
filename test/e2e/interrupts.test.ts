/**
 * SIGINT / SIGTERM during every command that writes outputs: the temporary files of outputs not yet
 * committed are removed, the command says it was interrupted (with the partial result where there is
 * one: eval, score), and exits 130 / 143. Each test waits for an event (a temporary file appears, a pipe
 * fills, a message is printed) before it sends the signal, with a generous guard against a hang.
 * Failure-matrix rows 67, 68 and 70.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, constants, openSync, readFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesWritten, cleanupTmp, makeTmp, spawnNpc, waitFor, writeJsonl } from '../helpers/failure-tools.js';
import { startServer } from '../helpers/http-server.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const AG_TRAIN = 'ag_news/train.first2000.jsonl.gz';
const AG_TEST = 'ag_news/test.jsonl.gz';
const AG_TEST_CSV = 'ag_news/test.csv.gz';
const available = requireSharedData(AG_TRAIN, AG_TEST);
const haveCsv = requireSharedData(AG_TEST_CSV);

afterAll(() => cleanupTmp());

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
}

/** Every name under `dir`, recursively (no stat: files may come and go while it looks). */
const tree = (dir: string): string[] => readdirSync(dir, { recursive: true, encoding: 'utf8' });
const tempFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

describe.skipIf(!available)('signals during the commands that write outputs', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as [NodeJS.Signals, number][])(
    'row 67: %s during drift --html: the temporary page is removed, one line says so, exit %s',
    async (signal, code) => {
      const out = makeTmp('npc-sig-drift-');
      const { child, done } = spawnNpc(
        [
          'drift',
          '--train',
          sharedDataPath(AG_TRAIN),
          '--reference',
          sharedDataPath(AG_TEST),
          '--current',
          sharedDataPath(AG_TRAIN),
          '--html',
          join(out, 'd.html'),
          '--jobs',
          '1',
        ],
        { stdin: 'null', timeoutMs: 120_000 },
      );
      // The page's temporary file is created before any work: drift is then under way.
      expect(await waitFor(() => tempFiles(out).length === 1, 60_000), 'no temporary file appeared').toBe(true);
      expect(tempFiles(out)[0]).toMatch(/^\.d\.html\.\d+\.[0-9a-f]{8}\.tmp$/);
      child.kill(signal);
      const r = await done;
      expect(r.timedOut, `npc ignored ${signal}`).toBe(false);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(`npc: interrupted by ${signal}\n`);
      expect(readdirSync(out)).toEqual([]);
    },
    180_000,
  );

  it('row 67: SIGINT while merge waits for the reader of its output FIFO: it said it was waiting, exit 130, nothing left', async () => {
    const out = makeTmp('npc-sig-merge-');
    const train = writeJsonl(
      join(out, 'train.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({ label: i % 3, text: `row ${i} about topic ${i % 3}` })),
    );
    const test = writeJsonl(
      join(out, 'test.jsonl'),
      Array.from({ length: 6 }, (_, i) => ({ label: i % 3, text: `question ${i} on topic ${i % 3}` })),
    );
    const part = join(out, 'part.nbr');
    const e = spawnNpc(['eval', '--train', train, '--test', test, '-q', '--shard', '0/1', '--save-neighbors', part], { stdin: 'null' });
    expect((await e.done).code).toBe(0);
    const fifo = join(out, 'merged.fifo');
    mkfifo(fifo);
    const { child, done } = spawnNpc(['merge', part, '-o', fifo], { stdin: 'null', timeoutMs: 60_000 });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await waitFor(() => stderr.includes('waiting for a reader'), 40_000), 'merge never said it was waiting').toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.timedOut, 'npc ignored SIGINT').toBe(false);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`npc: waiting for a reader of the FIFO ${fifo}\nnpc: interrupted by SIGINT\n`);
    expect(readdirSync(out).sort()).toEqual(['merged.fifo', 'part.nbr', 'test.jsonl', 'train.jsonl']);
  });

  describe('eval and score print the partial result of the rows done, saying how many of how many', () => {
    let dir: string;
    let train: string;
    let saved: string;
    const test = () => sharedDataPath(AG_TEST);

    /** Runs npc with --predictions into a FIFO whose reader never reads; signals it once the pipe is full. */
    async function stuckOnPredictions(args: string[], signal: NodeJS.Signals) {
      const fifo = join(dir, 'p.fifo');
      mkfifo(fifo);
      const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      try {
        const { child, done } = spawnNpc([...args, '--predictions', fifo, '--html', join(dir, 'report.html')], {
          stdin: 'null',
          timeoutMs: 120_000,
        });
        const filled = await waitFor(() => (bytesWritten(child.pid!) ?? 0) >= 65536 - 4096, 90_000);
        expect(filled, 'npc never filled the pipe').toBe(true);
        child.kill(signal);
        const r = await done;
        expect(r.timedOut, `npc ignored ${signal}`).toBe(false);
        return r;
      } finally {
        closeSync(fd);
        spawnSync('rm', ['-f', fifo]);
      }
    }

    it('row 68: SIGTERM during score with --predictions and --html: partial result of N of 7600 rows scored, exit 143, nothing left', async () => {
      dir = makeTmp('npc-sig-score-');
      // 6 training rows of each of the 4 classes: every test label is a training label.
      const rows = readJsonlGz(sharedDataPath(AG_TRAIN));
      const labels = [...new Set(rows.map((row) => row.label))];
      expect(labels).toHaveLength(4);
      train = writeJsonl(
        join(dir, 'train.jsonl'),
        labels.flatMap((label) => rows.filter((row) => row.label === label).slice(0, 6)),
      );
      saved = join(dir, 'all.nbr');
      const e = spawnNpc(['eval', '--train', train, '--test', test(), '-q', '-k', '1', '--save-neighbors', saved], {
        stdin: 'null',
        timeoutMs: 170_000,
      });
      const done = await e.done;
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      const r = await stuckOnPredictions(['score', saved, '--train', train, '--test', test(), '-k', '1'], 'SIGTERM');
      expect(r.code).toBe(143);
      expect(r.stdout).toBe('');
      const scored = /^npc: partial result \((\d+) rows? scored before SIGTERM\):\n/.exec(r.stderr);
      expect(scored, r.stderr).not.toBe(null);
      const n = Number(scored![1]);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(7600);
      expect(r.stderr).toContain(`\ntest rows        ${n} of 7600 scored, interrupted (`);
      expect(r.stderr).toMatch(/\nnpc: interrupted by SIGTERM\n$/);
      expect(readdirSync(dir).sort()).toEqual(['all.nbr', 'train.jsonl']);
    }, 300_000);

    it('row 68: SIGINT during eval: the partial report says N of 7600 evaluated, never "all of 7600"', async () => {
      const r = await stuckOnPredictions(['eval', '--train', train, '--test', test(), '-k', '1', '-q', '--jobs', '1'], 'SIGINT');
      expect(r.code).toBe(130);
      const evaluated = /^npc: partial result \((\d+) rows? evaluated before SIGINT\):\n/.exec(r.stderr);
      expect(evaluated, r.stderr).not.toBe(null);
      const n = Number(evaluated![1]);
      expect(r.stderr).toContain(`\ntest rows        ${n} of 7600 evaluated, interrupted (${test()})\n`);
      expect(r.stderr).not.toContain('all of 7600');
      expect(readdirSync(dir).sort()).toEqual(['all.nbr', 'train.jsonl']);
    }, 300_000);
  });
});

describe('signals during data get and classify', () => {
  it.skipIf(!haveCsv)(
    'row 70: SIGINT during a slow data get: the partly downloaded file is removed, one line says so, exit 130',
    async () => {
      const csv = gunzipSync(readFileSync(sharedDataPath(AG_TEST_CSV)));
      // 64 KiB every 300 ms: the download takes about 9 s, long enough to be interrupted once it has started.
      const server = await startServer({ '/slow/test.csv': { body: csv, mode: 'slow', chunkBytes: 64 * 1024, delayMs: 300 } });
      try {
        const cache = makeTmp('npc-sig-data-');
        const { child, done } = spawnNpc(['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}slow/`, '--quiet'], {
          env: { NPC_DATA_DIR: cache },
          stdin: 'null',
          timeoutMs: 120_000,
        });
        const started = await waitFor(() => tree(cache).some((name) => name.endsWith('.tmp')), 60_000);
        expect(started, 'no temporary file appeared in the cache').toBe(true);
        child.kill('SIGINT');
        const r = await done;
        expect(r.timedOut, 'npc ignored SIGINT').toBe(false);
        expect(r.code).toBe(130);
        expect(r.stdout).toBe('');
        expect(r.stderr).toBe('npc: interrupted by SIGINT\n');
        expect(tree(cache).filter((name) => name.endsWith('.tmp') || name.endsWith('.jsonl'))).toEqual([]);
      } finally {
        await server.close();
      }
    },
    180_000,
  );

  it('row 70: SIGTERM while classify waits for more input on stdin: what was classified stays on stdout, one line says so, exit 143', async () => {
    const dir = makeTmp('npc-sig-classify-');
    const train = writeJsonl(
      join(dir, 'train.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({
        label: i % 2 ? 'sports' : 'business',
        text: `${i % 2 ? 'the team won' : 'shares fell'} ${i}`,
      })),
    );
    const { child, done } = spawnNpc(['classify', '--train', train, '--input', 'text', '--jobs', '1'], { timeoutMs: 60_000 });
    let stdout = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stdin.write('the team won again\n');
    expect(await waitFor(() => stdout === 'sports\n', 40_000), 'no prediction came out').toBe(true);
    child.kill('SIGTERM');
    const r = await done;
    expect(r.timedOut, 'npc ignored SIGTERM').toBe(false);
    expect(r.code).toBe(143);
    expect(r.stdout).toBe('sports\n');
    expect(r.stderr).toBe('npc: interrupted by SIGTERM\n');
  });
});
