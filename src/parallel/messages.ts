/** The messages between the search pool and its workers (structured-clone friendly, typed arrays only). */
import type { TrainingArrays } from '../model/training-index.js';

/** The first message a worker gets: the compressor, the shared training arrays and its slice of rows [from, to). */
export interface SetupMessage {
  type: 'setup';
  /** The index's compressor (`Compressor.name`): the worker computes with one of the same kind. */
  compressor: string;
  arrays: TrainingArrays;
  from: number;
  to: number;
  /** This worker's place among the pool's `threads` workers (slices are in thread order). */
  thread: number;
  threads: number;
}

export interface LengthsRequest {
  type: 'lengths';
  id: number;
}

export interface SearchRequest {
  type: 'search';
  id: number;
  /** The UTF-8 bytes of every query back to back; query q is queries[queryOffsets[q] .. queryOffsets[q+1]). */
  queries: Uint8Array;
  queryOffsets: Int32Array;
  /** Neighbours wanted per query. */
  m: number;
  /**
   * Queries [0, whole) are split by query: the worker scans all rows for the ones it claims from the
   * counter `claim` holds (Int32 at 0), one at a time, and answers size -1 for the others. Queries
   * [whole, count) are split by rows: the worker scans its slice for each, sharing each list's worst
   * NCD through `limits` (RowLimits, one entry per query of that part).
   */
  whole: number;
  claim: SharedArrayBuffer;
  limits: SharedArrayBuffer;
}

export type WorkerRequest = LengthsRequest | SearchRequest;

export type WorkerMessage = SetupMessage | WorkerRequest;

export interface SearchReply {
  type: 'search';
  id: number;
  /** sizes[q] neighbours of query q (-1: a query another worker took, in the query split) are at [q*m, q*m + sizes[q]) of the two arrays below. */
  sizes: Int32Array;
  indices: Int32Array;
  distances: Float64Array;
}

export interface LengthsReply {
  type: 'lengths';
  id: number;
}

export interface ErrorReply {
  type: 'error';
  id: number;
  message: string;
  stack?: string;
}

export type WorkerReply = SearchReply | LengthsReply | ErrorReply;
