import { describe, expect, it } from 'vitest';
import { LabelEncoder } from '../../src/model/labels.js';
import { stratifiedSample } from '../../src/app/sampling.js';
import { mulberry32 } from '../../src/model/random.js';

describe('LabelEncoder', () => {
  it('keeps 1 and "1" distinct and sorts numbers before strings', () => {
    const enc = new LabelEncoder(['b', 1, '1', 0, 'a', 1]);
    expect(enc.classes).toEqual([0, 1, '1', 'a', 'b']);
    expect(enc.idOf(1)).not.toBe(enc.idOf('1'));
    expect(enc.idOf('missing')).toBe(-1);
  });

  it('treats prototype names as ordinary labels', () => {
    const enc = new LabelEncoder(['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
    expect(enc.classes.length).toBe(4);
    for (const label of enc.classes) expect(enc.labelOf(enc.idOf(label))).toBe(label);
  });
});

describe('stratifiedSample', () => {
  const labels = [...Array(70).fill('a'), ...Array(20).fill('b'), ...Array(10).fill('c')];

  it('allocates proportionally and returns sorted distinct rows', () => {
    const rows = stratifiedSample(labels, 10, 1);
    expect(rows.length).toBe(10);
    expect(new Set(rows).size).toBe(10);
    expect(rows).toEqual([...rows].sort((a, b) => a - b));
    const count = (l: string): number => rows.filter((r) => labels[r] === l).length;
    expect([count('a'), count('b'), count('c')]).toEqual([7, 2, 1]);
  });

  it('is reproducible for a seed and differs across seeds', () => {
    expect(stratifiedSample(labels, 20, 5)).toEqual(stratifiedSample(labels, 20, 5));
    expect(stratifiedSample(labels, 20, 5)).not.toEqual(stratifiedSample(labels, 20, 6));
  });

  it('returns every row when n is at least the size', () => {
    expect(stratifiedSample(['x', 'y'], 5, 0)).toEqual([0, 1]);
  });

  it('mulberry32 gives the same sequence for the same seed', () => {
    const a = mulberry32(9);
    const b = mulberry32(9);
    for (let i = 0; i < 5; i++) expect(a()).toBe(b());
  });
});
