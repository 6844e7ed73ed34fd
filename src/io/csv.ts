/**
 * CSV and TSV input (already decompressed). CSV comes in one of two layouts:
 *
 * - AG News layout: no header, exactly three columns `class,title,description`, class a positive
 *   integer. Each row becomes `{label: class - 1, text: title + " " + description}`, verbatim: nothing
 *   is unescaped or trimmed (this is what torchtext's AG_NEWS and the Hugging Face loader produce).
 * - Header layout: the first row names the columns; one of them must be `options.textField`, and
 *   `options.labelField` may be another. CSV labels are always strings (`"1"` stays `"1"`); only JSONL
 *   labels keep a JSON type. An empty label cell counts as a missing label. Other columns are ignored.
 *
 * Parsing is csv-parse's streaming API with RFC 4180 quoting (`""` inside a quoted field is a quote,
 * quoted fields may span lines), a UTF-8 BOM skipped, LF, CRLF and CR line ends (mixed too), blank
 * lines skipped, and every row required to have as many fields as the first one.
 *
 * TSV (`.tsv`, `--train-format tsv`) is the header layout with tab-separated fields and no quoting, as
 * IANA's text/tab-separated-values defines it: a quote is an ordinary character, and a field cannot
 * hold a tab or a line end.
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

/** The layouts `readCsvRecords` accepts, for error messages. */
const LAYOUTS_ACCEPTED =
  'expected either a header row naming a "{text}" column (and optionally "{label}"), ' +
  'or AG News rows without a header: class,title,description with class a positive integer';

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
    // TSV as IANA registers it: fields separated by tabs, no quoting (a quote is an ordinary character).
    ...(dialect === 'tsv' ? { delimiter: '\t', quote: false } : {}),
    on_record: ({ record, raw }) => {
      const { start, end } = recordLines(raw, nextLine);
      nextLine = end + 1;
      return { cells: record, line: start };
    },
  };
  // Loaded on first use: most runs read JSONL, and the import costs ~15 ms of every start-up.
  const { parse } = await import('csv-parse');
  // csv-parse's typings have no overload for a non-array record without `columns`.
  const parser = parse(options as unknown as Options);

  // Feed the parser from the input, respecting backpressure; a failing input fails the parser.
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

/** Streams labeled records from CSV in the AG News or the header layout (see the file comment). */
export async function* readCsvRecords(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  options: ReadOptions,
): AsyncGenerator<LabeledRecord> {
  const { source, textField, labelField, requireLabel } = options;
  const tsv = options.format === 'tsv';
  // Columns by name: a text spec may join several (`title,description`), one space between them.
  const { textSpec, labelSpec } = parseColumnSpecs(textField, labelField, source);
  const textColumns = textSpec.paths.map((p) => p[0]);
  const labelColumn = labelSpec.paths[0][0];
  let convert: ((row: CsvRow) => LabeledRecord) | undefined;
  for await (const row of readCsvRows(input, source, tsv ? 'tsv' : 'csv')) {
    if (convert === undefined) {
      if (textColumns.every((c) => row.cells.includes(c))) {
        convert = headerLayout(row);
        continue; // the header itself is not a record
      }
      if (!tsv && row.cells.length === 3 && /^[+-]?[0-9]+$/.test(row.cells[0])) {
        convert = agNewsLayout;
      } else if (tsv) {
        const found = row.cells.length === 1 ? '1 column' : `${row.cells.length} columns`;
        throw new InputError(
          `the first row has ${found} and no "${textField}" column: TSV needs a header row naming a "${textField}" column (and optionally "${labelField}")`,
          at(source, row.line),
        );
      } else {
        const found = row.cells.length === 1 ? '1 column' : `${row.cells.length} columns`;
        const layouts = LAYOUTS_ACCEPTED.replace('{text}', textField).replace('{label}', labelField);
        throw new InputError(
          `unrecognised CSV layout (the first row has ${found} and no "${textField}" column): ${layouts}`,
          at(source, row.line),
        );
      }
    }
    yield convert(row);
  }

  function agNewsLayout(row: CsvRow): LabeledRecord {
    const [cls, title, description] = row.cells;
    const { label, text } = agNewsRowToRecord(cls, title, description, at(source, row.line));
    return { label, text, line: row.line };
  }

  function headerLayout(header: CsvRow): (row: CsvRow) => LabeledRecord {
    const names = header.cells;
    for (const name of [...textColumns, labelColumn]) {
      if (names.indexOf(name) !== names.lastIndexOf(name)) {
        throw new InputError(`the header names column "${name}" more than once`, at(source, header.line));
      }
    }
    const textIndices = textColumns.map((c) => names.indexOf(c));
    const labelIndex = names.indexOf(labelColumn);
    if (labelIndex === -1 && requireLabel) {
      throw new InputError(`the header has no "${labelColumn}" column (columns: ${names.join(', ')})`, at(source, header.line));
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
