/**
 * Seeded fuzzing of everything npc reads (failure matrix, docs/failure-matrix.md): random bytes, random
 * JSON (valid and broken), random CSV (quotes, commas, newlines, wrong column counts), fed to the
 * readers as a library (`recordsFrom`, `readDataset`) and to the CLI. Every case must end in parsed rows
 * or an `InputError` / one-line `npc:` error naming the line where a line applies: never another
 * exception, an internal error (exit 70), a stack trace, or a hang.
 *
 * Deterministic: the generator is mulberry32 (src/app/sampling.ts) from a fixed seed; set NPC_FUZZ_SEED
 * to explore other seeds. A failure message names the case and its seed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/model/random.js';
import { InputError } from '../../src/errors.js';
import { readDataset, recordsFrom } from '../../src/io/read-records.js';
import type { InputFormat, LabeledRecord } from '../../src/io/records.js';
import type { Label } from '../../src/model/labels.js';
import { cleanupTmp, makeTmp, pool, run, withTimeout, writeJsonl } from '../helpers/failure-tools.js';

const SEED = Number(process.env.NPC_FUZZ_SEED ?? 20261128);
type Rng = () => number;
const int = (r: Rng, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)];
const chance = (r: Rng, p: number): boolean => r() < p;

// ---------------------------------------------------------------------------------------------------
// Generators

/** Bytes that matter to the readers, weighted in among random ones. */
const SPECIAL_BYTES = [
  0x0a, 0x0d, 0x22, 0x2c, 0x7b, 0x7d, 0x5b, 0x5d, 0x5c, 0x3a, 0x00, 0x20, 0x09, 0xef, 0xbb, 0xbf, 0xff, 0xc3, 0xa9, 0xe2, 0x80, 0xed, 0xa0,
  0xf0, 0x9f, 0x1f, 0x8b,
];

const ASCII_SPECIAL = SPECIAL_BYTES.filter((b) => b < 0x80);

/** Random bytes, biased towards the special ones; `ascii` keeps them below 0x80 (valid UTF-8). */
function randomBytes(r: Rng, maxLength: number, ascii = false): Buffer {
  const n = int(r, maxLength + 1);
  const out = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    out[i] = chance(r, 0.4) ? pick(r, ascii ? ASCII_SPECIAL : SPECIAL_BYTES) : chance(r, 0.7) || ascii ? 0x20 + int(r, 95) : int(r, 256);
  }
  return out;
}

/** Well-formed text: ASCII, quotes, separators, NUL, accents, emoji (surrogate pairs), U+2028, BOM, CJK. */
const TEXT_PIECES = [
  'a',
  'b',
  'z',
  'Q',
  '0',
  '7',
  ' ',
  ' ',
  '  ',
  'word',
  'the match',
  '"',
  "'",
  '\\',
  ',',
  ';',
  ':',
  '{',
  '}',
  '[',
  ']',
  '\t',
  '\n',
  '\r',
  '\r\n',
  '\u0000',
  'é',
  'ß',
  '😀',
  '\u2028',
  '\uFEFF',
  '中文',
  '—',
  'text',
  'label',
  '__proto__',
];

function randomText(r: Rng, maxPieces: number, nonEmpty = true): string {
  let s = '';
  const n = int(r, maxPieces + 1);
  for (let i = 0; i < n; i++) s += pick(r, TEXT_PIECES);
  if (nonEmpty && s === '') s = pick(r, ['x', 'é', '😀', ' ']);
  return s;
}

function randomLabel(r: Rng): Label {
  return chance(r, 0.5)
    ? pick(r, [0, 1, 2, -3, 1.5, 1e21, 7])
    : pick(r, ['sport', '1', '__proto__', 'constructor', 'a,b', 'x"y', 'é', '😀', ' ']);
}

/** What the reader must return for a label: integers beyond 2^53 (1e21) are kept exactly, as bigints. */
function exactLabel(label: Label): Label {
  return typeof label === 'number' && Number.isInteger(label) && !Number.isSafeInteger(label) ? BigInt(label) : label;
}

