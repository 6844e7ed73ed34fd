/**
 * Saved neighbours: the M nearest training rows (index and NCD) of every evaluated test row, so that
 * every later question (other k, other tie rules, envelopes) is answered without compressing again.
 *
 * File layout (all integers little-endian):
 *
 *   "NPCNBR1\n"                        8 bytes of magic
 *   {JSON header}\n                    one line of UTF-8 JSON (see NeighborsFileHeader)
 *   u32 CRC-32 of the magic and the header line (format version 2; version 1 files have none)
 *   per test row, in evaluation order:
 *     u32 test row index (0-based)
 *     u32 count (≤ M)
 *     count × (u32 training row index, f64 NCD), nearest first
 *   end marker:
 *     u32 0xFFFFFFFF, u32 number of rows, u32 CRC-32 of every row byte above
 *
 * The end marker makes a file cut at a row boundary detectable, and the CRCs catch flipped bytes: the
 * header's is checked before anything in the header is believed, so a damaged header is reported as
 * corrupt, never as a file of other data or another compressor. Files of format version 1 (no header
 * CRC, no content checksums) are still read.
 * Files are written through a temporary file renamed into place (io/atomic-file.ts), so a reader never
 * sees a half-written file under the final name.
 *
 * Checksums identify the data a file was computed from (io/file-hash.ts): `sha256` hashes the raw
 * bytes of the data file exactly as they are on disk (a gzipped file is hashed compressed), and
 * `content_sha256` the bytes it holds (a gzipped file decompressed; a plain file's is its `sha256`), so
 * `test.jsonl.gz` and a `zcat` copy of it are the same data. The same rows in another encoding or format
 * count as different data.
 */
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { counted, InputError } from '../errors.js';
import { systemReason } from './lines.js';
import { createAtomicWriter, type OutputSink } from './atomic-file.js';

export const NEIGHBORS_MAGIC = 'NPCNBR1\n';
/** The version written; version 1 files (no header CRC, no content checksums) are read too. */
export const NEIGHBORS_FORMAT_VERSION = 2;
const READABLE_VERSIONS = [1, 2];
const MAGIC_BYTES = Buffer.from(NEIGHBORS_MAGIC, 'latin1');
const END_MARKER = 0xffffffff;
/** Longest header line accepted (a corrupt file should not make us scan gigabytes for a newline). */
const MAX_HEADER_BYTES = 1 << 20;

export interface DataIdentity {
  /** SHA-256 (hex) of the raw data file bytes, see `sha256OfFile`. */
  sha256: string;
  /** SHA-256 (hex) of the file's content (a gzipped file decompressed), see `fileHashes`; absent in version 1 files. */
  content_sha256?: string;
  /** Rows in the data set. */
  rows: number;
  /** Where the data came from (file name or data set name), for messages only. */
  source?: string;
}

export interface NeighborsFileHeader {
  format: 'npc-neighbors';
  version: number;
  /** npc version that wrote the file. */
  npc_version: string;
  /** Compressor name (`Compressor.name`), e.g. `npc-deflate-1.2.x-gzip-9`. */
  compressor: string;
  train: DataIdentity;
  test: DataIdentity;
  /** Neighbours kept per row (rows hold min(M, training rows)). */
  m: number;
  /** Whether texts were stripped before compression. */
  strip: boolean;
  /** Which test rows were evaluated, in words (e.g. `all`, `sample of 1000, seed 7`). */
  evaluated: string;
  /**
   * Present when each row was evaluated against part of the training rows (a cross-validation, `npc eval
   * --data`): the rows of the smallest such training side, which the report calls "train rows".
   */
  train_side_rows?: number;
  /**
   * ISO 8601 time of writing, only when the caller asks for one: npc leaves it out so the same
   * evaluation always writes the same bytes.
   */
  created?: string;
  /** Present in a part of a sharded evaluation (`npc eval --shard`, `--train-shard`); `npc merge` joins the parts. */
  shard?: ShardInfo;
}

