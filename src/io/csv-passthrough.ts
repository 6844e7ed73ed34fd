/**
 * CSV and TSV rows kept as they were written, for `classify --input csv|tsv`: each data row comes with its
 * exact source text (quotes, spacing and line end as in the input), so the output can be the input with
 * one column appended, every other byte unchanged. The header row names the columns (or, without one,
 * the caller does: `--columns`); blank lines are kept (before the next row, or at the end). Quoting is
 * RFC 4180 for CSV (a field in double quotes may hold commas, doubled quotes and line ends; a quote
 * inside an unquoted field is an ordinary character, as in io/csv.ts); TSV has no quoting.
 */
import { InputError, at } from '../errors.js';
import { parseColumnSpecs } from './field-paths.js';
import { noHeaderMessage } from './csv.js';
import type { LabeledRecord, LayoutFlags } from './records.js';
import { LineCountingUtf8Decoder } from './utf8.js';

export interface CsvHeader {
  /** The header row's source text (a BOM included) and its line end. */
  raw: string;
  end: string;
  columns: string[];
  delimiter: ',' | '\t';
}

/** A data row: `raw` its source text, `before` the blank lines before it, `end` its line end ('' at the end of input). */
export type PassthroughRecord = LabeledRecord & { raw: string; before: string; end: string };

interface RawRow {
  text: string;
  end: string;
  line: number;
}

/**
 * Splits decoded text into rows at line ends outside quotes (CSV) or at every line end (TSV). A quote
 * opens a quoted field only at the start of a field; inside one, `""` is a quote and a lone `"` ends it.
 */
async function* rawRows(input: AsyncIterable<Buffer | string>, source: string, quoted: boolean): AsyncGenerator<RawRow> {
  const utf8 = new LineCountingUtf8Decoder(source);
  let text = '';
  let line = 1;
  // Where the scan is in a CSV field: only at its start does a quote open a quoted field; a quote
  // right after the closing one is the second of a doubled quote (`""`), and the field is quoted again.
  let state: 'start' | 'unquoted' | 'quoted' | 'closed' = 'start';
  let start = 0;
  let scan = 0;
  const rowsIn = function* (final: boolean): Generator<RawRow> {
    while (scan < text.length) {
      const c = text[scan];
      const inQuotes = state === 'quoted';
      if (quoted && c === '"') {
        state = state === 'start' || state === 'closed' ? 'quoted' : state === 'quoted' ? 'closed' : 'unquoted';
      } else if (!inQuotes && (c === '\n' || c === '\r')) {
        let endLength = 1;
        if (c === '\r') {
          if (scan + 1 >= text.length && !final) return; // a CR at the chunk's end: wait for what follows
          if (text[scan + 1] === '\n') endLength = 2;
        }
        const row = { text: text.slice(start, scan), end: text.slice(scan, scan + endLength), line };
        line += countBreaks(row.text) + 1;
        scan += endLength;
        start = scan;
        state = 'start';
        yield row;
        continue;
      } else if (!inQuotes && !(c === '\ufeff' && state === 'start')) {
        state = c === ',' ? 'start' : 'unquoted';
      }
      scan++;
    }
    if (final && start < text.length) {
      if (state === 'quoted')
        throw new InputError('unterminated quoted field: the quote opened in this record is never closed', at(source, line));
      yield { text: text.slice(start), end: '', line };
      start = text.length;
    }
  };
  for await (const chunk of input) {
    text = text.slice(start) + (typeof chunk === 'string' ? chunk : utf8.decode(chunk));
    scan -= start;
    start = 0;
    yield* rowsIn(false);
  }
  utf8.end();
  yield* rowsIn(true);
}

function countBreaks(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\n') n++;
    else if (s[i] === '\r' && s[i + 1] !== '\n') n++;
  }
  return n;
}

/** The fields of one CSV row (RFC 4180), or of a TSV row (split at tabs). */
export function splitFields(row: string, delimiter: ',' | '\t', where: string): string[] {
  if (delimiter === '\t') return row.split('\t');
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (row[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const q = row.indexOf('"', i);
        if (q < 0) throw new InputError('unterminated quoted field: the quote opened in this record is never closed', where);
        value += row.slice(i, q);
        if (row[q + 1] === '"') {
          value += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < row.length && row[i] !== ',') {
        throw new InputError(
          'invalid quoting: a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)',
          where,
        );
      }
      fields.push(value);
    } else {
      const comma = row.indexOf(',', i);
      fields.push(row.slice(i, comma < 0 ? row.length : comma)); // a quote here is an ordinary character
      i = comma < 0 ? row.length : comma;
    }
    if (i >= row.length) return fields;
    i++; // the comma
    if (i === row.length) {
      fields.push('');
      return fields;
    }
  }
}

