/**
 * How a search pool shares a batch among its threads: the queries that go round the threads evenly are
 * taken whole (a thread scans every row for each), the rest are split by rows, and the threads of a row
 * split share each list's worst NCD (RowLimits) so that a thread skips rows another thread's list
 * already puts out of reach. Every way must give exactly one thread's lists, ties and their
 * (NCD, index) order included.
 */
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { createEngineCompressor, createPairScanner, type PairScanner } from '../../src/compress/index.js';
import { fitIndex } from '../../src/app/training.js';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { searchRange, type SharedLimit, TrainingIndex } from '../../src/model/training-index.js';
import { nextUp, RowLimits } from '../../src/parallel/batch.js';
import {
  createSearcher,
  LocalSearcher,
  QUERY_SPLIT_MAX_BYTES,
  wholeQueries,
  type NeighborLists,
  type WorkerFactory,
} from '../../src/parallel/searcher.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const tsWorker: WorkerFactory = () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));

const TRAIN = 'ag_news/train.first2000.jsonl.gz';
const TEST = 'ag_news/test.jsonl.gz';
const haveData = requireSharedData(TRAIN, TEST);
const utf8 = new TextEncoder();

function asRows(lists: NeighborLists): string[] {
  return Array.from(lists.sizes, (size, q) =>
    Array.from({ length: size }, (_, i) => `${lists.indices[q * lists.m + i]}:${lists.distances[q * lists.m + i]}`).join(' '),
  );
}

describe('which queries of a batch go to the workers whole', () => {
  it('fewer queries than workers (one headline, a server request) are split by rows alone', () => {
    expect(wholeQueries(1, 2, 1000)).toBe(0);
    expect(wholeQueries(3, 4, 1000)).toBe(0);
  });

  it('a batch of at least as many queries as workers is taken whole, every query of it', () => {
    expect(wholeQueries(2, 2, 1000)).toBe(2);
    expect(wholeQueries(5, 2, 1000)).toBe(5);
    expect(wholeQueries(7, 3, 1000)).toBe(7);
  });

  it('none above QUERY_SPLIT_MAX_BYTES of training text (every worker would prepare every row)', () => {
    expect(wholeQueries(10, 2, QUERY_SPLIT_MAX_BYTES)).toBe(10);
    expect(wholeQueries(10, 2, QUERY_SPLIT_MAX_BYTES + 1)).toBe(0);
  });
});

describe('the shared limit of the row split (RowLimits)', () => {
  it('nextUp is the next double above (and Infinity stays Infinity)', () => {
    for (const d of [0.25, 0.5, 0.9876543, 1, 1.0625, 3e-300]) {
      const up = nextUp(d);
      expect(up).toBeGreaterThan(d);
      // No double lies between: their midpoint rounds to one of them.
      expect([d, up]).toContain(d + (up - d) / 2);
    }
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(-0.5)).toBeGreaterThan(-0.5);
    expect(nextUp(Infinity)).toBe(Infinity);
  });

  it("a thread reads an earlier slice's worst as is and a later slice's as the next double above (an equal NCD with a smaller index is kept)", () => {
    const buffer = RowLimits.buffer(2, 3);
    const [a, b, c] = [0, 1, 2].map((t) => new RowLimits(buffer, 3, t));
    for (const t of [a, b, c]) t.query(1);
    expect([a.bound(), b.bound(), c.bound()]).toEqual([Infinity, Infinity, Infinity]);
    b.publish(0.75);
    expect(a.bound()).toBe(nextUp(0.75));
    expect(c.bound()).toBe(0.75);
    expect(b.bound()).toBe(Infinity);
    c.publish(0.5);
    expect(a.bound()).toBe(nextUp(0.5));
    expect(b.bound()).toBe(nextUp(0.5));
    // Another query of the batch is untouched.
    a.query(0);
    expect(a.bound()).toBe(Infinity);
  });
});

/** The engine's scanner, counting the pairs answered at their length limit (trees skipped). */
function countingScanner(): { scanner: PairScanner; atLimit: () => number } {
  const inner = createPairScanner(createEngineCompressor());
  let atLimit = 0;
  const count = (r: number, limit: number): number => (r >= limit && limit > 0 ? (atLimit++, r) : r);
  return {
    scanner: {
      setQuery: (x) => inner.setQuery(x),
      prepare: (d, o, f, t) => inner.prepare!(d, o, f, t),
      pairLength: (d, s, e) => inner.pairLength(d, s, e),
      pairLengthBounded: (d, s, e, l) => count(inner.pairLengthBounded!(d, s, e, l), l),
      pairLengthOfRow: (r) => inner.pairLengthOfRow!(r),
      pairLengthOfRowBounded: (r, l) => count(inner.pairLengthOfRowBounded!(r, l), l),
    },
    atLimit: () => atLimit,
  };
}

