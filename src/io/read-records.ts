/** One entry point for every labelled input: picks the reader by the given format or the file extension. */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { extensionOf, formatFromPath, type OpenedInput, openInput, readLines } from './lines.js';
import { readJsonlRecords } from './jsonl.js';
import { readCsvRecords } from './csv.js';
import { type LineRange, openLineRange } from './line-range.js';
import type { InputFormat, LabeledRecord, LayoutFlags, ReadOptions } from './records.js';

export interface SourceOptions {
  /** The format; when absent, chosen from the extension (JSONL for stdin and for a file without one). */
  format?: InputFormat;
  textField?: string;
  labelField?: string;
  requireLabel: boolean;
  stdin?: Readable;
  /** See ReadOptions. */
  keepRaw?: boolean;
  allowEmptyText?: boolean;
  formatHint?: string;
  /** See ReadOptions. */
  columns?: readonly string[];
  flags?: LayoutFlags;
}

/**
 * The format of `path` when none is given: its extension's (see formatFromPath), JSONL for stdin and
 * for a name without an extension (`/dev/fd/63` from a shell's `<(…)`), and an InputError for an
 * extension npc does not know (`.txt`), rather than a guess that fails later with "invalid JSON".
 */
export function defaultFormat(path: string): InputFormat {
  if (path === '-') return 'jsonl';
  const format = formatFromPath(path);
  if (format) return format;
  const extension = extensionOf(path);
  if (extension === '') return 'jsonl';
  throw new InputError(`cannot tell the format from the extension ${extension}: name the format (jsonl, csv or tsv)`, path);
}

/** Streams the records of a file, or of stdin for `-` (gzip detected by its magic bytes either way). */
export async function* readRecords(path: string, options: SourceOptions): AsyncGenerator<LabeledRecord> {
  const format = options.format ?? defaultFormat(path);
  const opened = openInput(path, options.stdin);
  yield* recordsOf(opened, readOptionsOf(opened.source, format, options));
}

/** The reader's options for `source` in `format`: the fields default to "text" and "label". */
function readOptionsOf(source: string, format: InputFormat, options: SourceOptions): ReadOptions {
  return {
    source,
    format,
    textField: options.textField ?? 'text',
    labelField: options.labelField ?? 'label',
    requireLabel: options.requireLabel,
    keepRaw: options.keepRaw,
    formatHint: options.formatHint,
    allowEmptyText: options.allowEmptyText,
    columns: options.columns,
    flags: options.flags,
  };
}

/**
 * The records of an opened input. A reader's complaint about a gzipped input is checked against the
 * gzip data first: a corrupt stream decompresses to garbage before zlib notices, and then "corrupt gzip
 * data" is the true error, not "invalid JSON" on some line.
 */
async function* recordsOf(opened: OpenedInput, options: ReadOptions): AsyncGenerator<LabeledRecord> {
  try {
    yield* recordsFrom(opened.stream, options);
  } catch (err) {
    if (err instanceof InputError) {
      const gzip = await opened.gzipProblem();
      if (gzip) throw gzip;
    }
    throw err;
  }
}

/**
 * The records of the lines that start in byte range `index` of `count` of a file (io/line-range.ts).
 * Records are numbered from the shard's first line; an error names the line in the whole file (the
 * lines before the shard are counted then, and only then).
 */
export function readRecordsInRange(
  path: string,
  range: { index: number; count: number },
  options: SourceOptions,
): { records: AsyncGenerator<LabeledRecord>; lineOffset: () => Promise<number> } {
  let opened: Promise<LineRange> | undefined;
  const open = (): Promise<LineRange> => (opened ??= openLineRange(path, range.index, range.count));
  async function* records(): AsyncGenerator<LabeledRecord> {
    const lines = await open();
    const readOptions = readOptionsOf(path, options.format ?? defaultFormat(path), options);
    try {
      yield* recordsFrom(lines.stream, readOptions);
    } catch (err) {
      if (err instanceof InputError && err.where?.startsWith(`${path}:`)) {
        const local = Number(err.where.slice(path.length + 1));
        if (Number.isInteger(local)) throw new InputError(err.message, `${path}:${local + (await lines.lineOffset())}`);
      }
      throw err;
    }
  }
  return { records: records(), lineOffset: async () => (await open()).lineOffset() };
}

/** Records of an already decompressed stream. */
export function recordsFrom(stream: Readable, options: ReadOptions): AsyncGenerator<LabeledRecord> {
  switch (options.format) {
    case 'jsonl':
      return readJsonlRecords(readLines(stream, options.source), options);
    case 'csv':
    case 'tsv':
    case 'ag_news':
      return readCsvRecords(stream, options);
    case 'text':
      return readTextRecords(stream, options);
  }
}

/**
 * Plain text: one text per line, no labels. Every line is a record, an empty one too (its text is '',
 * which classify answers with a per-line result), so output lines pair with input lines.
 */
async function* readTextRecords(stream: Readable, options: ReadOptions): AsyncGenerator<LabeledRecord> {
  if (options.requireLabel) throw new InputError('plain text input has no labels; use JSONL, CSV or TSV', options.source);
  for await (const line of readLines(stream, options.source)) {
    yield { text: line.text, label: undefined, line: line.number };
  }
}

/** Reads a whole labelled data set into memory (training and test sets). */
export async function readDataset(
  path: string,
  options: Omit<SourceOptions, 'requireLabel'>,
): Promise<{ source: string; records: LabeledRecord[] }> {
  const records: LabeledRecord[] = [];
  for await (const record of readRecords(path, { ...options, requireLabel: true })) records.push(record);
  return { source: path === '-' ? '<stdin>' : path, records };
}
