import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/model/random.js';
import {
  EnvelopeAccumulator,
  type EnvelopeMode,
  type EnvelopeRow,
  type EnvelopeSummary,
  envelopeRow,
  envelopeRowAll,
} from '../../src/model/envelope.js';
import { decrementVote } from '../../src/model/tie-rules.js';
import { strictVote, topLabels } from '../../src/model/vote.js';

/** The summary of a list of rows (what EvalAccumulator does row by row). */
function summarizeEnvelope(rows: Iterable<EnvelopeRow>): EnvelopeSummary {
  const acc = new EnvelopeAccumulator();
  for (const row of rows) acc.add(row);
  return acc.summary();
}

const A = 0;
const B = 1;
const C = 2;

const row = (best: boolean, worst: boolean, exact = true): EnvelopeRow => ({ best, worst, exact });

describe('envelope on hand-made lists', () => {
  it('k = 1: the group tied at the minimum distance', () => {
    const labels = [A, B, C];
    const d = [0.1, 0.1, 0.2];
    expect(envelopeRow(labels, d, 1, 'strict', A)).toEqual(row(true, false));
    expect(envelopeRow(labels, d, 1, 'strict', B)).toEqual(row(true, false));
    expect(envelopeRow(labels, d, 1, 'strict', C)).toEqual(row(false, false));
    expect(envelopeRow([A, A, C], d, 1, 'strict', A)).toEqual(row(true, true));
    expect(envelopeRow([A, B, C], [0.1, 0.2, 0.3], 1, 'strict', A)).toEqual(row(true, true));
  });

  it('lenient top-2: a tie group straddling positions 1 and 2', () => {
    const labels = [A, B, B, C];
    const d = [0.1, 0.2, 0.2, 0.2];
    const complete = { complete: true };
    expect(envelopeRow(labels, d, 2, 'lenient', A, complete)).toEqual(row(true, true));
    expect(envelopeRow(labels, d, 2, 'lenient', B, complete)).toEqual(row(true, false));
    expect(envelopeRow(labels, d, 2, 'lenient', C, complete)).toEqual(row(true, false));
    // Both positions inside one group of three.
    expect(envelopeRow([A, B, C, A], [0.1, 0.1, 0.1, 0.4], 2, 'lenient', A)).toEqual(row(true, false));
    expect(envelopeRow([A, A, C, A], [0.1, 0.1, 0.1, 0.4], 2, 'lenient', A)).toEqual(row(true, true));
    expect(envelopeRow([A, C, C, A], [0.1, 0.1, 0.1, 0.4], 2, 'lenient', A)).toEqual(row(true, false));
    expect(envelopeRow([C, C, B, A], [0.1, 0.1, 0.1, 0.4], 2, 'lenient', A)).toEqual(row(false, false));
  });

  it('strict k = 3: nearest and decrement see different ranges', () => {
    // Fixed: A at 0.1. Boundary group at 0.2: B, C (two slots of three... here two slots, both taken).
    // Orders: [A, B, C] or [A, C, B] -> 1-1-1 tie: nearest always A; decrement: the last occurrence
    // decides, A's is first -> A. Both exact.
    expect(envelopeRow([A, B, C], [0.1, 0.2, 0.2], 3, 'nearest', A, { complete: true })).toEqual(row(true, true));
    // Groups {A, B} at 0.1 then C: nearest picks A or B by order; decrement too.
    expect(envelopeRow([A, B, C], [0.1, 0.1, 0.2], 3, 'nearest', B, { complete: true })).toEqual(row(true, false));
    // [A, B | B, A] at k = 4 with the boundary group {B, A, C} at 0.3 (one slot):
    // taking A -> 2-1 A; taking B -> B wins; taking C -> 1-1... A B B C? labels below.
    const labels = [A, B, B, A, C];
    const d = [0.1, 0.2, 0.2, 0.3, 0.3];
    // k = 4 takes A or C from the boundary: [A,B,B,A] tie 2-2 or [A,B,B,C] B wins.
    expect(envelopeRow(labels, d, 4, 'nearest', A, { complete: true })).toEqual(row(true, false));
    expect(envelopeRow(labels, d, 4, 'nearest', B, { complete: true })).toEqual(row(true, false));
    // Decrement: 2-2 tie -> the last A (position 4) is after the last B -> B; with C, B wins outright.
    expect(envelopeRow(labels, d, 4, 'decrement', B, { complete: true })).toEqual(row(true, true));
    expect(envelopeRow(labels, d, 4, 'decrement', A, { complete: true })).toEqual(row(false, false));
  });

  it('flags rows whose boundary group may continue beyond the saved list', () => {
    // The last saved neighbour is at the k-th distance: unseen rows may tie with it.
    expect(envelopeRow([A, A], [0.1, 0.1], 1, 'strict', A)).toEqual(row(true, false, false));
    expect(envelopeRow([A, A], [0.1, 0.1], 1, 'strict', A, { complete: true })).toEqual(row(true, true));
    expect(envelopeRow([A, A, B], [0.1, 0.1, 0.2], 1, 'strict', A)).toEqual(row(true, true));
    // Lenient top-2 with the second slot in an open-ended group.
    expect(envelopeRow([B, A], [0.1, 0.2], 2, 'lenient', A)).toEqual(row(true, false, false));
    expect(envelopeRow([B, C], [0.1, 0.2], 2, 'lenient', A)).toEqual(row(true, false, false));
    // The fixed neighbour alone decides: still exact even though unseen rows may tie at position 2.
    expect(envelopeRow([A, C], [0.1, 0.2], 2, 'lenient', A)).toEqual(row(true, true));
    // Fewer saved neighbours than k.
    expect(envelopeRow([A], [0.1], 3, 'nearest', A)).toEqual(row(true, false, false));
    expect(envelopeRow([A], [0.1], 3, 'nearest', A, { complete: true })).toEqual(row(true, true));
  });

  it('a true label no training row has is never correct', () => {
    expect(envelopeRow([A, B], [0.1, 0.1], 1, 'strict', -1)).toEqual(row(false, false));
    expect(envelopeRowAll([A], [0.1], 5, -1).lenient).toEqual(row(false, false));
  });

  it('refuses unsorted distances and bad k', () => {
    expect(() => envelopeRow([A, B], [0.2, 0.1], 1, 'strict', A)).toThrow(RangeError);
    expect(() => envelopeRow([A, B], [0.1, 0.2], 0, 'strict', A)).toThrow(RangeError);
    expect(() => envelopeRow([], [], 1, 'strict', A)).toThrow(RangeError);
  });

  it('sums rows into the reachable accuracy range', () => {
    const summary = summarizeEnvelope([row(true, true), row(true, false), row(false, false, false), row(true, false)]);
    expect(summary).toEqual({ n: 4, best: 3, worst: 1, low: 0.25, high: 0.75, inexact: 1, exact: false });
    expect(new EnvelopeAccumulator().summary()).toEqual({ n: 0, best: 0, worst: 0, low: 0, high: 0, inexact: 0, exact: true });
  });
});

