/**
 * The `.npcm` model artifact: one uncompressed POSIX tar (ustar) that ordinary tools list and read
 * (`tar -tvf`, `tar -xOf news.npcm card.json`, `sha256sum -c SHA256SUMS` after extracting), whose
 * arrays are read without inflating anything. Members, in this order:
 *
 *   card.json      the card (model/card.ts): metadata and the settings loading needs
 *   MODEL_CARD.md  the card for people
 *   offsets.i32    int32 little-endian × rows+1: row i's text is texts.bin[offsets[i] .. offsets[i+1])
 *   lengths.i32    int32 little-endian × rows: C(y) of every row, computed by the card's engine
 *   labels.i32     int32 little-endian × rows: each row's label id (an index into the card's labels)
 *   texts.bin      every training text's UTF-8 bytes, back to back
 *   SHA256SUMS     `sha256sum` lines for every member above
 *
 * Loading runs no code: it is parsing tar headers, JSON and little-endian integers. Every member's
 * sha256 is checked against SHA256SUMS before anything is used, and every byte of SHA256SUMS matters
 * (a changed digit is a mismatch, a changed name a missing member), so a flipped byte anywhere in a
 * member is refused; so are a truncated file, a member path that is not a plain file name, a size
 * larger than the file and an unknown format version. A refusal is one InputError naming the file and
 * the cause; nothing is returned half.
 */
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';
import { InputError } from '../errors.js';
import { cardProblem, MODEL_FORMAT, MODEL_FORMAT_VERSION, type ModelCard } from '../model/card.js';
import type { TrainingArrays } from '../model/training-index.js';
import { writeFileAtomic } from './atomic-file.js';
import { systemReason } from './lines.js';

export interface ModelFileContents {
  card: ModelCard;
  /** MODEL_CARD.md. */
  cardMarkdown: string;
  arrays: TrainingArrays;
}

const BLOCK = 512;
/** The largest member ustar's 11 octal digits can size: 8 GiB - 1 (far beyond a WebAssembly engine's 4 GB). */
const MAX_MEMBER = 8 ** 11 - 1;
const SUMS = 'SHA256SUMS';
const MEMBERS = ['card.json', 'MODEL_CARD.md', 'offsets.i32', 'lengths.i32', 'labels.i32', 'texts.bin', SUMS] as const;
type MemberName = (typeof MEMBERS)[number];

/** The artifact's bytes. Sets card.build.artifact_bytes to their length (the card is inside them). */
export function encodeModelFile(contents: ModelFileContents): Buffer {
  const { card, cardMarkdown, arrays } = contents;
  const mtime = Math.floor(Date.parse(card.created) / 1000) || 0;
  const fixed: [MemberName, Buffer][] = [
    ['MODEL_CARD.md', Buffer.from(cardMarkdown, 'utf8')],
    ['offsets.i32', int32le(arrays.offsets)],
    ['lengths.i32', int32le(arrays.compressedLengths)],
    ['labels.i32', int32le(arrays.labelIds)],
    ['texts.bin', Buffer.from(arrays.data.buffer, arrays.data.byteOffset, arrays.data.byteLength)],
  ];
  const padded = (n: number): number => Math.ceil(n / BLOCK) * BLOCK;
  const sumsLine = (name: string, bytes: Buffer): string => `${createHash('sha256').update(bytes).digest('hex')}  ${name}\n`;
  const fixedSums = fixed.map(([name, bytes]) => sumsLine(name, bytes)).join('');
  // The card holds the artifact's size, which depends on the card's own length: settle it by iterating
  // (the size's digit count is the only thing that can change, so this ends within a few rounds).
  let total = 0;
  for (;;) {
    const cardJson = Buffer.from(JSON.stringify({ ...card, build: { ...card.build, artifact_bytes: total } }, null, 2) + '\n', 'utf8');
    const sums = Buffer.from(sumsLine('card.json', cardJson) + fixedSums, 'utf8');
    const members: [MemberName, Buffer][] = [['card.json', cardJson], ...fixed, [SUMS, sums]];
    const size = members.reduce((sum, [, bytes]) => sum + BLOCK + padded(bytes.length), 2 * BLOCK);
    if (size !== total) {
      total = size;
      continue;
    }
    card.build.artifact_bytes = total;
    const out = Buffer.alloc(total);
    let at = 0;
    for (const [name, bytes] of members) {
      if (bytes.length > MAX_MEMBER) throw new RangeError(`${name} is ${bytes.length} bytes: a model member holds at most ${MAX_MEMBER}`);
      writeHeader(out, at, name, bytes.length, mtime);
      bytes.copy(out, at + BLOCK);
      at += BLOCK + padded(bytes.length);
    }
    return out; // the two zero blocks that end a tar are already there
  }
}

