/**
 * searchRange skips the exact C(xy) of rows that provably can't enter the M nearest (the engine's
 * lower bound reaches the limit computed from the current worst NCD). The lists must be exactly
 * those of a search that computes every C(xy) in full, ties and their order included.
 */
import { describe, expect, it } from 'vitest';
import { type PairScanner, createEngineCompressor, createPairScanner } from '../../src/compress/index.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { ncdFromLengths } from '../../src/model/ncd.js';
import { TrainingIndex, firstLengthNotBelow, searchRange } from '../../src/model/training-index.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

/** The engine's scanner with every C(xy) exact: no preparation, limits ignored. */
function exactScanner(): PairScanner {
  const inner = createPairScanner(createEngineCompressor());
  return {
    setQuery: (x) => inner.setQuery(x),
    pairLength: (data, start, end) => inner.pairLength(data, start, end),
  };
}

/** Counts the pairs the scanner answered with a bound (>= limit) instead of the exact length. */
function countingScanner(index: TrainingIndex): { scanner: PairScanner; bounded: () => number; pairs: () => number } {
  const inner = createPairScanner(createEngineCompressor());
  const exact = exactScanner();
  let bounded = 0;
  let pairs = 0;
  const count = (r: number, limit: number | undefined, start: number, end: number): number => {
    pairs++;
    if (limit !== undefined && r >= limit && r !== exact.pairLength(index.data, start, end)) bounded++;
    return r;
  };
  return {
    scanner: {
      setQuery: (x) => (exact.setQuery(x), inner.setQuery(x)),
      prepare: (data, offsets, from, to) => inner.prepare?.(data, offsets, from, to) === true,
      pairLength: (data, start, end, limit) => count(inner.pairLength(data, start, end, limit), limit, start, end),
      pairLengthOfRow: (row, limit) => count(inner.pairLengthOfRow!(row, limit), limit, index.offsets[row], index.offsets[row + 1]),
    },
    bounded: () => bounded,
    pairs: () => pairs,
  };
}

const utf8 = new TextEncoder();

function lists(index: TrainingIndex, scanner: PairScanner, queries: string[], m: number): string[] {
  const out = new NearestNeighbors(m);
  return queries.map((q) =>
    searchRange(index, scanner, utf8.encode(q), 0, index.size, out)
      .toList()
      .map((n) => `${n.index}:${n.distance}`)
      .join(' '),
  );
}

describe('firstLengthNotBelow', () => {
  it('is the smallest C(xy) whose NCD reaches the threshold', () => {
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    for (let i = 0; i < 20_000; i++) {
      const cx = 20 + rand(600);
      const cy = 20 + rand(600);
      // thresholds that are real NCD values (ties) and arbitrary ones
      const threshold = i % 2 === 0 ? ncdFromLengths(cx, cy, 20 + rand(1200)) : rand(1_000_000) / 700_000;
      const c = firstLengthNotBelow(cx, cy, threshold);
      expect(ncdFromLengths(cx, cy, c) >= threshold, `cx ${cx} cy ${cy} t ${threshold} -> ${c}`).toBe(true);
      if (c > 0) expect(ncdFromLengths(cx, cy, c - 1) < threshold, `cx ${cx} cy ${cy} t ${threshold} -> ${c}`).toBe(true);
    }
  });
});

const TRAIN = 'ag_news/train.first2000.jsonl.gz';
const TEST = 'ag_news/test.jsonl.gz';
const haveData = requireSharedData(TRAIN, TEST);

describe.skipIf(!haveData)('searchRange with lower bounds == searchRange with every length exact', () => {
  it('AG News: 24 queries x 2,000 rows, M = 1, 2, 12', () => {
    const train = readJsonlGz(sharedDataPath(TRAIN)).map((r) => r.text);
    const queries = readJsonlGz(sharedDataPath(TEST)).slice(0, 24).map((r) => r.text);
    const index = TrainingIndex.fromTexts(train, train.map(() => 0), createEngineCompressor());
    for (const m of [1, 2, 12]) {
      const counting = countingScanner(index);
      expect(lists(index, counting.scanner, queries, m), `M = ${m}`).toEqual(lists(index, exactScanner(), queries, m));
      console.log(`search-range: M = ${m}: ${counting.bounded()} of ${counting.pairs()} pairs answered by the lower bound`);
      // Most rows are far from the M nearest: the bound must spare most of their trees.
      expect(counting.bounded()).toBeGreaterThan(counting.pairs() / 2);
    }
  });

  it('duplicated rows (NCD ties across the whole list) keep the (NCD, index) order', () => {
    const base = readJsonlGz(sharedDataPath(TRAIN)).slice(0, 150).map((r) => r.text);
    const train = [...base, ...base.map((t) => t), ...base.slice(0, 50)]; /* every text 2-3 times */
    const queries = readJsonlGz(sharedDataPath(TEST)).slice(100, 112).map((r) => r.text);
    queries.push(base[3], base[77]); /* queries equal to a training text */
    const index = TrainingIndex.fromTexts(train, train.map(() => 0), createEngineCompressor());
    for (const m of [1, 3, 7]) {
      expect(lists(index, countingScanner(index).scanner, queries, m), `M = ${m}`).toEqual(lists(index, exactScanner(), queries, m));
    }
  });
});
