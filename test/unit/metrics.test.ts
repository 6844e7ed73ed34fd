import { describe, expect, it } from 'vitest';
import {
  classificationMetrics,
  ConfusionAccumulator,
  confusionMatrix,
  EvalAccumulator,
  TestLabelIds,
  wilsonInterval,
  Z95,
} from '../../src/app/classification-metrics.js';
import { classificationReport } from '../helpers/product-parts.js';
import { LabelEncoder } from '../../src/model/labels.js';

describe('wilsonInterval', () => {
  it('matches the closed form (values cross-checked with python3)', () => {
    const { low, high } = wilsonInterval(81, 263);
    expect(low).toBeCloseTo(0.2552885198782742, 13);
    expect(high).toBeCloseTo(0.36620957698280004, 13);
    expect(low.toFixed(4)).toBe('0.2553');
    expect(high.toFixed(4)).toBe('0.3662');
  });

  it('handles the edges exactly', () => {
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.2775327998628892, 13) as unknown as number });
    const all = wilsonInterval(10, 10);
    expect(all.high).toBe(1);
    expect(all.low).toBeCloseTo(0.7224672001371107, 13);
    expect(wilsonInterval(1, 1)).toEqual({ low: expect.closeTo(0.20654931437723745, 13) as unknown as number, high: 1 });
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('works on fractional successes (the random rule) and other z', () => {
    const { low, high } = wilsonInterval(7.5, 20);
    expect(low).toBeCloseTo(0.19977085566463149, 13);
    expect(high).toBeCloseTo(0.5905104338485734, 13);
    const wide = wilsonInterval(7.5, 20, 2.5758293035489);
    expect(wide.low).toBeLessThan(low);
    expect(wide.high).toBeGreaterThan(high);
    expect(Z95).toBeCloseTo(1.9599639845400536, 15);
  });

  it('rejects impossible proportions', () => {
    expect(() => wilsonInterval(3, 2)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 2)).toThrow(RangeError);
  });
});

describe('per-class metrics (scikit-learn conventions)', () => {
  it('matches a hand computation', () => {
    // Class 0: TP 1, FP 2, FN 1 -> P 1/3, R 1/2, F1 2/(2+2+1) = 0.4.
    // Class 1: TP 2, FP 1, FN 0 -> P 2/3, R 1, F1 4/5.
    // Class 2: never predicted -> P 0, R 0, F1 0.
    const report = classificationReport([0, 0, 1, 1, 2, 2], [0, 1, 1, 1, 0, 0], 3);
    expect(report.perClass.map((c) => [c.id, c.support, c.predicted, c.truePositives])).toEqual([
      [0, 2, 3, 1],
      [1, 2, 3, 2],
      [2, 2, 0, 0],
    ]);
    expect(report.perClass[0].precision).toBeCloseTo(1 / 3, 15);
    expect(report.perClass[0].recall).toBe(0.5);
    expect(report.perClass[0].f1).toBeCloseTo(0.4, 15);
    expect(report.perClass[1].f1).toBeCloseTo(0.8, 15);
    expect(report.perClass[2]).toMatchObject({ precision: 0, recall: 0, f1: 0 });
    expect(report.macroF1).toBeCloseTo(0.4, 15);
    expect(report.macroPrecision).toBeCloseTo(1 / 3, 15);
    expect(report.macroRecall).toBeCloseTo(0.5, 15);
  });

  it('averages over classes present in truth or predictions, including test-only labels', () => {
    // 4 training classes; class 3 appears nowhere; id 4 is a test-only label.
    const report = classificationReport([0, 1, 4, 4], [0, 2, 0, 1], 4);
    expect(report.perClass.map((c) => c.id)).toEqual([0, 1, 2, 4]);
    // F1: class 0: TP 1, FP 1 -> 2/3; class 1: FN 1, FP 1 -> 0; class 2: FP 1 -> 0; class 4: FN 2 -> 0.
    expect(report.macroF1).toBeCloseTo(2 / 3 / 4, 15);
  });

  it('builds a confusion matrix with rows for test-only labels', () => {
    const m = confusionMatrix([0, 2, 5], [1, 2, 0], 3);
    expect(m.rows).toBe(6);
    expect(m.columns).toBe(3);
    expect(m.counts).toEqual([
      [0, 1, 0],
      [0, 0, 0],
      [0, 0, 1],
      [0, 0, 0],
      [0, 0, 0],
      [1, 0, 0],
    ]);
    expect(() => confusionMatrix([0], [3], 3)).toThrow(RangeError);
    expect(() => confusionMatrix([0], [], 3)).toThrow(RangeError);
  });

  it('accepts fractional (expected) counts', () => {
    const acc = new ConfusionAccumulator(2);
    acc.add(0, 0, 0.5);
    acc.add(0, 1, 0.5);
    acc.add(1, 1);
    const metrics = classificationMetrics(acc.matrix());
    expect(metrics.perClass[0]).toMatchObject({ support: 1, predicted: 0.5, precision: 1, recall: 0.5 });
    expect(metrics.perClass[1].precision).toBeCloseTo(1 / 1.5, 15);
  });
});

