/**
 * Seeded selection of rows: stratified samples of test rows, and the draw without replacement that
 * few-shot training sets use too. The generator is mulberry32 (model/random.ts), identical on every
 * platform, so `--sample N --seed S` picks the same rows everywhere.
 */
import type { Label } from '../model/labels.js';
import { mulberry32 } from '../model/random.js';

/**
 * A stratified random sample of `n` row indices: each label gets a share proportional to its count
 * (largest remainders, ties broken by first appearance), rows are drawn without replacement by a
 * seeded Fisher–Yates shuffle, and the result is returned in ascending row order.
 */
export function stratifiedSample(labels: readonly Label[], n: number, seed: number): number[] {
  if (n >= labels.length) return labels.map((_, i) => i);
  const entries = [...rowsByLabel(labels).values()];
  const quotas = entries.map((rows) => (rows.length * n) / labels.length);
  const counts = quotas.map(Math.floor);
  let missing = n - counts.reduce((a, b) => a + b, 0);
  const byRemainder = quotas.map((q, i) => [q - Math.floor(q), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of byRemainder) {
    if (missing === 0) break;
    counts[i]++;
    missing--;
  }
  const random = mulberry32(seed);
  const picked: number[] = [];
  entries.forEach((rows, g) => picked.push(...drawRows(rows, counts[g], random)));
  return picked.sort((a, b) => a - b);
}

/** Row indices per label, labels in order of first appearance, rows ascending. */
export function rowsByLabel(labels: readonly Label[]): Map<Label, number[]> {
  const groups = new Map<Label, number[]>();
  labels.forEach((label, i) => {
    const rows = groups.get(label);
    if (rows) rows.push(i);
    else groups.set(label, [i]);
  });
  return groups;
}

/**
 * `count` of `rows` drawn without replacement, in the order drawn: a partial Fisher–Yates shuffle of a
 * copy (step i swaps position i with a uniform j in [i, n)). `rows` itself is not changed.
 */
export function drawRows(rows: readonly number[], count: number, random: () => number): number[] {
  const pool = rows.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, count);
}
