/**
 * `npc drift` on real data, its streaming monitor, its bad input (failure-matrix row 43), and
 * the HTML reports (row 44; the opt-in `npm run check:html` renders them in Chromium).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

afterAll(() => cleanupTmp());
const dir = makeTmp('npc-drift-');
const haveData = requireSharedData('ag_news/train.first2000.jsonl.gz', 'ag_news/test.jsonl.gz', 'r8/test.jsonl.gz');

/**
 * The same cases computed without npc (scripts/drift_data_reference.py): nearest distances and k = 2 votes
 * by CPython's gzip, the KS test by scipy.stats.ks_2samp and scipy.special.kolmogorov, the label test by
 * scipy.stats.chi2_contingency.
 */
interface ScipyCase {
  ks: { d: number; p: number; scipy_p: number };
  labels: { reference: Record<string, number>; current: Record<string, number>; chi2: number; dof: number; p: number };
}
const scipy = JSON.parse(readFileSync(new URL('../fixtures/drift-data-reference.json', import.meta.url), 'utf8')) as Record<
  string,
  ScipyCase
>;

/** |actual − expected| ≤ rel × |expected| (an underflow to 0 on either side compares as equal to a value below 1e-300). */
function expectRelative(actual: number, expected: number, rel: number): void {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(rel * Math.abs(expected) + 1e-300);
}

/**
 * npc's report against scipy's values. The nearest distances are the same doubles on both sides (npc's NCDs
 * equal CPython's bit for bit: test/differential/reference-neighbors.test.ts), so the predicted label counts must be
 * equal and D, a difference of two count ratios, equal to within rounding (1e-12). The KS p-value is the
 * same formula, Q_KS((√ne + 0.12 + 0.11/√ne)·D), evaluated by different code: within 1e-9 relative (p spans
 * many orders of magnitude; test/unit/drift-stats.test.ts holds the formula to 12 digits). The chi-square
 * statistic sums the same terms: 1e-9 relative. Its p-value npc takes as 1 − cdf, whose error is absolute
 * (about 1e-16, where scipy's survival function is exact in relative terms): within 1e-12 absolute.
 */
function expectScipy(
  report: {
    ks: { d: number; p: number };
    labels: { labels: unknown[]; reference: number[]; current: number[]; chi2: number; dof: number; p: number };
  },
  c: ScipyCase,
): void {
  const counts = (values: number[]): Record<string, number> =>
    Object.fromEntries(report.labels.labels.map((label, i) => [JSON.stringify(label), values[i]]));
  expect(counts(report.labels.reference)).toEqual(c.labels.reference);
  expect(counts(report.labels.current)).toEqual(c.labels.current);
  expect(Math.abs(report.ks.d - c.ks.d)).toBeLessThanOrEqual(1e-12);
  expectRelative(report.ks.p, c.ks.p, 1e-9);
  expectRelative(report.labels.chi2, c.labels.chi2, 1e-9);
  expect(report.labels.dof).toBe(c.labels.dof);
  expect(Math.abs(report.labels.p - c.labels.p)).toBeLessThanOrEqual(1e-12);
}

