/**
 * Two batches in flight: with worker threads, `computeNeighbors` (eval) and `classifyRecords` (classify,
 * serve's NDJSON) hand the next batch to the searcher before the current batch's rows are reported, so
 * a worker done with its share does not wait for the slowest. These tests drive a searcher whose
 * batches end only when the test releases them, and check the order, the bound of two in flight, that
 * an answer is never held back by reading ahead, and what happens on a stop or a failure.
 */
import { describe, expect, it } from 'vitest';
import { computeNeighbors } from '../../src/app/evaluate.js';
import { classifyRecords, type Prediction } from '../../src/app/classify.js';
import { fitIndex } from '../../src/app/training.js';
import type { LabeledRecord } from '../../src/io/records.js';
import { queriesPerBatch } from '../../src/parallel/batch.js';
import { LocalSearcher, type NeighborLists, type Searcher } from '../../src/parallel/searcher.js';

const TRAIN: LabeledRecord[] = [
  'the orchestra tuned its violins before the evening concert',
  'a striker scored twice in the second half of the derby',
  'the central bank held interest rates steady this quarter',
  'engineers tested a lighter battery for delivery drones',
  'the choir rehearsed a new hymn for the festival',
  'the goalkeeper saved a penalty in extra time',
].map((text, i) => ({ text, label: i % 3, line: i + 1 }));

const QUERIES: LabeledRecord[] = Array.from({ length: 9 }, (_, i) => ({
  text: `${['violins and a concert hall', 'a penalty in the derby', 'rates held by the bank'][i % 3]} number ${i}`,
  label: i % 3,
  line: i + 1,
}));

/** A searcher whose batches finish when release() is called; it records the batches and how many were in flight. */
class GatedSearcher implements Searcher {
  readonly index;
  readonly batches: string[][] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly local: LocalSearcher;
  private readonly gates: { open: () => void; fail: (err: Error) => void }[] = [];
  private readonly waiters: (() => void)[] = [];

  constructor(
    readonly jobs: number,
    private readonly failBatch = -1,
  ) {
    this.local = new LocalSearcher(fitIndex(TRAIN));
    this.index = this.local.index;
  }

  async search(queries: readonly Uint8Array[], m: number): Promise<NeighborLists> {
    const batch = this.batches.length;
    this.batches.push(queries.map((q) => new TextDecoder().decode(q)));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const gate = new Promise<void>((open, fail) => this.gates.push({ open, fail }));
    for (const w of this.waiters.splice(0)) w();
    try {
      await gate;
    } finally {
      this.inFlight--;
    }
    if (batch === this.failBatch) throw new Error(`batch ${batch} failed`);
    return this.local.search(queries, m);
  }

