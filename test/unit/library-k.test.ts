/** Failure-matrix row 58, the library: more neighbours or voters than training rows is a RangeError. */
import { describe, expect, it } from 'vitest';
import { GzipKnnClassifier } from '../../src/index.js';
import { SENTENCES } from '../fixtures/sentences.js';

const texts = SENTENCES.map(([, text]) => text);
const labels = SENTENCES.map(([label]) => label);

describe('row 58: the library refuses more neighbours than training rows, as scikit-learn does', () => {
  it('row 58: kneighbors(texts, n) with n > rows → RangeError naming the rows; n = rows returns them all', () => {
    const clf = new GzipKnnClassifier().fit(texts, labels);
    expect(() => clf.kneighbors([texts[0]], 7)).toThrow(
      new RangeError('nNeighbors is 7, more than the 6 training rows: it can be at most 6'),
    );
    expect(clf.kneighbors([texts[0]], 6).indices[0].slice().sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('row 58: k > rows → RangeError at predict, predictProba, predictDetails, score and lenientScore (and a default kneighbors)', () => {
    const clf = new GzipKnnClassifier({ k: 7 }).fit(texts, labels);
    const error = new RangeError('k is 7, more than the 6 training rows: k can be at most 6');
    expect(() => clf.predict([texts[0]])).toThrow(error);
    expect(() => clf.predictProba([texts[0]])).toThrow(error);
    expect(() => clf.predictDetails([texts[0]])).toThrow(error);
    expect(() => clf.score([texts[0]], [labels[0]])).toThrow(error);
    expect(() => clf.lenientScore([texts[0]], [labels[0]])).toThrow(error);
    expect(() => clf.kneighbors([texts[0]])).toThrow(RangeError);
    expect(new GzipKnnClassifier({ k: 6 }).fit(texts, labels).predict([texts[0]])).toHaveLength(1);
  });
});
