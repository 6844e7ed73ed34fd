/**
 * Prepared training sets on disk: the arrays a search needs (every text's UTF-8 bytes, offsets, C(y)
 * of every row, label ids) plus the label classes, so that `npc classify` against a large training
 * set skips parsing and compressing 120,000 texts on every run.
 *
 * A cache, never a source of truth: the file name is derived from the sha256 of the training file's
 * bytes, the identity of the engine that computed C(y) (the sha256 of its engine.wasm) and every option
 * that changes the arrays (compressor, fields, format, strip); the header records the key and the engine
 * identity, the content carries a CRC-32; anything unexpected (another key or engine, version, byte
 * order, size, CRC) reads as a miss, so an engine fix never reuses lengths an older engine cached.
 *
 * Layout: `NPCIDX1\n`, one JSON header line padded with spaces to a multiple of 8 bytes, then
 * offsets (int32 × rows+1), C(y) (int32 × rows), label ids (int32 × rows), text bytes, and last the
 * CRC-32 (uint32) of everything after the header. Integers in the platform's byte order (recorded).
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { endianness } from 'node:os';
import { type JsonLabel, type Label, labelFromJson, labelToJson } from '../model/labels.js';
import type { TrainingArrays } from '../model/training-index.js';
import { writeFileAtomic } from './atomic-file.js';

const MAGIC = 'NPCIDX1\n';

export interface CachedIndex {
  arrays: TrainingArrays;
  classes: Label[];
}

interface Header {
  key: string;
  /** The engine that computed the C(y) (engineIdentity() of src/compress). */
  engine: string;
  rows: number;
  data_bytes: number;
  /** Strings and numbers as themselves; a bigint as `{"bigint": "<digits>"}` (JSON numbers would round it). */
  classes: JsonLabel[];
  endianness: 'LE' | 'BE';
}

/** What changes a training set's arrays besides the file's bytes: every one of them is in the key. */
export interface IndexCacheOptions {
  compressor: string;
  /** The identity of the engine computing the lengths (engineIdentity() of src/compress). */
  engine: string;
  format?: string;
  textField?: string;
  labelField?: string;
  strip?: boolean;
  /** The columns of a CSV or TSV file without a header. */
  columns?: readonly string[];
}

/** One entry of the index cache: its file, its key and the engine identity (both written in the file). */
export interface IndexCacheEntry {
  key: string;
  engine: string;
  path: string;
}

/** Where the index of the training file with sha256 `fileHash` is cached, and its key (written in the file). */
export function indexCacheEntry(cacheDir: string, fileHash: string, options: IndexCacheOptions): IndexCacheEntry {
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        fileHash,
        options.compressor,
        options.engine,
        options.format ?? null,
        options.textField ?? 'text',
        options.labelField ?? 'label',
        !!options.strip,
        // Only when given, so that the keys of files read with a header stay what they were.
        ...(options.columns ? [options.columns] : []),
      ]),
    )
    .digest('hex');
  return { key, engine: options.engine, path: join(cacheDir, 'index', `${key}.npcidx`) };
}

/** Most bytes the header line may take (it names the label classes, so it grows with them). */
const HEADER_READ_STEP = 64 * 1024;

/**
 * Reads the prepared index of `entry`; undefined for a missing, foreign (another key or engine) or damaged
 * file. Each array is read from the file straight into its own shared memory (no copy of the whole file
 * is held), and the CRC-32 is carried over the arrays as they are read.
 */
export function readCachedIndex(entry: IndexCacheEntry): CachedIndex | undefined {
  const { path, key, engine } = entry;
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return undefined;
  }
  try {
    const size = fstatSync(fd).size;
    // The header line: read in steps until its newline.
    let head = Buffer.alloc(0);
    let newline = -1;
    while (newline < 0 && head.length < size) {
      const step = Buffer.allocUnsafe(Math.min(HEADER_READ_STEP, size - head.length));
      const n = readSync(fd, step, 0, step.length, head.length);
      if (n === 0) break;
      head = Buffer.concat([head, step.subarray(0, n)]);
      newline = head.indexOf(0x0a, MAGIC.length);
    }
    if (newline < 0 || head.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) return undefined;
    const header = JSON.parse(head.subarray(MAGIC.length, newline).toString('utf8')) as Header;
    if (header.key !== key || header.engine !== engine || header.endianness !== endianness()) return undefined;
    const rows = header.rows;
    const body = newline + 1;
    const ints = 4 * (rows + 1 + rows + rows);
    if (size !== body + ints + header.data_bytes + 4) return undefined;
    let at = body;
    let crc = 0;
    const take = (bytes: number): SharedArrayBuffer | undefined => {
      const shared = new SharedArrayBuffer(Math.max(bytes, 1));
      const view = new Uint8Array(shared, 0, bytes);
      for (let done = 0; done < bytes;) {
        const n = readSync(fd, view, done, bytes - done, at + done);
        if (n === 0) return undefined;
        done += n;
      }
      crc = crc32(view, crc);
      at += bytes;
      return shared;
    };
    const offsetsBuffer = take(4 * (rows + 1));
    const lengthsBuffer = take(4 * rows);
    const labelsBuffer = take(4 * rows);
    const dataBuffer = take(header.data_bytes);
    if (!offsetsBuffer || !lengthsBuffer || !labelsBuffer || !dataBuffer) return undefined;
    const stored = Buffer.alloc(4);
    if (readSync(fd, stored, 0, 4, at) !== 4 || crc !== stored.readUInt32LE(0)) return undefined;
    return {
      arrays: {
        data: new Uint8Array(dataBuffer, 0, header.data_bytes),
        offsets: new Int32Array(offsetsBuffer, 0, rows + 1),
        compressedLengths: new Int32Array(lengthsBuffer, 0, rows),
        labelIds: new Int32Array(labelsBuffer, 0, rows),
      },
      classes: header.classes.map(labelFromJson),
    };
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Writes the prepared index of `entry` (through a temporary file and a rename). */
export async function writeCachedIndex(entry: IndexCacheEntry, prepared: CachedIndex): Promise<void> {
  const { path, key, engine } = entry;
  const { data, offsets, compressedLengths, labelIds } = prepared.arrays;
  const header: Header = {
    key,
    engine,
    rows: labelIds.length,
    data_bytes: data.length,
    classes: prepared.classes.map(labelToJson),
    endianness: endianness(),
  };
  let line = MAGIC + JSON.stringify(header);
  line += ' '.repeat((8 - ((Buffer.byteLength(line) + 1) % 8)) % 8) + '\n';
  const bytes = (a: Int32Array | Uint8Array): Buffer => Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const body = Buffer.concat([bytes(offsets), bytes(compressedLengths), bytes(labelIds), bytes(data)]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32LE(crc32(body));
  await writeFileAtomic(path, Buffer.concat([Buffer.from(line, 'utf8'), body, crc]));
}