function randomJsonValue(r: Rng, depth = 0): unknown {
  switch (int(r, depth > 2 ? 5 : 7)) {
    case 0:
      return null;
    case 1:
      return chance(r, 0.5);
    case 2:
      return pick(r, [0, -1, 3.25, 1e300, -0]);
    case 3:
    case 4:
      return randomText(r, 4, false);
    case 5:
      return Array.from({ length: int(r, 3) }, () => randomJsonValue(r, depth + 1));
    default: {
      const o: Record<string, unknown> = {};
      for (let i = int(r, 4); i > 0; i--)
        o[pick(r, ['text', 'label', 'id', '__proto__', 'constructor', randomText(r, 2, false)])] = randomJsonValue(r, depth + 1);
      return o;
    }
  }
}

interface Expected {
  text: string;
  label: Label | undefined;
  line: number;
}

/** A JSONL source: valid (with the rows it must give) or not (anything but a crash). */
interface Generated {
  kind: string;
  bytes: Buffer;
  /** Rows the reader must return, when every line is valid. */
  expected?: Expected[];
  /** The format to read it as, when not the case's (the AG News layout is read only when asked for). */
  format?: InputFormat;
}

/** A valid JSONL source: BOM, CRLF, blank and whitespace lines, extra fields, no final newline, all at random. */
function validJsonl(r: Rng, requireLabel: boolean): Generated {
  const expected: Expected[] = [];
  const lines: string[] = [];
  const rows = 1 + int(r, 8);
  for (let i = 0; i < rows; i++) {
    while (chance(r, 0.25)) lines.push(pick(r, ['', ' ', '\t', '  \t ']));
    const text = randomText(r, 6);
    const hasLabel = requireLabel || chance(r, 0.6);
    const label = hasLabel ? randomLabel(r) : undefined;
    const entries: [string, unknown][] = [['text', text]];
    if (hasLabel) entries.push(['label', label]);
    if (chance(r, 0.4)) entries.push([pick(r, ['id', 'meta', 'constructor', '__proto__']), randomJsonValue(r, 1)]);
    if (chance(r, 0.5)) entries.reverse();
    lines.push(
      `{${entries.map(([k, v]) => `${JSON.stringify(k)}${pick(r, [':', ': ', ' : '])}${JSON.stringify(v)}`).join(pick(r, [',', ', ']))}}`,
    );
    expected.push({ text, label: label === undefined ? undefined : exactLabel(JSON.parse(JSON.stringify(label))), line: lines.length });
  }
  const eol = chance(r, 0.3) ? '\r\n' : '\n';
  const body = lines.join(eol) + (chance(r, 0.7) ? eol : '');
  return { kind: 'valid jsonl', bytes: Buffer.from((chance(r, 0.2) ? '\uFEFF' : '') + body), expected };
}

/** Breaks a line of JSON in one of many ways. */
function breakJson(r: Rng, line: string): string {
  const at = int(r, line.length + 1);
  switch (int(r, 7)) {
    case 0:
      return line.slice(0, at); // truncated
    case 1:
      return line.slice(0, at) + line.slice(at + 1); // a character missing
    case 2:
      return line.slice(0, at) + pick(r, ['{', '}', '[', ']', '"', ',', ':', '\\', 'x', '\u0001']) + line.slice(at);
    case 3:
      return line.replace(/"/g, "'");
    case 4:
      return `${line} ${pick(r, ['{}', 'x', '1', ','])}`;
    case 5:
      return JSON.stringify(randomJsonValue(r)); // valid JSON, maybe not an object / no text / bad label
    default:
      return pick(r, [
        '{"text": ""}',
        '{"text": null, "label": 1}',
        '{"label": "a"}',
        '{"text": "x", "label": true}',
        '{"text": "x", "label": ""}',
        '[]',
        '42',
        'null',
        '{"text": "x", "label": {}}',
      ]);
  }
}

function brokenJsonl(r: Rng): Generated {
  const base = validJsonl(r, chance(r, 0.5)).bytes.toString('utf8').split('\n');
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const j = int(r, base.length);
    base[j] = breakJson(r, base[j]);
  }
  return { kind: 'broken jsonl', bytes: Buffer.from(base.join('\n')) };
}

