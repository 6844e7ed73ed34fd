/**
 * The conversion rules of the data catalog (`layout`): how a data set's upstream files become rows
 * `{label, text}`, the same texts, labels and order the paper's loader gets (docs/data.md, one section
 * per entry). Each rule reproduces the reader the paper's code used, surprises included:
 *
 * - `ag_news` (torchtext AG_NEWS): CSV `class,title,description`, no header; label = class - 1
 *   (npc's relabelling of torchtext's 1..4), text = title + " " + description verbatim.
 * - `text_gcn` (npc_gzip `load_r8`, used for R8 and R52): the whole file read as UTF-8 text (universal
 *   newlines), Python's `str.strip()` of the WHOLE file, split at "\n", each line `label<TAB>text` with
 *   exactly one tab. Every line of text_gcn's files ends with a space; only the last row loses it.
 * - `sklearn_20news` (scikit-learn `fetch_20newsgroups`, defaults): class folders sorted (label = index),
 *   files sorted within each, all concatenated, then numpy's `RandomState(0).shuffle` (load_files) and
 *   `RandomState(42).shuffle` (fetch_20newsgroups); text = the raw bytes decoded latin-1.
 * - `ohsumed_single` (npc_gzip `load_ohsumed_single`): label = class folder name, text = the file read
 *   as UTF-8 text (universal newlines) and `str.strip()`ped. The paper's loader used `os.listdir`
 *   order, which is not defined; npc sorts folders and files (its choice, stated in docs/data.md).
 */
import { DataError, InputError, at } from '../errors.js';
import { numpyLegacyShuffle } from './numpy-shuffle.js';
import type { PyCsvRow } from './python-csv.js';

export type RowLabel = number | string;

export interface Row {
  label: RowLabel;
  text: string;
}

/** A split read as folders of files: class folder → file name → bytes. */
export type FileTree = Map<string, Map<string, Buffer>>;

/** Python's `str.isspace()` characters, which `str.strip()` removes. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `str.strip()` (no argument): its whitespace set, which differs from JavaScript's `trim()`. */
export function pyStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

/** What Python's text mode does to line ends: `\r\n` and a lone `\r` become `\n`. */
export function universalNewlines(text: string): string {
  return text.replace(/\r\n?/g, '\n');
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Strict UTF-8 (as Python's `open()` reads it: invalid bytes are an error, naming the source). */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new InputError('not valid UTF-8', source);
  }
}

/** Compares as Python compares `str`s (code points), the order of `sorted(os.listdir(...))`. */
export function codePointOrder(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The `text_gcn` rule: `label<TAB>text` lines of the whole, stripped file. */
export function* textGcnRows(bytes: Uint8Array, source: string): Generator<Row> {
  const lines = pyStrip(universalNewlines(decodeUtf8(bytes, source))).split('\n');
  for (let i = 0; i < lines.length; i++) {
    const parts = lines[i].split('\t');
    if (parts.length !== 2) {
      throw new InputError(`expected label<TAB>text (exactly one tab), found ${parts.length - 1} tabs`, at(source, i + 1));
    }
    yield { label: parts[0], text: parts[1] };
  }
}

/** Sorted class folders and, within each, sorted file names: the order every folder rule starts from. */
export function sortedFiles(tree: FileTree): { label: string; file: string; bytes: Buffer }[] {
  const out: { label: string; file: string; bytes: Buffer }[] = [];
  for (const label of [...tree.keys()].sort(codePointOrder)) {
    const files = tree.get(label)!;
    for (const file of [...files.keys()].sort(codePointOrder)) out.push({ label, file, bytes: files.get(file)! });
  }
  return out;
}

/** The `sklearn_20news` rule. `labelNames` must equal the sorted class folders. */
export function sklearn20newsRows(tree: FileTree, labelNames: readonly string[], source: string): Row[] {
  const classes = [...tree.keys()].sort(codePointOrder);
  if (classes.join('\n') !== labelNames.join('\n')) {
    throw new DataError(`${source}: expected the class folders ${labelNames.join(', ')}; found ${classes.join(', ')}`);
  }
  const files = sortedFiles(tree);
  const order = files.map((_, i) => i);
  numpyLegacyShuffle(order, 0);
  numpyLegacyShuffle(order, 42);
  return order.map((i) => ({ label: classes.indexOf(files[i].label), text: files[i].bytes.toString('latin1') }));
}

/** The `ohsumed_single` rule, in sorted order. */
export function ohsumedRows(tree: FileTree, source: string): Row[] {
  return sortedFiles(tree).map(({ label, file, bytes }) => ({
    label,
    text: pyStrip(universalNewlines(decodeUtf8(bytes, `${source}/${label}/${file}`))),
  }));
}

/** A class number written as a positive decimal integer (`int(...)` of the paper's loaders). */
function classNumber(value: string, where: string): number {
  const n = /^[0-9]+$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`invalid class ${JSON.stringify(value)}: expected a positive integer`, where);
  return n;
}