/**
 * Which part of an evaluation a file holds. The selected test rows (all of them, `--limit`, `--sample`),
 * in evaluation order, are cut into `test.count` contiguous slices: the file holds slice `test.index`,
 * positions [from, to) of the `test.selected` rows. The training rows are cut likewise: its neighbours
 * are among training rows [from, to) only, with their global indices.
 */
export interface ShardInfo {
  test: { index: number; count: number; from: number; to: number; selected: number };
  train: { index: number; count: number; from: number; to: number };
}

/** Positions [from, to) of slice `index` of `count` contiguous slices of `n` items (sizes differ by at most one). */
export function sliceOf(n: number, index: number, count: number): { from: number; to: number } {
  return { from: Math.floor((index * n) / count), to: Math.floor(((index + 1) * n) / count) };
}

/** What a writer needs; format and version are filled in. */
export type NeighborsHeaderInit = Omit<NeighborsFileHeader, 'format' | 'version' | 'created'> & { created?: string };

export interface NeighborsRow {
  testRow: number;
  indices: ArrayLike<number>;
  distances: ArrayLike<number>;
}

/** A file's content: rows in file order, their neighbours in flat arrays. */
export class SavedNeighbors {
  constructor(
    readonly path: string,
    readonly header: NeighborsFileHeader,
    /** Test row of each saved row. */
    readonly testRows: Uint32Array,
    /** Row i's neighbours are [offsets[i], offsets[i+1]) of `indices` and `distances`. */
    readonly offsets: Uint32Array,
    readonly indices: Uint32Array,
    readonly distances: Float64Array,
  ) {}

  get size(): number {
    return this.testRows.length;
  }

  row(i: number): { testRow: number; indices: Uint32Array; distances: Float64Array } {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`row ${i} out of range (0..${this.size - 1})`);
    const from = this.offsets[i];
    const to = this.offsets[i + 1];
    return { testRow: this.testRows[i], indices: this.indices.subarray(from, to), distances: this.distances.subarray(from, to) };
  }
}

export function validateHeaderValues(h: NeighborsFileHeader, where: string, strictVersion: boolean): void {
  const fail = (what: string): never => {
    throw new InputError(`invalid neighbours file header: ${what}`, where);
  };
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xfffffffe;
  if (h === null || typeof h !== 'object' || Array.isArray(h)) fail('not a JSON object');
  if (h.format !== 'npc-neighbors') fail(`format is ${JSON.stringify(h.format)}, expected "npc-neighbors"`);
  if (strictVersion && !READABLE_VERSIONS.includes(h.version))
    fail(`version ${JSON.stringify(h.version)} is not supported (expected ${READABLE_VERSIONS.join(' or ')})`);
  if (typeof h.npc_version !== 'string') fail('npc_version missing');
  if (typeof h.compressor !== 'string' || h.compressor === '') fail('compressor missing');
  for (const part of ['train', 'test'] as const) {
    const d = h[part] as DataIdentity | undefined;
    if (d === null || typeof d !== 'object') fail(`${part} missing`);
    const id = d as DataIdentity;
    if (typeof id.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(id.sha256)) fail(`${part}.sha256 is not a SHA-256 hex digest`);
    if (id.content_sha256 !== undefined && (typeof id.content_sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(id.content_sha256)))
      fail(`${part}.content_sha256 is not a SHA-256 hex digest`);
    if (!isCount(id.rows)) fail(`${part}.rows is not a row count`);
    if (id.source !== undefined && typeof id.source !== 'string') fail(`${part}.source is not a string`);
  }
  if (!isCount(h.m) || h.m < 1) fail('m is not a positive count');
  if (typeof h.strip !== 'boolean') fail('strip is not true or false');
  if (typeof h.evaluated !== 'string') fail('evaluated (description of the test rows) missing');
  if (h.created !== undefined && typeof h.created !== 'string') fail('created is not a string');
  if (h.train_side_rows !== undefined && (!isCount(h.train_side_rows) || h.train_side_rows < 1 || h.train_side_rows > h.train.rows))
    fail('train_side_rows is not a row count');
  if (h.shard !== undefined) validateShard(h.shard, h, fail);
}