function csvCell(value: string, r: Rng): string {
  const needsQuotes = /[",\r\n]/.test(value) || value === '';
  return needsQuotes || chance(r, 0.2) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** Physical lines before offset `end` of `text`, counted as the CSV reader counts them (LF, CRLF, lone CR). */
function linesBefore(text: string, end: number): number {
  let n = 0;
  for (let i = 0; i < end; i++) {
    if (text[i] === '\n') n++;
    else if (text[i] === '\r' && text[i + 1] !== '\n') n++;
  }
  return n;
}

/** A valid CSV in the header layout (with an extra column at random) or the AG News layout. */
function validCsv(r: Rng): Generated {
  const eol = pick(r, ['\n', '\r\n', '\r']);
  let text = chance(r, 0.2) ? '\uFEFF' : '';
  const starts: number[] = [];
  const values: { text: string; label: Label }[] = [];
  const ag = chance(r, 0.3);
  const columns = ag ? [] : chance(r, 0.5) ? ['label', 'text'] : chance(r, 0.5) ? ['text', 'label'] : ['id', 'text', 'label'];
  const rows = 1 + int(r, 6);
  if (!ag) text += columns.join(',') + eol;
  for (let i = 0; i < rows; i++) {
    while (chance(r, 0.2)) text += eol; // blank lines are skipped
    const t = randomText(r, 5).replace(/^text$/, 'text!');
    starts.push(text.length);
    if (ag) {
      const cls = 1 + int(r, 4);
      const title = randomText(r, 3, false);
      text += [csvCell(String(cls), r), csvCell(title, r), csvCell(t, r)].join(',');
      values.push({ text: `${title} ${t}`, label: cls - 1 });
    } else {
      const label = String(randomLabel(r)).replace(/^\s*$/, 'L');
      const cells: Record<string, string> = { id: String(i), text: t, label };
      text += columns.map((c) => csvCell(cells[c], r)).join(',');
      values.push({ text: t, label });
    }
    if (i < rows - 1 || chance(r, 0.6)) text += eol;
  }
  const bom = text.startsWith('\uFEFF') ? 1 : 0;
  const expected = values.map((v, i) => ({ ...v, line: 1 + linesBefore(text.slice(bom), starts[i] - bom) }));
  return {
    kind: `valid csv (${ag ? 'ag' : columns.join('|')}, ${JSON.stringify(eol)})`,
    bytes: Buffer.from(text),
    expected,
    format: ag ? 'ag_news' : undefined,
  };
}

function brokenCsv(r: Rng): Generated {
  const valid = validCsv(r);
  let text = valid.bytes.toString('utf8');
  const n = 1 + int(r, 3);
  for (let i = 0; i < n; i++) {
    const at = int(r, text.length + 1);
    switch (int(r, 5)) {
      case 0:
        text = text.slice(0, at) + '"' + text.slice(at); // stray or unterminated quote
        break;
      case 1:
        text = text.slice(0, at) + ',' + text.slice(at); // wrong column count
        break;
      case 2:
        text = text.slice(0, at) + pick(r, ['\n', '\r', '\r\n', '\n\n']) + text.slice(at);
        break;
      case 3:
        text = text.slice(0, at); // truncated
        break;
      default:
        text = text.slice(0, at) + text.slice(at + 1 + int(r, 3));
    }
  }
  return { kind: 'broken csv', bytes: Buffer.from(text), format: valid.format };
}

/** Byte-level damage to any source: flipped, inserted or deleted bytes. */
function mangleBytes(r: Rng, bytes: Buffer): Buffer {
  const out = [...bytes];
  const n = 1 + int(r, 4);
  for (let i = 0; i < n; i++) {
    const at = int(r, out.length + 1);
    const op = int(r, 3);
    if (op === 0 && out.length) out[Math.min(at, out.length - 1)] = pick(r, SPECIAL_BYTES);
    else if (op === 1) out.splice(at, 0, pick(r, SPECIAL_BYTES));
    else out.splice(at, 1);
  }
  return Buffer.from(out);
}

/** Splits bytes into random chunks (lines and multi-byte characters cross chunk boundaries). */
function chunked(r: Rng, bytes: Buffer): Buffer[] {
  const chunks: Buffer[] = [];
  for (let i = 0; i < bytes.length;) {
    const n = 1 + int(r, chance(r, 0.5) ? 4 : 64);
    chunks.push(bytes.subarray(i, i + n));
    i += n;
  }
  return chunks;
}

function maxLine(bytes: Buffer): number {
  let n = 1;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a) n++;
    else if (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a) n++;
  }
  return n;
}