/** `value` as one CSV field: quoted (quotes doubled) when it holds a comma, a quote or a line end. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** How classify's CSV / TSV input is read and written back. */
export interface PassthroughOptions {
  dialect: 'csv' | 'tsv';
  textField: string;
  labelField: string;
  /** The columns of input without a header row: its first row is data, and no header is written. */
  columns?: readonly string[];
  flags?: LayoutFlags;
  onHeader: (header: CsvHeader) => void;
}
/**
 * The data rows of a CSV or TSV stream with a header row, each with its source text. `onHeader` is
 * called once, before the first row; `trailer()` gives the blank lines after the last row.
 */
export function readPassthroughRows(
  input: AsyncIterable<Buffer | string>,
  options: PassthroughOptions & { source: string },
): { rows: AsyncGenerator<PassthroughRecord>; trailer: () => string } {
  const { source } = options;
  const delimiter = options.dialect === 'tsv' ? '\t' : ',';
  let pending = '';
  async function* rows(): AsyncGenerator<PassthroughRecord> {
    const { textSpec, labelSpec } = parseColumnSpecs(options.textField, options.labelField, source);
    let header: CsvHeader | undefined;
    let textIndices: number[] = [];
    let labelIndex = -1;
    const textColumns = textSpec.paths.map((p) => p[0]);
    const { columns } = options;
    if (columns) {
      const missing = textColumns.find((c) => !columns.includes(c));
      if (missing !== undefined)
        throw new InputError(`${options.flags?.columns ?? '--columns'} ${columns.join(',')} names no "${missing}" column`, source);
      textIndices = textColumns.map((c) => columns.indexOf(c));
      labelIndex = columns.indexOf(labelSpec.paths[0][0]);
    }
    let first = true;
    for await (const row of rawRows(input, source, delimiter === ',')) {
      if (row.text === '' || row.text === '\ufeff') {
        pending += row.text + row.end; // a blank line: kept, before the next row
        continue;
      }
      const where = at(source, row.line);
      const cells = splitFields(row.text.replace(/^\ufeff/, ''), delimiter, where);
      if (columns && first) {
        first = false;
        if (cells.length !== columns.length)
          throw new InputError(
            `the first row has ${cells.length} fields, but ${options.flags?.columns ?? '--columns'} names ${columns.length} (${columns.join(',')})`,
            where,
          );
        if (cells.every((cell, i) => cell === columns[i]))
          throw new InputError(
            `the first row names the columns ${columns.join(',')}: the input has a header, so leave out ${options.flags?.columns ?? '--columns'}`,
            where,
          );
      }
      if (header === undefined && !columns) {
        header = { raw: pending + row.text, end: row.end, columns: cells, delimiter };
        pending = '';
        const missing = textColumns.find((c) => !cells.includes(c));
        if (missing !== undefined)
          throw new InputError(
            noHeaderMessage(cells, missing, textColumns, labelSpec.paths[0][0], {
              format: options.dialect,
              flags: options.flags,
              offerAgNews: false, // classify writes its input back: there is no AG News input kind
            }),
            where,
          );
        textIndices = textColumns.map((c) => cells.indexOf(c));
        labelIndex = cells.indexOf(labelSpec.paths[0][0]);
        options.onHeader(header);
        continue;
      }
      const width = columns ? columns.length : header!.columns.length;
      if (cells.length !== width) throw new InputError(`wrong number of fields: expected ${width}, got ${cells.length}`, where);
      const label = labelIndex >= 0 && cells[labelIndex] !== '' ? cells[labelIndex] : undefined;
      yield { text: textIndices.map((i) => cells[i]).join(' '), label, line: row.line, raw: row.text, before: pending, end: row.end };
      pending = '';
    }
    if (header === undefined && !columns)
      throw new InputError('no header row: --input csv and tsv need a header naming the columns (or --no-header --columns NAMES)', source);
  }
  return { rows: rows(), trailer: () => pending };
}