function validateShard(shard: ShardInfo, h: NeighborsFileHeader, fail: (what: string) => never): void {
  const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xfffffffe;
  if (shard === null || typeof shard !== 'object') fail('shard is not an object');
  for (const part of ['test', 'train'] as const) {
    const s = shard[part];
    if (
      s === null ||
      typeof s !== 'object' ||
      ![s.index, s.count, s.from, s.to].every(isCount) ||
      s.count < 1 ||
      s.index >= s.count ||
      s.from > s.to
    ) {
      fail(`shard.${part} is not a slice`);
    }
  }
  if (!isCount(shard.test.selected) || shard.test.selected > h.test.rows) fail('shard.test.selected is not a row count');
  const t = sliceOf(shard.test.selected, shard.test.index, shard.test.count);
  if (t.from !== shard.test.from || t.to !== shard.test.to) fail(`shard.test is not slice ${shard.test.index} of ${shard.test.count}`);
  const r = sliceOf(h.train.rows, shard.train.index, shard.train.count);
  if (r.from !== shard.train.from || r.to !== shard.train.to) fail(`shard.train is not slice ${shard.train.index} of ${shard.train.count}`);
}

/** Writes a neighbours file row by row; `commit` finishes it, `abort` discards it. */
export class NeighborsFileWriter {
  readonly header: NeighborsFileHeader;
  private crc = 0;
  private count = 0;
  private readonly seen: Uint8Array;
  private done = false;
  /** The header's write, awaited before the first row's. */
  private pending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly writer: OutputSink,
    header: NeighborsFileHeader,
  ) {
    this.header = header;
    this.seen = new Uint8Array(header.test.rows);
  }

  /**
   * Starts writing to `output`: an opened output (io/output-sink.ts), or a path, written through a
   * temporary file (InputError when it cannot be created).
   */
  static create(output: OutputSink | string, init: NeighborsHeaderInit): NeighborsFileWriter {
    const path = typeof output === 'string' ? output : output.path;
    const header: NeighborsFileHeader = {
      format: 'npc-neighbors',
      version: NEIGHBORS_FORMAT_VERSION,
      npc_version: init.npc_version,
      compressor: init.compressor,
      train: { ...init.train },
      test: { ...init.test },
      m: init.m,
      strip: init.strip,
      evaluated: init.evaluated,
      ...(init.train_side_rows !== undefined ? { train_side_rows: init.train_side_rows } : {}),
      ...(init.created !== undefined ? { created: init.created } : {}),
      ...(init.shard !== undefined ? { shard: init.shard } : {}),
    };
    validateHeaderValues(header, path, true);
    const writer = typeof output === 'string' ? createAtomicWriter(output) : output;
    const out = new NeighborsFileWriter(writer, header);
    const head = Buffer.concat([MAGIC_BYTES, Buffer.from(`${JSON.stringify(header)}\n`, 'utf8')]);
    const headCrc = Buffer.alloc(4);
    headCrc.writeUInt32LE(crc32(head) >>> 0, 0);
    out.pending = writer.write(Buffer.concat([head, headCrc]));
    out.pending.catch(() => {}); // reported by the next write or commit
    return out;
  }

  get path(): string {
    return this.writer.path;
  }

  /** Rows written so far. */
  get rows(): number {
    return this.count;
  }

  /** Appends the neighbours of one test row (training indices and NCDs, nearest first). */
  async write(testRow: number, indices: ArrayLike<number>, distances: ArrayLike<number>): Promise<void> {
    if (this.done) throw new Error(`neighbours file ${this.path} is already finished`);
    const { header } = this;
    const n = indices.length;
    if (distances.length !== n) throw new RangeError(`${n} neighbour indices but ${distances.length} distances`);
    if (n > header.m) throw new RangeError(`${n} neighbours for test row ${testRow}, more than M = ${header.m}`);
    if (!Number.isInteger(testRow) || testRow < 0 || testRow >= header.test.rows) {
      throw new RangeError(`test row ${testRow} out of range (${counted(header.test.rows, 'test row')})`);
    }
    if (this.seen[testRow]) throw new RangeError(`test row ${testRow} written twice`);
    this.seen[testRow] = 1;
    const buf = Buffer.allocUnsafe(8 + 12 * n);
    buf.writeUInt32LE(testRow, 0);
    buf.writeUInt32LE(n, 4);
    for (let i = 0; i < n; i++) {
      const index = indices[i];
      if (!Number.isInteger(index) || index < 0 || index >= header.train.rows) {
        throw new RangeError(`training row ${index} out of range (${counted(header.train.rows, 'training row')})`);
      }
      buf.writeUInt32LE(index, 8 + 12 * i);
      buf.writeDoubleLE(distances[i], 12 + 12 * i);
    }
    this.crc = crc32(buf, this.crc);
    this.count++;
    await this.push(buf);
  }

  /** Writes the end marker and renames the file into place. */
  async commit(): Promise<void> {
    if (this.done) throw new Error(`neighbours file ${this.path} is already finished`);
    const end = Buffer.alloc(12);
    end.writeUInt32LE(END_MARKER, 0);
    end.writeUInt32LE(this.count, 4);
    end.writeUInt32LE(this.crc >>> 0, 8);
    await this.push(end);
    this.done = true;
    await this.writer.commit();
  }

  /** Discards the file. Safe to call more than once. */
  async abort(): Promise<void> {
    this.done = true;
    await this.writer.abort();
  }

  private async push(buf: Buffer): Promise<void> {
    try {
      await this.pending;
      await this.writer.write(buf);
    } catch (err) {
      await this.abort();
      throw err;
    }
  }
}

