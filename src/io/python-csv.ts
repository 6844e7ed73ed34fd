/**
 * CSV read as Python's `csv.reader` reads a file opened in text mode (what torchtext and the Hugging
 * Face loaders the paper used do): UTF-8 (strict), universal newlines (`\r\n` and a lone `\r` become
 * `\n` first, inside quoted fields too), the default dialect (`,`, `"`, `""` for a quote, not strict:
 * a quote inside an unquoted field is kept, text after a closing quote is appended), no field-size
 * limit, and optionally `skipinitialspace` (spaces, U+0020 only, after a delimiter or at the start of a
 * record are dropped). A blank line is a row with no fields, as Python gives it. An unclosed quote at
 * the end of the input ends the field there (Python's non-strict reader does the same).
 */
import { InputError } from '../errors.js';

export interface PyCsvRow {
  fields: string[];
  /** 1-based line where the row starts. */
  line: number;
}

const enum S {
  StartRecord,
  StartField,
  InField,
  InQuoted,
  QuoteInQuoted,
}

/** Streams the rows of `input` (bytes). */
export async function* pythonCsvRows(
  input: AsyncIterable<Buffer | Uint8Array> | Iterable<Buffer | Uint8Array>,
  source: string,
  options: { skipInitialSpace?: boolean } = {},
): AsyncGenerator<PyCsvRow> {
  const skip = options.skipInitialSpace === true;
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let state = S.StartRecord;
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let pendingCr = false;
  let rows: PyCsvRow[] = [];
  const endRecord = () => {
    fields.push(field);
    field = '';
    rows.push({ fields, line: start });
    fields = [];
    state = S.StartRecord;
  };
  const feed = (text: string) => {
    for (let i = 0; i < text.length; i++) {
      let c = text[i];
      if (pendingCr) {
        pendingCr = false;
        if (c === '\n') continue; // the \n of a \r\n already processed as \n
      }
      if (c === '\r') {
        pendingCr = true;
        c = '\n';
      }
      switch (state) {
        case S.StartRecord:
        case S.StartField:
          if (state === S.StartRecord) {
            start = line;
            if (c === '\n') {
              rows.push({ fields: [], line: start });
              break;
            }
          }
          // The first character of a field.
          if (c === '"') state = S.InQuoted;
          else if (c === '\n') endRecord();
          else if (c === ' ' && skip) state = S.StartField;
          else if (c === ',') {
            fields.push('');
            state = S.StartField;
          } else {
            field += c;
            state = S.InField;
          }
          break;
        case S.InField:
          if (c === '\n') endRecord();
          else if (c === ',') {
            fields.push(field);
            field = '';
            state = S.StartField;
          } else field += c;
          break;
        case S.InQuoted:
          if (c === '"') state = S.QuoteInQuoted;
          else field += c;
          break;
        case S.QuoteInQuoted:
          if (c === '"') {
            field += '"';
            state = S.InQuoted;
          } else if (c === ',') {
            fields.push(field);
            field = '';
            state = S.StartField;
          } else if (c === '\n') endRecord();
          else {
            field += c;
            state = S.InField;
          }
          break;
      }
      if (c === '\n') line++;
    }
  };
  try {
    for await (const chunk of input) {
      feed(decoder.decode(chunk, { stream: true }));
      if (rows.length > 0) {
        const out = rows;
        rows = [];
        yield* out;
      }
    }
    feed(decoder.decode());
  } catch (err) {
    if (err instanceof TypeError) throw new InputError(`not valid UTF-8 (near line ${line})`, source);
    throw err;
  }
  if (state !== S.StartRecord) endRecord();
  yield* rows;
}
