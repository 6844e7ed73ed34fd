/**
 * npc drift's statistics against an independent implementation: scipy and numpy values computed by
 * scripts/drift_reference.py into test/fixtures/drift-reference.json (inputs with many ties, as NCDs have).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { kolmogorovQ, ks2, labelShift, psi } from '../../src/app/drift-stats.js';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/drift-reference.json', import.meta.url), 'utf8')) as {
  ks: { reference: number[]; current: number[]; d: number; p: number; scipy_asymp_p: number }[];
  psi: { reference: number[]; current: number[]; edges: number[]; psi: number }[];
  labels: { reference: Record<string, number>; current: Record<string, number>; chi2: number; dof: number; p: number; tvd: number }[];
};

describe('drift statistics against scipy / numpy', () => {
  it.each(fixture.ks.map((c, i) => [i, c] as const))(
    'two-sample KS, case %i: D exactly, p as scipy.special.kolmogorov gives it',
    (_, c) => {
      const r = ks2(c.reference, c.current);
      expect(r.d).toBeCloseTo(c.d, 14);
      expect(r.pValue).toBeCloseTo(c.p, 12);
      // And close to scipy's own asymptotic method (which uses another finite-n approximation).
      expect(Math.abs(Math.log(r.pValue) - Math.log(c.scipy_asymp_p))).toBeLessThan(0.1);
    },
  );

  it('the Kolmogorov distribution at known points', () => {
    expect(kolmogorovQ(0)).toBe(1);
    expect(kolmogorovQ(1.3580986393225507)).toBeCloseTo(0.05, 10); // the 95 % critical value
    expect(kolmogorovQ(1.6276236115189364)).toBeCloseTo(0.01, 10);
  });

  it.each(fixture.psi.map((c, i) => [i, c] as const))('PSI over the reference deciles, case %i', (_, c) => {
    const r = psi(c.reference, c.current);
    expect(r.edges).toEqual(c.edges.map((e) => expect.closeTo(e, 14)));
    expect(r.psi).toBeCloseTo(c.psi, 12);
  });

  it.each(fixture.labels.map((c, i) => [i, c] as const))('label shift (chi-square, TVD), case %i', (_, c) => {
    const r = labelShift(new Map(Object.entries(c.reference)), new Map(Object.entries(c.current)));
    expect(r.chi2).toBeCloseTo(c.chi2, 10);
    expect(r.dof).toBe(c.dof);
    expect(r.pValue).toBeCloseTo(c.p, 10);
    expect(r.tvd).toBeCloseTo(c.tvd, 14);
  });
});
