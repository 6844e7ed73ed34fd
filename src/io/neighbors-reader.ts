/**
 * Reading a neighbours file (io/neighbors-file.ts has the layout) row by row, in memory that does not
 * grow with the file: what `npc merge` needs to join the parts of a sharded evaluation of any size. It
 * checks what parseNeighborsFile checks (header, ranges, order, the end marker, the CRC); a problem is
 * an InputError naming the file, found by the time the last row has been read.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { counted, InputError } from '../errors.js';
import { systemReason } from './lines.js';
import { decodeHeader, NEIGHBORS_MAGIC, type NeighborsFileHeader } from './neighbors-file.js';

const MAGIC = Buffer.from(NEIGHBORS_MAGIC, 'latin1');
const END_MARKER = 0xffffffff;
const MAX_HEADER_BYTES = 1 << 20;
const CHUNK = 1 << 20;

/** One row: its test row and its neighbours (arrays owned by the caller). */
export interface StreamedRow {
  testRow: number;
  indices: Uint32Array;
  distances: Float64Array;
}

export class NeighborsFileReader {
  private buf = Buffer.alloc(0);
  private pos = 0;
  private eof = false;
  private crc = 0;
  private headerRead: NeighborsFileHeader | undefined;

  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  get header(): NeighborsFileHeader {
    return this.headerRead!;
  }

  /** Opens `path` and reads its header. */
  static async open(path: string): Promise<NeighborsFileReader> {
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (err) {
      throw new InputError(`cannot read neighbours file: ${systemReason(err)}`, path);
    }
    try {
      const reader = new NeighborsFileReader(path, handle);
      reader.headerRead = await reader.readHeader();
      return reader;
    } catch (err) {
      await handle.close();
      throw err;
    }
  }

  private fail(what: string): never {
    throw new InputError(what, this.path);
  }

  /** Makes at least `n` unread bytes available, unless the file ends first; returns how many there are. */
  private async fill(n: number): Promise<number> {
    while (this.buf.length - this.pos < n && !this.eof) {
      const chunk = Buffer.allocUnsafe(Math.max(CHUNK, n));
      const { bytesRead } = await this.handle.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) this.eof = true;
      this.buf = Buffer.concat([this.buf.subarray(this.pos), chunk.subarray(0, bytesRead)]);
      this.pos = 0;
    }
    return this.buf.length - this.pos;
  }

  private async readHeader(): Promise<NeighborsFileHeader> {
    const have = await this.fill(MAGIC.length);
    const head = this.buf.subarray(this.pos, this.pos + Math.min(have, MAGIC.length));
    if (have < MAGIC.length) {
      if (MAGIC.subarray(0, have).equals(head)) this.fail('truncated neighbours file (no header)');
      this.fail('not an npc neighbours file (wrong magic bytes)');
    }
    if (!head.equals(MAGIC)) this.fail('not an npc neighbours file (wrong magic bytes)');
    // this.pos stays at the magic until the header is decoded: its CRC covers the magic too.
    let searched = MAGIC.length;
    let newline: number;
    for (;;) {
      newline = this.buf.indexOf(0x0a, this.pos + searched);
      if (newline >= 0) break;
      searched = this.buf.length - this.pos;
      if (searched - MAGIC.length > MAX_HEADER_BYTES) this.fail('corrupt neighbours file (header line too long)');
      if ((await this.fill(searched + 1)) <= searched) this.fail('truncated neighbours file (header line incomplete)');
    }
    const lineEnd = newline - this.pos; // relative to the magic
    if (lineEnd - MAGIC.length > MAX_HEADER_BYTES) this.fail('corrupt neighbours file (header line too long)');
    // The header CRC after the line (format version 2), if the file goes on that far.
    await this.fill(lineEnd + 1 + 4);
    const { header, bodyStart } = decodeHeader(this.buf.subarray(this.pos), lineEnd, this.path);
    this.pos += bodyStart;
    return header;
  }

  /** The rows in file order; the CRC and the end marker are checked when the last row has been read. */
  async *rows(): AsyncGenerator<StreamedRow> {
    const { header } = this;
    const seen = new Uint8Array(header.test.rows);
    let rows = 0;
    for (;;) {
      const have = await this.fill(8);
      if (have === 0) this.fail(`truncated neighbours file (ends after ${counted(rows, 'row')} without the end marker)`);
      if (have < 8) this.fail(`truncated neighbours file (row ${rows + 1} incomplete)`);
      const testRow = this.buf.readUInt32LE(this.pos);
      const count = this.buf.readUInt32LE(this.pos + 4);
      if (testRow === END_MARKER) {
        if ((await this.fill(12)) < 12) this.fail('truncated neighbours file (end marker incomplete)');
        if (count !== rows) this.fail(`corrupt neighbours file (end marker says ${counted(count, 'row')}, found ${rows})`);
        if (this.buf.readUInt32LE(this.pos + 8) !== this.crc >>> 0) this.fail('corrupt neighbours file (checksum mismatch)');
        this.pos += 12;
        const extra = await this.fill(1);
        if (extra > 0) this.fail('corrupt neighbours file (bytes after the end marker)');
        return;
      }
      const rowNo = rows + 1;
      if (testRow >= header.test.rows)
        this.fail(`corrupt neighbours file (row ${rowNo}: test row ${testRow} out of range, ${counted(header.test.rows, 'test row')})`);
      if (seen[testRow]) this.fail(`corrupt neighbours file (row ${rowNo}: test row ${testRow} appears twice)`);
      seen[testRow] = 1;
      if (count > header.m) this.fail(`corrupt neighbours file (row ${rowNo}: ${count} neighbours, more than M = ${header.m})`);
      const bytes = 8 + 12 * count;
      if ((await this.fill(bytes)) < bytes) this.fail(`truncated neighbours file (row ${rowNo} incomplete)`);
      const indices = new Uint32Array(count);
      const distances = new Float64Array(count);
      let previous = -Infinity;
      for (let i = 0, q = this.pos + 8; i < count; i++, q += 12) {
        const index = this.buf.readUInt32LE(q);
        const distance = this.buf.readDoubleLE(q + 4);
        if (index >= header.train.rows)
          this.fail(
            `corrupt neighbours file (row ${rowNo}: training row ${index} out of range, ${counted(header.train.rows, 'training row')})`,
          );
        if (Number.isNaN(distance) || distance < previous) this.fail(`corrupt neighbours file (row ${rowNo}: distances not ascending)`);
        previous = distance;
        indices[i] = index;
        distances[i] = distance;
      }
      this.crc = crc32(this.buf.subarray(this.pos, this.pos + bytes), this.crc);
      this.pos += bytes;
      rows++;
      yield { testRow, indices, distances };
    }
  }

  async close(): Promise<void> {
    await this.handle.close().catch(() => {});
  }
}
