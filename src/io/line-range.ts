/**
 * The lines of a file that start in one of N equal byte ranges, Hadoop-style: no pass over the file
 * first, each shard reads only its range plus the end of its last line. Range I of a file of S bytes is
 * [floor(I·S/N), floor((I+1)·S/N)); a line belongs to the range its first byte is in, so the shards'
 * lines, in shard order, are the file's lines, each exactly once, whatever the line lengths.
 *
 * Line numbers inside a shard count from its first line; `lineOffset()` counts the lines before it (one
 * read of the file up to there), so an error can still say `FILE:LINE` with the line in the whole file.
 */
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { systemReason } from './lines.js';

export interface LineRange {
  /** The bytes of the lines that start in the range (possibly none). */
  stream: Readable;
  /** Byte offsets [start, end) of those lines in the file. */
  start: number;
  end: number;
  /** Lines before `start` (counted on first call). */
  lineOffset(): Promise<number>;
}

const SCAN_CHUNK = 1 << 16;

/** Opens the lines of byte range `index` of `count` of `path`. A gzipped file cannot be split by bytes. */
export async function openLineRange(path: string, index: number, count: number): Promise<LineRange> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    throw new InputError(`cannot read: ${systemReason(err)}`, path);
  }
  try {
    const stats = await handle.stat();
    if (stats.isDirectory()) throw new InputError('is a directory, expected a file', path);
    if (!stats.isFile()) throw new InputError('is not a regular file: only a file can be split by byte ranges (--shard)', path);
    const size = stats.size;
    const magic = Buffer.alloc(2);
    await handle.read(magic, 0, 2, 0);
    if (size >= 2 && magic[0] === 0x1f && magic[1] === 0x8b) {
      throw new InputError(
        'is gzip-compressed, and compressed data cannot be split by byte ranges: decompress it first (gunzip -k FILE) and shard the plain file',
        path,
      );
    }
    const from = Math.floor((index * size) / count);
    const to = Math.floor(((index + 1) * size) / count);
    /** The offset just after the first LF at or after `at` (the file's size when there is none). */
    const afterNewline = async (at: number): Promise<number> => {
      const buf = Buffer.alloc(SCAN_CHUNK);
      for (let pos = at; pos < size; pos += SCAN_CHUNK) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(SCAN_CHUNK, size - pos), pos);
        const nl = buf.subarray(0, bytesRead).indexOf(0x0a);
        if (nl >= 0) return pos + nl + 1;
      }
      return size;
    };
    // A line starts at `from` when it is the file's first byte or follows a line end.
    const start = from === 0 ? 0 : await afterNewline(from - 1);
    // The last line that starts before `to` ends at the first line end at or after to − 1.
    const end = to === 0 ? 0 : Math.max(start, await afterNewline(to - 1));
    let offset: number | undefined;
    const lineOffset = async (): Promise<number> => {
      offset ??= await countNewlines(path, start);
      return offset;
    };
    const stream = start < end ? createReadStream(path, { start, end: end - 1 }) : emptyStream();
    return { stream, start, end, lineOffset };
  } finally {
    await handle.close();
  }
}

async function countNewlines(path: string, upTo: number): Promise<number> {
  if (upTo === 0) return 0;
  let n = 0;
  for await (const chunk of createReadStream(path, { start: 0, end: upTo - 1, highWaterMark: 1 << 20 })) {
    const buf = chunk as Buffer;
    for (let i = buf.indexOf(0x0a); i >= 0; i = buf.indexOf(0x0a, i + 1)) n++;
  }
  return n;
}

function emptyStream(): Readable {
  return Readable.from([]);
}