describe.skipIf(!haveData)('npc drift on AG News and R8 (against the first 1,000 rows of the AG News train head)', () => {
  // 1,000 training rows keep each run to a few million pairs; scripts/drift_data_reference.py takes the same rows.
  const train = haveData
    ? writeJsonl(join(dir, 'ag-train-1000.jsonl'), readJsonlGz(sharedDataPath('ag_news/train.first2000.jsonl.gz')).slice(0, 1000))
    : '';
  const ag = haveData ? readJsonlGz(sharedDataPath('ag_news/test.jsonl.gz')).slice(0, 2000) : [];
  const r8 = haveData ? readJsonlGz(sharedDataPath('r8/test.jsonl.gz')).slice(0, 1000) : [];
  // A seeded shuffle (mulberry32-free: a fixed permutation by a linear congruential sequence).
  const shuffled = ag
    .map((row, i) => ({ row, key: (i * 2654435761) % 4294967291 }))
    .sort((a, b) => a.key - b.key)
    .map((x) => x.row);

  it('AG News test rows, two random halves of the first 2,000: no drift at alpha 0.01 (exit 0), KS and chi-square as scipy computes them', async () => {
    const a = writeJsonl(join(dir, 'ag-a.jsonl'), shuffled.slice(0, 1000));
    const b = writeJsonl(join(dir, 'ag-b.jsonl'), shuffled.slice(1000));
    const r = await run(['drift', '--train', train, '--reference', a, '--current', b, '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report).toMatchObject({ drift: false, reasons: [] });
    expectScipy(report, scipy.ag_random_halves);
  });

  it('AG News test vs R8 test (Reuters): drift in the distances and the labels (exit 3), printed as scipy computes them, the farthest rows listed', async () => {
    const a = writeJsonl(join(dir, 'ag.jsonl'), ag.slice(0, 1000));
    const c = writeJsonl(join(dir, 'r8.jsonl'), r8);
    const r = await run(['drift', '--train', train, '--reference', a, '--current', c]);
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^drift detected: nearest distances, predicted labels \(exit status 3\)$/m);
    expect(r.stdout).toMatch(/^the 10 current rows farthest from the training set:$/m);
    // The table prints 4 decimals: scipy's values rounded so must be what it shows.
    const { ks, labels } = scipy.ag_vs_r8;
    expect(r.stdout).toContain(`KS D ${ks.d.toFixed(4)}, p `);
    expect(r.stdout).toContain(`chi-square ${labels.chi2.toFixed(4)} (df ${labels.dof})`);
  });

  it('the contiguous halves of AG News test rows 0-1,999 do differ (a finding): exit 3, KS and chi-square as scipy computes them', async () => {
    const a = writeJsonl(join(dir, 'ag-first.jsonl'), ag.slice(0, 1000));
    const b = writeJsonl(join(dir, 'ag-second.jsonl'), ag.slice(1000));
    const r = await run(['drift', '--train', train, '--reference', a, '--current', b, '--json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.reasons).toContain('nearest distances');
    expect(scipy.ag_contiguous_halves.ks.p).toBeLessThan(0.01 / 3); // scipy finds the drift too
    expectScipy(report, scipy.ag_contiguous_halves);
  });
});

describe('npc drift: blank input, the monitor, bad input', () => {
  const train = writeJsonl(
    join(dir, 'train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text })),
  );
  const reference = writeJsonl(
    join(dir, 'reference.jsonl'),
    Array.from({ length: 60 }, (_, i) => ({ text: `${SENTENCES[i % 6][1]} ${i}` })),
  );

  it('empty and whitespace-only texts are counted, with their lines, and tested: a current set of blanks is drift', async () => {
    const current = join(dir, 'blank.jsonl');
    writeFileSync(
      current,
      Array.from({ length: 60 }, (_, i) => JSON.stringify({ text: i % 2 ? '' : i % 3 ? '   ' : `${SENTENCES[i % 6][1]} ${i}` })).join(
        '\n',
      ) + '\n',
    );
    const r = await run(['drift', '--train', train, '--reference', reference, '--current', current, '--json']);
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout);
    expect(report.reasons).toContain('empty or whitespace-only texts');
    expect(report.current).toMatchObject({ rows: 60, empty: 30 });
    expect(report.current.first_lines.empty).toEqual([2, 4, 6, 8, 10]);
  });

  it('--window N reads the current rows from stdin and prints one JSON line per window', async () => {
    const lines = [
      // Like the reference (its first 40 rows again), then unlike anything in the training set.
      ...Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `${SENTENCES[i % 6][1]} ${i}` })),
      ...Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: `zebra quantum umbrella ${i} xylophone` })),
      JSON.stringify({ text: 'a last partial window' }),
    ];
    const r = await run(['drift', '--train', train, '--reference', reference, '--window', '40'], { input: lines.join('\n') + '\n' });
    const windows = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(windows.map((w) => [w.window, w.first_line, w.last_line, w.partial])).toEqual([
      [0, 1, 40, false],
      [1, 41, 80, false],
      [2, 81, 81, true],
    ]);
    expect(windows[0].drift).toBe(false);
    expect(windows[1].drift).toBe(true);
    expect(r.code).toBe(3);
  });

  it.each([
    [['--alpha', '0'], "option '--alpha <a>' argument '0' is invalid. expected a probability between 0 and 1 (exclusive), such as 0.01."],
    [['--alpha', '1'], "option '--alpha <a>' argument '1' is invalid. expected a probability between 0 and 1 (exclusive), such as 0.01."],
    [['--alpha', 'x'], "option '--alpha <a>' argument 'x' is invalid. expected a probability between 0 and 1 (exclusive), such as 0.01."],
    [['--window', '0'], "option '--window <n>' argument '0' is invalid. expected a positive integer."],
  ])('row 43: %j → exit 2', async (args, message) => {
    const r = await run(['drift', '--train', train, '--reference', reference, '--current', reference, ...args]);
    expectNpcError(r, 2, message, { usage: true });
  });

  it('row 43: an empty reference → exit 1; no --current → exit 2; the same file for both is allowed, and said', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '');
    expectNpcError(
      await run(['drift', '--train', train, '--reference', empty, '--current', reference]),
      1,
      `${empty}: no rows in the reference set`,
    );
    expectNpcError(
      await run(['drift', '--train', train, '--reference', reference]),
      2,
      'npc drift needs --current FILE (or --window N to read windows of it from stdin)',
    );
    const same = await run(['drift', '--train', train, '--reference', reference, '--current', reference]);
    expect(same.code).toBe(0);
    expect(same.stderr).toBe(`npc: warning: --reference and --current are the same file (${reference}): expect no drift\n`);
  });
});