describe.skipIf(!haveData)('searchRange with a shared limit == the exhaustive search', () => {
  /* 300 AG News rows three times over: every row's NCD is tied with its copies in the other slices. */
  const base = haveData
    ? readJsonlGz(sharedDataPath(TRAIN))
        .slice(0, 300)
        .map((r) => r.text)
    : [];
  const train = [...base, ...base, ...base];
  const index = haveData
    ? TrainingIndex.fromTexts(
        train,
        train.map(() => 0),
        createEngineCompressor(),
      )
    : undefined;
  const queries = haveData
    ? [
        ...readJsonlGz(sharedDataPath(TEST))
          .slice(0, 6)
          .map((r) => r.text),
        base[5],
        base[200],
      ].map((t) => utf8.encode(t))
    : [];

  /**
   * Slices [0, 450) and [450, 900) searched one after the other on this thread (`order`), the second
   * with the first one's shared limit; the merged list, and the pairs answered at their limit.
   */
  function twoSlices(query: Uint8Array, m: number, order: [number, number], share: boolean): { list: string; atLimit: number } {
    const bounds = [
      [0, 450],
      [450, 900],
    ];
    const buffer = RowLimits.buffer(1, 2);
    const found: NearestNeighbors[] = [];
    let atLimit = 0;
    for (const t of order) {
      const limits = new RowLimits(buffer, 2, t);
      limits.query(0);
      const shared: SharedLimit | undefined = share ? limits : undefined;
      const { scanner, atLimit: counted } = countingScanner();
      const out = new NearestNeighbors(m);
      searchRange(index!, scanner, query, bounds[t][0], bounds[t][1], out, { shared });
      // A thread that did not share still says what its list holds (the other reads it only when sharing).
      if (out.size === m) limits.publish(out.distances[m - 1]);
      found[t] = out;
      atLimit += counted();
    }
    const merged = found
      .flatMap((n) => n.toList())
      .sort((x, y) => x.distance - y.distance || x.index - y.index)
      .slice(0, m)
      .map((n) => `${n.index}:${n.distance}`)
      .join(' ');
    return { list: merged, atLimit };
  }

  it('a later slice reading an earlier one (rows with an NCD equal to its worst are rejected) and an earlier slice reading a later one (they are kept), M = 1, 2, 12', () => {
    for (const m of [1, 2, 12]) {
      const exhaustive = new NearestNeighbors(m);
      for (const query of queries) {
        const { scanner } = countingScanner();
        searchRange(index!, scanner, query, 0, index!.size, exhaustive);
        const want = exhaustive
          .toList()
          .map((n) => `${n.index}:${n.distance}`)
          .join(' ');
        expect(twoSlices(query, m, [0, 1], true).list, `M = ${m}, earlier slice first`).toBe(want);
        expect(twoSlices(query, m, [1, 0], true).list, `M = ${m}, later slice first`).toBe(want);
      }
    }
  });

  it('the shared limit skips trees the slice alone would build', () => {
    let alone = 0;
    let shared = 0;
    for (const query of queries.slice(0, 6)) {
      alone += twoSlices(query, 12, [0, 1], false).atLimit;
      shared += twoSlices(query, 12, [0, 1], true).atLimit;
    }
    expect(shared).toBeGreaterThan(alone);
  });
});

describe.skipIf(!haveData)('a pool splitting batches by whole queries and by rows gives one thread’s lists', () => {
  const base = haveData
    ? readJsonlGz(sharedDataPath(TRAIN))
        .slice(0, 200)
        .map((r, i) => ({ text: r.text, label: r.label, line: i + 1 }))
    : [];
  /* Each text twice, in different slices: ties across the workers. */
  const train = [...base, ...base.map((r) => ({ ...r, line: r.line + 200 }))];
  const queries = haveData
    ? [
        ...readJsonlGz(sharedDataPath(TEST))
          .slice(20, 27)
          .map((r) => r.text),
        base[10].text,
      ].map((t) => utf8.encode(t))
    : [];

  it.each([2, 3])(
    '--jobs %i: batches of 1 to 8 queries (by rows below --jobs, whole from --jobs on), M = 1, 3, 12, then by rows again',
    async (jobs) => {
      const local = new LocalSearcher(fitIndex(train));
      const pooled = await createSearcher(fitIndex(train, undefined, { deferLengths: true }), jobs, { createWorker: tsWorker });
      try {
        for (const m of [1, 3, 12])
          for (const count of [1, 2, 3, 5, 8]) {
            const batch = queries.slice(0, count);
            expect(asRows(await pooled.search(batch, m)), `${count} queries, M = ${m}`).toEqual(asRows(await local.search(batch, m)));
          }
        // After whole queries (every worker prepared all rows), a batch by rows reads the slices from them.
        expect(asRows(await pooled.search(queries.slice(7), 12))).toEqual(asRows(await local.search(queries.slice(7), 12)));
      } finally {
        await pooled.close();
      }
    },
  );
});
