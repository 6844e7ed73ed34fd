/**
 * Searching a training index for batches of queries, on this thread or on worker threads.
 * Both give bit-identical results. A batch of at least as many queries as workers goes to them as whole
 * queries (each worker takes one at a time and scans every row for it, as one thread does: wholeQueries).
 * A batch of fewer queries (one headline, a server request) is split by rows: each worker scans a
 * contiguous slice of the training rows in index order, the workers share each list's worst NCD so
 * that a worker skips rows another worker's list already puts out of reach (RowLimits), and the
 * per-slice lists are merged by (NCD, index), which is a total order.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { WorkerError } from '../errors.js';
import { createPairScanner, type PairScanner } from '../compress/index.js';
import type { TrainingIndex } from '../model/training-index.js';
import { emptyLists, type NeighborLists, packQueries, RowLimits, searchBatch } from './batch.js';
import type { SearchRequest, SetupMessage, WorkerReply } from './messages.js';

export type { NeighborLists } from './batch.js';

export interface Searcher {
  readonly index: TrainingIndex;
  /** Number of threads doing the work. */
  readonly jobs: number;
  search(queries: readonly Uint8Array[], m: number): Promise<NeighborLists>;
  close(): Promise<void>;
}

/**
 * Starts one search worker thread: a Worker whose script runs the message loop of worker.ts (worker.js
 * beside this module once built). The default, `defaultWorkerFactory`, starts that worker.js. Another
 * factory can run the TypeScript sources through a loader, or put a worker that fails on purpose in
 * place (the fault tests); npc's CLI takes it as a parameter of `main`, never from the environment.
 */
export type WorkerFactory = () => Worker;

/** The search worker of this build: worker.js next to this module. */
export const defaultWorkerFactory: WorkerFactory = () => new Worker(new URL('./worker.js', import.meta.url));

export interface SearcherOptions {
  /** Threads already spawned by SearchPool.spawn(), used or closed by createSearcher. */
  started?: SearchPool;
  /** How worker threads are started (default: defaultWorkerFactory). */
  createWorker?: WorkerFactory;
}

export function defaultJobs(): number {
  return Math.max(1, availableParallelism());
}

/** More threads than this gain nothing on this machine and only cost memory; --jobs above it is capped. */
export function maxJobs(): number {
  return 4 * defaultJobs();
}

/**
 * Builds the searcher for `jobs` threads (capped at maxJobs() and at one per training row); with more
 * than one, the pool also computes C(y) of every row. `options.started` is a pool from
 * SearchPool.spawn(), whose threads booted while the caller was loading the index; it is used or
 * closed here. `options.createWorker` starts the threads otherwise (default: defaultWorkerFactory).
 */
export async function createSearcher(index: TrainingIndex, jobs: number, options: SearcherOptions = {}): Promise<Searcher> {
  const { started } = options;
  const workers = Math.min(jobs, index.size, maxJobs());
  if (workers <= 1) {
    if (started) await started.close();
    if (!index.lengthsReady) throw new Error('createSearcher: one thread needs an index with its lengths computed');
    return new LocalSearcher(index);
  }
  const pool = started ?? SearchPool.spawn(workers, options.createWorker);
  try {
    await pool.attach(index, workers);
  } catch (err) {
    await pool.close();
    throw err;
  }
  return pool;
}

export class LocalSearcher implements Searcher {
  readonly index: TrainingIndex;
  readonly jobs = 1;
  private readonly scanner: PairScanner;

  constructor(index: TrainingIndex) {
    if (!index.lengthsReady) throw new Error('LocalSearcher: compressed lengths have not been computed yet');
    this.index = index;
    this.scanner = createPairScanner(index.compressor);
  }

  async search(queries: readonly Uint8Array[], m: number): Promise<NeighborLists> {
    return searchBatch(this.index, this.scanner, packQueries(queries), 0, this.index.size, m);
  }

  async close(): Promise<void> {}
}

interface Pending {
  resolve: (reply: WorkerReply) => void;
  reject: (err: Error) => void;
}

/**
 * Worker threads over slices of the training rows. A worker that throws, fails to start, or exits
 * turns every pending and later request into an error naming the worker and the cause; the pool then
 * terminates its other workers, so nothing hangs and no thread is left behind.
 *
 * The threads are spawned first and given their slice later (attach), so that a caller can let them
 * boot (about 70 ms: a V8 isolate and the engine's modules) while it reads the training index.
 */
export class SearchPool implements Searcher {
  private attached: TrainingIndex | undefined;
  private workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;
  private closing = false;

  private constructor() {}

