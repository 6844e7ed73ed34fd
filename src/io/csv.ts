/**
 * CSV and TSV input (already decompressed). A CSV or TSV file is read in one of three layouts, always
 * the one asked for, never guessed from the data:
 *
 * - Header (the default): the first row names the columns; it must name every `options.textField`
 *   column (else the file is taken to have no header, and that is an error saying how to name its
 *   columns), and `options.labelField` may be another. Other columns are ignored.
 * - No header (`options.columns`, the `--columns` flags): the columns are named by the caller and the
 *   first row is data. A first row equal to those names is refused: that file has a header.
 * - AG News (`format: 'ag_news'`, `--train-format ag_news`): no header, exactly three columns
 *   `class,title,description`, class a positive integer. Each row becomes
 *   `{label: class - 1, text: title + " " + description}`, verbatim: nothing is unescaped or trimmed
 *   (this is what torchtext's AG_NEWS and the Hugging Face loader produce).
 *
 * CSV labels are always strings (`"1"` stays `"1"`); only JSONL labels keep a JSON type. An empty
 * label cell counts as a missing label.
 *
 * Parsing is csv-parse's streaming API with RFC 4180 quoting (`""` inside a quoted field is a quote,
 * quoted fields may span lines), a UTF-8 BOM skipped, LF, CRLF and CR line ends (mixed too), blank
 * lines skipped, and every row required to have as many fields as the first one. A quote inside an
 * unquoted field (`1,The 5" screen`) is an ordinary character, kept as written (as Python's csv reads
 * it); a quoted field must still end at a comma or a line end.
 *
 * TSV (`.tsv`, `--train-format tsv`) has tab-separated fields and no quoting, as IANA's
 * text/tab-separated-values defines it: a quote is an ordinary character, and a field cannot hold a
 * tab or a line end.
 *
 * `line` is the 1-based line where a record starts. It is computed here from each record's raw text
 * rather than taken from csv-parse's `info.lines`, which counts a CRLF inside a quoted field as two lines.
 */
import type { CsvError, Options } from 'csv-parse';
import { LineCountingUtf8Decoder } from './utf8.js';
import { InputError, at } from '../errors.js';
import type { LabeledRecord, ReadOptions } from './records.js';
import { parseColumnSpecs } from './field-paths.js';

/** One parsed CSV row and the 1-based line it starts on. */
export interface CsvRow {
  cells: string[];
  line: number;
}

/**
 * Streams the rows of a CSV source. Errors (wrong number of fields, a quote never closed, a stray
 * quote) are `InputError`s whose `where` is `source:line`, `line` being where the offending record starts.
 */
export async function* readCsvRows(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  source: string,
  dialect: 'csv' | 'tsv' = 'csv',
): AsyncGenerator<CsvRow> {
  // Line where the text after the previous record begins (blank lines included). Kept in step with the
  // parser (on_record runs as each record is parsed), so it is right when the parser fails.
  let nextLine = 1;
  const options: Options<CsvRow, { record: string[]; raw: string }> = {
    bom: true,
    raw: true, // each record comes with its raw text, from which its lines are counted
    skip_empty_lines: true,
    relax_column_count: false,
    record_delimiter: ['\r\n', '\n', '\r'],
    // A quote inside an unquoted field is kept as a character. (csv-parse then also takes a quoted
    // field followed by more text, `"a"b`, as the literal `"a"b`: checkClosingQuotes refuses that.)
    relax_quotes: dialect === 'csv',
    // TSV as IANA registers it: fields separated by tabs, no quoting (a quote is an ordinary character).
    ...(dialect === 'tsv' ? { delimiter: '\t', quote: false } : {}),
    on_record: ({ record, raw }) => {
      const { start, end } = recordLines(raw, nextLine);
      nextLine = end + 1;
      if (dialect === 'csv' && record.some((cell) => cell.includes('"'))) checkClosingQuotes(raw, start, source);
      return { cells: record, line: start };
    },
  };
  // Loaded on first use: most runs read JSONL, and the import costs ~15 ms of every start-up.
  const { parse } = await import('csv-parse');
  // csv-parse's typings have no overload for a non-array record without `columns`.
  const parser = parse(options as unknown as Options);

  // Feed the parser from the input, respecting backpressure; a failing input fails the parser. Not awaited:
  // it runs alongside the reading loop below, and its errors are caught here and reach the reader through the parser.
  void (async () => {
    try {
      const utf8 = new LineCountingUtf8Decoder(source);
      for await (const raw of input as AsyncIterable<Buffer | string>) {
        if (parser.destroyed) return;
        const chunk = typeof raw === 'string' ? raw : utf8.decode(raw);
        if (!parser.write(chunk)) {
          await new Promise<void>((resolve) => {
            const done = () => {
              parser.off('drain', done);
              parser.off('close', done);
              resolve();
            };
            parser.on('drain', done);
            parser.on('close', done);
          });
        }
      }
      utf8.end();
      if (!parser.destroyed) parser.end();
    } catch (err) {
      parser.destroy(err instanceof Error ? err : new Error(String(err)));
    }
  })();

  try {
    for await (const row of parser as AsyncIterable<CsvRow>) yield row;
  } catch (err) {
    throw toInputError(err, source, nextLine);
  } finally {
    // The feeding loop above is not awaited: it may be waiting on a slow input (stdin) and stops at its next chunk.
    if (!parser.destroyed) parser.destroy();
  }
}