/** Every order of the rows within each group of equal distances (the whole, complete list). */
function* tieOrders(labels: number[], distances: number[]): Generator<number[]> {
  const groups: number[][] = [];
  for (let i = 0; i < labels.length; i++) {
    if (i === 0 || distances[i] !== distances[i - 1]) groups.push([]);
    groups[groups.length - 1].push(labels[i]);
  }
  function* permutations(items: number[]): Generator<number[]> {
    if (items.length <= 1) {
      yield items;
      return;
    }
    for (let i = 0; i < items.length; i++) {
      if (items.indexOf(items[i]) !== i) continue; // same label: same sequences
      const rest = [...items.slice(0, i), ...items.slice(i + 1)];
      for (const p of permutations(rest)) yield [items[i], ...p];
    }
  }
  function* concat(g: number): Generator<number[]> {
    if (g === groups.length) {
      yield [];
      return;
    }
    for (const head of permutations(groups[g])) for (const tail of concat(g + 1)) yield [...head, ...tail];
  }
  yield* concat(0);
}

/** Brute force over every tie order: the set of outcomes per mode (predictions, or lenient top sets). */
function bruteForce(
  labels: number[],
  distances: number[],
  k: number,
): (mode: EnvelopeMode, trueLabel: number) => { best: boolean; worst: boolean } {
  const nearest = new Set<number>();
  const decrement = new Set<number>();
  const lenient: number[][] = [];
  for (const order of tieOrders(labels, distances)) {
    nearest.add(strictVote(order, k));
    decrement.add(decrementVote(order, k));
    lenient.push(topLabels(order, k));
  }
  return (mode, t) => {
    if (mode === 'lenient') return { best: lenient.some((top) => top.includes(t)), worst: lenient.every((top) => top.includes(t)) };
    const outcomes = mode === 'decrement' ? decrement : nearest;
    return { best: outcomes.has(t), worst: outcomes.size === 1 && outcomes.has(t) };
  };
}

