/**
 * How a command's data files are laid out: each file's format (its own flag, its extension, or
 * `--format`), its text and label fields, and the columns of a CSV or TSV file without a header, from
 * the layout flags, with every combination that would leave a flag without effect refused (usage errors
 * naming the flags). The CLI parses the flags; the data specs made here are what app/training.ts reads.
 */
import { UsageError } from '../errors.js';
import { fieldSpecProblem as problemOfSpec, parseFieldSpec } from '../io/field-paths.js';
import { extensionOf, type FileFormat, formatFromPath } from '../io/lines.js';
import type { InputFormat, LayoutFlags } from '../io/records.js';
import type { DataSpec } from './training.js';

/**
 * What is wrong with a field spec, or undefined: `text` (`--text-field`: names or dot paths, several
 * joined), `label` (`--label-field`: one name or dot path), `columns` (`--columns`: plain names).
 */
export function fieldSpecProblem(value: string, kind: 'text' | 'label' | 'columns'): string | undefined {
  return problemOfSpec(parseFieldSpec(value), kind === 'label' ? { single: true } : kind === 'columns' ? { flat: true } : {});
}

/** The column names of a `--columns` value (`\,` `\.` `\\` unescaped), in order; check it with fieldSpecProblem first. */
export function columnList(value: string): string[] {
  return parseFieldSpec(value).paths.map((p) => p[0]);
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
 * `dataset`: the catalog data set a side without a file is read from (default: AG News).
 */
export function dataSpecs(
  options: DataFileOptions,
  extra: { strip?: boolean; testFile?: boolean; dataset?: string } = {},
): { train: DataSpec; test: DataSpec } {
  const trainFormat = chooseFormat(options.train, options.trainFormat, options.format, '--train-format');
  const testFormat = chooseFormat(options.test, options.testFormat, options.format, '--test-format');
  const sides: FileSide[] = [
    { side: 'train', what: 'the training file', format: trainFormat, formatFlag: '--train-format', requireLabel: true },
  ];
  if (extra.testFile !== false)
    sides.push({ side: 'test', what: 'the test file', format: testFormat, formatFlag: '--test-format', requireLabel: true });
  const fields = fileFields(options, sides);
  const both = {
    ...(extra.strip === undefined ? {} : { strip: extra.strip }),
    ...(extra.dataset === undefined ? {} : { dataset: extra.dataset }),
  };
  return {
    train: { path: options.train, format: trainFormat, formatHint: formatHint('--train-format'), ...fields.train, ...both },
    test: { path: options.test, format: testFormat, formatHint: formatHint('--test-format'), ...(fields.test ?? fields.train), ...both },
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