/**
 * Refuses a quoted field followed by more than a comma or a line end (`"a"b`), which csv-parse's
 * relax_quotes would keep as the literal `"a"b`: RFC 4180 says nothing of it and readers differ.
 */
function checkClosingQuotes(raw: string, line: number, source: string): void {
  let i = 0;
  while (i < raw.length && (raw[i] === '\n' || raw[i] === '\r')) i++;
  let fieldStart = true;
  while (i < raw.length) {
    const c = raw[i];
    if (fieldStart && c === '"') {
      // A quoted field: "" is a quote; the closing quote must end the field.
      for (i++; i < raw.length; i++) {
        if (raw[i] !== '"') continue;
        if (raw[i + 1] === '"') {
          i++;
          continue;
        }
        const next = raw[i + 1];
        if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') {
          throw new InputError(
            'invalid quoting: a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)',
            at(source, line),
          );
        }
        break;
      }
      i++;
      fieldStart = false;
      continue;
    }
    fieldStart = c === ',';
    i++;
  }
}

/**
 * Where a record's raw text starts and ends. csv-parse's raw text is: one character for each skipped
 * blank line (the first character of its line end), the record itself verbatim, then the first
 * character of the record's line end (none at the end of input).
 */
function recordLines(raw: string, firstLine: number): { start: number; end: number } {
  let i = 0;
  while (i < raw.length && (raw[i] === '\n' || raw[i] === '\r')) i++;
  let stop = raw.length;
  if (stop > i && (raw[stop - 1] === '\n' || raw[stop - 1] === '\r')) stop--;
  const start = firstLine + i;
  return { start, end: start + countLineBreaks(raw, i, stop) };
}

function countLineBreaks(text: string, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) {
    const c = text[i];
    if (c === '\n') n++;
    else if (c === '\r' && text[i + 1] !== '\n') n++;
  }
  return n;
}

/** Turns a csv-parse error (or anything else thrown while reading) into a one-line `InputError`. */
function toInputError(err: unknown, source: string, nextLine: number): unknown {
  if (err instanceof InputError) return err;
  const csvError = err as Partial<CsvError> & { raw?: unknown; record?: unknown };
  const code = csvError.code;
  if (!(err instanceof Error) || typeof code !== 'string' || !(code.startsWith('CSV_') || code === 'INVALID_OPENING_QUOTE')) {
    return err; // an I/O error from the input: not a problem with the CSV text
  }
  const raw = typeof csvError.raw === 'string' ? csvError.raw : '';
  const line = recordLines(raw, nextLine).start;
  let message: string;
  switch (csvError.code) {
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS': {
      const got = Array.isArray(csvError.record) ? csvError.record.length : undefined;
      const expected = /expect (\d+)/.exec(err.message)?.[1];
      message = `wrong number of fields: expected ${expected ?? 'as many as the first row'}, got ${got ?? 'a different number'}`;
      break;
    }
    case 'CSV_QUOTE_NOT_CLOSED':
      message = 'unterminated quoted field: the quote opened in this record is never closed';
      break;
    case 'CSV_INVALID_CLOSING_QUOTE':
      message =
        'invalid quoting: a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)';
      break;
    case 'INVALID_OPENING_QUOTE':
      message = 'invalid quoting: a quote inside an unquoted field (quote the whole field and write "" for the quote)';
      break;
    default:
      message = `invalid CSV: ${err.message.split('\n')[0]}`;
  }
  return new InputError(message, at(source, line));
}

/**
 * The AG News row conversion, shared by the reader and the data set converter:
 * label = class - 1 (class a positive integer), text = title + " " + description, both verbatim.
 */
export function agNewsRowToRecord(cls: string, title: string, description: string, where: string): { label: number; text: string } {
  const value = /^[0-9]+$/.test(cls) ? Number(cls) : NaN;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new InputError(`invalid class ${JSON.stringify(cls)}: expected a positive integer (1 = first label)`, where);
  }
  return { label: value - 1, text: `${title} ${description}` };
}