/** Fails with the whole case in the message (cheap when it passes). */
function same(got: unknown, want: unknown, context: object): void {
  if (JSON.stringify(got) !== JSON.stringify(want)) expect({ ...context, got }).toEqual({ ...context, got: want });
}

function randomList(random: () => number, n: number, numLabels: number, numDistances: number): { labels: number[]; distances: number[] } {
  const labels = Array.from({ length: n }, () => Math.floor(random() * numLabels));
  const distances = Array.from({ length: n }, () => (1 + Math.floor(random() * numDistances)) / 8).sort((a, b) => a - b);
  return { labels, distances };
}

const MODES: EnvelopeMode[] = ['nearest', 'decrement', 'lenient'];

describe('envelope agrees with brute force over every tie order', () => {
  it('complete lists: exact bounds for every k, mode and true label', () => {
    const random = mulberry32(2023);
    let differing = 0;
    for (let trial = 0; trial < 1500; trial++) {
      const n = 1 + Math.floor(random() * 7);
      const { labels, distances } = randomList(random, n, 2 + Math.floor(random() * 3), 1 + Math.floor(random() * 3));
      for (let k = 1; k <= n; k++) {
        const truth = bruteForce(labels, distances, k);
        for (const mode of MODES) {
          for (let t = -1; t <= 4; t++) {
            const got = envelopeRow(labels, distances, k, mode, t, { complete: true });
            const want = t < 0 ? { best: false, worst: false, exact: true } : { ...truth(mode, t), exact: true };
            same(got, want, { labels, distances, k, mode, t });
            if (got.best !== got.worst) differing++;
          }
        }
      }
    }
    expect(differing).toBeGreaterThan(500); // the test does exercise ties that matter
  });

  it('truncated lists: exact when flagged exact, otherwise widened around the truth', () => {
    const random = mulberry32(7);
    let inexact = 0;
    for (let trial = 0; trial < 600; trial++) {
      const n = 2 + Math.floor(random() * 6);
      const { labels, distances } = randomList(random, n, 2 + Math.floor(random() * 3), 1 + Math.floor(random() * 3));
      for (let m = 1; m < n; m++) {
        const saved = labels.slice(0, m);
        const savedD = distances.slice(0, m);
        for (let k = 1; k <= m + 1; k++) {
          const truth = bruteForce(labels, distances, k);
          for (const mode of MODES) {
            for (let t = 0; t <= 3; t++) {
              const got = envelopeRow(saved, savedD, k, mode, t);
              const want = truth(mode, t);
              const context = { labels, distances, m, k, mode, t };
              if (got.exact) {
                same({ best: got.best, worst: got.worst }, want, context);
              } else {
                inexact++;
                same(got.best >= want.best && got.worst <= want.worst, true, context);
              }
            }
          }
        }
      }
    }
    expect(inexact).toBeGreaterThan(100);
  });

  it('envelopeRowAll matches envelopeRow', () => {
    const random = mulberry32(99);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 8);
      const { labels, distances } = randomList(random, n, 3, 2);
      for (let k = 1; k <= n; k++) {
        const all = envelopeRowAll(labels, distances, k, 1);
        for (const mode of MODES)
          expect(all[mode as 'nearest' | 'decrement' | 'lenient']).toEqual(envelopeRow(labels, distances, k, mode, 1));
      }
    }
  });

  it('strict is the nearest rule, and k = 1 is the same under every rule', () => {
    const labels = [A, B, B, C];
    const d = [0.1, 0.1, 0.2, 0.2];
    for (const t of [A, B, C]) {
      expect(envelopeRow(labels, d, 2, 'strict', t)).toEqual(envelopeRow(labels, d, 2, 'nearest', t));
      expect(envelopeRow(labels, d, 1, 'decrement', t)).toEqual(envelopeRow(labels, d, 1, 'nearest', t));
    }
  });
});
