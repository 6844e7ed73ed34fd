/**
 * Trust signals: confidence and distance per prediction, abstention, risk–coverage.
 * Failure-matrix row 42.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { RiskCoverageAccumulator } from '../../src/app/risk-coverage.js';
import { GzipKnnClassifier } from '../../src/index.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';

afterAll(() => cleanupTmp());

const dir = makeTmp('npc-trust-');
const rows = SENTENCES.map(([label, text]) => ({ label, text }));
const train = writeJsonl(join(dir, 'train.jsonl'), rows);
const queries = ['The striker scored in the football match', 'zebra quantum umbrella', 'The bank raised rates'];

describe('confidence and distance per prediction', () => {
  it('classify --json: confidence is the vote share of the prediction, distance the NCD of the nearest row (as --neighbors shows)', async () => {
    const r = await run(['classify', '--train', train, '-k', '3', '--json', '--neighbors', '3', ...queries]);
    expect(r.code, r.stderr).toBe(0);
    for (const line of r.stdout.trim().split('\n')) {
      const o = JSON.parse(line);
      const votes = o.neighbors.filter((n: { label: string }) => n.label === o.prediction).length;
      expect(o.confidence).toBe(votes / 3);
      expect(o.distance).toBe(o.neighbors[0].distance);
    }
  });

  it('the library (predictDetails) and eval --predictions give the same values', async () => {
    const test = writeJsonl(
      join(dir, 'test.jsonl'),
      queries.map((text) => ({ label: 'sport', text })),
    );
    const preds = join(dir, 'preds.jsonl');
    expect((await run(['eval', '--train', train, '--test', test, '-k', '3', '-q', '--predictions', preds])).code).toBe(0);
    const cli = readFileSync(preds, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const lib = new GzipKnnClassifier({ k: 3 })
      .fit(
        rows.map((r) => r.text),
        rows.map((r) => r.label),
      )
      .predictDetails(queries);
    expect(lib.map((p) => [p.label, p.confidence, p.distance])).toEqual(cli.map((p) => [p.prediction, p.confidence, p.distance]));
  });
});

describe('row 42: abstention', () => {
  it('row 42: --abstain-above and --min-confidence: a placeholder in plain output, "prediction": null, "abstained": true in JSON', async () => {
    const plain = await run(['classify', '--train', train, '-k', '1', '--abstain-above', '0.5', ...queries]);
    expect(plain.stdout.split('\n')[1]).toBe('?'); // nonsense words: far from every training row
    const named = await run(['classify', '--train', train, '-k', '1', '--abstain-above', '0.5', '--abstain-label', 'UNSURE', ...queries]);
    expect(named.stdout.split('\n')[1]).toBe('UNSURE');
    const json = await run(['classify', '--train', train, '-k', '1', '--json', '--abstain-above', '0.5', queries[1]]);
    const o = JSON.parse(json.stdout);
    expect(o).toMatchObject({ prediction: null, abstained: true, confidence: 1 });
    expect(o.distance).toBeGreaterThan(0.5);
    const votes = await run(['classify', '--train', train, '-k', '2', '--json', '--min-confidence', '1', ...queries]);
    for (const line of votes.stdout.trim().split('\n')) {
      const p = JSON.parse(line);
      expect(p.abstained === true).toBe(p.confidence < 1);
      if (p.abstained) expect(p.prediction).toBeNull();
    }
  });

  it('row 42: the library takes the same thresholds', () => {
    const clf = new GzipKnnClassifier({ k: 1, abstainAbove: 0.5 }).fit(
      rows.map((r) => r.text),
      rows.map((r) => r.label),
    );
    expect(clf.predict(queries)[1]).toBeNull();
    expect(() => new GzipKnnClassifier({ minConfidence: 1.5 })).toThrow(new RangeError('minConfidence must be from 0 to 1, got 1.5'));
    expect(() => new GzipKnnClassifier({ abstainAbove: -1 })).toThrow(RangeError);
  });

  it.each([
    ['--abstain-above', '-0.1', 'expected a distance (NCD) of 0 or more, such as 0.85.'],
    ['--abstain-above', 'x', 'expected a distance (NCD) of 0 or more, such as 0.85.'],
    ['--min-confidence', '1.5', 'expected a share of the votes from 0 to 1, such as 0.6.'],
    ['--min-confidence', '', 'expected a share of the votes from 0 to 1, such as 0.6.'],
  ])('row 42: %s %j → exit 2', async (flag, value, message) => {
    const r = await run(['classify', '--train', train, flag, value, 'x']);
    expectNpcError(r, 2, `option '${flag} <${flag === '--abstain-above' ? 'ncd' : 'share'}>' argument '${value}' is invalid. ${message}`, {
      usage: true,
    });
  });
});

describe('risk–coverage', () => {
  it('deciles, AURC and bins on a hand-made example with tied distances', () => {
    const acc = new RiskCoverageAccumulator();
    // 10 rows: distances 0.1 … 1.0 with 0.3 twice; wrong at 0.3 (one of the two) and at 0.9 and 1.0.
    const data: [number, number][] = [
      [0.1, 1],
      [0.2, 1],
      [0.3, 1],
      [0.3, 0],
      [0.5, 1],
      [0.6, 1],
      [0.7, 1],
      [0.8, 1],
      [0.9, 0],
      [1.0, 0],
    ];
    for (const [d, c] of data) acc.add(d, c);
    const r = acc.result();
    expect(r.n).toBe(10);
    // The 30 % quantile is 0.3, and both rows at 0.3 are kept: coverage 40 %.
    expect(r.points[2]).toMatchObject({ quantile: 0.3, distance: 0.3, kept: 4, coverage: 0.4, accuracy: 0.75 });
    expect(r.points[3]).toMatchObject({ quantile: 0.4, distance: 0.3, kept: 4, coverage: 0.4 });
    expect(r.points[9]).toMatchObject({ quantile: 1, kept: 10, accuracy: 0.7 });
    // Risk after each group: 0, 0, 1/4 (group of 2), 1/5, 1/6, 1/7, 1/8, 2/9, 3/10; weights 1,1,2,1,1,1,1,1,1 of 10.
    const expected = (0 + 0 + 2 * (1 / 4) + 1 / 5 + 1 / 6 + 1 / 7 + 1 / 8 + 2 / 9 + 3 / 10) / 10;
    expect(r.aurc).toBeCloseTo(expected, 15);
    expect(r.risk).toBeCloseTo(0.3, 15);
    expect(r.bins.map((b) => b.accuracy)).toEqual([1, 1, 1, 0, 1, 1, 1, 1, 0, 0]);
  });

  it('eval --json: at full coverage the accuracy is the headline strict accuracy; the table shows the curve', async () => {
    const test = writeJsonl(
      join(dir, 'rc-test.jsonl'),
      [...queries, ...SENTENCES.map(([, t]) => t.split(' ').slice(0, 5).join(' '))].map((text, i) => ({
        label: SENTENCES[i % 6][0],
        text,
      })),
    );
    const r = await run(['eval', '--train', train, '--test', test, '-k', '1,3', '-q', '--json']);
    const report = JSON.parse(r.stdout);
    const points = report.risk_coverage.points;
    expect(points).toHaveLength(10);
    expect(points[9].coverage).toBe(1);
    expect(points[9].accuracy).toBeCloseTo(report.strict, 15);
    for (let i = 1; i < points.length; i++) expect(points[i].coverage).toBeGreaterThanOrEqual(points[i - 1].coverage);
    expect(report.risk_coverage.aurc).toBeGreaterThanOrEqual(0);
    const table = await run(['eval', '--train', train, '--test', test, '-k', '1,3', '-q']);
    expect(table.stdout).toMatch(/^risk-coverage: keep the rows whose nearest NCD is at most a threshold/m);
    expect(table.stdout).toMatch(/^ {2}AURC \d\.\d{4} /m);
  });
});
