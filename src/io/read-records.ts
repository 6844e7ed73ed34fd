/** One entry point for every labelled input: picks the reader by `--format` or the file extension. */
import type { Readable } from 'node:stream';
import { InputError } from '../errors.js';
import { formatFromPath, openInput, readLines } from './lines.js';
import { readJsonlRecords } from './jsonl.js';
import { readCsvRecords } from './csv.js';
import type { InputFormat, LabeledRecord, ReadOptions } from './records.js';

export interface SourceOptions {
  /** `--format`; when absent, chosen from the extension (JSONL when it says nothing). */
  format?: InputFormat;
  textField?: string;
  labelField?: string;
  requireLabel: boolean;
  stdin?: Readable;
}

export function readRecords(path: string, options: SourceOptions): AsyncGenerator<LabeledRecord> {
  const { stream, source } = openInput(path, options.stdin);
  const format = options.format ?? (path === '-' ? 'jsonl' : formatFromPath(path) ?? 'jsonl');
  const readOptions: ReadOptions = {
    source,
    format,
    textField: options.textField ?? 'text',
    labelField: options.labelField ?? 'label',
    requireLabel: options.requireLabel,
  };
  return recordsFrom(stream, readOptions);
}

export function recordsFrom(stream: Readable, options: ReadOptions): AsyncGenerator<LabeledRecord> {
  switch (options.format) {
    case 'jsonl':
      return readJsonlRecords(readLines(stream, options.source), options);
    case 'csv':
      return readCsvRecords(stream, options);
    case 'text':
      return readTextRecords(stream, options);
  }
}

/** Plain text: one text per line, no labels; blank lines are skipped (there is nothing to classify). */
async function* readTextRecords(stream: Readable, options: ReadOptions): AsyncGenerator<LabeledRecord> {
  if (options.requireLabel) throw new InputError('plain text input has no labels; use JSONL or CSV', options.source);
  for await (const line of readLines(stream, options.source)) {
    if (line.text === '') continue;
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