  /** Resolves once `n` batches have been handed to the searcher. */
  async launched(n: number): Promise<void> {
    while (this.batches.length < n) await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  /** Lets batch `b` finish. */
  release(b: number): void {
    this.gates[b].open();
  }

  async close(): Promise<void> {}
}

const batchSize = queriesPerBatch(TRAIN.length);
const testRows = QUERIES.map((_, i) => i);

describe('eval: computeNeighbors keeps the next batch in flight', () => {
  it('a single batch: nothing is launched ahead, every row is reported in order', async () => {
    const searcher = new GatedSearcher(2);
    const reported: number[] = [];
    // Six training rows give batches of queriesPerBatch(6) queries: all nine fit one.
    const job = computeNeighbors(searcher, QUERIES, testRows, 3, { onRow: (row) => void reported.push(row) });
    await searcher.launched(1);
    searcher.release(0);
    const timing = await job;
    expect(timing.done).toBe(9);
    expect(reported).toEqual(testRows);
    expect(searcher.batches).toHaveLength(1);
    expect(searcher.maxInFlight).toBe(1);
  });

  it('several batches: batch 2 is launched while batch 1 is still running, and never more than two at once', async () => {
    const searcher = new GatedSearcher(2);
    const many = Array.from({ length: 3 * batchSize }, (_, i) => ({ ...QUERIES[i % QUERIES.length], line: i + 1 }));
    const rows = many.map((_, i) => i);
    const reported: number[] = [];
    const job = computeNeighbors(searcher, many, rows, 3, { onRow: (row) => void reported.push(row) });
    await searcher.launched(2);
    expect(reported).toEqual([]); // batch 1 launched before anything of batch 0 was reported
    searcher.release(0);
    await searcher.launched(3);
    expect(reported).toEqual(rows.slice(0, batchSize));
    searcher.release(1);
    searcher.release(2);
    const timing = await job;
    expect(reported).toEqual(rows);
    expect(timing.done).toBe(rows.length);
    expect(searcher.maxInFlight).toBe(2);
    expect(searcher.batches.map((b) => b.length)).toEqual([batchSize, batchSize, batchSize]);
  });

  it('one thread searches one batch at a time (nothing to overlap with)', async () => {
    const searcher = new GatedSearcher(1);
    const many = Array.from({ length: 2 * batchSize }, (_, i) => ({ ...QUERIES[i % QUERIES.length], line: i + 1 }));
    const job = computeNeighbors(
      searcher,
      many,
      many.map((_, i) => i),
      3,
      { onRow: () => {} },
    );
    await searcher.launched(1);
    searcher.release(0);
    await searcher.launched(2);
    searcher.release(1);
    await job;
    expect(searcher.maxInFlight).toBe(1);
  });

  it('a stop after the first batch reports only its rows; the batch in flight is dropped', async () => {
    const searcher = new GatedSearcher(2);
    const many = Array.from({ length: 3 * batchSize }, (_, i) => ({ ...QUERIES[i % QUERIES.length], line: i + 1 }));
    let stop = false;
    const reported: number[] = [];
    const job = computeNeighbors(
      searcher,
      many,
      many.map((_, i) => i),
      3,
      {
        onRow: (row) => {
          reported.push(row);
          stop = true;
        },
        shouldStop: () => stop,
      },
    );
    await searcher.launched(2);
    searcher.release(0);
    const timing = await job;
    expect(searcher.batches).toHaveLength(2); // the batch launched ahead, dropped
    expect(timing.complete).toBe(false);
    expect(timing.done).toBe(batchSize);
    expect(reported).toEqual(many.slice(0, batchSize).map((_, i) => i));
    searcher.release(1);
  });

  it('a batch launched ahead that fails while the one before it runs: the rows before it are reported, then the job fails with its error', async () => {
    const searcher = new GatedSearcher(2, 1);
    const many = Array.from({ length: 3 * batchSize }, (_, i) => ({ ...QUERIES[i % QUERIES.length], line: i + 1 }));
    const reported: number[] = [];
    const job = computeNeighbors(
      searcher,
      many,
      many.map((_, i) => i),
      3,
      { onRow: (row) => void reported.push(row) },
    );
    await searcher.launched(2);
    searcher.release(1); // batch 1 fails first, while batch 0 is still running
    await new Promise((resolve) => setImmediate(resolve));
    searcher.release(0);
    await expect(job).rejects.toThrow('batch 1 failed');
    expect(reported).toEqual(many.slice(0, batchSize).map((_, i) => i));
  });
});

/** An async source of records that the test feeds one at a time; next() waits while nothing has been pushed. */
class FedSource implements AsyncIterable<LabeledRecord> {
  private readonly items: (LabeledRecord | Error | null)[] = [];
  private waiting: (() => void) | undefined;

