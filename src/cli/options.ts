/** Option parsers shared by the commands. Bad values become usage errors (exit 2) naming the option. */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';
import { fieldSpecProblem, parseFieldSpec } from '../io/field-paths.js';
import { extensionOf, type FileFormat, formatFromPath } from '../io/lines.js';
import type { DataSpec } from '../app/training.js';
import type { InputFormat, LayoutFlags } from '../io/records.js';
import type { Label } from '../model/labels.js';
import { isTieRule, TIE_RULES, type TieRule } from '../model/tie-rules.js';

/** Integers are taken only when a double holds them exactly (up to 2^53 − 1): nothing is rounded. */
export function positiveInt(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 1)) throw new InvalidArgumentError('expected a positive integer.');
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a positive integer up to ${Number.MAX_SAFE_INTEGER}.`);
  return n;
}

export function nonNegativeInt(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0)) throw new InvalidArgumentError('expected a non-negative integer.');
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`expected a non-negative integer up to ${Number.MAX_SAFE_INTEGER}.`);
  return n;
}

/** `--seed`: the generator (mulberry32) has a 32-bit state, so seeds are 0 .. 2^32 − 1; larger ones would wrap. */
export function seed(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 0xffffffff)) throw new InvalidArgumentError('expected an integer from 0 to 4294967295.');
  return n;
}

/** `--text-field`: one or more names or dot paths (see io/field-paths.ts). */
export function textFieldSpec(value: string): string {
  const problem = fieldSpecProblem(parseFieldSpec(value), {});
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** `--label-field`: one name or dot path. */
export function labelFieldSpec(value: string): string {
  const problem = fieldSpecProblem(parseFieldSpec(value), { single: true });
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** `--abstain-above`: an NCD threshold, a finite number >= 0 (NCD is about 0 to 1, a little more at most). */
export function ncdThreshold(value: string): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('expected a distance (NCD) of 0 or more, such as 0.85.');
  return n;
}

/** `--min-confidence`: a share of the votes, from 0 to 1. */
export function share(value: string): number {
  const n = /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 1)) throw new InvalidArgumentError('expected a share of the votes from 0 to 1, such as 0.6.');
  return n;
}

/** `--alpha`: a probability strictly between 0 and 1. */
export function probability(value: string): number {
  const n = /^\s*(0?\.\d+|\d+(\.\d+)?(e-?\d+)?)\s*$/i.test(value) ? Number(value) : NaN;
  if (!(n > 0 && n < 1)) throw new InvalidArgumentError('expected a probability between 0 and 1 (exclusive), such as 0.01.');
  return n;
}

/** `--train-format` and the like: a data file's format (`ag_news`: the AG News CSV layout, class,title,description). */
export function dataFormat(value: string): FileFormat {
  if (value !== 'jsonl' && value !== 'csv' && value !== 'tsv' && value !== 'ag_news')
    throw new InvalidArgumentError("expected 'jsonl', 'csv', 'tsv' or 'ag_news'.");
  return value;
}

/** `--columns label,text`: the names of a headerless file's columns, distinct (`\,` `\.` `\\` escape as in --text-field). */
export function columnNames(value: string): string[] {
  const spec = parseFieldSpec(value);
  const problem = fieldSpecProblem(spec, { flat: true });
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  const names = spec.paths.map((p) => p[0]);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`expected distinct names; ${JSON.stringify(twice)} is given twice.`);
  return names;
}

export function inputKind(value: string): 'jsonl' | 'text' | 'csv' | 'tsv' {
  if (value !== 'jsonl' && value !== 'text' && value !== 'csv' && value !== 'tsv')
    throw new InvalidArgumentError("expected 'jsonl', 'text', 'csv' or 'tsv'.");
  return value;
}

/** `--label-names World,Sports,...`: distinct names for integer labels 0, 1, 2, ... */
export function labelNames(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw new InvalidArgumentError('expected a comma-separated list of names.');
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new InvalidArgumentError(`expected distinct names; ${JSON.stringify(twice)} is given twice.`);
  return names;
}

/**
 * Checks `--label-names` against the labels of the data: every label must be an integer it names,
 * 0 .. N−1, or a string of such an integer's digits (`"2"`: CSV and TSV labels are strings), and the
 * largest must be N−1 (a name for a label the data never has is a mistake too). A mismatch is a usage
 * error saying what does not fit, never a mix of names and numbers in the output.
 */
export function checkLabelNames(names: readonly string[] | undefined, labels: Iterable<Label>): void {
  if (!names) return;
  const n = names.length;
  const strings: string[] = [];
  const unnamed: Label[] = [];
  const distinct = new Set(labels);
  let largest = -1;
  for (const label of distinct) {
    if (typeof label === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(label)) {
      if (Number(label) >= n) unnamed.push(JSON.stringify(label));
      else if (distinct.has(Number(label)))
        throw new UsageError(`--label-names would give labels ${label} and "${label}" the same name, but the data has both`);
      else largest = Math.max(largest, Number(label));
    } else if (typeof label === 'string') strings.push(JSON.stringify(label));
    else if (typeof label === 'bigint' || !Number.isInteger(label) || label < 0 || label >= n) unnamed.push(label);
    else largest = Math.max(largest, label);
  }
  const list = (items: readonly unknown[]): string => items.slice(0, 5).map(String).join(', ') + (items.length > 5 ? ', …' : '');
  const given = `--label-names gives ${n} ${n === 1 ? 'name (label 0)' : `names (labels 0..${n - 1})`}`;
  if (strings.length)
    throw new UsageError(`${given}, but the data has labels that are not integers (${list(strings)}), which are shown as they are`);
  if (unnamed.length)
    throw new UsageError(`${given}, but ${unnamed.length === 1 ? `label ${list(unnamed)} has` : `labels ${list(unnamed)} have`} no name`);
  if (largest < n - 1) throw new UsageError(`${given}, but the largest label in the data is ${largest}`);
}

/**
 * The flags that say how each data file's fields are laid out: the plain flag sets every file
 * (`--text-field`), the file's own flag sets one (`--train-text-field`, `--test-text-field`); the two
 * together are refused (one of them would be ignored).
 */
export interface FieldFlags {
  textField?: string;
  labelField?: string;
  /** The columns of every CSV or TSV file without a header (`--columns`). */
  columns?: string[];
  /** False with `--no-header`: every CSV or TSV file has none, so each needs its columns named. */
  header?: boolean;
  trainTextField?: string;
  trainLabelField?: string;
  trainColumns?: string[];
  testTextField?: string;
  testLabelField?: string;
  testColumns?: string[];
}

/** One data file of a command: which side it is, its format (undefined: none, or the cached JSONL), what it needs. */
export interface FileSide {
  side: 'train' | 'test';
  /** For messages: `the training file`, `the input`. */
  what: string;
  format: InputFormat | undefined;
  /** The flag that sets its format, named in hints (`--train-format`, `--input`). */
  formatFlag: string;
  requireLabel: boolean;
}

/** How to read one data file: its fields and, for a CSV or TSV file without a header, its columns. */
export interface FileFields {
  textField: string;
  labelField: string;
  columns?: string[];
  flags: LayoutFlags;
}

const FIELD_KINDS = [
  { key: 'textField', flag: 'text-field' },
  { key: 'labelField', flag: 'label-field' },
  { key: 'columns', flag: 'columns' },
] as const;

const SIDE_KEYS = {
  train: { textField: 'trainTextField', labelField: 'trainLabelField', columns: 'trainColumns' },
  test: { textField: 'testTextField', labelField: 'testLabelField', columns: 'testColumns' },
} as const;

/**
 * The fields and columns of each file of a command, from the plain and per-file flags, with every
 * combination that would leave a flag without effect refused (usage errors): a plain and a per-file
 * flag of the same kind, a per-file flag for a file the command does not read, columns for a file
 * that is not CSV or TSV, `--no-header` with a CSV or TSV file whose columns are not named, and
 * columns that do not name the text (or a needed label) column.
 */
export function fileFields(options: FieldFlags, sides: readonly FileSide[]): Record<'train' | 'test', FileFields> {
  const present = new Set(sides.map((s) => s.side));
  for (const { key, flag } of FIELD_KINDS) {
    for (const side of ['train', 'test'] as const) {
      const own = options[SIDE_KEYS[side][key]];
      if (own === undefined) continue;
      if (options[key] !== undefined)
        throw new UsageError(
          `--${flag} sets every file's ${flag === 'columns' ? 'columns' : flag.replace('-', ' ')}: it cannot be combined with --${side}-${flag} (give --train-${flag} and --test-${flag} instead)`,
        );
      if (!present.has(side))
        throw new UsageError(
          `--${side}-${flag} applies to the ${side === 'train' ? 'training' : 'test'} file, which this command does not read`,
        );
    }
  }
  const table = (f: InputFormat | undefined): boolean => f === 'csv' || f === 'tsv';
  if (options.columns !== undefined && !sides.some((s) => table(s.format)))
    throw new UsageError('--columns names the columns of CSV and TSV files without a header, but no file here is CSV or TSV');
  if (options.header === false && !sides.some((s) => table(s.format)))
    throw new UsageError('--no-header applies to CSV and TSV files, but no file here is CSV or TSV');
  for (const [key, flag] of [
    ['textField', '--text-field'],
    ['labelField', '--label-field'],
  ] as const) {
    if (options[key] !== undefined && sides.every((s) => s.format === 'ag_news'))
      throw new UsageError(`${flag} does not apply to the AG News layout (label = class − 1, text = title + " " + description)`);
  }
  const result = {} as Record<'train' | 'test', FileFields>;
  for (const s of sides) {
    const keys = SIDE_KEYS[s.side];
    const ownColumns = options[keys.columns];
    const columnsFlag = ownColumns !== undefined ? `--${s.side}-columns` : '--columns';
    if (ownColumns !== undefined && !table(s.format))
      throw new UsageError(
        `--${s.side}-columns names the columns of a CSV or TSV file without a header, but ${s.what} is ${s.format === undefined ? 'not a file' : s.format === 'ag_news' ? 'read as AG News (its layout is class,title,description)' : s.format.toUpperCase()}`,
      );
    if (s.format === 'ag_news') {
      for (const key of ['textField', 'labelField'] as const) {
        const own = options[keys[key]];
        if (own !== undefined)
          throw new UsageError(
            `--${s.side}-${key === 'textField' ? 'text' : 'label'}-field does not apply to the AG News layout (label = class − 1, text = title + " " + description)`,
          );
      }
    }
    const columns = table(s.format) ? (ownColumns ?? options.columns) : undefined;
    if (table(s.format) && options.header === false && columns === undefined)
      throw new UsageError(`--no-header: name the columns of ${s.what} with --columns NAMES or --${s.side}-columns NAMES`);
    const textField = options[keys.textField] ?? options.textField ?? 'text';
    const labelField = options[keys.labelField] ?? options.labelField ?? 'label';
    if (columns !== undefined) {
      const textColumns = parseFieldSpec(textField).paths.map((p) => p[0]);
      const labelColumn = parseFieldSpec(labelField).paths[0][0];
      const missing =
        textColumns.find((c) => !columns.includes(c)) ?? (s.requireLabel && !columns.includes(labelColumn) ? labelColumn : undefined);
      if (missing !== undefined) {
        const which = textColumns.includes(missing) ? 'text' : 'label';
        throw new UsageError(
          `${columnsFlag} ${columns.join(',')} names no "${missing}" column for the ${which} of ${s.what} (name it there, or choose the ${which} column with --${s.side}-${which}-field or --${which}-field)`,
        );
      }
    }
    result[s.side] = {
      textField,
      labelField,
      columns,
      flags: { format: s.formatFlag, columns: columnsFlag, ownColumns: `--${s.side}-columns` },
    };
  }
  return result;
}