// ---------------------------------------------------------------------------------------------------
// Library

type Outcome = { rows: LabeledRecord[] } | { error: InputError };

async function readAll(format: InputFormat, chunks: Buffer[], requireLabel: boolean): Promise<Outcome> {
  const rows: LabeledRecord[] = [];
  try {
    const stream = Readable.from(chunks);
    for await (const row of recordsFrom(stream, { source: 'fuzz', format, textField: 'text', labelField: 'label', requireLabel }))
      rows.push(row);
    return { rows };
  } catch (err) {
    if (err instanceof InputError) return { error: err };
    throw new Error(`not an InputError: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`, { cause: err });
  }
}

/** An InputError must be one line and name `source:LINE` with a plausible line. */
function checkError(err: InputError, bytes: Buffer, context: string, source = 'fuzz'): void {
  const line = err.describe();
  expect(line, context).not.toContain('\n');
  expect(err.where, `${context}: ${line}`).toMatch(new RegExp(`^${source.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:\\d+$`));
  const n = Number(err.where!.split(':').pop());
  expect(n, `${context}: ${line}`).toBeGreaterThanOrEqual(1);
  expect(n, `${context}: ${line}`).toBeLessThanOrEqual(maxLine(bytes));
}

function checkRows(rows: LabeledRecord[], bytes: Buffer, context: string, format: InputFormat = 'jsonl'): void {
  for (const row of rows) {
    expect(typeof row.text, context).toBe('string');
    // Plain text gives a record for every line, an empty one too (classify answers it in its place).
    if (format !== 'text') expect(row.text.length, context).toBeGreaterThan(0);
    expect(row.line, context).toBeGreaterThanOrEqual(1);
    expect(row.line, context).toBeLessThanOrEqual(maxLine(bytes));
  }
}

interface LibraryCase {
  name: string;
  format: InputFormat;
  requireLabel: boolean;
  gen: (r: Rng) => Generated;
}

const LIBRARY_CASES: LibraryCase[] = [
  { name: 'valid JSONL, labels required', format: 'jsonl', requireLabel: true, gen: (r) => validJsonl(r, true) },
  { name: 'valid JSONL, labels optional', format: 'jsonl', requireLabel: false, gen: (r) => validJsonl(r, false) },
  { name: 'broken JSONL', format: 'jsonl', requireLabel: true, gen: brokenJsonl },
  {
    name: 'mangled JSONL bytes',
    format: 'jsonl',
    requireLabel: false,
    gen: (r) => ({ kind: 'mangled jsonl', bytes: mangleBytes(r, validJsonl(r, false).bytes) }),
  },
  {
    name: 'random bytes as JSONL',
    format: 'jsonl',
    requireLabel: false,
    gen: (r) => ({ kind: 'random bytes', bytes: randomBytes(r, 200) }),
  },
  { name: 'valid CSV', format: 'csv', requireLabel: true, gen: validCsv },
  { name: 'broken CSV', format: 'csv', requireLabel: true, gen: brokenCsv },
  {
    name: 'mangled CSV bytes',
    format: 'csv',
    requireLabel: false,
    gen: (r) => {
      const valid = validCsv(r);
      return { kind: 'mangled csv', bytes: mangleBytes(r, valid.bytes), format: valid.format };
    },
  },
  { name: 'random bytes as CSV', format: 'csv', requireLabel: false, gen: (r) => ({ kind: 'random bytes', bytes: randomBytes(r, 200) }) },
  {
    name: 'random bytes as plain text',
    format: 'text',
    requireLabel: false,
    gen: (r) => ({ kind: 'random bytes', bytes: randomBytes(r, 200) }),
  },
  {
    name: 'random ASCII as JSONL',
    format: 'jsonl',
    requireLabel: false,
    gen: (r) => ({ kind: 'random ascii', bytes: randomBytes(r, 200, true) }),
  },
  {
    name: 'random ASCII as CSV',
    format: 'csv',
    requireLabel: false,
    gen: (r) => ({ kind: 'random ascii', bytes: randomBytes(r, 200, true) }),
  },
  {
    name: 'random ASCII as plain text',
    format: 'text',
    requireLabel: false,
    gen: (r) => ({ kind: 'random ascii', bytes: randomBytes(r, 200, true) }),
  },
];
const PER_CASE = 150;

