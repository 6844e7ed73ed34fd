/**
 * One batch of queries against a range of training rows: the loop every searcher runs, on this thread
 * (LocalSearcher) or in a worker (worker.ts), over queries packed into one buffer (as they travel to
 * the workers) and into flat result arrays (as they travel back).
 */
import { NearestNeighbors } from '../model/neighbors.js';
import { searchRange, type TrainingArrays } from '../model/training-index.js';
import type { PairScanner } from '../compress/index.js';

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
