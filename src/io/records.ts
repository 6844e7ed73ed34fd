/** A label exactly as the data gave it: JSON integers stay numbers, strings stay strings. */
export type Label = string | number;

/** One row of a data set, with where it came from (1-based line of its source) for error messages. */
export interface LabeledRecord {
  text: string;
  /** Undefined when the source row has no label (allowed for classify input, not for training). */
  label: Label | undefined;
  /** 1-based line number in the source (for CSV: the line where the record starts). */
  line: number;
  /** The whole parsed object for JSONL input, so classify can pass other fields through. */
  fields?: Record<string, unknown>;
}

export type InputFormat = 'jsonl' | 'csv' | 'text';

export interface ReadOptions {
  /** Name used in error messages (`train.jsonl`, `<stdin>`). */
  source: string;
  format: InputFormat;
  textField: string;
  labelField: string;
  /** Whether a missing label is an error (training and test sets) or allowed (classify input). */
  requireLabel: boolean;
}