afterAll(() => cleanupTmp());

describe('fuzz: the readers as a library (recordsFrom), random chunking', () => {
  it.each(LIBRARY_CASES.map((c, i) => [c.name, i] as const))(
    `fuzz: %s → parsed rows or an InputError with its line (${PER_CASE} cases)`,
    async (name, index) => {
      const spec = LIBRARY_CASES[index];
      const stats = { rows: 0, errors: 0 };
      for (let i = 0; i < PER_CASE; i++) {
        const seed = (SEED + index * 100_003 + i * 7919) >>> 0;
        const r = mulberry32(seed);
        const generated = spec.gen(r);
        const context = `${name} #${i} (seed ${seed}, ${generated.kind}): ${JSON.stringify(generated.bytes.toString('latin1')).slice(0, 300)}`;
        const format = generated.format ?? spec.format;
        const outcome = await withTimeout(readAll(format, chunked(r, generated.bytes), spec.requireLabel), 30_000, context);
        if ('error' in outcome) {
          stats.errors++;
          expect(generated.expected, `${context}\nunexpected error: ${outcome.error.describe()}`).toBeUndefined();
          checkError(outcome.error, generated.bytes, context);
        } else {
          stats.rows++;
          checkRows(outcome.rows, generated.bytes, context, format);
          if (generated.expected) {
            expect(
              outcome.rows.map((row) => ({ text: row.text, label: row.label, line: row.line })),
              context,
            ).toEqual(generated.expected);
          }
        }
      }
      console.info(`fuzz ${name}: ${stats.rows} parsed, ${stats.errors} InputErrors`);
      if (name.startsWith('valid')) expect(stats.errors).toBe(0);
    },
  );

  // Failure matrix row 8: "invalid UTF-8 is an error with the line, never replacement", in every format
  // (CSV used to decode with replacement; it now decodes strictly, see src/io/utf8.ts).
  it.each([
    ['jsonl', ''],
    ['csv', ''],
    ['text', ''],
  ] as [InputFormat, string][])(
    'fuzz: %s: invalid UTF-8 inside valid rows is never read as U+FFFD (an error instead)%s',
    async (format) => {
      let replaced = 0;
      let example = '';
      for (let i = 0; i < 200; i++) {
        const seed = (SEED + 0xfffd + i * 104_729) >>> 0;
        const r = mulberry32(seed);
        // valid rows with one invalid byte sequence somewhere
        const base =
          format === 'csv'
            ? validCsv(r).bytes
            : format === 'jsonl'
              ? validJsonl(r, false).bytes
              : Buffer.from(`${randomText(r, 6)}\n${randomText(r, 6)}\n`);
        const at = int(r, base.length + 1);
        const bytes = Buffer.concat([
          base.subarray(0, at),
          Buffer.from(pick(r, [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xc0, 0x80]])),
          base.subarray(at),
        ]);
        const outcome = await withTimeout(readAll(format, chunked(r, bytes), false), 30_000, `seed ${seed}`);
        if ('rows' in outcome && outcome.rows.some((row) => row.text.includes('\uFFFD') || String(row.label).includes('\uFFFD'))) {
          replaced++;
          example ||= `seed ${seed}: ${JSON.stringify(bytes.toString('latin1')).slice(0, 200)}`;
        }
      }
      expect(
        replaced,
        `${replaced} of 200 ${format} inputs with invalid UTF-8 were read with U+FFFD instead of an error; first: ${example}`,
      ).toBe(0);
    },
  );

  it('fuzz: readDataset on files (.jsonl, .csv, .gz, corrupt gzip) → rows or an InputError, never anything else', async () => {
    const dir = makeTmp('npc-fuzz-files-');
    let n = 0;
    for (let i = 0; i < 80; i++) {
      const seed = (SEED + 31 * i) >>> 0;
      const r = mulberry32(seed);
      const csv = chance(r, 0.5);
      const generated = csv ? (chance(r, 0.5) ? validCsv(r) : brokenCsv(r)) : chance(r, 0.5) ? validJsonl(r, true) : brokenJsonl(r);
      let bytes = generated.bytes;
      let name = `f${i}.${csv ? 'csv' : 'jsonl'}`;
      const gz = chance(r, 0.4);
      let corruptGzip = false;
      if (gz) {
        bytes = gzipSync(bytes);
        name += '.gz';
        if (chance(r, 0.4)) {
          bytes = chance(r, 0.5) ? bytes.subarray(0, int(r, bytes.length)) : mangleBytes(r, bytes);
          corruptGzip = true;
        }
      }
      const path = join(dir, name);
      writeFileSync(path, bytes);
      const context = `file ${name} (seed ${seed}, ${generated.kind}${corruptGzip ? ', corrupt gzip' : ''})`;
      try {
        const { records } = await withTimeout(readDataset(path, { format: generated.format }), 30_000, context);
        checkRows(records, generated.bytes, context);
        if (generated.expected && !corruptGzip) {
          expect(
            records.map((row) => ({ text: row.text, label: row.label, line: row.line })),
            context,
          ).toEqual(generated.expected);
        }
      } catch (err) {
        if (!(err instanceof InputError)) throw new Error(`${context}: not an InputError: ${String(err)}`, { cause: err });
        expect(generated.expected === undefined || corruptGzip, `${context}: unexpected ${err.describe()}`).toBe(true);
        if (/corrupt gzip data/.test(err.message)) expect(err.where, context).toBe(path);
        else checkError(err, generated.bytes, context, path);
      }
      n++;
    }
    expect(n).toBe(80);
  });
});