/** Starts a neighbours file; see `NeighborsFileWriter`. */
export function createNeighborsFileWriter(output: OutputSink | string, header: NeighborsHeaderInit): NeighborsFileWriter {
  return NeighborsFileWriter.create(output, header);
}

/** Reads and fully validates a neighbours file; any problem is a one-line InputError naming the file. */
export async function readNeighborsFile(path: string): Promise<SavedNeighbors> {
  let data: Buffer;
  try {
    data = await readFile(path);
  } catch (err) {
    throw new InputError(`cannot read neighbours file: ${systemReason(err)}`, path);
  }
  return parseNeighborsFile(data, path);
}

/**
 * The header of a file whose bytes `buf` start with the magic and hold its header line up to the
 * newline at `newline`, and the 4 bytes after it if the file has them. The header CRC is checked before
 * the header is believed; a header without one must say it is of format version 1. Returns the header
 * and where the rows start.
 */
export function decodeHeader(buf: Buffer, newline: number, where: string): { header: NeighborsFileHeader; bodyStart: number } {
  const fail = (what: string): never => {
    throw new InputError(what, where);
  };
  const parse = (): NeighborsFileHeader | undefined => {
    try {
      return JSON.parse(buf.toString('utf8', MAGIC_BYTES.length, newline)) as NeighborsFileHeader;
    } catch {
      return undefined;
    }
  };
  const crcAt = newline + 1;
  if (buf.length >= crcAt + 4 && buf.readUInt32LE(crcAt) === crc32(buf.subarray(0, crcAt)) >>> 0) {
    const header = parse();
    if (header === undefined) fail('corrupt neighbours file header (invalid JSON)');
    // A version 1 file whose first row bytes happen to equal that CRC (a 1 in 2^32 chance) is read as version 1.
    if (header?.version !== 1) {
      validateHeaderValues(header!, where, true);
      return { header: header!, bodyStart: crcAt + 4 };
    }
  }
  const header = parse();
  if (header?.version === 1) {
    validateHeaderValues(header, where, true);
    return { header, bodyStart: crcAt };
  }
  if (buf.length < crcAt + 4 && header?.version === NEIGHBORS_FORMAT_VERSION)
    fail('truncated neighbours file (header checksum incomplete)');
  return fail('corrupt neighbours file (header checksum mismatch)');
}