/** The flags every command that reads a training and a test file has (eval, score). */
export interface DataFileOptions extends FieldFlags {
  train?: string;
  test?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  testFormat?: FileFormat;
  labelNames?: string[];
}

/**
 * The training and test data specs of those flags (format and fields per file, hints naming the
 * flags). `testFile: false`: the command reads one file only, the training side (eval --data).
 */
export function dataSpecs(
  options: DataFileOptions,
  extra: { strip?: boolean; testFile?: boolean } = {},
): { train: DataSpec; test: DataSpec } {
  const trainFormat = chooseFormat(options.train, options.trainFormat, options.format, '--train-format');
  const testFormat = chooseFormat(options.test, options.testFormat, options.format, '--test-format');
  const sides: FileSide[] = [
    { side: 'train', what: 'the training file', format: trainFormat, formatFlag: '--train-format', requireLabel: true },
  ];
  if (extra.testFile !== false)
    sides.push({ side: 'test', what: 'the test file', format: testFormat, formatFlag: '--test-format', requireLabel: true });
  const fields = fileFields(options, sides);
  const strip = extra.strip === undefined ? {} : { strip: extra.strip };
  return {
    train: { path: options.train, format: trainFormat, formatHint: formatHint('--train-format'), ...fields.train, ...strip },
    test: { path: options.test, format: testFormat, formatHint: formatHint('--test-format'), ...(fields.test ?? fields.train), ...strip },
  };
}

