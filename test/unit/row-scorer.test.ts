import { describe, expect, it } from 'vitest';
import { RowScorer } from '../../src/app/row-scorer.js';
import { LabelEncoder } from '../../src/model/labels.js';

// Training rows 0..5 with labels A A B B C B: hand-made neighbour lists where the tie rules disagree.
const encoder = new LabelEncoder(['A', 'B', 'C']);
const trainLabels = ['A', 'A', 'B', 'B', 'C', 'B'];
const trainIds = Int32Array.from(trainLabels, (l) => encoder.idOf(l));

function scorer(tie: 'nearest' | 'decrement' | 'random' | 'weighted', ks = [4]) {
  return new RowScorer(encoder, trainIds, { ks, tie, seed: 1, trainSize: trainLabels.length });
}

describe('RowScorer on hand-made neighbour lists (what eval and score share)', () => {
  // Row 0: neighbours A(0) B(2) B(3) A(1): a 2-2 tie at k=4.
  //   nearest → A (nearest of the tied); decrement → drop A(1) → B wins 2-1; weighted → lower total distance.
  const row0 = { indices: [0, 2, 3, 1], distances: [0.1, 0.2, 0.25, 0.6] };
  // Row 1: neighbours C(4) B(5) A(0) A(1): A wins outright at k=4; at k=1 C.
  const row1 = { indices: [4, 5, 0, 1], distances: [0.3, 0.31, 0.32, 0.33] };

  it('predicts with the headline rule and reports correctness per row', () => {
    const expected = { nearest: 'A', decrement: 'B', weighted: 'B' } as const;
    for (const tie of ['nearest', 'decrement', 'weighted'] as const) {
      const row = scorer(tie).add(7, 'B', row0.indices, row0.distances);
      expect(row.prediction).toBe(expected[tie]);
      expect(row.correct).toBe(expected[tie] === 'B');
      expect(row.lenient).toBe(true); // B is among the tied labels
      expect(row.neighbors).toEqual([
        [0, 0.1],
        [2, 0.2],
        [3, 0.25],
        [1, 0.6],
      ]);
    }
  });

  it('scores every rule at every k from the same lists; random gets 1/|tied| credit', () => {
    const s = scorer('nearest', [4, 1]);
    s.add(0, 'B', row0.indices, row0.distances);
    s.add(1, 'A', row1.indices, row1.distances);
    const { result, perClass } = s.scores();
    const at = (k: number) => Object.fromEntries(result.ks.find((r) => r.k === k)!.rules.map((r) => [r.rule, r.correct]));
    // k=4: row0 truth B (nearest A ✗, decrement B ✓, random ½, weighted B ✓); row1 truth A (all ✓).
    expect(at(4)).toEqual({ nearest: 1, decrement: 2, random: 1.5, weighted: 2 });
    // k=1: row0 → A ✗, row1 → C ✗.
    expect(at(1)).toEqual({ nearest: 0, decrement: 0, random: 0, weighted: 0 });
    expect(result.ks[0].lenient.correct).toBe(2);
    expect(result.ks[1].lenient.correct).toBe(0);
    // Per class at the headline (k=4, nearest): A predicted twice (one right), B never predicted.
    expect(perClass.map((c) => [c.label, c.n, c.precision, c.recall])).toEqual([
      ['A', 1, 0.5, 1],
      ['B', 1, 0, 0],
    ]);
  });

  it('a test label unseen in training is never correct but is counted', () => {
    const s = scorer('nearest');
    const row = s.add(0, 'Z', row1.indices, row1.distances);
    expect(row.correct).toBe(false);
    expect(row.lenient).toBe(false);
    expect(s.scores().confusionLabels.rows).toEqual(['A', 'B', 'C', 'Z']);
  });
});
