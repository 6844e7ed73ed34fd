import { describe, expect, it } from 'vitest';
import { lenientCorrect, strictVote, topLabels, voteCounts } from '../../src/model/vote.js';

describe('strict vote', () => {
  it('takes the majority among the k nearest', () => {
    expect(strictVote([1, 0, 0], 3)).toBe(0);
    expect(strictVote([2, 2, 1, 1, 1], 5)).toBe(1);
  });

  it('breaks a tie with the label of the nearest neighbour among the tied labels', () => {
    expect(strictVote([3, 1], 2)).toBe(3);
    // 1 and 2 tie with two votes each; label 0 has one. The nearest of the tied labels is 2 (position 1).
    expect(strictVote([0, 2, 1, 1, 2], 5)).toBe(2);
  });

  it('only counts the first k neighbours', () => {
    expect(strictVote([1, 0, 0, 0], 1)).toBe(1);
    expect(voteCounts([1, 0, 0, 0], 2)).toEqual(
      new Map([
        [1, 1],
        [0, 1],
      ]),
    );
  });

  it('uses all neighbours when fewer than k are given', () => {
    expect(strictVote([4], 3)).toBe(4);
  });

  it('refuses an empty neighbour list', () => {
    expect(() => strictVote([], 2)).toThrow(RangeError);
  });
});

describe('lenient (paper) rule', () => {
  it('k = 2: correct when either neighbour is right', () => {
    expect(lenientCorrect([0, 1], 2, 0)).toBe(true);
    expect(lenientCorrect([0, 1], 2, 1)).toBe(true);
    expect(lenientCorrect([0, 1], 2, 2)).toBe(false);
  });

  it('counts only labels tied for most votes', () => {
    expect(lenientCorrect([0, 0, 1], 3, 1)).toBe(false);
    expect(lenientCorrect([0, 1, 2], 3, 2)).toBe(true);
    expect(topLabels([2, 0, 1, 0, 1], 5)).toEqual([0, 1]);
  });

  it('agrees with strict when there is no tie', () => {
    for (const labels of [
      [0, 0],
      [1, 1, 0],
      [2, 1, 2],
    ]) {
      const strict = strictVote(labels, labels.length);
      for (const truth of [0, 1, 2]) expect(lenientCorrect(labels, labels.length, truth)).toBe(truth === strict);
    }
  });
});
