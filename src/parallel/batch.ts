/**
 * One batch of queries against a range of training rows: the loop every searcher runs, on this thread
 * (LocalSearcher) or in a worker (worker.ts), over queries packed into one buffer (as they travel to
 * the workers) and into flat result arrays (as they travel back).
 */
import { NearestNeighbors } from '../model/neighbors.js';
import { type RangeOptions, searchRange, type SharedLimit, type TrainingArrays } from '../model/training-index.js';
import type { PairScanner } from '../compress/index.js';

/**
 * Pairs per search batch: enough to keep every worker busy for many milliseconds per message, few
 * enough that an interrupt, a progress update or the next streamed answer never waits long (a fraction
 * of a second on one core).
 */
export const BATCH_PAIRS = 10_000;

/** Most queries in one batch, however small the training set. */
export const MAX_BATCH_QUERIES = 256;

/**
 * Queries per search batch against `trainSize` training rows: BATCH_PAIRS / trainSize, at least one
 * (a large training set means one query per batch) and at most MAX_BATCH_QUERIES. Every batched search
 * (`npc eval`, `npc classify`, `npc drift`) uses this rule.
 */
export function queriesPerBatch(trainSize: number): number {
  return Math.max(1, Math.min(MAX_BATCH_QUERIES, Math.floor(BATCH_PAIRS / trainSize)));
}

/** Queries back to back: query q is bytes[offsets[q] .. offsets[q+1]). */
export interface PackedQueries {
  bytes: Uint8Array;
  offsets: Int32Array;
}

/** Neighbour lists for a batch: query q has sizes[q] neighbours at [q*m, q*m + sizes[q]). */
export interface NeighborLists {
  m: number;
  sizes: Int32Array;
  indices: Int32Array;
  distances: Float64Array;
}

export function packQueries(queries: readonly Uint8Array[]): PackedQueries {
  let total = 0;
  for (const q of queries) total += q.length;
  const bytes = new Uint8Array(total);
  const offsets = new Int32Array(queries.length + 1);
  let at = 0;
  queries.forEach((q, i) => {
    bytes.set(q, at);
    at += q.length;
    offsets[i + 1] = at;
  });
  return { bytes, offsets };
}

export function emptyLists(count: number, m: number): NeighborLists {
  return { m, sizes: new Int32Array(count), indices: new Int32Array(count * m), distances: new Float64Array(count * m) };
}

/** The m nearest rows in [from, to) of every query, ordered by (NCD, index); with `limits`, see RowLimits. */
export function searchBatch(
  arrays: TrainingArrays,
  scanner: PairScanner,
  queries: PackedQueries,
  from: number,
  to: number,
  m: number,
  options: { prepareFrom?: number; prepareTo?: number; limits?: RowLimits } = {},
): NeighborLists {
  const count = queries.offsets.length - 1;
  const out = emptyLists(count, m);
  const nearest = new NearestNeighbors(m);
  const { limits } = options;
  const range: RangeOptions = { prepareFrom: options.prepareFrom, prepareTo: options.prepareTo, shared: limits };
  for (let q = 0; q < count; q++) {
    limits?.query(q);
    searchRange(arrays, scanner, queryOf(queries, q), from, to, nearest, range);
    keep(out, q, nearest);
  }
  return out;
}

/**
 * The query split: the m nearest of ALL rows [0, size) for the queries this thread claims, one at a
 * time, from the counter `claim[0]` it shares with the other threads (Atomics.add: each query goes to
 * exactly one thread, and a thread that finishes early takes the next). Unclaimed queries have size -1.
 */
export function searchClaimed(
  arrays: TrainingArrays,
  scanner: PairScanner,
  queries: PackedQueries,
  m: number,
  claim: Int32Array,
): NeighborLists {
  const count = queries.offsets.length - 1;
  const size = arrays.offsets.length - 1;
  const out = emptyLists(count, m);
  out.sizes.fill(-1);
  const nearest = new NearestNeighbors(m);
  for (let q = Atomics.add(claim, 0, 1); q < count; q = Atomics.add(claim, 0, 1)) {
    searchRange(arrays, scanner, queryOf(queries, q), 0, size, nearest);
    keep(out, q, nearest);
  }
  return out;
}

