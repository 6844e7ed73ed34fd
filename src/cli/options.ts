/** Option parsers shared by the commands. Bad values become usage errors (exit 2) naming the option. */
import { InvalidArgumentError } from 'commander';
import { columnList, fieldSpecProblem } from '../app/data-layout.js';
import { isTieRule, TIE_RULES } from '../app/row-scorer.js';
import { UsageError } from '../errors.js';
import type { FileFormat } from '../io/lines.js';
import type { Label } from '../model/labels.js';
import type { TieRule } from '../model/tie-rules.js';

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
  const problem = fieldSpecProblem(value, 'text');
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  return value;
}

/** `--label-field`: one name or dot path. */
export function labelFieldSpec(value: string): string {
  const problem = fieldSpecProblem(value, 'label');
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
  const problem = fieldSpecProblem(value, 'columns');
  if (problem) throw new InvalidArgumentError(`${problem}.`);
  const names = columnList(value);
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

/** `--port`: 0 (any free port) to 65535. */
export function port(value: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 65535)) throw new InvalidArgumentError('expected a port from 0 (any free port) to 65535.');
  return n;
}

/** A duration in seconds (`--timeout`, `--grace`): a positive number, at most a day. */
export function seconds(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n > 0 && n <= 86_400)) throw new InvalidArgumentError('expected a number of seconds above 0, at most 86400.');
  return n;
}

/** A poll interval: 0 (never) or more seconds, at most 86400. */
export function pollSeconds(value: string): number {
  const n = /^\d+(\.\d+)?$/.test(value.trim()) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 86_400)) throw new InvalidArgumentError('expected a number of seconds, 0 (only SIGHUP) or more, at most 86400.');
  return n;
}
