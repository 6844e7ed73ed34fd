import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import {
  createNeighborsFileWriter,
  NEIGHBORS_MAGIC,
  type NeighborsHeaderInit,
  parseNeighborsFile,
  readNeighborsFile,
} from '../../src/io/neighbors-file.js';
import { sha256OfFile } from '../../src/io/file-hash.js';
import { sha256OfBytes, writeNeighborsFile } from '../helpers/product-parts.js';
import { checkNeighborsFileMatches } from '../../src/app/rescore.js';

const TRAIN_SHA = 'a'.repeat(64);
const TEST_SHA = 'b'.repeat(64);

const init: NeighborsHeaderInit = {
  npc_version: '0.1.0',
  compressor: 'npc-deflate-1.2.x-gzip-9',
  train: { sha256: TRAIN_SHA, rows: 10, source: 'train.jsonl' },
  test: { sha256: TEST_SHA, rows: 5, source: 'test.jsonl' },
  m: 3,
  strip: false,
  evaluated: 'all',
  created: '2024-01-02T03:04:05.000Z',
};

const rows = [
  { testRow: 0, indices: [4, 2, 9], distances: [0.125, 0.5, 0.5] },
  { testRow: 3, indices: [1, 0, 7], distances: [0.1, 0.2, 0.30000000000000004] },
  { testRow: 1, indices: [9, 8, 7], distances: [0.9, 0.95, 1.0000000000000002] },
];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'npc-neighbors-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The one-line message a reader error gives, or '' when the bytes parse. */
function errorOf(bytes: Uint8Array): string {
  try {
    parseNeighborsFile(bytes, 'nb.bin');
    return '';
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const message = (err as InputError).describe();
    expect(message).not.toContain('\n');
    expect(message.startsWith('nb.bin: ')).toBe(true);
    return message;
  }
}

