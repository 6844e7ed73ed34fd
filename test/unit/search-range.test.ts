/**
 * searchRange with the engine's scanner prepares the training rows from its third query on and then
 * computes pairs by row (y's own matches and own parse replayed, src/deflate/pair.ts). The lists must
 * be exactly those of the plain scanner that computes every C(xy) from the bytes, ties and their
 * order included.
 */
import { describe, expect, it } from 'vitest';
import { PREPARE_AFTER_QUERIES, type PairScanner, createEngineCompressor, createPairScanner } from '../../src/compress/index.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { TrainingIndex, searchRange } from '../../src/model/training-index.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

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
    const queries = readJsonlGz(sharedDataPath(TEST)).slice(0, 12).map((r) => r.text);
    const index = TrainingIndex.fromTexts(train, train.map(() => 0), createEngineCompressor());
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
    const index = TrainingIndex.fromTexts(train, train.map(() => 0), createEngineCompressor());
    for (const m of [1, 3, 7]) {
      expect(lists(index, preparedScanner().scanner, queries, m), `M = ${m}`).toEqual(lists(index, plainScanner(), queries, m));
    }
  });
});
