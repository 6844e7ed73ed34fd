/** Failure-matrix rows 59 and 60 at the unit level: labels matched by their text, names by their text. */
import { describe, expect, it } from 'vitest';
import { labelNameMap } from '../../src/app/training.js';
import { checkLabelNames } from '../../src/cli/options.js';
import { labelsMatchedByText, labelText } from '../../src/model/labels.js';

describe('row 59: test labels matched to training labels by their text', () => {
  it('row 59: a label text is the string itself or the shortest decimal form of a number or big integer', () => {
    expect([labelText('01'), labelText(1), labelText(0.5), labelText(1e2), labelText(12345678901234567890n)]).toEqual([
      '01',
      '1',
      '0.5',
      '100',
      '12345678901234567890',
    ]);
  });

  it('row 59: only labels that are no training label and have the text of exactly one are matched', () => {
    expect([...labelsMatchedByText([0, 1, 2], ['0', '1', 'x', '01', 2])]).toEqual([
      ['0', 0],
      ['1', 1],
    ]);
    expect([...labelsMatchedByText(['0', '1'], [0, 1, 12345678901234567890n])]).toEqual([
      [0, '0'],
      [1, '1'],
    ]);
    // A training set with both 1 and "1": either test label is a training label already.
    expect(labelsMatchedByText([1, '1'], [1, '1']).size).toBe(0);
  });
});

describe('row 60: --label-names by the label text', () => {
  it('row 60: the names map both the integer and the string of its digits', () => {
    const names = labelNameMap(['A', 'B'])!;
    expect([names.get(0), names.get('0'), names.get(1), names.get('1'), names.get('01')]).toEqual(['A', 'A', 'B', 'B', undefined]);
  });

  it('row 60: digits strings fit, other strings, a digits string past the names, and 0 with "0" do not', () => {
    expect(() => checkLabelNames(['A', 'B', 'C'], ['0', '1', '2'])).not.toThrow();
    expect(() => checkLabelNames(['A', 'B'], ['0', '01'])).toThrow('labels that are not integers ("01")');
    expect(() => checkLabelNames(['A', 'B'], ['0', '1', '2'])).toThrow('but label "2" has no name');
    expect(() => checkLabelNames(['A', 'B'], [0, '0', 1])).toThrow('would give labels 0 and "0" the same name');
  });
});
