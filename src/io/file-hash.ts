/**
 * SHA-256 of data files, the one place npc hashes a file: the identity of the data a saved result was
 * computed from (neighbours files), of a cached data set (its meta file), and the key of a prepared
 * training set. A file is hashed as its raw bytes on disk (a gzipped file compressed); neighbours files
 * also record the hash of its content (`fileHashes`: a gzipped file decompressed), so the same rows
 * compressed or not are recognised as the same data.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
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

/**
 * SHA-256 (hex) of a file's raw bytes and of its content: the bytes gunzip gives for a file that starts
 * with the gzip magic bytes 1f 8b (every member), else the raw bytes again. One read of the file.
 */
export async function fileHashes(path: string): Promise<{ sha256: string; contentSha256: string }> {
  const raw = createHash('sha256');
  let content: Hash | undefined;
  let gunzip: Gunzip | undefined;
  let gunzipped: Promise<void> | undefined;
  let first = true;
  try {
    for await (const chunk of createReadStream(path, { highWaterMark: HASH_READ_CHUNK })) {
      const bytes = chunk as Buffer;
      raw.update(bytes);
      if (first) {
        first = false;
        if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
          const hash = createHash('sha256');
          content = hash;
          gunzip = createGunzip();
          gunzip.on('data', (data: Buffer) => hash.update(data));
          gunzipped = new Promise((resolve, reject) => {
            gunzip!.on('end', resolve);
            gunzip!.on('error', reject);
          });
          gunzipped.catch(() => {}); // awaited below, or raced with each wait for room
        }
      }
      if (gunzip && !gunzip.write(bytes)) await Promise.race([new Promise((resolve) => gunzip!.once('drain', resolve)), gunzipped]);
    }
    gunzip?.end();
    await gunzipped;
  } catch (err) {
    gunzip?.destroy();
    if ((err as NodeJS.ErrnoException).code?.startsWith('Z_')) throw new InputError(`corrupt gzip data (${(err as Error).message})`, path);
    throw new InputError(`cannot read: ${systemReason(err)}`, path);
  }
  const sha256 = raw.digest('hex');
  return { sha256, contentSha256: content ? content.digest('hex') : sha256 };
}
