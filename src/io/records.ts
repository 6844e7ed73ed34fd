import type { Label } from '../model/labels.js';

/** One row of a data set, with where it came from (1-based line of its source) for error messages. */
export interface LabeledRecord {
  text: string;
  /** Undefined when the source row has no label (allowed for classify input, not for training). */
  label: Label | undefined;
  /** 1-based line number in the source (for CSV: the line where the record starts). */
  line: number;
  /** The source line of a JSONL record (without the file's BOM and the line end), when the reader was asked to keep it. */
  raw?: string;
  /** With `raw`: the source line's end as written (`\n`, `\r\n`; '' or `\r` for a last line without LF). */
  end?: string;
}

/** `ag_news`: the AG News CSV layout (no header; class,title,description), read only when asked for. */
export type InputFormat = 'jsonl' | 'csv' | 'tsv' | 'ag_news' | 'text';

export interface ReadOptions {
  /** Name used in error messages (`train.jsonl`, `<stdin>`). */
  source: string;
  format: InputFormat;
  textField: string;
  labelField: string;
  /** The names of the columns of a CSV or TSV file without a header row: its first row is data. */
  columns?: readonly string[];
  /** The flags named in this file's error messages (default `--format`, `--columns`). */
  flags?: LayoutFlags;
  /** Whether a missing label is an error (training and test sets) or allowed (classify input). */
  requireLabel: boolean;
  /** Keep each JSONL record's source line in `raw` (classify passes it through byte for byte). */
  keepRaw?: boolean;
  /** Yield a record with an empty text instead of failing (drift counts them: empty input is drift too). */
  allowEmptyText?: boolean;
  /** Added to a JSON parse error when a line does not look like JSON, e.g. `pass --input text`. */
  formatHint?: string;
}

/** The flags that set a file's format and columns, for hints: `--train-format`, `--columns` (the one in effect), `--train-columns` (its own). */
export interface LayoutFlags {
  format: string;
  columns: string;
  ownColumns?: string;
}