// ---------------------------------------------------------------------------------------------------
// CLI

/** Messages that are about one line of input: they must carry `SOURCE:LINE:`. */
const LINE_MESSAGES =
  /invalid JSON|expected a JSON object|missing "|empty "|is not a string|must be a string or a number|invalid UTF-8|wrong number of fields|unterminated quoted field|invalid quoting|unrecognised CSV layout|invalid class|the header /;

interface CliCase {
  name: string;
  args: string[];
  input?: Buffer;
  /** Predictions expected on stdout when the input is valid (one line per row). */
  expectLines?: number;
  source: string;
}

describe('fuzz: the CLI (spawned), a few dozen cases', () => {
  let dir: string;
  let train: string;
  const cases: CliCase[] = [];
  beforeAll(() => {
    dir = makeTmp('npc-fuzz-cli-');
    train = writeJsonl(join(dir, 'train.jsonl'), [
      { label: 'sport', text: 'The striker scored twice in the cup final' },
      { label: 'money', text: 'Shares fell as the bank raised rates' },
      { label: 'tech', text: 'The new chip runs the compiler faster' },
    ]);
    for (let i = 0; i < 12; i++) {
      const r = mulberry32((SEED ^ 0x5eed) + i);
      // a training file
      const csv = i % 2 === 1;
      const g = csv
        ? i % 4 === 1
          ? validCsv(r)
          : brokenCsv(r)
        : i % 4 === 0
          ? validJsonl(r, true)
          : chance(r, 0.5)
            ? brokenJsonl(r)
            : { kind: 'random bytes', bytes: randomBytes(r, 300) };
      const path = join(dir, `train-${i}.${csv ? 'csv' : 'jsonl'}`);
      writeFileSync(path, g.bytes);
      cases.push({
        name: `train file #${i} (${g.kind})`,
        // -k 1: a generated training file may hold one row (a larger k is refused, as scikit-learn does).
        args: ['classify', '--train', path, '-k', '1', '--json', 'a query'],
        source: path,
        expectLines: g.expected ? 1 : undefined,
      });
      // classify stdin, JSONL or plain text
      const text = i % 3 === 2;
      const s = text
        ? { kind: 'random bytes', bytes: mangleBytes(r, randomBytes(r, 300)) }
        : i % 3 === 0
          ? validJsonl(r, false)
          : brokenJsonl(r);
      cases.push({
        name: `classify stdin #${i} (${text ? 'text, ' : ''}${s.kind})`,
        args: ['classify', '--train', train, '--jobs', String(1 + (i % 2)), ...(text ? ['--input', 'text'] : [])],
        input: s.bytes,
        source: '<stdin>',
        expectLines: 'expected' in s && s.expected ? s.expected.length : undefined,
      });
      // an eval test file
      const t =
        i % 2 === 0
          ? chance(r, 0.5)
            ? validCsv(r)
            : brokenCsv(r)
          : chance(r, 0.5)
            ? validJsonl(r, true)
            : { kind: 'mangled jsonl', bytes: mangleBytes(r, validJsonl(r, true).bytes) };
      const testPath = join(dir, `test-${i}.${i % 2 === 0 ? 'csv' : 'jsonl'}`);
      writeFileSync(testPath, t.bytes);
      cases.push({
        name: `eval test file #${i} (${t.kind})`,
        args: ['eval', '--train', train, '--test', testPath, '--quiet', '--json'],
        source: testPath,
      });
    }
  });

  it('fuzz: every spawned case exits 0, or 1 with one `npc:` line (SOURCE:LINE where a line applies); never 70, a trace or a hang', async () => {
    const results = await pool(cases, 2, (c) => run(c.args, { input: c.input, timeoutMs: 60_000 }));
    const summary = { ok: 0, errors: 0 };
    results.forEach((res, i) => {
      const c = cases[i];
      const context = `${c.name}: exit ${res.code}, stderr ${JSON.stringify(res.stderr)}`;
      expect(res.timedOut, `${context}: hang guard (60 s, not a performance claim)`).toBe(false);
      expect(res.signal, context).toBe(null);
      expect(res.stderr, context).not.toMatch(/\n\s+at |internal error/);
      expect([0, 1], context).toContain(res.code);
      if (res.code === 0) {
        summary.ok++;
        // Success may carry warnings (a test label the training set lacks), never anything else.
        for (const line of res.stderr.split('\n').filter(Boolean)) expect(line, context).toMatch(/^npc: warning: /);
        if (c.expectLines !== undefined) expect(res.stdout.split('\n').filter(Boolean), context).toHaveLength(c.expectLines);
      } else {
        summary.errors++;
        expect(c.expectLines, `${context}: a valid input failed`).toBeUndefined();
        expect(res.stderr, context).toMatch(/^npc: [^\n]+\n$/);
        if (LINE_MESSAGES.test(res.stderr)) {
          const prefix = `npc: ${c.source}:`;
          expect(res.stderr.startsWith(prefix), `${context}: a line-level error without ${prefix}LINE`).toBe(true);
          expect(res.stderr.slice(prefix.length), context).toMatch(/^\d+: /);
        }
      }
    });
    console.info(`fuzz CLI: ${cases.length} cases, ${summary.ok} exit 0, ${summary.errors} exit 1`);
  }, 600_000);
});