/** Streams labeled records from CSV or TSV in the header, no-header or AG News layout (see the file comment). */
export async function* readCsvRecords(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: ReadOptions,
): AsyncGenerator<LabeledRecord> {
  const { source, textField, labelField, requireLabel } = options;
  const dialect = options.format === 'tsv' ? 'tsv' : 'csv';
  if (options.format === 'ag_news') {
    if (options.columns)
      throw new InputError(`${columnsFlag(options)} does not apply to the AG News layout (class,title,description)`, source);
    let first = true;
    for await (const row of readCsvRows(input, source)) {
      if (first && row.cells.length !== 3) {
        throw new InputError(
          `the AG News layout has 3 fields (class,title,description), but the first row has ${row.cells.length}`,
          at(source, row.line),
        );
      }
      first = false;
      const [cls, title, description] = row.cells;
      const { label, text } = agNewsRowToRecord(cls, title, description, at(source, row.line));
      yield { label, text, line: row.line };
    }
    return;
  }
  // Columns by name: a text spec may join several (`title,description`), one space between them.
  const { textSpec, labelSpec } = parseColumnSpecs(textField, labelField, source);
  const textColumns = textSpec.paths.map((p) => p[0]);
  const labelColumn = labelSpec.paths[0][0];
  const { columns } = options;
  if (columns) {
    const missing =
      textColumns.find((c) => !columns.includes(c)) ?? (requireLabel && !columns.includes(labelColumn) ? labelColumn : undefined);
    if (missing !== undefined) {
      const flag = missing === labelColumn && !textColumns.includes(missing) ? '--label-field' : '--text-field';
      throw new InputError(
        `${columnsFlag(options)} ${columns.join(',')} names no "${missing}" column (name it there, or choose the column with ${flag})`,
        source,
      );
    }
  }
  let convert: ((row: CsvRow) => LabeledRecord) | undefined;
  for await (const row of readCsvRows(input, source, dialect)) {
    if (convert === undefined) {
      if (columns) {
        if (row.cells.length !== columns.length) {
          throw new InputError(
            `the first row has ${fields(row.cells.length)}, but ${columnsFlag(options)} names ${columns.length} (${columns.join(',')})`,
            at(source, row.line),
          );
        }
        if (row.cells.every((cell, i) => cell === columns[i])) {
          throw new InputError(
            `the first row names the columns ${columns.join(',')}: the file has a header, so leave out ${columnsFlag(options)}`,
            at(source, row.line),
          );
        }
        convert = layout(columns, row.line);
      } else {
        const missing = textColumns.find((c) => !row.cells.includes(c));
        if (missing !== undefined)
          throw new InputError(noHeaderMessage(row.cells, missing, textColumns, labelColumn, options), at(source, row.line));
        convert = layout(row.cells, row.line);
        continue; // the header itself is not a record
      }
    }
    yield convert(row);
  }

  /** The record of a row, given the names of the columns (from the header, or from the caller). */
  function layout(names: readonly string[], line: number): (row: CsvRow) => LabeledRecord {
    for (const name of [...textColumns, labelColumn]) {
      if (names.indexOf(name) !== names.lastIndexOf(name)) {
        const what = columns ? `${columnsFlag(options)} names` : 'the header names';
        throw new InputError(`${what} column "${name}" more than once`, columns ? source : at(source, line));
      }
    }
    const textIndices = textColumns.map((c) => names.indexOf(c));
    const labelIndex = names.indexOf(labelColumn);
    if (labelIndex === -1 && requireLabel) {
      throw new InputError(`the header has no "${labelColumn}" column (columns: ${names.join(', ')})`, at(source, line));
    }
    return (row) => {
      const text = textIndices.map((i) => row.cells[i]).join(' ');
      if (text === '' && !options.allowEmptyText) throw new InputError(`empty "${textField}"`, at(source, row.line));
      const labelCell = labelIndex === -1 ? '' : row.cells[labelIndex];
      if (labelCell === '' && requireLabel) throw new InputError(`missing "${labelField}"`, at(source, row.line));
      return { text, label: labelCell === '' ? undefined : labelCell, line: row.line };
    };
  }
}

function fields(n: number): string {
  return n === 1 ? '1 field' : `${n} fields`;
}

function columnsFlag(options: Pick<ReadOptions, 'flags'>): string {
  return options.flags?.columns ?? '--columns';
}

/**
 * The error for a first row that does not name the text column(s): it is taken to be data, so the
 * file has no header. Says which row it read and how to name the columns (or ask for AG News).
 */
export function noHeaderMessage(
  cells: readonly string[],
  missing: string,
  textColumns: readonly string[],
  labelColumn: string,
  options: Pick<ReadOptions, 'format' | 'flags'> & { offerAgNews?: boolean },
): string {
  const shown = cells
    .slice(0, 5)
    .map((c) => JSON.stringify(c.length > 30 ? `${c.slice(0, 29)}…` : c))
    .join(', ');
  const row = `${shown}${cells.length > 5 ? ', …' : ''}`;
  const n = cells.length;
  const names = [labelColumn, ...textColumns];
  const example =
    names.length === n
      ? names.join(',')
      : n === 3 && textColumns.length === 1
        ? `${labelColumn},title,${textColumns[0]}`
        : n === 1 && textColumns.length === 1
          ? textColumns[0]
          : undefined;
  const own = options.flags?.ownColumns ? ` (or ${options.flags.ownColumns} for this file only)` : '';
  const columnsHint = `--no-header --columns ${example ?? `NAMES (one name per field, ${n} here)`}${own}`;
  const agNews =
    options.offerAgNews !== false && options.format !== 'tsv' && n === 3
      ? `, or read it as the AG News layout (class,title,description) with ${options.flags?.format ?? '--format'} ag_news`
      : '';
  return `the first row (${row}) names no "${missing}" column, so it is not a header; for a file without a header, name its columns with ${columnsHint}${agNews}`;
}