/** Writes the artifact through a temporary file and a rename; returns its size and sha256. */
export async function writeModelFile(path: string, contents: ModelFileContents): Promise<{ bytes: number; sha256: string }> {
  const bytes = encodeModelFile(contents);
  await writeFileAtomic(path, bytes);
  return { bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
}

/**
 * The artifact at `path`, every member verified. `shown` names it in errors (default: the path).
 * The file is read once into shared memory and the arrays are views of it (worker threads read them
 * without a copy); `sha256` (of the whole file) is computed when first asked for.
 */
export function readModelFile(path: string, shown = path): ModelFileContents & { readonly sha256: string } {
  let file: Buffer;
  try {
    file = readShared(path);
  } catch (err) {
    throw new InputError(`cannot read the model: ${systemReason(err)}`, shown);
  }
  const contents = decodeModelFile(file, shown);
  let sha256: string | undefined;
  return {
    ...contents,
    get sha256(): string {
      return (sha256 ??= createHash('sha256').update(file).digest('hex'));
    },
  };
}

/** A whole file in a SharedArrayBuffer. */
function readShared(path: string): Buffer {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const file = Buffer.from(new SharedArrayBuffer(Math.max(size, 1)), 0, size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, file, at, size - at, at);
      if (n === 0) break; // the file shrank while being read: what was read is checked as a truncated file
      at += n;
    }
    return file.subarray(0, at);
  } finally {
    closeSync(fd);
  }
}

/** The artifact in `file`, every member verified; `shown` names it in errors. */
export function decodeModelFile(file: Buffer, shown: string): ModelFileContents {
  const refuse = (cause: string): never => {
    throw new InputError(`not a usable npc model: ${cause}`, shown);
  };
  const members = readMembers(file, refuse);
  const sums = members.get(SUMS);
  if (!sums) {
    // A layout without SHA256SUMS may be a newer format: say so rather than "damaged" when the card says it.
    checkFormat(members.get('card.json'), refuse);
    return refuse(`it has no ${SUMS} member`);
  }
  const expected = parseSums(sums.toString('utf8'), refuse);
  for (const [name, bytes] of members) {
    if (name === SUMS) continue;
    const sum = expected.get(name);
    if (sum === undefined) return refuse(`member ${name} is not listed in ${SUMS}`);
    if (createHash('sha256').update(bytes).digest('hex') !== sum)
      return refuse(`member ${name} is damaged (its sha256 is not the one in ${SUMS})`);
  }
  for (const name of expected.keys()) if (!members.has(name)) refuse(`member ${name}, listed in ${SUMS}, is missing`);
  const card = checkFormat(members.get('card.json'), refuse);
  for (const name of MEMBERS) if (!members.has(name)) refuse(`it has no ${name} member`);
  const problem = cardProblem(card);
  if (problem) refuse(`card.json: ${problem}`);
  const rows = card.training.rows;
  const ints = (name: MemberName, count: number): Int32Array => {
    const bytes = members.get(name)!;
    if (bytes.length !== 4 * count) refuse(`${name} holds ${bytes.length} bytes, not the ${4 * count} of ${count} int32 values`);
    return sharedInt32(bytes, count);
  };
  const offsets = ints('offsets.i32', rows + 1);
  const compressedLengths = ints('lengths.i32', rows);
  const labelIds = ints('labels.i32', rows);
  const texts = members.get('texts.bin')!;
  if (offsets[0] !== 0 || offsets[rows] !== texts.length) refuse(`offsets.i32 does not span texts.bin (${texts.length} bytes)`);
  for (let i = 0; i < rows; i++) {
    if (offsets[i + 1] < offsets[i]) refuse(`offsets.i32 decreases at row ${i + 1}`);
    if (compressedLengths[i] <= 0) refuse(`lengths.i32 holds ${compressedLengths[i]} for row ${i + 1}`);
    if (labelIds[i] < 0 || labelIds[i] >= card.labels.length) refuse(`labels.i32 holds label id ${labelIds[i]} for row ${i + 1}`);
  }
  const data = sharedBytes(texts);
  return { card, cardMarkdown: members.get('MODEL_CARD.md')!.toString('utf8'), arrays: { data, offsets, compressedLengths, labelIds } };
}

