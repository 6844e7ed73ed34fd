/**
 * The reference distributions of a built model (app/model-build.ts `referenceSearch`): each sampled row
 * searched against every training row except itself and its exact duplicates. Checked against a brute
 * force that fits, for every row, an index of exactly the other texts and searches it.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { referenceSearch, sampleRows, textBytes, duplicateTexts } from '../../src/app/model-build.js';
import { fitIndex } from '../../src/app/training.js';
import { createSearcher, type WorkerFactory } from '../../src/parallel/searcher.js';

const tsWorker: WorkerFactory = () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));
import { utf8Bytes } from '../../src/compress/index.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { textRandom } from '../../src/model/random.js';
import { predictWithRule, type TieRule } from '../../src/model/tie-rules.js';
import type { Label } from '../../src/model/labels.js';

const base: [string, Label][] = [
  ['the match ended in a draw after extra time', 'sport'],
  ['the central bank raised interest rates again', 'business'],
  ['striker scores twice as the home side wins', 'sport'],
  ['shares fell sharply on the stock exchange', 'business'],
  ['a new phone with a bigger screen and battery', 'tech'],
  ['the chip maker reported record quarterly profit', 'business'],
  ['the goalkeeper saved a late penalty', 'sport'],
  ['software update fixes a security flaw', 'tech'],
  ['oil prices climb as supply tightens', 'business'],
  ['the coach praised the young midfielder', 'sport'],
  ['a startup releases an open source database', 'tech'],
  ['the league title race goes to the final day', 'sport'],
];
// Exact duplicates, one of them three times over and under another label: none may be a neighbour of its copies.
const rows = [...base, base[0], base[3], base[0], [base[7][0], 'sport'] as [string, Label]].map(([text, label], i) => ({
  text,
  label,
  line: i + 1,
}));

/** For every row: the k nearest among the rows with another text, by (NCD, row), and their vote. */
function bruteForce(k: number, tie: TieRule, seed: number): { distances: number[]; labelIds: number[] } {
  const all = fitIndex(rows);
  const distances: number[] = [];
  const labelIds: number[] = [];
  rows.forEach((row) => {
    const others = rows.map((_, i) => i).filter((i) => rows[i].text !== row.text);
    const index = fitIndex(others.map((i) => rows[i]));
    const found = new NearestNeighbors(Math.min(k, others.length));
    const query = utf8Bytes(row.text);
    index.search(query, found);
    const ids = Array.from(found.indices.subarray(0, found.size), (j) => all.labelIds[others[j]]);
    const ds = Array.from(found.distances.subarray(0, found.size));
    distances.push(ds[0]);
    labelIds.push(predictWithRule(tie, ids, ds, ids.length, textRandom(seed, query)));
  });
  return { distances, labelIds };
}

describe('reference search: each row against every other row but itself and its exact duplicates', () => {
  for (const [k, tie] of [
    [1, 'nearest'],
    [2, 'nearest'],
    [3, 'decrement'],
    [4, 'random'],
    [3, 'weighted'],
  ] as [number, TieRule][]) {
    it(`equals the brute force for k=${k}, tie ${tie}, on one thread and on two`, async () => {
      const expected = bruteForce(k, tie, 5);
      for (const jobs of [1, 2]) {
        const searcher = await createSearcher(fitIndex(rows, undefined, { deferLengths: jobs > 1 }), jobs, { createWorker: tsWorker });
        try {
          const found = await referenceSearch(
            searcher,
            rows,
            rows.map((_, i) => i),
            { k, tie, seed: 5 },
          );
          expect(found.rows).toBe(rows.length);
          expect(found.distances).toEqual(expected.distances);
          expect(found.labelIds).toEqual(expected.labelIds);
        } finally {
          await searcher.close();
        }
      }
    });
  }

  it('never finds a distance of 0 for a duplicated text (its copies are left out), and skips a row whose text every row has', async () => {
    const searcher = await createSearcher(fitIndex(rows), 1);
    try {
      const found = await referenceSearch(searcher, rows, [0, 12, 14], { k: 2, tie: 'nearest', seed: 0 });
      expect(found.distances.every((d) => d > 0)).toBe(true);
    } finally {
      await searcher.close();
    }
    const same = [0, 1, 2].map((i) => ({ text: 'all the same', label: 'x', line: i + 1 }));
    const lone = await createSearcher(fitIndex(same), 1);
    try {
      expect(await referenceSearch(lone, same, [0, 1, 2], { k: 1, tie: 'nearest', seed: 0 })).toEqual({
        rows: 0,
        distances: [],
        labelIds: [],
      });
    } finally {
      await lone.close();
    }
  });
});

describe('the reference sample and the card’s text figures', () => {
  it('samples distinct rows in row order, the same for a seed, all rows when asked for as many or more', () => {
    const a = sampleRows(1000, 50, 3);
    expect(a).toEqual(sampleRows(1000, 50, 3));
    expect(new Set(a).size).toBe(50);
    expect([...a].sort((x, y) => x - y)).toEqual(a);
    expect(a).not.toEqual(sampleRows(1000, 50, 4));
    expect(sampleRows(5, 5, 0)).toEqual([0, 1, 2, 3, 4]);
    expect(sampleRows(5, 1000, 0)).toEqual([0, 1, 2, 3, 4]);
  });

  it('counts repeated texts and gives nearest-rank percentiles of UTF-8 lengths', () => {
    expect(duplicateTexts(['a', 'b', 'a', 'a'])).toBe(2);
    const texts = Array.from({ length: 100 }, (_, i) => 'x'.repeat(i + 1));
    expect(textBytes(texts)).toEqual({ min: 1, p50: 50, p90: 90, p99: 99, max: 100, mean: 50.5 });
    expect(textBytes(['é'])).toEqual({ min: 2, p50: 2, p90: 2, p99: 2, max: 2, mean: 2 });
  });
});
