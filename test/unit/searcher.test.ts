import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { fitIndex } from '../../src/app/training.js';
import { pakoCompressor, utf8Bytes } from '../../src/compress/index.js';
import { createSearcher, LocalSearcher, SearchPool, type NeighborLists, type WorkerFactory } from '../../src/parallel/searcher.js';
import type { LabeledRecord } from '../../src/io/records.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

/** The search worker from the TypeScript sources (there is no compiled worker.js beside src/parallel/searcher.ts). */
const tsWorker: WorkerFactory = () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));
/** A worker that fails on its first request (test/helpers/faulty-worker.mjs; NPC_FAULT says how). */
const faultyWorker: WorkerFactory = () => new Worker(new URL('../helpers/faulty-worker.mjs', import.meta.url));

const available = requireSharedData('ag_news/train.first2000.jsonl.gz', 'ag_news/test.jsonl.gz');

function records(file: string, n: number): LabeledRecord[] {
  return readJsonlGz(sharedDataPath(file))
    .slice(0, n)
    .map((r, i) => ({ text: r.text, label: r.label, line: i + 1 }));
}

function asRows(lists: NeighborLists): [number, number][][] {
  return Array.from(lists.sizes, (size, q) =>
    Array.from({ length: size }, (_, i) => [lists.indices[q * lists.m + i], lists.distances[q * lists.m + i]] as [number, number]),
  );
}

describe.skipIf(!available)('searching on worker threads', () => {
  const train = available ? records('ag_news/train.first2000.jsonl.gz', 600) : [];
  const queries = available ? records('ag_news/test.jsonl.gz', 12).map((r) => utf8Bytes(r.text)) : [];
  const local = available ? new LocalSearcher(fitIndex(train)) : undefined;

  it.each([2, 3])('--jobs %i gives bit-identical neighbour lists and C(y) to one thread', async (jobs) => {
    const expected = asRows(await local!.search(queries, 10));
    const pooled = await createSearcher(fitIndex(train, undefined, { deferLengths: true }), jobs, { createWorker: tsWorker });
    try {
      expect(pooled.jobs).toBe(jobs);
      expect(Array.from(pooled.index.compressedLengths)).toEqual(Array.from(local!.index.compressedLengths));
      expect(asRows(await pooled.search(queries, 10))).toEqual(expected);
      // A second batch through the same pool (state reuse across messages) and m larger than a slice.
      expect(asRows(await pooled.search(queries.slice(3, 5), 400))).toEqual(asRows(await local!.search(queries.slice(3, 5), 400)));
    } finally {
      await pooled.close();
    }
  });

  it('the workers compute with the compressor of the index (pako here), not a fixed one', async () => {
    const small = train.slice(0, 60);
    const viaPako = await createSearcher(fitIndex(small, pakoCompressor, { deferLengths: true }), 2, { createWorker: tsWorker });
    try {
      expect(viaPako.index.compressor.name).toBe(pakoCompressor.name);
      expect(asRows(await viaPako.search(queries.slice(0, 2), 5))).toEqual(
        asRows(await new LocalSearcher(fitIndex(small, pakoCompressor)).search(queries.slice(0, 2), 5)),
      );
    } finally {
      await viaPako.close();
    }
  });
});

describe.skipIf(!available)('threads started before the index is known (SearchPool.spawn)', () => {
  const train = available ? records('ag_news/train.first2000.jsonl.gz', 300) : [];
  const queries = available ? records('ag_news/test.jsonl.gz', 4).map((r) => utf8Bytes(r.text)) : [];

  it('take their slices on attach and give the same lists as one thread; surplus threads are ended', async () => {
    const local = new LocalSearcher(fitIndex(train));
    const started = SearchPool.spawn(3, tsWorker);
    const pooled = await createSearcher(fitIndex(train, undefined, { deferLengths: true }), 2, { started });
    try {
      expect(pooled).toBe(started);
      expect(pooled.jobs).toBe(2);
      expect(Array.from(pooled.index.compressedLengths)).toEqual(Array.from(local.index.compressedLengths));
      expect(asRows(await pooled.search(queries, 5))).toEqual(asRows(await local.search(queries, 5)));
    } finally {
      await pooled.close();
    }
  });

  it('are closed when one thread is enough', async () => {
    const started = SearchPool.spawn(2, tsWorker);
    const searcher = await createSearcher(fitIndex(train.slice(0, 1)), 2, { started });
    expect(searcher).toBeInstanceOf(LocalSearcher);
    expect(() => started.index).toThrow(/attach/);
    // Ended, not just forgotten: a terminated Worker's threadId is -1.
    const threads = (started as unknown as { workers: { threadId: number }[] }).workers;
    expect(threads).toHaveLength(2);
    expect(threads.map((t) => t.threadId)).toEqual([-1, -1]);
  });
});

describe('worker failures become errors, never hangs', () => {
  const train: LabeledRecord[] = Array.from({ length: 40 }, (_, i) => ({
    text: `row ${i} about ${i % 3 ? 'sport' : 'money'}`,
    label: i % 3 ? 's' : 'm',
    line: i + 1,
  }));
  const saved = process.env.NPC_FAULT;
  afterEach(() => {
    if (saved === undefined) delete process.env.NPC_FAULT;
    else process.env.NPC_FAULT = saved;
  });

  it('a worker that throws rejects with the cause', async () => {
    process.env.NPC_FAULT = 'throw';
    await expect(createSearcher(fitIndex(train, undefined, { deferLengths: true }), 2, { createWorker: faultyWorker })).rejects.toThrow(
      /search worker \d failed: injected worker fault/,
    );
  });

  it('a worker that exits rejects with its exit code', async () => {
    process.env.NPC_FAULT = 'exit';
    await expect(createSearcher(fitIndex(train, undefined, { deferLengths: true }), 2, { createWorker: faultyWorker })).rejects.toThrow(
      /search worker \d exited unexpectedly \(exit code 3\)/,
    );
  });

  it('row 78: a worker factory that throws is an error naming the worker and the cause, and the workers already started are ended', async () => {
    const made: Worker[] = [];
    const failsOnSecond: WorkerFactory = () => {
      if (made.length === 1) throw new Error('injected factory fault');
      const worker = tsWorker();
      made.push(worker);
      return worker;
    };
    expect(() => SearchPool.spawn(3, failsOnSecond)).toThrow(/^cannot start search worker 1: injected factory fault$/);
    expect(made).toHaveLength(1);
    // Ended, not left running: its exit event comes (a hang here would be a leaked thread).
    await new Promise<void>((resolve) => made[0].once('exit', () => resolve()));
  });
});
