/**
 * One batch of queries against a range of training rows: the loop every searcher runs, on this thread
 * (LocalSearcher) or in a worker (worker.ts), over queries packed into one buffer (as they travel to
 * the workers) and into flat result arrays (as they travel back).
 */
import { NearestNeighbors } from '../model/neighbors.js';
import { searchRange, type TrainingArrays } from '../model/training-index.js';
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

/** The m nearest rows in [from, to) of every query, ordered by (NCD, index). */
export function searchBatch(
  arrays: TrainingArrays,
  scanner: PairScanner,
  queries: PackedQueries,
  from: number,
  to: number,
  m: number,
): NeighborLists {
  const count = queries.offsets.length - 1;
  const out = emptyLists(count, m);
  const nearest = new NearestNeighbors(m);
  for (let q = 0; q < count; q++) {
    searchRange(arrays, scanner, queries.bytes.subarray(queries.offsets[q], queries.offsets[q + 1]), from, to, nearest);
    out.sizes[q] = nearest.size;
    out.indices.set(nearest.indices.subarray(0, nearest.size), q * m);
    out.distances.set(nearest.distances.subarray(0, nearest.size), q * m);
  }
  return out;
}
