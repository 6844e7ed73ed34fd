import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { readNeighborsFile } from '../../src/io/neighbors-file.js';
import { requirePython3 } from '../helpers/prerequisites.js';
import { repoRoot, runNpc } from '../helpers/run-npc.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const AG_TRAIN = 'ag_news/train.first2000.jsonl.gz';
const AG_TEST = 'ag_news/test.jsonl.gz';
const R8_TRAIN = 'r8/train.jsonl.gz';
const R8_TEST = 'r8/test.jsonl.gz';
const available = requireSharedData(AG_TRAIN, AG_TEST, R8_TRAIN, R8_TEST);

/** The report minus what only eval measures (time), for eval-vs-score comparisons. */
function withoutTiming(json: string): Record<string, unknown> {
  const { elapsed_s: _e, pairs: _n, pairs_per_second: _p, ...rest } = JSON.parse(json);
  return rest;
}

describe.skipIf(!available)('eval --save-neighbors and npc score', () => {
  let dir: string;
  let saved: string;
  let evalJson: string;
  const data = () => ['--train', sharedDataPath(AG_TRAIN), '--test', sharedDataPath(AG_TEST)];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npc-score-'));
    saved = join(dir, 'ag.nbr');
    const r = await runNpc(['eval', ...data(), '--limit', '40', '-k', '1,2,3,5', '--json', '--quiet', '--save-neighbors', saved]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    evalJson = r.stdout;
  });

  it('score prints exactly the numbers eval printed, for every k and tie rule', async () => {
    const r = await runNpc(['score', saved, ...data(), '-k', '1,2,3,5', '--json']);
    expect(r.code).toBe(0);
    expect(withoutTiming(r.stdout)).toEqual(withoutTiming(evalJson));
    const report = JSON.parse(evalJson);
    expect(report.ks.map((k: { k: number }) => k.k)).toEqual([1, 2, 3, 5]);
    expect(Object.keys(report.ks[0].strict)).toEqual(['nearest', 'decrement', 'random', 'weighted']);
    expect(report.neighbors_m).toBe(15);
  });

  it("the text report of score equals eval's but for the timing lines", async () => {
    const e = await runNpc(['eval', ...data(), '--limit', '40', '-k', '3,1', '--tie', 'decrement', '--quiet', '--jobs', '1']);
    const s = await runNpc(['score', saved, ...data(), '-k', '3,1', '--tie', 'decrement']);
    const body = (out: string) =>
      out
        .split('\n')
        .filter((l) => !/^(elapsed|pairs per second)/.test(l))
        .join('\n')
        .trim();
    expect(body(s.stdout)).toBe(body(e.stdout));
    expect(s.stdout).toContain("tie rule 'decrement'");
  });

  it('re-scores with a different headline k and rule without compressing (other k from the same neighbours)', async () => {
    const r = await runNpc(['score', saved, ...data(), '-k', '3', '--tie', 'weighted', '--json']);
    const out = JSON.parse(r.stdout);
    const full = JSON.parse(evalJson);
    expect(out.k).toBe(3);
    expect(out.tie).toBe('weighted');
    expect(out.strict).toBe(full.ks[2].strict.weighted.accuracy);
    expect(out.lenient).toBe(full.ks[2].lenient.accuracy);
  });

  it('the saved file records M, the compressor and the data checksums', async () => {
    const file = await readNeighborsFile(saved);
    expect(file.size).toBe(40);
    expect(file.header.m).toBe(15);
    expect(file.header.compressor).toMatch(/gzip-9$/);
    expect(file.header.train.rows).toBe(2000);
    expect(file.header.test.rows).toBe(7600);
    expect(Array.from(file.testRows)).toEqual([...Array(40).keys()]);
  });

  it('refuses a file that does not match the data, one line, exit 1', async () => {
    const r = await runNpc(['score', saved, '--train', sharedDataPath(AG_TRAIN), '--test', sharedDataPath(R8_TEST)]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: .*ag\.nbr: neighbours file does not match this run: its test data differs/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('refuses a k larger than the saved neighbours', async () => {
    const r = await runNpc(['score', saved, ...data(), '-k', '20']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('it holds 15 neighbours per row, 20 are needed');
  });

  it('refuses a truncated file with a one-line error', async () => {
    const cut = join(dir, 'cut.nbr');
    const bytes = readFileSync(saved);
    writeFileSync(cut, bytes.subarray(0, bytes.length - 100));
    const r = await runNpc(['score', cut, ...data()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: .*cut\.nbr: .+\n$/);
  });

  it('refuses --save-neighbors or --predictions onto an input file, before any work', async () => {
    for (const flag of ['--save-neighbors', '--predictions']) {
      const r = await runNpc(['eval', ...data(), '--limit', '1', flag, sharedDataPath(AG_TEST)]);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`npc: ${flag} ${sharedDataPath(AG_TEST)} would overwrite an input file\n`);
    }
  });

  it('--tie random writes reproducible picks for a seed; its accuracy is the exact expectation', async () => {
    const run = (seed: number, name: string) =>
      runNpc([
        'eval',
        ...data(),
        '--limit',
        '40',
        '--tie',
        'random',
        '--seed',
        String(seed),
        '--quiet',
        '--json',
        '--predictions',
        join(dir, name),
      ]);
    const [a, b] = [await run(5, 'r1.jsonl'), await run(5, 'r2.jsonl')];
    expect(readFileSync(join(dir, 'r1.jsonl'), 'utf8')).toBe(readFileSync(join(dir, 'r2.jsonl'), 'utf8'));
    const ja = JSON.parse(a.stdout);
    expect(ja.tie).toBe('random');
    expect(ja.strict).toBe(JSON.parse(evalJson).ks[1].strict.random.accuracy);
    expect(withoutTiming(b.stdout)).toEqual(withoutTiming(a.stdout));
  });

  it('--shots draws N rows per class T times and reports mean ± sd, reproducibly', async () => {
    const args = ['eval', ...data(), '--limit', '30', '--shots', '5', '--trials', '3', '--seed', '2', '-k', '1,2', '--json', '--quiet'];
    const [a, b] = [await runNpc(args), await runNpc(args)];
    expect(a.code).toBe(0);
    const out = JSON.parse(a.stdout);
    expect(out).toMatchObject({ shots: 5, trials: 3, seed: 2, n: 30 });
    expect(out.ks.map((k: { k: number }) => k.k)).toEqual([1, 2]);
    expect(out.ks[0].strict.n).toBe(3);
    expect(a.stdout).toBe(b.stdout);
  });
});

describe.skipIf(!available)('R8 with --strip: neighbour lists agree with CPython gzip row by row', () => {
  const python = available && requirePython3('the R8 --strip CPython comparison');

  it.skipIf(!python)('40 R8 test rows against the full 5,485-row train split, 10 neighbours each', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-r8-'));
    const saved = join(dir, 'r8.nbr');
    const r = await runNpc([
      'eval',
      '--train',
      sharedDataPath(R8_TRAIN),
      '--test',
      sharedDataPath(R8_TEST),
      '--strip',
      '--limit',
      '40',
      '-k',
      '1',
      '--neighbors',
      '10',
      '--quiet',
      '--save-neighbors',
      saved,
    ]);
    expect(r.code).toBe(0);
    const ref = spawnSync(
      'python3',
      [
        'scripts/reference_neighbors.py',
        '--train',
        sharedDataPath(R8_TRAIN),
        '--test',
        sharedDataPath(R8_TEST),
        '--strip',
        '--n',
        '40',
        '--m',
        '10',
      ],
      { cwd: repoRoot, encoding: 'utf8', maxBuffer: 64 << 20 },
    );
    expect(ref.status).toBe(0);
    const expected = JSON.parse(ref.stdout) as { index: number; neighbors: [number, number][] }[];
    const file = await readNeighborsFile(saved);
    expect(file.header.strip).toBe(true);
    const ours = Array.from({ length: file.size }, (_, i) => {
      const row = file.row(i);
      // npc keeps at least largest k + 10 neighbours (for exact envelopes); compare the first 10.
      return { index: row.testRow, neighbors: Array.from(row.indices, (j, n) => [j, row.distances[n]]).slice(0, 10) };
    });
    expect(ours).toEqual(expected);
    expect(readdirSync(dir)).toEqual(['r8.nbr']);
  });
});
