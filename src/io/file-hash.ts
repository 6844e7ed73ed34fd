/**
 * SHA-256 of data files, the one place npc hashes a file: the identity of the data a saved result was
 * computed from (neighbours files), of a cached data set (its meta file), and the key of a prepared
 * training set. A file is hashed as its raw bytes on disk (a gzipped file compressed).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { InputError } from '../errors.js';
import { systemReason } from './lines.js';

/** 1 MiB reads: with the default 64 KiB the per-chunk overhead doubles the time on a 30 MB file. */
const HASH_READ_CHUNK = 1 << 20;

/** SHA-256 (hex) of a file's raw bytes, streamed. An unreadable file is an InputError naming it. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: HASH_READ_CHUNK })) hash.update(chunk as Buffer);
  } catch (err) {
    throw new InputError(`cannot read: ${systemReason(err)}`, path);
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of bytes already in memory. */
export function sha256OfBytes(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}