/** What to add to "invalid JSON" on a line that is not JSON at all: the flag that reads another format. */
export function formatHint(flag: string): string {
  return `if the file is CSV or TSV, pass ${flag} csv or tsv`;
}

/**
 * A data file's format: its own flag (`--train-format`), else its extension, else `--format` for a file
 * whose extension names none. `--format` contradicting an extension is an error, not silently ignored.
 */
export function chooseFormat(
  path: string | undefined,
  own: FileFormat | undefined,
  fallback: FileFormat | undefined,
  flag: string,
): FileFormat | undefined {
  if (own !== undefined) return own;
  if (path === undefined) return undefined; // the cached default data set, always JSONL
  const fromName = path === '-' ? undefined : formatFromPath(path);
  if (fromName !== undefined && fallback !== undefined && fromName !== fallback) {
    throw new UsageError(
      `--format ${fallback} contradicts ${path} (a .${fromName === 'jsonl' ? extensionOf(path).slice(1) : fromName} file); use ${flag} ${fallback} to read that file as ${fallback === 'ag_news' ? 'the AG News layout' : fallback.toUpperCase()}`,
    );
  }
  if (fromName !== undefined) return fromName;
  if (fallback !== undefined) return fallback;
  if (path === '-' || extensionOf(path) === '') return 'jsonl';
  throw new UsageError(`cannot tell the format of ${path} from its extension (${extensionOf(path)}); pass ${flag} jsonl, csv or tsv`);
}

/**
 * How labels are shown to people: the data catalog/--label-names name if any, else the label itself, with
 * one exception: labels are kept as given, so 1 and "1" are different labels, and when both occur the
 * string one is shown quoted ("1") so the two can be told apart.
 */
export function labelFormatter(labels: Iterable<Label>, names: ReadonlyMap<Label, string> | undefined): (label: Label) => string {
  const numbers = new Set<string>();
  for (const label of labels) if (typeof label !== 'string') numbers.add(String(label));
  return (label) => names?.get(label) ?? (typeof label === 'string' && numbers.has(label) ? JSON.stringify(label) : String(label));
}

/** `-k 2` or `-k 1,2,3,5,10`: distinct positive integers, in the order given. */
export function kList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1))
    throw new InvalidArgumentError('expected a positive integer or a comma-separated list of them.');
  const ks = parts.map(Number);
  if (new Set(ks).size !== ks.length) throw new InvalidArgumentError('the list repeats a value.');
  return ks;
}

export function tieRule(value: string): TieRule {
  if (!isTieRule(value)) throw new InvalidArgumentError(`expected one of ${TIE_RULES.join(', ')}.`);
  return value;
}
