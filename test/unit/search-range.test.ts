/**
 * searchRange with the engine's scanner prepares the training rows from its third query on and then
 * computes pairs by row (y's own matches and own parse replayed, assembly/pair.ts). The lists must
 * be exactly those of the plain scanner that computes every C(xy) from the bytes, ties and their
 * order included.
 *
 * Once its list is full, searchRange gives the engine a length limit per pair (pairLengthOfRowBounded,
 * pairLengthBounded): the engine may answer a lower bound >= the limit instead of the exact length,
 * skipping the Huffman trees (assembly/bound.ts). The lists must be exactly those of the exhaustive
 * search (a scanner without the bounded methods), on AG News, R8 and 20News, for M = 1, 2, 3, 7, 12.
 */
import { describe, expect, it } from 'vitest';
import { PREPARE_AFTER_QUERIES, type PairScanner, createEngineCompressor, createPairScanner } from '../../src/compress/index.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { TrainingIndex, searchRange } from '../../src/model/training-index.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

/** The engine's scanner with everything it has (preparation, length limits), counting the pairs answered at or above their limit. */
function boundedScanner(): { scanner: PairScanner; atLimit: () => number; bounded: () => number } {
  const inner = createPairScanner(createEngineCompressor());
  let atLimit = 0;
  let bounded = 0;
  return {
    scanner: {
      setQuery: (x) => inner.setQuery(x),
      prepare: (data, offsets, from, to) => inner.prepare?.(data, offsets, from, to) === true,
      pairLength: (data, start, end) => inner.pairLength(data, start, end),
      pairLengthOfRow: (row) => inner.pairLengthOfRow!(row),
      pairLengthBounded: (data, start, end, limit) => {
        bounded++;
        const r = inner.pairLengthBounded!(data, start, end, limit);
        if (r >= limit) atLimit++;
        return r;
      },
      pairLengthOfRowBounded: (row, limit) => {
        bounded++;
        const r = inner.pairLengthOfRowBounded!(row, limit);
        if (r >= limit) atLimit++;
        return r;
      },
    },
    atLimit: () => atLimit,
    bounded: () => bounded,
  };
}

/** The engine's scanner without preparation: every pair from the bytes. */
function plainScanner(): PairScanner {
  const inner = createPairScanner(createEngineCompressor());
  return {
    setQuery: (x) => inner.setQuery(x),
    pairLength: (data, start, end) => inner.pairLength(data, start, end),
  };
}