describe('neighbours file', () => {
  it('round-trips header and rows exactly', async () => {
    const path = join(dir, 'round.nbr');
    await writeNeighborsFile(path, init, rows);
    const saved = await readNeighborsFile(path);
    expect(saved.header).toEqual({ format: 'npc-neighbors', version: 2, ...init });
    expect(saved.size).toBe(3);
    rows.forEach((row, i) => {
      const got = saved.row(i);
      expect(got.testRow).toBe(row.testRow);
      expect([...got.indices]).toEqual(row.indices);
      expect([...got.distances]).toEqual(row.distances); // float64: bit-exact
    });
    expect(() => saved.row(3)).toThrow(RangeError);
    const bytes = await readFile(path);
    expect(bytes.subarray(0, 8).toString('latin1')).toBe(NEIGHBORS_MAGIC);
    const headerEnd = bytes.indexOf(0x0a, 8);
    // The CRC-32 of the magic and the header line, then the body: 3 rows of 8 + 3 × 12 bytes, then the 12-byte end marker.
    expect(bytes.readUInt32LE(headerEnd + 1)).toBe(crc32(bytes.subarray(0, headerEnd + 1)) >>> 0);
    const body = headerEnd + 5;
    expect(bytes.length - body).toBe(3 * (8 + 36) + 12);
    expect(bytes.readUInt32LE(body)).toBe(0);
    expect(bytes.readUInt32LE(body + 4)).toBe(3);
    expect(bytes.readUInt32LE(body + 8)).toBe(4);
    expect(bytes.readDoubleLE(body + 12)).toBe(0.125);
  });

  it('streams rows through a writer with short rows and leaves no temporary file', async () => {
    const path = join(dir, 'stream.nbr');
    const writer = createNeighborsFileWriter(path, { ...init, created: undefined });
    await writer.write(2, Int32Array.of(5), Float64Array.of(0.25));
    await writer.write(4, [], []);
    expect(writer.rows).toBe(2);
    await writer.commit();
    const saved = await readNeighborsFile(path);
    expect(saved.row(0).indices.length).toBe(1);
    expect(saved.row(1).indices.length).toBe(0);
    // No creation time unless asked for: the same evaluation writes the same bytes.
    expect(saved.header.created).toBeUndefined();
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('abort leaves nothing behind', async () => {
    const path = join(dir, 'aborted.nbr');
    const writer = createNeighborsFileWriter(path, init);
    await writer.write(0, [1], [0.5]);
    await writer.abort();
    await writer.abort();
    expect((await readdir(dir)).filter((name) => name.includes('aborted'))).toEqual([]);
  });

  it('refuses rows that do not fit the header', async () => {
    const writer = createNeighborsFileWriter(join(dir, 'bad-rows.nbr'), init);
    await expect(writer.write(0, [1, 2, 3, 4], [0.1, 0.2, 0.3, 0.4])).rejects.toThrow(/more than M/);
    await expect(writer.write(5, [1], [0.1])).rejects.toThrow(/test row 5 out of range/);
    await expect(writer.write(0, [10], [0.1])).rejects.toThrow(/training row 10/);
    await expect(writer.write(1, [1], [])).rejects.toThrow(RangeError);
    await writer.write(2, [1], [0.1]);
    await expect(writer.write(2, [1], [0.1])).rejects.toThrow(/twice/);
    await writer.abort();
    expect(() => createNeighborsFileWriter(join(dir, 'x.nbr'), { ...init, train: { sha256: 'nope', rows: 1 } })).toThrow(InputError);
    expect(() => createNeighborsFileWriter(join(dir, 'missing-dir', 'x.nbr'), init)).toThrow(/directory does not exist/);
  });

  it('detects truncation at every length', async () => {
    const path = join(dir, 'full.nbr');
    await writeNeighborsFile(path, init, rows);
    const bytes = await readFile(path);
    expect(errorOf(bytes)).toBe('');
    for (let length = 0; length < bytes.length; length++) {
      const message = errorOf(bytes.subarray(0, length));
      expect(message).toMatch(length === 0 || length >= 8 ? /truncated/ : /truncated|magic/);
    }
  });

  it('detects corruption', async () => {
    const path = join(dir, 'corrupt.nbr');
    await writeNeighborsFile(path, init, rows);
    const bytes = await readFile(path);
    const headerEnd = bytes.indexOf(0x0a, 8);
    const body = headerEnd + 5;
    const flip = (offset: number, xor = 0x01): Buffer => {
      const copy = Buffer.from(bytes);
      copy[offset] ^= xor;
      return copy;
    };
    expect(errorOf(flip(0))).toMatch(/not an npc neighbours file/);
    expect(errorOf(Buffer.from('hello world\n'))).toMatch(/magic/);
    // A flipped bit in a distance keeps every value plausible: only the checksum sees it.
    expect(errorOf(flip(body + 8 + 4 + 2))).toMatch(/checksum/);
    // Test row out of range, too many neighbours, trailing bytes.
    expect(errorOf(flip(body, 0x40))).toMatch(/test row 64 out of range/);
    expect(errorOf(flip(body + 4, 0x10))).toMatch(/more than M/);
    expect(errorOf(Buffer.concat([bytes, Buffer.from([0])]))).toMatch(/after the end marker/);
    // Header problems, in a header whose checksum matches it.
    const text = bytes.toString('latin1', 8, headerEnd);
    const withHeader = (header: string): Buffer => {
      const head = Buffer.concat([bytes.subarray(0, 8), Buffer.from(`${header}\n`, 'latin1')]);
      const crc = Buffer.alloc(4);
      crc.writeUInt32LE(crc32(head) >>> 0);
      return Buffer.concat([head, crc, bytes.subarray(body)]);
    };
    expect(errorOf(withHeader(text))).toBe('');
    expect(errorOf(withHeader(text.replace('"m":3', '"m":-3')))).toMatch(/m is not a positive count/);
    expect(errorOf(withHeader(text.replace('"version":2', '"version":3')))).toMatch(/version 3 is not supported/);
    expect(errorOf(withHeader('null'))).toMatch(/not a JSON object/);
  });

  it('reports a flipped byte anywhere in the header as corrupt, never as other data or another compressor', async () => {
    const path = join(dir, 'header-flips.nbr');
    await writeNeighborsFile(path, init, rows);
    const bytes = await readFile(path);
    const headerEnd = bytes.indexOf(0x0a, 8);
    for (let offset = 8; offset < headerEnd + 5; offset++) {
      for (const xor of [0x01, 0x20, 0x80]) {
        const copy = Buffer.from(bytes);
        copy[offset] ^= xor;
        expect(errorOf(copy), `byte ${offset} ^ ${xor}`).toMatch(/^nb\.bin: (corrupt|truncated) neighbours file/);
      }
    }
    const compressorAt = bytes.indexOf('npc-deflate', 8);
    const copy = Buffer.from(bytes);
    copy[compressorAt] ^= 0x01; // "opc-deflate…": still a plausible header
    expect(errorOf(copy)).toBe('nb.bin: corrupt neighbours file (header checksum mismatch)');
  });

  it('reads files of format version 1 (no header checksum, no content checksums)', () => {
    const header = { format: 'npc-neighbors', version: 1, ...init };
    const rowBytes = Buffer.concat(
      rows.map((row) => {
        const buf = Buffer.alloc(8 + 12 * row.indices.length);
        buf.writeUInt32LE(row.testRow, 0);
        buf.writeUInt32LE(row.indices.length, 4);
        row.indices.forEach((index, i) => {
          buf.writeUInt32LE(index, 8 + 12 * i);
          buf.writeDoubleLE(row.distances[i], 12 + 12 * i);
        });
        return buf;
      }),
    );
    const end = Buffer.alloc(12);
    end.writeUInt32LE(0xffffffff, 0);
    end.writeUInt32LE(rows.length, 4);
    end.writeUInt32LE(crc32(rowBytes) >>> 0, 8);
    const v1 = Buffer.concat([Buffer.from(NEIGHBORS_MAGIC, 'latin1'), Buffer.from(`${JSON.stringify(header)}\n`), rowBytes, end]);
    const saved = parseNeighborsFile(v1, 'old.nbr');
    expect(saved.header).toEqual(header);
    expect(saved.size).toBe(rows.length);
    expect([...saved.row(1).distances]).toEqual(rows[1].distances);
    // A flipped byte in a version-1 header can only be caught when it breaks the header.
    const broken = Buffer.from(v1);
    broken[8] ^= 0x01;
    expect(errorOf(broken)).toMatch(/corrupt neighbours file/);
  });

  it('names the file when it cannot be read', async () => {
    const missing = join(dir, 'missing.nbr');
    await expect(readNeighborsFile(missing)).rejects.toThrow(InputError);
    await expect(readNeighborsFile(missing)).rejects.toMatchObject({ where: missing, message: expect.stringMatching(/no such file/) });
    await expect(readNeighborsFile(dir)).rejects.toMatchObject({ message: expect.stringMatching(/directory/) });
  });
});

describe('checkNeighborsFileMatches', () => {
  const header = { format: 'npc-neighbors' as const, version: 1, ...init, created: init.created as string };

  it('accepts the run it was made for', () => {
    expect(() =>
      checkNeighborsFileMatches(header, {
        trainSha256: TRAIN_SHA,
        trainRows: 10,
        testSha256: TEST_SHA.toUpperCase(),
        testRows: 5,
        compressor: init.compressor,
        strip: false,
        neighbors: 3,
      }),
    ).not.toThrow();
    // k larger than M is fine when M covers the whole training set.
    expect(() => checkNeighborsFileMatches({ ...header, m: 10 }, { neighbors: 50 })).not.toThrow();
  });

  it('explains every mismatch in one line', () => {
    let error: unknown;
    try {
      checkNeighborsFileMatches(
        header,
        { trainSha256: 'c'.repeat(64), testRows: 6, compressor: 'pako-2.1.0-gzip-9', strip: true, neighbors: 5 },
        'nb.bin',
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as InputError).describe();
    expect(message).not.toContain('\n');
    expect(message).toMatch(/^nb\.bin: neighbours file does not match this run: /);
    expect(message).toContain('compressor npc-deflate-1.2.x-gzip-9, this run uses pako-2.1.0-gzip-9');
    expect(message).toContain('training data differs (sha256 aaaaaaaaaaaa… in the file, cccccccccccc… now)');
    expect(message).toContain('test data had 5 rows, now 6');
    expect(message).toContain('without stripping');
    expect(message).toContain('3 neighbours per row, 5 are needed');
  });
});

describe('checksums', () => {
  it('hashes the raw file bytes', async () => {
    const path = join(dir, 'data.jsonl');
    const content = Buffer.from('{"text":"a","label":"__proto__"}\n'.repeat(1000));
    await writeFile(path, content);
    const expected = createHash('sha256').update(content).digest('hex');
    expect(await sha256OfFile(path)).toBe(expected);
    expect(sha256OfBytes(content)).toBe(expected);
    expect(sha256OfBytes('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    await expect(sha256OfFile(join(dir, 'nope'))).rejects.toThrow(InputError);
  });
});
