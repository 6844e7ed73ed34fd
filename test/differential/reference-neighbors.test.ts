/**
 * npc's neighbour lists against the reference: scripts/reference_neighbors.py computes, with
 * CPython's gzip.compress, the M nearest AG News training rows (first 2,000) for AG News test rows,
 * ordered by (NCD, training index). GzipKnnClassifier.kneighbors must return the same training
 * indices in the same order and the same NCDs as doubles, bit for bit.
 *
 * Needs ../shared/data (see test/helpers/shared-data.ts) and python3: without python3 the suite is
 * skipped with a printed reason (a failure under CI).
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { compressedLength } from '../../src/compress/index.js';
import { GzipKnnClassifier } from '../../src/model/classifier.js';
import { requirePython3 } from '../helpers/prerequisites.js';
import { type JsonlRow, readJsonlGz, repoRoot, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const TRAIN = 'ag_news/train.first2000.jsonl.gz';
const TEST = 'ag_news/test.jsonl.gz';
const M = 10;
/** Test-row slices [start, start + n): the first 50 rows and the last 10 (exercises --start). */
const SLICES = [
  { start: 0, n: 50 },
  { start: 7590, n: 10 },
];

const haveData = requireSharedData(TRAIN, TEST);

const havePython = requirePython3('the reference neighbour comparison');

interface ReferenceRow {
  index: number;
  neighbors: [number, number][];
}

const execFileAsync = promisify(execFile);

async function runReference(start: number, n: number): Promise<ReferenceRow[]> {
  const args = [
    path.join(repoRoot, 'scripts', 'reference_neighbors.py'),
    '--train',
    sharedDataPath(TRAIN),
    '--test',
    sharedDataPath(TEST),
    '--start',
    String(start),
    '--n',
    String(n),
    '--m',
    String(M),
  ];
  const { stdout } = await execFileAsync('python3', args, { maxBuffer: 64 * 1024 * 1024 });
  return JSON.parse(stdout) as ReferenceRow[];
}

describe.skipIf(!haveData || !havePython)('kneighbors equals the CPython reference (AG News, 2,000 train rows)', () => {
  let train: JsonlRow[];
  let test: JsonlRow[];
  let rows: number[];
  let reference: ReferenceRow[];
  let npc: { indices: number[][]; distances: number[][] };

  beforeAll(async () => {
    train = readJsonlGz(sharedDataPath(TRAIN));
    test = readJsonlGz(sharedDataPath(TEST));
    rows = SLICES.flatMap(({ start, n }) => Array.from({ length: n }, (_, i) => start + i));

    // Start Python first (other processes), then run npc on this thread while it works.
    const pending = Promise.all(SLICES.map(({ start, n }) => runReference(start, n)));
    pending.catch(() => undefined); // reported by the await below

    const clf = new GzipKnnClassifier({ k: 2 });
    clf.fit(
      train.map((r) => r.text),
      train.map((r) => r.label),
    );
    npc = clf.kneighbors(
      rows.map((i) => test[i].text),
      M,
    );

    reference = (await pending).flat();
  }, 300_000);

  it('has the data it expects', () => {
    expect(train.length).toBe(2000);
    expect(test.length).toBe(7600);
    expect(rows.length).toBeGreaterThanOrEqual(50);
  });

  it('gets one reference row per requested test row, with M neighbours each', () => {
    expect(reference.map((r) => r.index)).toEqual(rows);
    for (const r of reference) expect(r.neighbors.length).toBe(M);
  });

  it('returns the same training indices in the same order', () => {
    const diffs = reference.flatMap((r, q) => {
      const want = r.neighbors.map(([i]) => i);
      return JSON.stringify(npc.indices[q]) === JSON.stringify(want) ? [] : [{ testRow: r.index, reference: want, npc: npc.indices[q] }];
    });
    expect(diffs).toEqual([]);
  });

  it('returns the same NCD values, equal as doubles', () => {
    const diffs = reference.flatMap((r, q) =>
      r.neighbors.flatMap(([i, d], j) =>
        Object.is(npc.distances[q]?.[j], d) ? [] : [{ testRow: r.index, rank: j, trainRow: i, reference: d, npc: npc.distances[q]?.[j] }],
      ),
    );
    expect(diffs).toEqual([]);
  });

  it('exercises tie-breaking: the reference lists contain equal NCDs (ordered by training index)', () => {
    let ties = 0;
    for (const r of reference) {
      for (let j = 1; j < r.neighbors.length; j++) {
        const [prevIndex, prevD] = r.neighbors[j - 1];
        const [index, d] = r.neighbors[j];
        expect(d).toBeGreaterThanOrEqual(prevD);
        if (d === prevD) {
          ties++;
          expect(index).toBeGreaterThan(prevIndex);
        }
      }
    }
    expect(ties).toBeGreaterThanOrEqual(20);
  });

  it('diagnostic: each reference NCD is reproduced from compressedLength of the three texts', () => {
    // If this passes while the comparisons above fail, the compressor is right and the ordering or
    // the classifier's bookkeeping is wrong; if this fails, C(s) itself disagrees with CPython.
    const diffs: object[] = [];
    for (const r of reference) {
      const x = test[r.index].text;
      const cx = compressedLength(x);
      for (const [i, d] of r.neighbors) {
        const y = train[i].text;
        const cy = compressedLength(y);
        const ncd = (compressedLength(`${x} ${y}`) - Math.min(cx, cy)) / Math.max(cx, cy);
        if (!Object.is(ncd, d)) diffs.push({ testRow: r.index, trainRow: i, reference: d, recomputed: ncd });
      }
    }
    expect(diffs).toEqual([]);
  });
});
