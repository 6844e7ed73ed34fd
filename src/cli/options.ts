/** Option parsers shared by the commands. Bad values become usage errors (exit 2) naming the option. */
import { InvalidArgumentError } from 'commander';
import type { InputFormat, Label } from '../io/records.js';
import { isTieRule, TIE_RULES, type TieRule } from '../model/tie-rules.js';

export function positiveInt(value: string): number {
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1) throw new InvalidArgumentError('expected a positive integer.');
  return Number(value);
}

export function nonNegativeInt(value: string): number {
  if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError('expected a non-negative integer.');
  return Number(value);
}

export function dataFormat(value: string): InputFormat {
  if (value !== 'jsonl' && value !== 'csv') throw new InvalidArgumentError("expected 'jsonl' or 'csv'.");
  return value;
}

export function inputKind(value: string): 'jsonl' | 'text' {
  if (value !== 'jsonl' && value !== 'text') throw new InvalidArgumentError("expected 'jsonl' or 'text'.");
  return value;
}

/** `--label-names World,Sports,...`: names for integer labels 0, 1, 2, ... */
export function labelNames(value: string): string[] {
  const names = value.split(',').map((s) => s.trim());
  if (names.some((s) => s === '')) throw new InvalidArgumentError('expected a comma-separated list of names.');
  return names;
}

/**
 * How labels are shown to people: the registry/--label-names name if any, else the label itself, with
 * one exception: labels are kept as given, so 1 and "1" are different labels, and when both occur the
 * string one is shown quoted ("1") so the two can be told apart.
 */
export function labelFormatter(labels: Iterable<Label>, names: ReadonlyMap<Label, string> | undefined): (label: Label) => string {
  const numbers = new Set<string>();
  for (const label of labels) if (typeof label === 'number') numbers.add(String(label));
  return (label) => names?.get(label) ?? (typeof label === 'string' && numbers.has(label) ? JSON.stringify(label) : String(label));
}

/** `-k 2` or `-k 1,2,3,5,10`: distinct positive integers, in the order given. */
export function kList(value: string): number[] {
  const parts = value.split(',').map((s) => s.trim());
  if (parts.some((p) => !/^\d+$/.test(p) || Number(p) < 1)) throw new InvalidArgumentError('expected a positive integer or a comma-separated list of them.');
  const ks = parts.map(Number);
  if (new Set(ks).size !== ks.length) throw new InvalidArgumentError('the list repeats a value.');
  return ks;
}

export function tieRule(value: string): TieRule {
  if (!isTieRule(value)) throw new InvalidArgumentError(`expected one of ${TIE_RULES.join(', ')}.`);
  return value;
}