/** Copies every list of `from` into `to`, query q of `from` becoming query `at` + q. */
export function copyLists(from: NeighborLists, to: NeighborLists, at: number): void {
  const { m } = to;
  to.sizes.set(from.sizes, at);
  to.indices.set(from.indices, at * m);
  to.distances.set(from.distances, at * m);
}

function queryOf(queries: PackedQueries, q: number): Uint8Array {
  return queries.bytes.subarray(queries.offsets[q], queries.offsets[q + 1]);
}

function keep(out: NeighborLists, q: number, nearest: NearestNeighbors): void {
  const { m } = out;
  out.sizes[q] = nearest.size;
  out.indices.set(nearest.indices.subarray(0, nearest.size), q * m);
  out.distances.set(nearest.distances.subarray(0, nearest.size), q * m);
}

/* A double's bits, to store it with Atomics (which work on integers only) and to step to the next double. */
const f64 = new Float64Array(1);
const bits = new BigInt64Array(f64.buffer);

/** The smallest double above d (d itself for Infinity and NaN). */
export function nextUp(d: number): number {
  if (!(d < Infinity)) return d;
  if (d === 0) return Number.MIN_VALUE;
  f64[0] = d;
  bits[0] += d > 0 ? 1n : -1n;
  return f64[0];
}

/**
 * The row split's shared limit: per query of a batch and per thread, the worst NCD of the thread's full
 * list (+Infinity until full) in a SharedArrayBuffer, and a counter per query that each update bumps.
 * Threads hold increasing slices of the rows; a list of thread v says m rows of v's slice have an NCD
 * <= its worst w. A row of a later slice with NCD >= w, or of an earlier slice with NCD > w, is then
 * behind those m rows in the (NCD, index) order, so in no merged list: the bound a thread reads is the
 * smallest of w (earlier slices) and the next double above w (later slices: an equal NCD with a smaller
 * index is never lost). Values only fall, so a stale read is a looser bound, never a wrong one.
 */
export class RowLimits implements SharedLimit {
  private readonly worst: BigInt64Array;
  private readonly versions: Int32Array;
  private q = 0;
  private seen = -1;
  private value = Infinity;

  /** A buffer for `count` queries and `threads` threads, every slot +Infinity. */
  static buffer(count: number, threads: number): SharedArrayBuffer {
    const buffer = new SharedArrayBuffer(8 * count * threads + 4 * count);
    f64[0] = Infinity;
    new BigInt64Array(buffer, 0, count * threads).fill(bits[0]);
    return buffer;
  }

  constructor(
    buffer: SharedArrayBuffer,
    private readonly threads: number,
    private readonly thread: number,
  ) {
    const count = buffer.byteLength / (8 * threads + 4);
    this.worst = new BigInt64Array(buffer, 0, count * threads);
    this.versions = new Int32Array(buffer, 8 * count * threads, count);
  }

  /** The query the next bound() and publish() are about. */
  query(q: number): void {
    this.q = q;
    this.seen = -1;
    this.value = Infinity;
  }

  bound(): number {
    const version = Atomics.load(this.versions, this.q);
    if (version !== this.seen) {
      this.seen = version;
      let value = Infinity;
      for (let v = 0; v < this.threads; v++) {
        if (v === this.thread) continue;
        bits[0] = Atomics.load(this.worst, this.q * this.threads + v);
        const w = v < this.thread ? f64[0] : nextUp(f64[0]);
        if (w < value) value = w;
      }
      this.value = value;
    }
    return this.value;
  }

  publish(worst: number): void {
    f64[0] = worst;
    Atomics.store(this.worst, this.q * this.threads + this.thread, bits[0]);
    Atomics.add(this.versions, this.q, 1);
  }
}