/** The card alone, after the same checks as the whole artifact (a card is worth as much as the file holding it). */
export function readModelCard(path: string, shown = path): ModelCard {
  return readModelFile(path, shown).card;
}

function checkFormat(cardBytes: Buffer | undefined, refuse: (cause: string) => never): ModelCard {
  if (!cardBytes) return refuse('it has no card.json member');
  let card: ModelCard;
  try {
    card = JSON.parse(cardBytes.toString('utf8')) as ModelCard;
  } catch (err) {
    return refuse(`card.json is not JSON (${(err as Error).message})`);
  }
  if (card === null || typeof card !== 'object' || card.format !== MODEL_FORMAT)
    return refuse(`card.json does not say "format": "${MODEL_FORMAT}"`);
  if (card.format_version !== MODEL_FORMAT_VERSION)
    return refuse(
      `format version ${JSON.stringify(card.format_version)} is not one this npc reads (it reads version ${MODEL_FORMAT_VERSION})`,
    );
  return card;
}

function parseSums(text: string, refuse: (cause: string) => never): Map<string, string> {
  const sums = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.pop() !== '') refuse(`${SUMS} does not end with a line end`);
  lines.forEach((line, i) => {
    const m = /^([0-9a-f]{64}) {2}(\S+)$/.exec(line);
    if (!m) refuse(`${SUMS} line ${i + 1} is not "<sha256>  <name>"`);
    if (sums.has(m![2])) refuse(`${SUMS} lists ${m![2]} twice`);
    sums.set(m![2], m![1]);
  });
  return sums;
}

