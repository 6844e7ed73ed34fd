/**
 * The server's search queue: texts from every request wait here for the search workers, which take
 * them round-robin between requests (one text of each waiting request in turn), so a large batch or a
 * long NDJSON stream never starves a single-text request. Each search goes to every worker of the pool
 * (each over its slice of the rows), so one request's query is spread over all of them. The queue is
 * bounded (admit refuses new work when it is full); a request that is cancelled (deadline, client gone)
 * has its waiting texts removed at once. A worker that dies fails the texts it held and the pool is
 * started again.
 */
import { WorkerError } from '../../errors.js';
import { emptyLists, queriesPerBatch, type NeighborLists } from '../../parallel/batch.js';
import { SearchPool, type Searcher, type WorkerFactory } from '../../parallel/searcher.js';
import type { TrainingIndex } from '../../model/training-index.js';

/** One request's share of the queue. */
export class RequestWork {
  cancelled: Error | undefined;
  /** Training rows compared with this request's texts so far (a log field). */
  rowsScanned = 0;
  readonly waiting: Job[] = [];
  constructor(readonly scheduler: SearchScheduler) {}

  private readonly cancelListeners: ((reason: Error) => void)[] = [];

  /** Stops this request's remaining search: waiting texts are dropped, the searches answer `reason`. */
  cancel(reason: Error): void {
    if (this.cancelled) return;
    this.cancelled = reason;
    this.scheduler.dropWaiting(this, reason);
    for (const listener of this.cancelListeners) listener(reason);
  }

  /** Also told when the request is cancelled (e.g. to stop reading its body). */
  onCancel(listener: (reason: Error) => void): void {
    this.cancelListeners.push(listener);
  }

  /** A Searcher over the shared queue, for classifyRecords. */
  searcher(): Searcher {
    const { scheduler } = this;
    return {
      get index() {
        return scheduler.index;
      },
      get jobs() {
        return scheduler.jobs;
      },
      search: (queries, m) => scheduler.search(this, queries, m),
      close: async () => {},
    };
  }
}

interface Job {
  work: RequestWork;
  queries: readonly Uint8Array[];
  m: number;
  /** Queries not yet sent to the workers (from `next` on). */
  next: number;
  /** Queries answered. */
  done: number;
  lists: NeighborLists;
  resolve: (lists: NeighborLists) => void;
  reject: (err: Error) => void;
  settled: boolean;
}

/** The queue is full: the request is refused (503 with Retry-After). */
export class QueueFull extends Error {
  override name = 'QueueFull';
}

/** A search worker died while it held this request's texts (500); the pool has been started again. */
export class SearchFault extends Error {
  override name = 'SearchFault';
}

export interface SchedulerOptions {
  /** Most texts waiting for the workers. */
  queue: number;
  jobs: number;
  createWorker?: WorkerFactory;
  /** The number of texts waiting changed. */
  onDepth?: (texts: number) => void;
  /** A worker died and the pool was started again. */
  onRestart?: (cause: Error) => void;
}

export class SearchScheduler {
  private pool: SearchPool | undefined;
  private rebuilding: Promise<void> | undefined;
  private readonly ring: RequestWork[] = [];
  private cursor = 0;
  private inFlight = 0;
  private depth = 0;
  private closed = false;
  private readonly perSearch: number;

  private constructor(
    readonly index: TrainingIndex,
    private readonly options: SchedulerOptions,
  ) {
    this.perSearch = queriesPerBatch(index.size);
  }

  /** Starts the workers over `index` (each over its slice of the rows). */
  static async start(index: TrainingIndex, options: SchedulerOptions): Promise<SearchScheduler> {
    const scheduler = new SearchScheduler(index, options);
    scheduler.pool = await scheduler.startPool();
    return scheduler;
  }

  get jobs(): number {
    return this.pool?.jobs ?? 0;
  }

  /** Texts waiting for a worker. */
  get waiting(): number {
    return this.depth;
  }

  /** Whether `texts` more texts fit in the queue now. */
  admits(texts: number): boolean {
    return this.depth + texts <= this.options.queue;
  }

  newRequest(): RequestWork {
    return new RequestWork(this);
  }

  search(work: RequestWork, queries: readonly Uint8Array[], m: number): Promise<NeighborLists> {
    if (work.cancelled) return Promise.reject(work.cancelled);
    if (this.closed) return Promise.reject(new Error('the server is stopping'));
    return new Promise((resolve, reject) => {
      const job: Job = { work, queries, m, next: 0, done: 0, lists: emptyLists(queries.length, m), resolve, reject, settled: false };
      if (queries.length === 0) return resolve(job.lists);
      work.waiting.push(job);
      if (!this.ring.includes(work)) this.ring.push(work);
      this.setDepth(this.depth + queries.length);
      this.pump();
    });
  }

