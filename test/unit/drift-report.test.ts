import { describe, expect, it } from 'vitest';
import { chiSquareSurvival } from '../../src/app/drift-stats.js';
import { compareSets, type DriftSet } from '../../src/app/drift.js';
import { driftJson, driftText, formatPValue } from '../../src/cli/drift-report.js';
import { driftHtml } from '../../src/cli/html.js';

function set(source: string, distance: number, label: number, rows: number): DriftSet {
  return {
    source,
    rows,
    distances: new Array<number>(rows).fill(distance),
    labels: new Map([[String(label), rows]]),
    empty: [],
    whitespace: [],
    short: [],
    farthest: [],
  };
}

describe('p-values in the drift report', () => {
  it('the chi-square tail keeps its digits far below 1e-16 (closed forms for 1 and 2 degrees of freedom)', () => {
    expect(chiSquareSurvival(100, 2) / Math.exp(-50)).toBeCloseTo(1, 12);
    expect(chiSquareSurvival(1400, 2) / Math.exp(-700)).toBeCloseTo(1, 10);
    // P(chi2_1 > 40) = erfc(sqrt(20)) = 2.539628589470...e-10 (scipy.stats.chi2.sf(40, 1)).
    expect(chiSquareSurvival(40, 1) / 2.53962858947086e-10).toBeCloseTo(1, 10);
    expect(chiSquareSurvival(3, 4)).toBeCloseTo(Math.exp(-1.5) * 2.5, 14);
    expect(chiSquareSurvival(0, 3)).toBe(1);
    expect(chiSquareSurvival(2000, 2)).toBe(0); // exp(-1000) underflows
  });

  it('a p-value below 1e-300 (0 when it underflowed) prints as "< 1e-300"; others as before', () => {
    expect(formatPValue(0)).toBe('< 1e-300');
    expect(formatPValue(5e-324)).toBe('< 1e-300');
    expect(formatPValue(1e-300)).toBe('1.00e-300');
    expect(formatPValue(1.5e-20)).toBe('1.50e-20');
    expect(formatPValue(0.0123)).toBe('0.0123');
  });

  it('an underflowed p-value: "< 1e-300" in the text and HTML reports, 0 in the JSON', () => {
    // Every reference row one label at NCD 0.1, every current row another at 0.9: both p-values underflow.
    const report = compareSets(set('reference.jsonl', 0.1, 0, 2000), set('current.jsonl', 0.9, 1, 2000), 0.01);
    expect(report.ks.pValue).toBe(0);
    expect(report.labels.pValue).toBe(0);
    const text = driftText(report);
    expect(text).toMatch(/^nearest distances {3}KS D 1\.0000, p < 1e-300 /m);
    expect(text).toMatch(/, p < 1e-300 {2}DRIFT$/m);
    expect(text).not.toContain('0.00e+0');
    const json = driftJson(report) as { ks: { p: number }; labels: { p: number } };
    expect(json.ks.p).toBe(0);
    expect(json.labels.p).toBe(0);
    const html = driftHtml(report, set('reference.jsonl', 0.1, 0, 2000), set('current.jsonl', 0.9, 1, 2000));
    expect(html).toContain('<td>&lt; 1e-300</td>');
    expect(html).not.toContain('0.00e+0');
  });
});