  push(item: LabeledRecord | Error | null): void {
    this.items.push(item);
    this.waiting?.();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<LabeledRecord> {
    for (;;) {
      while (this.items.length === 0) await new Promise<void>((resolve) => (this.waiting = resolve));
      const item = this.items.shift()!;
      if (item === null) return;
      if (item instanceof Error) throw item;
      yield item;
    }
  }
}

async function take(it: AsyncIterator<Prediction>, n: number): Promise<Prediction[]> {
  const out: Prediction[] = [];
  for (let i = 0; i < n; i++) {
    const r = await it.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

describe('classify: classifyRecords searches the next available batch while answering', () => {
  it('a record that arrives while a search runs is searched before that search ends (two in flight); answers keep input order', async () => {
    const searcher = new GatedSearcher(2);
    const source = new FedSource();
    const out = classifyRecords(searcher, source, { k: 1, neighbors: 0 });
    const first = out.next();
    source.push(QUERIES[0]);
    await searcher.launched(1);
    source.push(QUERIES[1]);
    await searcher.launched(2);
    expect(searcher.maxInFlight).toBe(2);
    searcher.release(1);
    searcher.release(0);
    source.push(null);
    const answers = [(await first).value as Prediction, ...(await take(out, 5))];
    expect(answers.map((p) => p.record.line)).toEqual([1, 2]);
  });

  it('reading ahead never holds an answer back: with no further input, the first answer comes as soon as its search ends', async () => {
    const searcher = new GatedSearcher(2);
    const source = new FedSource();
    const out = classifyRecords(searcher, source, { k: 1, neighbors: 0 });
    const first = out.next();
    source.push(QUERIES[2]);
    await searcher.launched(1);
    searcher.release(0);
    const answer = await first; // the source has nothing more and never ends here
    expect((answer.value as Prediction).record.line).toBe(3);
    expect(searcher.batches.length).toBe(1);
    await out.return(undefined);
  });

  it('one thread: no search starts before the previous one ended', async () => {
    const searcher = new GatedSearcher(1);
    const source = new FedSource();
    const out = classifyRecords(searcher, source, { k: 1, neighbors: 0 });
    const first = out.next();
    source.push(QUERIES[0]);
    await searcher.launched(1);
    source.push(QUERIES[1]);
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(searcher.batches).toHaveLength(1);
    searcher.release(0);
    expect(((await first).value as Prediction).record.line).toBe(1);
    const rest = out.next();
    await searcher.launched(2);
    searcher.release(1);
    expect(((await rest).value as Prediction).record.line).toBe(2);
    expect(searcher.maxInFlight).toBe(1);
    await out.return(undefined);
  });

  it('a bad record read ahead: the answers before it are given first, then its error', async () => {
    const searcher = new GatedSearcher(2);
    const source = new FedSource();
    const out = classifyRecords(searcher, source, { k: 1, neighbors: 0 });
    const first = out.next();
    source.push(QUERIES[0]);
    await searcher.launched(1);
    source.push(new Error('input.jsonl:2: not JSON'));
    await new Promise((resolve) => setImmediate(resolve));
    searcher.release(0);
    expect(((await first).value as Prediction).record.line).toBe(1);
    await expect(out.next()).rejects.toThrow('input.jsonl:2: not JSON');
    expect(await out.next()).toEqual({ done: true, value: undefined }); // the error once, then the end
    expect(searcher.batches.length).toBe(1);
  });

  it('a third batch waits while two searches run, and is searched once the first ends; every answer in order', async () => {
    const searcher = new GatedSearcher(2);
    const source = new FedSource();
    const answers: number[] = [];
    const consumer = (async () => {
      for await (const p of classifyRecords(searcher, source, { k: 1, neighbors: 0 })) answers.push(p.record.line);
    })();
    source.push(QUERIES[0]);
    await searcher.launched(1);
    source.push(QUERIES[1]);
    await searcher.launched(2);
    source.push(QUERIES[2]);
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(searcher.batches).toHaveLength(2); // not a third while two are out
    searcher.release(0);
    await searcher.launched(3);
    expect(answers).toEqual([1]);
    source.push(null);
    searcher.release(1);
    searcher.release(2);
    await consumer;
    expect(answers).toEqual([1, 2, 3]);
    expect(searcher.maxInFlight).toBe(2);
  });

  it('a search that fails: the answers before it are given, then its error once; a search launched ahead is not reported unhandled', async () => {
    const searcher = new GatedSearcher(2, 0);
    const source = new FedSource();
    const out = classifyRecords(searcher, source, { k: 1, neighbors: 0 });
    const first = out.next();
    source.push(QUERIES[0]);
    await searcher.launched(1);
    source.push(QUERIES[1]);
    await searcher.launched(2);
    searcher.release(0);
    await expect(first).rejects.toThrow('batch 0 failed');
    expect(await out.next()).toEqual({ done: true, value: undefined });
    searcher.release(1);
  });
});