  dropWaiting(work: RequestWork, reason: Error): void {
    let dropped = 0;
    for (const job of work.waiting) {
      dropped += job.queries.length - job.next;
      job.next = job.queries.length;
      this.settle(job, reason);
    }
    work.waiting.length = 0;
    this.leaveRing(work);
    if (dropped) this.setDepth(this.depth - dropped);
  }

  /** Refuses everything waiting (the server is stopping after its grace) and ends the workers. */
  async close(reason: Error): Promise<void> {
    this.closed = true;
    for (const work of [...this.ring]) work.cancel(reason);
    await this.pool?.close();
  }

  /** Sends the next texts, one of each waiting request in turn, while fewer than two searches are out. */
  private pump(): void {
    while (this.inFlight < 2 && this.ring.length > 0 && this.pool && !this.rebuilding && !this.closed) {
      const taken: { job: Job; q: number }[] = [];
      let m = -1;
      let idle = 0;
      while (taken.length < this.perSearch && this.ring.length > 0 && idle < this.ring.length) {
        if (this.cursor >= this.ring.length) this.cursor = 0;
        const work = this.ring[this.cursor];
        const job = work.waiting[0];
        if (m >= 0 && job.m !== m) {
          idle++;
          this.cursor++;
          continue;
        }
        idle = 0;
        m = job.m;
        taken.push({ job, q: job.next++ });
        if (job.next === job.queries.length) work.waiting.shift();
        if (work.waiting.length === 0) this.leaveRing(work);
        else this.cursor++;
      }
      if (taken.length === 0) return;
      this.setDepth(this.depth - taken.length);
      void this.run(this.pool, taken, m);
    }
  }

  private async run(pool: SearchPool, taken: { job: Job; q: number }[], m: number): Promise<void> {
    this.inFlight++;
    try {
      const lists = await pool.search(
        taken.map(({ job, q }) => job.queries[q]),
        m,
      );
      taken.forEach(({ job, q }, i) => {
        const size = lists.sizes[i];
        job.lists.sizes[q] = size;
        job.lists.indices.set(lists.indices.subarray(i * m, i * m + size), q * m);
        job.lists.distances.set(lists.distances.subarray(i * m, i * m + size), q * m);
        job.work.rowsScanned += this.index.size;
        if (++job.done === job.queries.length) this.settle(job);
      });
    } catch (err) {
      const fault = err instanceof WorkerError ? new SearchFault(err.message) : (err as Error);
      for (const { job } of taken) this.failJob(job, fault);
      if (err instanceof WorkerError && pool === this.pool) this.restart(err);
    } finally {
      this.inFlight--;
      this.pump();
    }
  }

  /** A job that failed: its remaining texts leave the queue too. */
  private failJob(job: Job, err: Error): void {
    if (job.settled) return;
    const left = job.queries.length - job.next;
    job.next = job.queries.length;
    const at = job.work.waiting.indexOf(job);
    if (at >= 0) job.work.waiting.splice(at, 1);
    if (job.work.waiting.length === 0) this.leaveRing(job.work);
    if (left) this.setDepth(this.depth - left);
    this.settle(job, err);
  }

  private restart(cause: Error): void {
    const old = this.pool;
    this.pool = undefined;
    this.rebuilding = (async () => {
      await old?.close();
      while (!this.closed) {
        try {
          this.pool = await this.startPool();
          break;
        } catch {
          // A pool that fails to start is tried again (the process keeps serving what it can: /healthz).
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
      }
      this.options.onRestart?.(cause);
    })().finally(() => {
      this.rebuilding = undefined;
      this.pump();
    });
  }

  /** Whether the workers are up (not being started again after a fault). */
  get ready(): boolean {
    return this.pool !== undefined && !this.rebuilding;
  }

  private async startPool(): Promise<SearchPool> {
    const threads = Math.max(1, Math.min(this.options.jobs, this.index.size));
    const pool = SearchPool.spawn(threads, this.options.createWorker);
    try {
      await pool.attach(this.index, threads);
    } catch (err) {
      await pool.close();
      throw err;
    }
    return pool;
  }

  private settle(job: Job, err?: Error): void {
    if (job.settled) return;
    job.settled = true;
    if (err) job.reject(err);
    else job.resolve(job.lists);
  }

  private leaveRing(work: RequestWork): void {
    const at = this.ring.indexOf(work);
    if (at < 0) return;
    this.ring.splice(at, 1);
    if (at < this.cursor) this.cursor--;
  }

  private setDepth(depth: number): void {
    if (depth === this.depth) return;
    this.depth = depth;
    this.options.onDepth?.(depth);
  }
}
