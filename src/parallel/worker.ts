/**
 * A search worker: owns one slice [from, to) of the shared training arrays and one exact engine,
 * computes C(y) for its slice on request, and answers batches of queries: with each query's nearest
 * rows within the slice (the row split), or with the nearest of all rows for the queries it claims
 * (the query split). Nothing is copied: the training arrays live in SharedArrayBuffers. The slice
 * arrives in the first message (the pool may start the thread before the index is loaded).
 *
 * The engine prepares the rows a search needs (its slice); after its first query split it prepares all
 * rows once and keeps them, so a later row split reads its slice from them instead of preparing again.
 */
import { parentPort } from 'node:worker_threads';
import { type Compressor, compressorNamed, createPairScanner, type PairScanner } from '../compress/index.js';
import { copyLists, emptyLists, RowLimits, searchBatch, searchClaimed } from './batch.js';
import type { SearchReply, SearchRequest, SetupMessage, WorkerMessage, WorkerReply } from './messages.js';

let slice: SetupMessage | undefined;
/** The worker's place among the pool's threads, and their number (from the slice). */
let thread = 0;
let threads = 1;
/** True once the engine holds all rows prepared (the first query split). */
let allRows = false;
/** The index's kind of compressor, made when the slice arrives (one WebAssembly instance per worker). */
let compressor: Compressor;
let scanner: PairScanner;
const port = parentPort!;

function computeLengths({ arrays, from, to }: SetupMessage): void {
  const { data, offsets, compressedLengths } = arrays;
  for (let i = from; i < to; i++) compressedLengths[i] = compressor.gzipLength(data.subarray(offsets[i], offsets[i + 1]));
}

function search({ arrays, from, to }: SetupMessage, request: SearchRequest): SearchReply {
  const { queries: bytes, queryOffsets: offsets, m, whole } = request;
  const count = offsets.length - 1;
  const out = emptyLists(count, m);
  if (whole > 0) {
    allRows = true;
    const lists = searchClaimed(
      arrays,
      scanner,
      { bytes, offsets: offsets.subarray(0, whole + 1) },
      m,
      new Int32Array(request.claim, 0, 1),
    );
    copyLists(lists, out, 0);
  }
  if (whole < count) {
    const limits = new RowLimits(request.limits, threads, thread);
    const prepare = allRows ? { prepareFrom: 0, prepareTo: arrays.offsets.length - 1 } : {};
    const lists = searchBatch(arrays, scanner, { bytes, offsets: offsets.subarray(whole) }, from, to, m, { ...prepare, limits });
    copyLists(lists, out, whole);
  }
  return { type: 'search', id: request.id, sizes: out.sizes, indices: out.indices, distances: out.distances };
}

port.on('message', (request: WorkerMessage) => {
  if (request.type === 'setup') {
    slice = request;
    thread = request.thread;
    threads = request.threads;
    compressor = compressorNamed(request.compressor);
    scanner = createPairScanner(compressor);
    return;
  }
  let reply: WorkerReply;
  try {
    if (!slice) throw new Error('request before setup');
    if (request.type === 'lengths') {
      computeLengths(slice);
      reply = { type: 'lengths', id: request.id };
    } else {
      reply = search(slice, request);
    }
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    reply = { type: 'error', id: request.id, message: e.message, stack: e.stack };
  }
  if (reply.type === 'search')
    port.postMessage(reply, [
      reply.sizes.buffer as ArrayBuffer,
      reply.indices.buffer as ArrayBuffer,
      reply.distances.buffer as ArrayBuffer,
    ]);
  else port.postMessage(reply);
});