/**
 * The `zhang_csv` rule (torchtext DBpedia, YahooAnswers, SogouNews): no header; label = class - 1 (npc
 * stores 0-based labels, torchtext's are 1-based: a relabelling only); text = the other fields joined
 * with one space (`' '.join(row[1:])`), verbatim (the two characters `\n` stay as they are).
 */
export async function* zhangCsvRows(rows: AsyncIterable<PyCsvRow>, source: string): AsyncGenerator<Row> {
  for await (const { fields, line } of rows) {
    const where = at(source, line);
    if (fields.length < 2) throw new InputError(`expected class,text... (at least 2 fields), got ${fields.length}`, where);
    yield { label: classNumber(fields[0], where) - 1, text: fields.slice(1).join(' ') };
  }
}

/**
 * The `hf_kinnews` rule (Hugging Face `kinnews_kirnews`, `*_cleaned` configs): a header row skipped;
 * every row exactly `label,title,content`; label = int(label) - 1; text = title + " " + content.
 */
export async function* hfKinnewsRows(rows: AsyncIterable<PyCsvRow>, source: string): AsyncGenerator<Row> {
  let header = true;
  for await (const { fields, line } of rows) {
    if (header) {
      header = false;
      continue;
    }
    const where = at(source, line);
    if (fields.length !== 3) throw new InputError(`expected 3 fields (label,title,content), got ${fields.length}`, where);
    yield { label: classNumber(fields[0], where) - 1, text: `${fields[1]} ${fields[2]}` };
  }
}

/**
 * The `hf_swahili` rule (Hugging Face `swahili_news`, `csv.DictReader`): the header names the columns
 * and must hold `text` and `label`; blank lines are skipped (as DictReader does); every row has as
 * many fields as the header; label = the index of its name in `labelNames` (ClassLabel); text verbatim.
 */
export async function* hfSwahiliRows(rows: AsyncIterable<PyCsvRow>, source: string, labelNames: readonly string[]): AsyncGenerator<Row> {
  let header: string[] | undefined;
  let textAt = -1;
  let labelAt = -1;
  for await (const { fields, line } of rows) {
    if (fields.length === 0) continue;
    const where = at(source, line);
    if (!header) {
      header = fields;
      textAt = header.indexOf('text');
      labelAt = header.indexOf('label');
      if (textAt < 0 || labelAt < 0)
        throw new InputError(`expected a header naming "text" and "label", got ${JSON.stringify(fields)}`, where);
      continue;
    }
    if (fields.length !== header.length) throw new InputError(`expected ${header.length} fields, got ${fields.length}`, where);
    const label = labelNames.indexOf(fields[labelAt]);
    if (label < 0) throw new InputError(`unknown label ${JSON.stringify(fields[labelAt])} (known: ${labelNames.join(', ')})`, where);
    yield { label, text: fields[textAt] };
  }
}

/**
 * The `hf_dengue` rule (Hugging Face `dengue_filipino` + the paper's `load_filipino`): a header row
 * skipped; a row that is not exactly `text,absent,dengue,health,mosquito,sick` is skipped, as the
 * loader's `except ValueError: pass` does (each one reported through `onSkip`); the flags must be "0"
 * or "1"; label = the LAST flag set (absent 0, dengue 1, health 2, mosquito 3, sick 4); a row with no
 * flag set keeps the previous row's label (the loader's variable carries over).
 */
export async function* hfDengueRows(
  rows: AsyncIterable<PyCsvRow>,
  source: string,
  onSkip: (line: number, fields: number) => void,
): AsyncGenerator<Row> {
  let header = true;
  let previous: number | undefined;
  for await (const { fields, line } of rows) {
    if (header) {
      header = false;
      continue;
    }
    if (fields.length !== 6) {
      onSkip(line, fields.length);
      continue;
    }
    const where = at(source, line);
    let label: number | undefined;
    for (let i = 1; i < 6; i++) {
      if (fields[i] !== '0' && fields[i] !== '1')
        throw new InputError(`flag ${i} is ${JSON.stringify(fields[i])}, expected "0" or "1"`, where);
      if (fields[i] === '1') label = i - 1;
    }
    label ??= previous;
    if (label === undefined) throw new InputError('no flag set and no earlier row whose label it would keep', where);
    previous = label;
    yield { label, text: fields[0] };
  }
}
