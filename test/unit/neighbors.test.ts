import { describe, expect, it } from 'vitest';
import { NearestNeighbors } from '../../src/model/neighbors.js';
import { ncdFromLengths } from '../../src/model/ncd.js';
import { mulberry32 } from '../../src/model/random.js';

describe('NearestNeighbors', () => {
  it('orders by distance, then by training index', () => {
    const nn = new NearestNeighbors(4);
    const offers: [number, number][] = [
      [0.5, 0],
      [0.3, 1],
      [0.5, 2],
      [0.3, 3],
      [0.1, 4],
      [0.5, 5],
    ];
    for (const [d, i] of offers) nn.offer(d, i);
    expect(nn.toList()).toEqual([
      { index: 4, distance: 0.1 },
      { index: 1, distance: 0.3 },
      { index: 3, distance: 0.3 },
      { index: 0, distance: 0.5 },
    ]);
  });

  it('matches a full sort by (distance, index) on random data with many ties', () => {
    const random = mulberry32(42);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 60);
      const m = 1 + Math.floor(random() * 12);
      const distances = Array.from({ length: n }, () => Math.floor(random() * 6) / 5);
      const nn = new NearestNeighbors(m);
      distances.forEach((d, i) => nn.offer(d, i));
      const expected = distances
        .map((distance, index) => ({ index, distance }))
        .sort((a, b) => a.distance - b.distance || a.index - b.index)
        .slice(0, m);
      expect(nn.toList()).toEqual(expected);
    }
  });

  it('reset empties it for the next query', () => {
    const nn = new NearestNeighbors(2);
    nn.offer(0.2, 0);
    nn.reset();
    nn.offer(0.9, 1);
    expect(nn.toList()).toEqual([{ index: 1, distance: 0.9 }]);
  });
});

describe('ncdFromLengths', () => {
  it('is (C(xy) - min) / max, computed like Python', () => {
    expect(ncdFromLengths(50, 60, 80)).toBe((80 - 50) / 60);
    expect(ncdFromLengths(60, 50, 80)).toBe((80 - 50) / 60);
    expect(ncdFromLengths(40, 40, 42)).toBe(2 / 40);
  });
});