describe('TestLabelIds', () => {
  it('keeps training ids and appends test-only labels, prototype names included', () => {
    const encoder = new LabelEncoder(['b', '__proto__', 1]);
    const ids = new TestLabelIds(encoder);
    expect(ids.numClasses).toBe(3);
    expect(ids.idOf('__proto__')).toBe(encoder.idOf('__proto__'));
    expect(ids.idOf('constructor')).toBe(3);
    expect(ids.idOf('1')).toBe(4);
    expect(ids.idOf('constructor')).toBe(3);
    expect(ids.size).toBe(5);
    expect(ids.labelOf(4)).toBe('1');
    expect(ids.labelOf(encoder.idOf(1))).toBe(1);
  });
});

describe('EvalAccumulator', () => {
  const A = 0;
  const B = 1;
  const C = 2;
  const ONLY_IN_TEST = 3;
  const rows: [number, number[], number[]][] = [
    [A, [A, B, B, A], [0.1, 0.3, 0.3, 0.35]],
    [B, [A, B, C, C], [0.1, 0.2, 0.3, 0.4]],
    [ONLY_IN_TEST, [B, B, A, A], [0.1, 0.2, 0.3, 0.4]],
    [C, [C, B, C, B], [0.1, 0.1, 0.2, 0.3]],
  ];

  function run(headline?: 'nearest' | 'random'): ReturnType<EvalAccumulator['result']> {
    const acc = new EvalAccumulator({
      ks: [1, 4],
      rules: ['nearest', 'decrement', 'random', 'weighted'],
      numClasses: 3,
      trainSize: 100,
      headline,
    });
    for (const [t, labels, d] of rows) acc.add(t, labels, d);
    expect(acc.count).toBe(4);
    return acc.result();
  }

  it('scores every k and rule in one pass', () => {
    const result = run();
    expect(result.n).toBe(4);
    const [k1, k4] = result.ks;
    expect(k1.rules.map((r) => [r.rule, r.correct])).toEqual([
      ['nearest', 2],
      ['decrement', 2],
      ['random', 2],
      ['weighted', 2],
    ]);
    expect(k1.lenient.correct).toBe(2);
    expect(k4.rules.map((r) => [r.rule, r.correct])).toEqual([
      ['nearest', 2],
      ['decrement', 1],
      ['random', 1],
      ['weighted', 2],
    ]);
    expect(k4.lenient.correct).toBe(2);
    expect(k4.rules[0]).toMatchObject({ n: 4, accuracy: 0.5, ...wilsonInterval(2, 4) });
    expect(k4.effectiveK).toBe(4);
  });

  it('reports per-class metrics and the confusion matrix of the headline rule', () => {
    const k4 = run().ks[1];
    expect(k4.headline.rule).toBe('nearest');
    expect(k4.headline.confusion.counts).toEqual([
      [1, 0, 0],
      [0, 0, 1],
      [0, 0, 1],
      [0, 1, 0],
    ]);
    expect(k4.headline.perClass.map((c) => [c.id, c.f1])).toEqual([
      [0, 1],
      [1, 0],
      [2, 2 / 3],
      [3, 0],
    ]);
    expect(k4.headline.macroF1).toBeCloseTo(5 / 12, 15);
  });

  it('uses expected counts when the headline rule is random', () => {
    const k4 = run('random').ks[1];
    expect(k4.headline.confusion.counts[0]).toEqual([0.5, 0.5, 0]);
    expect(k4.headline.confusion.counts[2]).toEqual([0, 0.5, 0.5]);
  });

  it('computes the tie-order envelopes', () => {
    const result = run();
    expect(result.envelopes.top1).toEqual({ n: 4, best: 2, worst: 1, low: 0.25, high: 0.5, inexact: 0, exact: true });
    expect(result.envelopes.lenientTop2).toMatchObject({ best: 3, worst: 3, exact: true });
    const k1 = result.ks[0].envelopes;
    expect(k1?.nearest).toEqual(result.envelopes.top1);
    expect(k1?.decrement).toEqual(result.envelopes.top1);
    // k = 4: the last saved neighbour is the 4th, so unseen rows may tie with it: flagged.
    expect(result.ks[1].envelopes?.nearest.inexact).toBeGreaterThan(0);
  });

  it('knows complete lists from the training set size', () => {
    const acc = new EvalAccumulator({ ks: [2], rules: ['nearest'], numClasses: 2, trainSize: 2 });
    acc.add(0, [0, 1], [0.5, 0.5]);
    const r = acc.result();
    expect(r.ks[0].envelopes?.lenient).toMatchObject({ best: 1, worst: 1, exact: true });
    expect(r.envelopes.top1).toMatchObject({ best: 1, worst: 0, exact: true });
    const small = new EvalAccumulator({ ks: [5], rules: ['nearest'], numClasses: 2, trainSize: 2 });
    small.add(1, [0, 1], [0.25, 0.5]);
    expect(small.result().ks[0]).toMatchObject({ k: 5, effectiveK: 2 });
  });

  it('can skip per-k envelopes', () => {
    const acc = new EvalAccumulator({ ks: [1], rules: ['nearest'], numClasses: 2, envelopes: false });
    acc.add(0, [0], [0.1]);
    expect(acc.result().ks[0].envelopes).toBeUndefined();
  });

  it('validates its input', () => {
    expect(() => new EvalAccumulator({ ks: [], rules: ['nearest'], numClasses: 2 })).toThrow(RangeError);
    expect(() => new EvalAccumulator({ ks: [1, 1], rules: ['nearest'], numClasses: 2 })).toThrow(/duplicate/);
    expect(() => new EvalAccumulator({ ks: [0], rules: ['nearest'], numClasses: 2 })).toThrow(RangeError);
    expect(() => new EvalAccumulator({ ks: [1], rules: ['nearest'], numClasses: 2, headline: 'random' })).toThrow(/headline/);
    const acc = new EvalAccumulator({ ks: [3], rules: ['nearest'], numClasses: 2, trainSize: 10 });
    expect(() => acc.add(0, [0, 1], [0.1, 0.2])).toThrow(/3 needed/);
    expect(() => acc.add(-1, [0, 1, 1], [0.1, 0.2, 0.3])).toThrow(/TestLabelIds/);
  });

  it('returns zeros for no rows', () => {
    const r = new EvalAccumulator({ ks: [1], rules: ['nearest'], numClasses: 2 }).result();
    expect(r.ks[0].rules[0]).toMatchObject({ correct: 0, n: 0, accuracy: 0, low: 0, high: 1 });
    expect(r.ks[0].headline.macroF1).toBe(0);
  });
});
