/**
 * A label exactly as the data gave it: strings stay strings, JSON numbers stay numbers, and integers
 * beyond 2^53 (which a double would round) are bigints, so 12345678901234567890 stays itself.
 * 1 and "1" are different labels; a number and a bigint never hold the same value.
 */
export type Label = string | number | bigint;

/** One row of a data set, with where it came from (1-based line of its source) for error messages. */
export interface LabeledRecord {
  text: string;
  /** Undefined when the source row has no label (allowed for classify input, not for training). */
  label: Label | undefined;
  /** 1-based line number in the source (for CSV: the line where the record starts). */
  line: number;
  /** The source line of a JSONL record (BOM and CR removed), when the reader was asked to keep it. */
  raw?: string;
}

export type InputFormat = 'jsonl' | 'csv' | 'tsv' | 'text';

export interface ReadOptions {
  /** Name used in error messages (`train.jsonl`, `<stdin>`). */
  source: string;
  format: InputFormat;
  textField: string;
  labelField: string;
  /** Whether a missing label is an error (training and test sets) or allowed (classify input). */
  requireLabel: boolean;
  /** Keep each JSONL record's source line in `raw` (classify passes it through byte for byte). */
  keepRaw?: boolean;
  /** Added to a JSON parse error when a line does not look like JSON, e.g. `pass --input text`. */
  formatHint?: string;
}