/** Parses the bytes of a neighbours file (`where` names it in errors). */
export function parseNeighborsFile(data: Uint8Array, where: string): SavedNeighbors {
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const fail = (what: string): never => {
    throw new InputError(what, where);
  };
  if (buf.length < MAGIC_BYTES.length || !buf.subarray(0, MAGIC_BYTES.length).equals(MAGIC_BYTES)) {
    if (buf.length < MAGIC_BYTES.length && MAGIC_BYTES.subarray(0, buf.length).equals(buf)) fail('truncated neighbours file (no header)');
    fail('not an npc neighbours file (wrong magic bytes)');
  }
  const newline = buf.indexOf(0x0a, MAGIC_BYTES.length);
  if (newline < 0) {
    if (buf.length - MAGIC_BYTES.length > MAX_HEADER_BYTES) fail('corrupt neighbours file (header line too long)');
    fail('truncated neighbours file (header line incomplete)');
  }
  if (newline - MAGIC_BYTES.length > MAX_HEADER_BYTES) fail('corrupt neighbours file (header line too long)');
  const { header, bodyStart } = decodeHeader(buf, newline, where);

  const bodyBytes = buf.length - bodyStart;
  const maxRows = Math.floor(bodyBytes / 8);
  const maxPairs = Math.floor(bodyBytes / 12);
  const testRows = new Uint32Array(maxRows);
  const offsets = new Uint32Array(maxRows + 1);
  const indices = new Uint32Array(maxPairs);
  const distances = new Float64Array(maxPairs);
  const seen = new Uint8Array(header.test.rows);
  let pos = bodyStart;
  let rows = 0;
  let pairs = 0;
  for (;;) {
    if (pos === buf.length) fail(`truncated neighbours file (ends after ${counted(rows, 'row')} without the end marker)`);
    if (pos + 8 > buf.length) fail(`truncated neighbours file (row ${rows + 1} incomplete)`);
    const testRow = buf.readUInt32LE(pos);
    const count = buf.readUInt32LE(pos + 4);
    if (testRow === END_MARKER) {
      if (pos + 12 > buf.length) fail('truncated neighbours file (end marker incomplete)');
      if (count !== rows) fail(`corrupt neighbours file (end marker says ${counted(count, 'row')}, found ${rows})`);
      const crc = buf.readUInt32LE(pos + 8);
      if (crc !== crc32(buf.subarray(bodyStart, pos)) >>> 0) fail('corrupt neighbours file (checksum mismatch)');
      if (pos + 12 !== buf.length) fail(`corrupt neighbours file (${counted(buf.length - pos - 12, 'byte')} after the end marker)`);
      break;
    }
    const rowNo = rows + 1;
    if (testRow >= header.test.rows)
      fail(`corrupt neighbours file (row ${rowNo}: test row ${testRow} out of range, ${counted(header.test.rows, 'test row')})`);
    if (seen[testRow]) fail(`corrupt neighbours file (row ${rowNo}: test row ${testRow} appears twice)`);
    seen[testRow] = 1;
    if (count > header.m) fail(`corrupt neighbours file (row ${rowNo}: ${count} neighbours, more than M = ${header.m})`);
    if (pos + 8 + 12 * count > buf.length) fail(`truncated neighbours file (row ${rowNo} incomplete)`);
    testRows[rows] = testRow;
    let q = pos + 8;
    let previous = -Infinity;
    for (let i = 0; i < count; i++, q += 12) {
      const index = buf.readUInt32LE(q);
      const distance = buf.readDoubleLE(q + 4);
      if (index >= header.train.rows)
        fail(`corrupt neighbours file (row ${rowNo}: training row ${index} out of range, ${counted(header.train.rows, 'training row')})`);
      if (Number.isNaN(distance) || distance < previous) fail(`corrupt neighbours file (row ${rowNo}: distances not ascending)`);
      previous = distance;
      indices[pairs] = index;
      distances[pairs] = distance;
      pairs++;
    }
    pos = q;
    rows++;
    offsets[rows] = pairs;
  }
  return new SavedNeighbors(
    where,
    header,
    testRows.slice(0, rows),
    offsets.slice(0, rows + 1),
    indices.slice(0, pairs),
    distances.slice(0, pairs),
  );
}