/** The engine's scanner, counting the pairs it answers by prepared row. */
function preparedScanner(): { scanner: PairScanner; byRow: () => number } {
  const inner = createPairScanner(createEngineCompressor());
  let byRow = 0;
  return {
    scanner: {
      setQuery: (x) => inner.setQuery(x),
      prepare: (data, offsets, from, to) => inner.prepare?.(data, offsets, from, to) === true,
      pairLength: (data, start, end) => inner.pairLength(data, start, end),
      pairLengthOfRow: (row) => (byRow++, inner.pairLengthOfRow!(row)),
    },
    byRow: () => byRow,
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

const TRAIN = 'ag_news/train.first2000.jsonl.gz';
const TEST = 'ag_news/test.jsonl.gz';
const haveData = requireSharedData(TRAIN, TEST);

describe.skipIf(!haveData)('searchRange over prepared rows == searchRange from the bytes', () => {
  it('AG News: 12 queries x 2,000 rows, M = 1 and 12', () => {
    const train = readJsonlGz(sharedDataPath(TRAIN)).map((r) => r.text);
    const queries = readJsonlGz(sharedDataPath(TEST))
      .slice(0, 12)
      .map((r) => r.text);
    const index = TrainingIndex.fromTexts(
      train,
      train.map(() => 0),
      createEngineCompressor(),
    );
    for (const m of [1, 12]) {
      const prepared = preparedScanner();
      expect(lists(index, prepared.scanner, queries, m), `M = ${m}`).toEqual(lists(index, plainScanner(), queries, m));
      // every query from the PREPARE_AFTER_QUERIES-th on went through the prepared rows
      expect(prepared.byRow()).toBe((queries.length - PREPARE_AFTER_QUERIES + 1) * index.size);
    }
  });

  it('duplicated rows (NCD ties across the whole list) keep the (NCD, index) order', () => {
    const base = readJsonlGz(sharedDataPath(TRAIN))
      .slice(0, 150)
      .map((r) => r.text);
    const train = [...base, ...base, ...base.slice(0, 50)]; /* every text 2-3 times */
    const queries = readJsonlGz(sharedDataPath(TEST))
      .slice(100, 112)
      .map((r) => r.text);
    queries.push(base[3], base[77]); /* queries equal to a training text */
    const index = TrainingIndex.fromTexts(
      train,
      train.map(() => 0),
      createEngineCompressor(),
    );
    for (const m of [1, 3, 7]) {
      expect(lists(index, preparedScanner().scanner, queries, m), `M = ${m}`).toEqual(lists(index, plainScanner(), queries, m));
    }
  });
});

const R8_TRAIN = 'r8/train.jsonl.gz';
const R8_TEST = 'r8/test.jsonl.gz';
const NEWS_TRAIN = '20news/train.jsonl.gz';
const NEWS_TEST = '20news/test.jsonl.gz';
const haveAll = requireSharedData(TRAIN, TEST, R8_TRAIN, R8_TEST, NEWS_TRAIN, NEWS_TEST);

describe.skipIf(!haveAll)('searchRange with length limits (trees skipped by the bound) == the exhaustive search', () => {
  function compare(train: string[], queries: string[], ms: number[], what: string): void {
    const index = TrainingIndex.fromTexts(
      train,
      train.map(() => 0),
      createEngineCompressor(),
    );
    for (const m of ms) {
      const b = boundedScanner();
      const want = lists(index, preparedScanner().scanner, queries, m);
      expect(lists(index, b.scanner, queries, m), `${what}, M = ${m}`).toEqual(want);
      /* the limits were used from the first full list on, and answered at the limit for most pairs */
      expect(b.bounded(), `${what}, M = ${m}: bounded pairs`).toBeGreaterThan(queries.length * (index.size - m - 1) * 0.99);
      expect(b.atLimit(), `${what}, M = ${m}: pairs at their limit`).toBeGreaterThan(b.bounded() * 0.3);
    }
  }

  it('AG News: 16 queries x 2,000 rows, M = 1, 2, 12 (the first queries on plain pairs, then prepared rows)', () => {
    const train = readJsonlGz(sharedDataPath(TRAIN)).map((r) => r.text);
    const queries = readJsonlGz(sharedDataPath(TEST))
      .slice(200, 216)
      .map((r) => r.text);
    compare(train, queries, [1, 2, 12], 'AG News');
  });

  it('R8: 8 queries x 1,500 rows, M = 2, 12', () => {
    const train = readJsonlGz(sharedDataPath(R8_TRAIN))
      .slice(0, 1500)
      .map((r) => r.text);
    const queries = readJsonlGz(sharedDataPath(R8_TEST))
      .slice(0, 8)
      .map((r) => r.text);
    compare(train, queries, [2, 12], 'R8');
  });

  it('20News: 5 queries x 400 rows (long texts, several blocks), M = 2, 12', () => {
    const train = readJsonlGz(sharedDataPath(NEWS_TRAIN))
      .slice(0, 400)
      .map((r) => r.text);
    const queries = readJsonlGz(sharedDataPath(NEWS_TEST))
      .slice(0, 5)
      .map((r) => r.text);
    compare(train, queries, [2, 12], '20News');
  });

  it('duplicated rows and queries equal to a row (ties at the limit keep the (NCD, index) order)', () => {
    const base = readJsonlGz(sharedDataPath(TRAIN))
      .slice(0, 150)
      .map((r) => r.text);
    const train = [...base, ...base, ...base.slice(0, 50)];
    const queries = readJsonlGz(sharedDataPath(TEST))
      .slice(100, 110)
      .map((r) => r.text);
    queries.push(base[3], base[77], base[120]);
    const index = TrainingIndex.fromTexts(
      train,
      train.map(() => 0),
      createEngineCompressor(),
    );
    for (const m of [1, 3, 7]) {
      expect(lists(index, boundedScanner().scanner, queries, m), `M = ${m}`).toEqual(lists(index, plainScanner(), queries, m));
    }
  });
});
