import { describe, expect, it } from 'vitest';
import { fewShotSplits, meanStd } from '../../src/app/few-shot.js';
import { UsageError } from '../../src/errors.js';
import type { Label } from '../../src/model/labels.js';

const labels: Label[] = [
  ...Array<Label>(30).fill('sports'),
  ...Array<Label>(12).fill('__proto__'),
  ...Array<Label>(7).fill(3),
  ...Array<Label>(20).fill('3'),
];
// Interleave so that class rows are not contiguous.
const shuffled = labels
  .map((label, i) => [label, (i * 37) % labels.length] as const)
  .sort((a, b) => a[1] - b[1])
  .map(([label]) => label);

describe('fewShotSplits', () => {
  it('draws N distinct rows per class, sorted, in every trial', () => {
    const splits = fewShotSplits(shuffled, 5, 4, 1);
    expect(splits.length).toBe(4);
    for (const rows of splits) {
      expect(rows.length).toBe(20);
      expect(new Set(rows).size).toBe(20);
      expect(rows).toEqual([...rows].sort((a, b) => a - b));
      for (const label of ['sports', '__proto__', 3, '3'] as Label[]) {
        expect(rows.filter((r) => shuffled[r] === label).length).toBe(5);
      }
    }
    // Different trials draw different rows.
    expect(new Set(splits.map((rows) => rows.join(','))).size).toBe(4);
  });

  it('is reproducible from the seed, and trials do not depend on how many are asked for', () => {
    const a = fewShotSplits(shuffled, 3, 5, 42);
    expect(fewShotSplits(shuffled, 3, 5, 42)).toEqual(a);
    expect(fewShotSplits(shuffled, 3, 2, 42)).toEqual(a.slice(0, 2));
    expect(fewShotSplits(shuffled, 3, 5, 43)).not.toEqual(a);
  });

  it('pins the draw (mulberry32 is the same on every platform)', () => {
    // Cross-checked with an independent Python implementation of mulberry32 and the same draw.
    expect(fewShotSplits(['a', 'b', 'a', 'b', 'a', 'b'], 1, 3, 7)).toEqual([
      [0, 1],
      [4, 5],
      [2, 3],
    ]);
  });

  it('takes every row when N equals the class size', () => {
    const [rows] = fewShotSplits(shuffled, 7, 1, 0);
    expect(rows.filter((r) => shuffled[r] === 3).length).toBe(7);
  });

  it('names every class that is too small', () => {
    expect(() => fewShotSplits(shuffled, 13, 1, 1)).toThrow(UsageError);
    expect(() => fewShotSplits(shuffled, 13, 1, 1)).toThrow(
      '13-shot draws need 13 training rows in every class, but class 3 has 7, "__proto__" has 12',
    );
  });

  it('rejects bad counts (the CLI checks them first: this is a programming error)', () => {
    expect(() => fewShotSplits(shuffled, 0, 1, 1)).toThrow(RangeError);
    expect(() => fewShotSplits(shuffled, 1, 0, 1)).toThrow(RangeError);
    expect(() => fewShotSplits(shuffled, 1.5, 1, 1)).toThrow(RangeError);
  });
});

describe('meanStd', () => {
  it('uses the sample standard deviation (n − 1)', () => {
    const { n, mean, std } = meanStd([1, 2, 3, 4]);
    expect(n).toBe(4);
    expect(mean).toBe(2.5);
    expect(std).toBeCloseTo(Math.sqrt(5 / 3), 15);
    expect(meanStd([0.5, 0.5, 0.5]).std).toBe(0);
  });

  it('reports 0 spread for one value and refuses none', () => {
    expect(meanStd([0.7])).toEqual({ n: 1, mean: 0.7, std: 0 });
    expect(() => meanStd([])).toThrow(RangeError);
  });
});
