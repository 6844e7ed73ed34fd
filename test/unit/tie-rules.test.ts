import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/model/random.js';
import {
  creditWithRule,
  decrementVote,
  isTieRule,
  lenientCorrect,
  pickRandom,
  predictionWeights,
  predictWithRule,
  TIE_RULES,
  weightedVote,
} from '../../src/model/tie-rules.js';
import { strictVote, topLabels } from '../../src/model/vote.js';

const A = 0;
const B = 1;
const C = 2;

describe('tie rules on hand-made lists', () => {
  it('agree when one label has the most votes', () => {
    const labels = [B, A, A, C];
    const d = [0.1, 0.2, 0.3, 0.4];
    for (const rule of TIE_RULES) expect(predictWithRule(rule, labels, d, 4, () => 0.99)).toBe(A);
    for (const rule of TIE_RULES) expect(creditWithRule(rule, labels, d, 4, A)).toBe(1);
  });

  it('[A,B,B,A]: nearest says A, decrement says B (k = 3 has a majority)', () => {
    const labels = [A, B, B, A];
    const d = [0.1, 0.3, 0.3, 0.35];
    expect(strictVote(labels, 4)).toBe(A);
    expect(decrementVote(labels, 4)).toBe(B);
    // Sums: A 0.45, B 0.6 -> weighted agrees with nearest here.
    expect(weightedVote(labels, d, 4)).toBe(A);
  });

  it('[A,B,B,A]: weighted says B when its neighbours are closer in total', () => {
    const labels = [A, B, B, A];
    const d = [0.1, 0.2, 0.2, 0.5];
    expect(weightedVote(labels, d, 4)).toBe(B); // B: 0.4, A: 0.6
    expect(strictVote(labels, 4)).toBe(A);
    expect(creditWithRule('weighted', labels, d, 4, B)).toBe(1);
    expect(creditWithRule('nearest', labels, d, 4, B)).toBe(0);
  });

  it('weighted falls back to the nearest label when the sums tie exactly', () => {
    // B: 0.25 + 0.75 = 1, A: 0.5 + 0.5 = 1.
    expect(weightedVote([B, A, A, B], [0.25, 0.5, 0.5, 0.75], 4)).toBe(B);
    expect(weightedVote([A, B], [0.5, 0.5], 2)).toBe(A);
  });

  it('decrement can need several steps', () => {
    // k = 6: 2-2-2; k = 5: B and C tie; k = 4: C has two votes alone.
    const labels = [A, B, C, C, B, A];
    expect(decrementVote(labels, 6)).toBe(C);
    expect(strictVote(labels, 6)).toBe(A);
    // k = 2 always falls back to the nearest neighbour.
    expect(decrementVote([B, A], 2)).toBe(B);
  });

  it('random: exact expected credit, no random numbers', () => {
    const d = [0.1, 0.2, 0.3, 0.4];
    expect(creditWithRule('random', [A, B, B, A], d, 4, A)).toBe(0.5);
    expect(creditWithRule('random', [A, B, B, A], d, 4, C)).toBe(0);
    expect(creditWithRule('random', [A, B, C], d, 3, C)).toBeCloseTo(1 / 3, 15);
    expect(creditWithRule('random', [A, B, C, A], d, 4, A)).toBe(1);
    expect(creditWithRule('random', [A, B, C, A], d, 4, B)).toBe(0);
    expect(predictionWeights('random', [A, B, C], d, 3)).toEqual([
      { label: A, weight: 1 / 3 },
      { label: B, weight: 1 / 3 },
      { label: C, weight: 1 / 3 },
    ]);
    expect(predictionWeights('decrement', [A, B, B, A], d, 4)).toEqual([{ label: B, weight: 1 }]);
  });

  it('only the first k count; fewer neighbours than k use all of them', () => {
    expect(decrementVote([A, B, B, B], 2)).toBe(A);
    expect(weightedVote([A], [0.3], 5)).toBe(A);
    expect(creditWithRule('random', [A, B], [0.1, 0.2], 10, B)).toBe(0.5);
  });

  it('refuses empty lists and bad k', () => {
    expect(() => strictVote([], 1)).toThrow(RangeError);
    expect(() => strictVote([A], 0)).toThrow(RangeError);
    expect(() => decrementVote([A], 0)).toThrow(RangeError);
    expect(() => predictWithRule('random', [A, B], [0.1, 0.1], 2)).toThrow(/random source/);
  });

  it('lenient is the existing rule', () => {
    expect(lenientCorrect([A, B], 2, B)).toBe(true);
    expect(lenientCorrect([A, A, B], 3, B)).toBe(false);
  });

  it('knows the rule names', () => {
    expect(isTieRule('weighted')).toBe(true);
    expect(isTieRule('__proto__')).toBe(false);
  });
});

describe('pickRandom', () => {
  it('is reproducible with a seeded generator and only draws on ties', () => {
    const picks = (seed: number): number[] => {
      const random = mulberry32(seed);
      return Array.from({ length: 50 }, () => pickRandom([A, B, C, C, B, A], 6, random));
    };
    expect(picks(7)).toEqual(picks(7));
    let calls = 0;
    const counting = (): number => {
      calls++;
      return 0.5;
    };
    expect(pickRandom([A, A, B], 3, counting)).toBe(A);
    expect(calls).toBe(0);
    expect(pickRandom([A, B], 2, counting)).toBe(B);
    expect(calls).toBe(1);
    expect(predictWithRule('random', [A, B], [0.1, 0.1], 2, () => 0)).toBe(A);
    expect(predictWithRule('random', [A, B], [0.1, 0.1], 2, () => 0.999999)).toBe(B);
  });

  it('picks every tied label about equally often', () => {
    const random = mulberry32(1);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30000; i++) counts[pickRandom([A, B, C], 3, random)]++;
    for (const c of counts) expect(Math.abs(c - 10000)).toBeLessThan(400);
  });
});

describe('rule properties on random lists', () => {
  /** Decrement restated: among the tied labels, the one whose last row within the k is nearest. */
  function decrementByLastOccurrence(labels: number[], k: number): number {
    const n = Math.min(k, labels.length);
    const tied = topLabels(labels, n);
    let best = tied[0];
    let bestLast = Infinity;
    for (const label of tied) {
      const last = labels.slice(0, n).lastIndexOf(label);
      if (last < bestLast) {
        best = label;
        bestLast = last;
      }
    }
    return best;
  }

  it('the nearest rule is strictVote, and decrement = "earliest last occurrence among the tied"', () => {
    const random = mulberry32(42);
    const failures: unknown[] = [];
    for (let trial = 0; trial < 2000; trial++) {
      const n = 1 + Math.floor(random() * 9);
      const labels = Array.from({ length: n }, () => Math.floor(random() * 4));
      const d = Array.from({ length: n }, () => Math.floor(random() * 4) / 4).sort((a, b) => a - b);
      for (let k = 1; k <= n + 1; k++) {
        const tied = topLabels(labels, k);
        const expected = tied.reduce((sum, t) => sum + creditWithRule('random', labels, d, k, t), 0);
        const ok =
          predictWithRule('nearest', labels, d, k) === strictVote(labels, k) &&
          decrementVote(labels, k) === decrementByLastOccurrence(labels, k) &&
          tied.includes(weightedVote(labels, d, k)) &&
          Math.abs(expected - 1) < 1e-12;
        if (!ok) failures.push({ labels, d, k });
      }
    }
    expect(failures).toEqual([]);
  });
});
