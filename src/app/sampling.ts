/**
 * Seeded selection of test rows. The generator is mulberry32: tiny, fast, and identical on every
 * platform, so `--sample N --seed S` picks the same rows everywhere.
 */
import type { Label } from '../io/records.js';

export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A stratified random sample of `n` row indices: each label gets a share proportional to its count
 * (largest remainders, ties broken by first appearance), rows are drawn without replacement by a
 * seeded Fisher–Yates shuffle, and the result is returned in ascending row order.
 */
export function stratifiedSample(labels: readonly Label[], n: number, seed: number): number[] {
  if (n >= labels.length) return labels.map((_, i) => i);
  const groups = new Map<Label, number[]>();
  labels.forEach((label, i) => {
    const rows = groups.get(label);
    if (rows) rows.push(i);
    else groups.set(label, [i]);
  });
  const entries = [...groups.values()];
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
  entries.forEach((rows, g) => {
    const pool = rows.slice();
    for (let i = 0; i < counts[g]; i++) {
      const j = i + Math.floor(random() * (pool.length - i));
      [pool[i], pool[j]] = [pool[j], pool[i]];
      picked.push(pool[i]);
    }
  });
  return picked.sort((a, b) => a - b);
}