  /**
   * Starts `threads` workers that wait for attach(), each made by `createWorker`. A factory that throws
   * ends the workers already started and becomes a WorkerError naming the worker and the cause.
   */
  static spawn(threads: number, createWorker: WorkerFactory = defaultWorkerFactory): SearchPool {
    const pool = new SearchPool();
    for (let w = 0; w < threads; w++) {
      let worker: Worker;
      try {
        worker = createWorker();
      } catch (err) {
        void pool.close();
        throw new WorkerError(`cannot start search worker ${w}: ${err instanceof Error ? err.message : String(err)}`);
      }
      worker.on('message', (reply: WorkerReply) => pool.onReply(reply, w));
      worker.on('error', (err) => pool.fail(new WorkerError(`search worker ${w} failed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (!pool.closing && pool.workers.includes(worker))
          pool.fail(new WorkerError(`search worker ${w} exited unexpectedly (exit code ${code})`));
      });
      pool.workers.push(worker);
    }
    return pool;
  }

  get index(): TrainingIndex {
    if (!this.attached) throw new Error('SearchPool: attach() an index first');
    return this.attached;
  }

  get jobs(): number {
    return this.workers.length;
  }

  /**
   * Gives each of the first `jobs` workers (at most the pool's size) its slice of `index` and ends the
   * others; computes C(y) of every row if the index has not.
   */
  async attach(index: TrainingIndex, jobs: number): Promise<void> {
    if (this.attached) throw new Error('SearchPool: already attached');
    if (this.failure) throw this.failure;
    const spare = this.workers.slice(jobs);
    this.workers = this.workers.slice(0, jobs);
    await Promise.all(spare.map((worker) => worker.terminate()));
    this.attached = index;
    const count = this.workers.length;
    this.workers.forEach((worker, w) => {
      const setup: SetupMessage = {
        type: 'setup',
        compressor: index.compressor.name,
        arrays: index.arrays(),
        from: Math.floor((w * index.size) / count),
        to: Math.floor(((w + 1) * index.size) / count),
        thread: w,
        threads: count,
      };
      worker.postMessage(setup);
    });
    if (!index.lengthsReady) {
      await Promise.all(this.workers.map((worker) => this.request(worker, { type: 'lengths', id: 0 })));
      index.lengthsReady = true;
    }
  }

  async search(queries: readonly Uint8Array[], m: number): Promise<NeighborLists> {
    const { bytes, offsets } = packQueries(queries);
    const count = queries.length;
    const threads = this.workers.length;
    const whole = wholeQueries(count, threads, this.index.data.length);
    const claim = new SharedArrayBuffer(4);
    const limits = RowLimits.buffer(count - whole, threads);
    const replies = await Promise.all(
      this.workers.map((worker) =>
        this.request(worker, { type: 'search', id: 0, queries: bytes, queryOffsets: offsets, m, whole, claim, limits }),
      ),
    );
    return combine(replies as Extract<WorkerReply, { type: 'search' }>[], count, whole, m);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private request(worker: Worker, message: SearchRequest | { type: 'lengths'; id: number }): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.nextId;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...message, id });
    });
  }

  private onReply(reply: WorkerReply, w: number): void {
    const waiting = this.pending.get(reply.id);
    if (!waiting) return;
    this.pending.delete(reply.id);
    if (reply.type === 'error') {
      this.fail(new WorkerError(`search worker ${w} failed: ${reply.message}`));
      waiting.reject(this.failure!);
    } else {
      waiting.resolve(reply);
    }
  }

  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
    // Not awaited: the failure reaches the callers through the rejected requests; terminating the
    // workers (which does not reject) need not hold them up.
    void this.close();
  }
}

/**
 * Training text bytes above which a batch is never split by query: each worker would prepare every row
 * (about 13 bytes of memory per byte of text) instead of its slice. Batches of several queries come
 * from small training sets anyway (queriesPerBatch), far below it.
 */
export const QUERY_SPLIT_MAX_BYTES = 8 << 20;

/**
 * How many of a batch's `count` queries go to the workers whole (the first ones; the rest are split by
 * rows): all of them when every worker can take at least one, none otherwise (one headline, a server
 * request) or when the training texts exceed QUERY_SPLIT_MAX_BYTES. The workers take whole queries one
 * at a time as they finish the last, so the batch ends at most one query after the first worker is
 * free. (Taking whole only the queries that go round the workers evenly and splitting the rest by rows
 * was no faster in `scripts/worker-split.ts`, and slower in most rounds.)
 */
export function wholeQueries(count: number, workers: number, trainingBytes: number): number {
  return count >= workers && trainingBytes <= QUERY_SPLIT_MAX_BYTES ? count : 0;
}

/**
 * The lists of a batch: queries [0, whole) from the one worker that took each (the others answer size
 * -1), queries [whole, count) merged from every worker's slice.
 */
function combine(replies: Extract<WorkerReply, { type: 'search' }>[], count: number, whole: number, m: number): NeighborLists {
  const out = emptyLists(count, m);
  for (let q = 0; q < whole; q++) {
    const reply = replies.find((r) => r.sizes[q] >= 0);
    if (!reply) throw new Error(`search: no worker took query ${q}`);
    const size = reply.sizes[q];
    out.sizes[q] = size;
    out.indices.set(reply.indices.subarray(q * m, q * m + size), q * m);
    out.distances.set(reply.distances.subarray(q * m, q * m + size), q * m);
  }
  if (whole < count) mergeSlices(replies, whole, count, m, out);
  return out;
}

/** k-way merge of per-slice lists of queries [first, count) into `out`; slices hold increasing row ranges, so on equal NCD the earlier slice wins. */
function mergeSlices(
  replies: Extract<WorkerReply, { type: 'search' }>[],
  first: number,
  count: number,
  m: number,
  out: NeighborLists,
): void {
  const cursor = new Int32Array(replies.length);
  for (let q = first; q < count; q++) {
    cursor.fill(0);
    let n = 0;
    while (n < m) {
      let best = -1;
      let bestDistance = Infinity;
      for (let w = 0; w < replies.length; w++) {
        if (cursor[w] >= replies[w].sizes[q]) continue;
        const d = replies[w].distances[q * m + cursor[w]];
        if (best < 0 || d < bestDistance) {
          best = w;
          bestDistance = d;
        }
      }
      if (best < 0) break;
      out.indices[q * m + n] = replies[best].indices[q * m + cursor[best]];
      out.distances[q * m + n] = bestDistance;
      cursor[best]++;
      n++;
    }
    out.sizes[q] = n;
  }
}