describe('row 44: --html on eval and drift: one self-contained page', () => {
  const train = writeJsonl(
    join(dir, 'h-train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text })),
  );
  const test = writeJsonl(
    join(dir, 'h-test.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text: `${text} today` })),
  );

  it('row 44: eval --html and drift --html write pages with inline SVG, no script, nothing fetched', async () => {
    const evalPage = join(dir, 'eval.html');
    const driftPage = join(dir, 'drift.html');
    expect((await run(['eval', '--train', train, '--test', test, '-k', '1,2', '-q', '--html', evalPage])).code).toBe(0);
    expect([0, 3]).toContain((await run(['drift', '--train', train, '--reference', test, '--current', train, '--html', driftPage])).code);
    for (const page of [evalPage, driftPage]) {
      const html = readFileSync(page, 'utf8');
      expect(html.startsWith('<!doctype html>')).toBe(true);
      expect(html).toContain('<svg');
      expect(html).not.toMatch(/<script\b/i);
      expect(html).not.toMatch(/(?:src|href)\s*=\s*["']?(?:https?:|\/\/|file:)/i);
    }
    expect(readFileSync(evalPage, 'utf8')).toContain('Confusion matrix');
    expect(readFileSync(driftPage, 'utf8')).toContain('Nearest distances');
  });

  it('row 44: --html into a missing folder fails before any work; --html with --shots or --window is a usage error', async () => {
    const missing = join(dir, 'no', 'such', 'r.html');
    expectNpcError(
      await run(['eval', '--train', train, '--test', test, '-q', '--html', missing]),
      1,
      `cannot write ${missing}: directory does not exist`,
    );
    expectNpcError(
      await run(['eval', '--train', train, '--test', test, '-q', '--shots', '1', '--html', join(dir, 'x.html')]),
      2,
      '--html cannot be combined with --shots',
    );
    expectNpcError(
      await run(['drift', '--train', train, '--reference', test, '--window', '5', '--html', join(dir, 'y.html')]),
      2,
      '--html cannot be combined with --window (one page per run, not per window)',
    );
  });
});