/** The members of a ustar archive by name, each checked: a plain file with a plain name, inside the file. */
function readMembers(file: Buffer, refuse: (cause: string) => never): Map<string, Buffer> {
  const members = new Map<string, Buffer>();
  let at = 0;
  for (;;) {
    if (at + BLOCK > file.length) return refuse(`it is truncated (${file.length} bytes; the archive's end marker is missing)`);
    const header = file.subarray(at, at + BLOCK);
    if (header.every((b) => b === 0)) {
      if (at + 2 * BLOCK > file.length) return refuse(`it is truncated (${file.length} bytes; the archive's end marker is missing)`);
      if (members.size === 0) return refuse('it holds no members');
      return members;
    }
    const name = field(header, 0, 100);
    const shownName = JSON.stringify(name);
    if (checksumOf(header) !== octal(header, 148, 8)) return refuse(`the tar header at byte ${at} is damaged (bad checksum)`);
    if (field(header, 257, 6) !== 'ustar') return refuse(`the tar header at byte ${at} is not a ustar header`);
    if (field(header, 345, 155) !== '') return refuse(`member ${shownName} has a path prefix: a model's members are plain file names`);
    if (name.startsWith('/') || name.split('/').includes('..')) return refuse(`member path ${shownName} escapes the archive`);
    if (name.includes('/') || name === '' || name === '.') return refuse(`member path ${shownName} is not a plain file name`);
    const type = String.fromCharCode(header[156]);
    if (type !== '0' && type !== '\0') return refuse(`member ${shownName} is not a regular file (type ${JSON.stringify(type)})`);
    const size = octal(header, 124, 12);
    if (size < 0) return refuse(`member ${shownName} has an unreadable size`);
    const start = at + BLOCK;
    if (size > file.length - start)
      return refuse(`member ${shownName} claims ${size} bytes, more than the file holds after it (${file.length - start})`);
    if (!(MEMBERS as readonly string[]).includes(name)) return refuse(`member ${shownName} is not part of an npc model`);
    if (members.has(name)) return refuse(`member ${shownName} appears twice`);
    members.set(name, file.subarray(start, start + size));
    at = start + Math.ceil(size / BLOCK) * BLOCK;
  }
}

function writeHeader(out: Buffer, at: number, name: string, size: number, mtime: number): void {
  const put = (text: string, offset: number, length: number): void => {
    out.write(text.slice(0, length), at + offset, length, 'latin1');
  };
  const num = (value: number, offset: number, length: number): void => put(value.toString(8).padStart(length - 1, '0'), offset, length);
  put(name, 0, 100);
  num(0o644, 100, 8);
  num(0, 108, 8);
  num(0, 116, 8);
  num(size, 124, 12);
  num(mtime, 136, 12);
  out.fill(0x20, at + 148, at + 156); // the checksum counts its own field as spaces
  put('0', 156, 1);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  const sum = checksumOf(out.subarray(at, at + BLOCK));
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
}

function checksumOf(header: Buffer): number {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : header[i];
  return sum;
}

/** A NUL-terminated (or full-width) text field. */
function field(header: Buffer, offset: number, length: number): string {
  const bytes = header.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return bytes.subarray(0, end < 0 ? length : end).toString('utf8');
}

/** An octal number field (digits, then NUL or spaces); -1 when it is anything else. */
function octal(header: Buffer, offset: number, length: number): number {
  const text = field(header, offset, length).trim();
  return /^[0-7]+$/.test(text) ? parseInt(text, 8) : -1;
}

const LITTLE_ENDIAN = endianness() === 'LE';

function int32le(values: Int32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(values.buffer, values.byteOffset, values.byteLength);
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeInt32LE(v, 4 * i));
  return out;
}

/**
 * `count` little-endian int32 values in a SharedArrayBuffer (worker threads read it without a copy):
 * a view of `bytes` when they already are in one, aligned, on a little-endian machine; else a copy.
 */
function sharedInt32(bytes: Buffer, count: number): Int32Array {
  if (LITTLE_ENDIAN && bytes.buffer instanceof SharedArrayBuffer && bytes.byteOffset % 4 === 0)
    return new Int32Array(bytes.buffer, bytes.byteOffset, count);
  const out = new Int32Array(new SharedArrayBuffer(Math.max(4 * count, 4)), 0, count);
  if (LITTLE_ENDIAN) new Uint8Array(out.buffer, 0, 4 * count).set(bytes);
  else for (let i = 0; i < count; i++) out[i] = bytes.readInt32LE(4 * i);
  return out;
}

/** `bytes` in a SharedArrayBuffer: themselves when they already are in one, else a copy. */
function sharedBytes(bytes: Buffer): Uint8Array {
  if (bytes.buffer instanceof SharedArrayBuffer) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const out = new Uint8Array(new SharedArrayBuffer(Math.max(bytes.length, 1)), 0, bytes.length);
  out.set(bytes);
  return out;
}
