/**
 * A search worker: owns one slice [from, to) of the shared training arrays and one exact engine,
 * computes C(y) for its slice on request, and answers batches of queries with each query's nearest
 * rows within the slice. Nothing is copied: the training arrays live in SharedArrayBuffers. The slice
 * arrives in the first message (the pool may start the thread before the index is loaded).
 */
import { parentPort } from 'node:worker_threads';
import { type Compressor, compressorNamed, createPairScanner, type PairScanner } from '../compress/index.js';
import { searchBatch } from './batch.js';
import type { SearchReply, SetupMessage, WorkerMessage, WorkerReply } from './messages.js';

let slice: SetupMessage | undefined;
/** The index's kind of compressor, made when the slice arrives (one WebAssembly instance per worker). */
let compressor: Compressor;
let scanner: PairScanner;
const port = parentPort!;

function computeLengths({ arrays, from, to }: SetupMessage): void {
  const { data, offsets, compressedLengths } = arrays;
  for (let i = from; i < to; i++) compressedLengths[i] = compressor.gzipLength(data.subarray(offsets[i], offsets[i + 1]));
}

function search({ arrays, from, to }: SetupMessage, queries: Uint8Array, queryOffsets: Int32Array, m: number, id: number): SearchReply {
  const { sizes, indices, distances } = searchBatch(arrays, scanner, { bytes: queries, offsets: queryOffsets }, from, to, m);
  return { type: 'search', id, sizes, indices, distances };
}

port.on('message', (request: WorkerMessage) => {
  if (request.type === 'setup') {
    slice = request;
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
      reply = search(slice, request.queries, request.queryOffsets, request.m, request.id);
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
