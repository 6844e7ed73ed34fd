import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runNpc } from '../helpers/run-npc.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const TRAIN = 'ag_news/train.first2000.jsonl.gz';
const TEST = 'ag_news/test.jsonl.gz';
const available = requireSharedData(TRAIN, TEST);

describe.skipIf(!available)('npc eval on AG News (test head vs the 2,000-row train head)', () => {
  let dir: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON, checked field by field below
  let json: Record<string, any>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- parsed JSON
  let predictions: Record<string, any>[];
  const limit = 60;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npc-eval-'));
    const r = await runNpc([
      'eval',
      '--train',
      sharedDataPath(TRAIN),
      '--test',
      sharedDataPath(TEST),
      '--limit',
      String(limit),
      '--json',
      '--quiet',
      '--predictions',
      join(dir, 'preds.jsonl'),
      '--neighbors',
      '3',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    json = JSON.parse(r.stdout);
    predictions = readFileSync(join(dir, 'preds.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
  });

  it('reports n, k, strict, lenient, per-class and throughput', () => {
    expect(json.n).toBe(limit);
    expect(json.k).toBe(2);
    expect(json.train_size).toBe(2000);
    expect(json.lenient).toBeGreaterThanOrEqual(json.strict);
    expect(json.per_class.map((c: { label: unknown }) => c.label)).toEqual([0, 1, 2, 3]);
    expect(json.per_class.reduce((a: number, c: { n: number }) => a + c.n, 0)).toBe(limit);
    expect(json.elapsed_s).toBeGreaterThan(0);
    expect(json.pairs_per_second).toBeCloseTo((limit * 2000) / json.elapsed_s, 0);
  });

  it('writes one prediction line per test row, in order, consistent with the summary', () => {
    const truth = readJsonlGz(sharedDataPath(TEST)).slice(0, limit);
    expect(predictions.map((p) => p.index)).toEqual([...Array(limit).keys()]);
    expect(predictions.map((p) => p.label)).toEqual(truth.map((t) => t.label));
    expect(predictions.filter((p) => p.correct).length).toBe(json.strict_correct);
    expect(predictions.filter((p) => p.lenient).length).toBe(json.lenient_correct);
    expect(json.strict).toBe(json.strict_correct / limit);
    for (const p of predictions) {
      expect(p.neighbors).toHaveLength(3);
      expect(p.correct).toBe(p.prediction === p.label);
      const [[, d0], [, d1], [, d2]] = p.neighbors;
      expect(d0 <= d1 && d1 <= d2).toBe(true);
    }
  });

  it('agrees with the library on the same rows', async () => {
    const { GzipKnnClassifier } = await import('../../src/index.js');
    const train = readJsonlGz(sharedDataPath(TRAIN));
    const test = readJsonlGz(sharedDataPath(TEST)).slice(0, 8);
    const clf = new GzipKnnClassifier({ k: 2 }).fit(
      train.map((r) => r.text),
      train.map((r) => r.label),
    );
    const { indices } = clf.kneighbors(
      test.map((r) => r.text),
      3,
    );
    expect(indices).toEqual(predictions.slice(0, 8).map((p) => p.neighbors.map((n: [number, number]) => n[0])));
    expect(clf.predict(test.map((r) => r.text))).toEqual(predictions.slice(0, 8).map((p) => p.prediction));
  });

  it('--sample draws a stratified, reproducible subset', async () => {
    const args = [
      'eval',
      '--train',
      sharedDataPath(TRAIN),
      '--test',
      sharedDataPath(TEST),
      '--sample',
      '8',
      '--seed',
      '3',
      '--json',
      '--quiet',
    ];
    const [a, b] = await Promise.all([runNpc(args), runNpc(args)]);
    expect(a.code).toBe(0);
    const ja = JSON.parse(a.stdout);
    const jb = JSON.parse(b.stdout);
    expect(ja.n).toBe(8);
    // AG News test is balanced (1,900 per class): 8 rows → 2 per class.
    expect(ja.per_class.map((c: { n: number }) => c.n)).toEqual([2, 2, 2, 2]);
    expect([ja.strict, ja.lenient]).toEqual([jb.strict, jb.lenient]);
  });

  it('prints a readable table with both accuracies labelled', async () => {
    const r = await runNpc([
      'eval',
      '--train',
      sharedDataPath(TRAIN),
      '--test',
      sharedDataPath(TEST),
      '--limit',
      '4',
      '--label-names',
      'World,Sports,Business,Sci/Tech',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^test rows +4 \(first 4 of 7600 in /);
    expect(r.stdout).toMatch(/strict accuracy +\d\.\d{4} +\(\d+\/4; top-1/);
    expect(r.stdout).toMatch(/lenient accuracy +\d\.\d{4} +\(\d+\/4; the paper's rule/);
    expect(r.stdout).toContain('Sci/Tech');
    expect(r.stdout).toMatch(/pairs per second +[\d,]+/);
  });
});

describe('npc eval: bad input leaves nothing half-written', () => {
  it('a bad test line: one-line error naming file and line, exit 1, no predictions file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-eval-bad-'));
    const train = join(dir, 'train.jsonl');
    const test = join(dir, 'test.jsonl');
    writeFileSync(train, '{"label": "a", "text": "alpha beta"}\n{"label": "b", "text": "gamma delta"}\n');
    writeFileSync(test, '{"label": "a", "text": "alpha"}\n{"label": "b", "text": "gamma"\n');
    const r = await runNpc(['eval', '--train', train, '--test', test, '--predictions', join(dir, 'out.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`^npc: ${test.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2: invalid JSON \\(.*\\)\\n$`));
    expect(r.stdout).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['test.jsonl', 'train.jsonl']);
  });

  it('--predictions into a missing folder is refused before any work', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-eval-bad-'));
    const train = join(dir, 'train.jsonl');
    writeFileSync(train, '{"label": "a", "text": "alpha beta"}\n');
    const r = await runNpc(['eval', '--train', train, '--test', train, '--predictions', join(dir, 'no', 'out.jsonl')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('directory does not exist');
    expect(existsSync(join(dir, 'no'))).toBe(false);
  });

  it('--limit with --sample is a usage error', async () => {
    const r = await runNpc(['eval', '--limit', '3', '--sample', '3']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('npc: --limit and --sample cannot be combined\n');
  });
});

describe.skipIf(!available)('npc eval --jobs', () => {
  it('--jobs 1 and --jobs 2 write byte-identical predictions and the same summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-jobs-'));
    const run = (jobs: number) =>
      runNpc([
        'eval',
        '--train',
        sharedDataPath(TRAIN),
        '--test',
        sharedDataPath(TEST),
        '--limit',
        '40',
        '--json',
        '--quiet',
        '--jobs',
        String(jobs),
        '--neighbors',
        '5',
        '--predictions',
        join(dir, `p${jobs}.jsonl`),
      ]);
    const [one, two] = [await run(1), await run(2)];
    expect([one.code, two.code]).toEqual([0, 0]);
    const strip = (s: string) => {
      const { elapsed_s: _e, pairs_per_second: _p, ...rest } = JSON.parse(s);
      return rest;
    };
    expect(strip(two.stdout)).toEqual(strip(one.stdout));
    expect(readFileSync(join(dir, 'p2.jsonl'))).toEqual(readFileSync(join(dir, 'p1.jsonl')));
  });
});
