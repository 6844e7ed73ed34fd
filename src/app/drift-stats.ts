/**
 * The statistics of `npc drift`, each checked against an independent implementation (scipy and numpy:
 * scripts/drift_reference.py, test/fixtures/drift-reference.json):
 *
 * - Two-sample Kolmogorov–Smirnov on the nearest distances. D = max |F_R − F_C| over all values, the
 *   empirical distribution functions stepping at tied values together (as scipy's ks_2samp). The p-value is
 *   the asymptotic one: the Kolmogorov distribution Q at λ = (√nₑ + 0.12 + 0.11/√nₑ)·D, nₑ = nm/(n + m)
 *   (Stephens' correction, as in Numerical Recipes). Ties: NCDs are ratios of small integers, so equal
 *   distances are common; D is computed exactly with them, and the p-value, derived for continuous data, is
 *   then conservative (larger than the exact one): ties make false alarms rarer, not more frequent.
 * - Population stability index over the reference deciles: bin edges at the 10 %, …, 90 % quantiles of the
 *   reference distances (linear interpolation, numpy's default; equal edges merged), bins (−∞, e₁], (e₁, e₂],
 *   …, (e₉, ∞); PSI = Σ (c − r)·ln(c / r) over the bins' shares, a share of 0 counted as 0.0001.
 * - The shift of the predicted-label shares: total variation distance ½ Σ |p_R − p_C|, and Pearson's
 *   chi-square test of homogeneity on the 2 × L table of counts (no continuity correction; labels seen in
 *   either set). The p-value is the chi-square survival function Q(df/2, χ²/2), the regularized upper
 *   incomplete gamma function, computed directly (a continued fraction in its tail, as in Numerical Recipes)
 *   rather than as 1 − CDF, so a small p-value keeps its digits down to the smallest double instead of
 *   becoming 0 below about 1e-16; 0 means it underflowed (below about 1e-308).
 */
import jstatModule from 'jstat';

const { jStat } = jstatModule as unknown as { jStat: { gammaln(x: number): number; lowRegGamma(a: number, x: number): number } };

/** P(X > x) for X chi-square with `dof` degrees of freedom. */
export function chiSquareSurvival(x: number, dof: number): number {
  if (!(x > 0)) return 1;
  const a = dof / 2;
  const y = x / 2;
  if (y < a + 1) return 1 - jStat.lowRegGamma(a, y); // not in the tail: 1 − P loses nothing that matters
  // Q(a, y) by the continued fraction (modified Lentz), in the log domain until the end.
  const tiny = 1e-300;
  let b = y + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 1000; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return Math.exp(-y + a * Math.log(y) - jStat.gammaln(a) + Math.log(h));
}

export interface KsResult {
  d: number;
  pValue: number;
  n: number;
  m: number;
}

/** The Kolmogorov distribution's survival function Q(λ) = P(K > λ). */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    // Jacobi theta form of P(K <= λ), which converges fast for small λ.
    const y = Math.exp((-Math.PI * Math.PI) / (8 * lambda * lambda));
    let sum = 0;
    for (let k = 1; k < 20; k += 2) sum += y ** (k * k);
    return 1 - (Math.sqrt(2 * Math.PI) / lambda) * sum;
  }
  let q = 0;
  for (let k = 1; k <= 100; k++) {
    const term = Math.exp(-2 * k * k * lambda * lambda);
    q += (k % 2 === 1 ? 2 : -2) * term;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, q));
}

/** Two-sample Kolmogorov–Smirnov statistic and asymptotic p-value (see the file comment). */
export function ks2(reference: readonly number[], current: readonly number[]): KsResult {
  return ks2Sorted(
    [...reference].sort((x, y) => x - y),
    [...current].sort((x, y) => x - y),
  );
}

/** ks2 on samples already sorted in ascending order (a rolling window keeps its sample sorted). */
export function ks2Sorted(a: readonly number[], b: readonly number[]): KsResult {
  const n = a.length;
  const m = b.length;
  if (n === 0 || m === 0) return { d: 0, pValue: 1, n, m };
  let i = 0;
  let j = 0;
  let d = 0;
  while (i < n && j < m) {
    const v = Math.min(a[i], b[j]);
    while (i < n && a[i] === v) i++;
    while (j < m && b[j] === v) j++;
    d = Math.max(d, Math.abs(i / n - j / m));
  }
  const ne = (n * m) / (n + m);
  const sq = Math.sqrt(ne);
  return { d, pValue: kolmogorovQ((sq + 0.12 + 0.11 / sq) * d), n, m };
}

/** numpy's default quantile (linear interpolation between order statistics). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface PsiResult {
  psi: number;
  /** Upper edges of the bins but the last (its upper edge is ∞). */
  edges: number[];
  reference: number[];
  current: number[];
}

const PSI_FLOOR = 1e-4;

/** Population stability index of `current` against the deciles of `reference` (see the file comment). */
export function psi(reference: readonly number[], current: readonly number[]): PsiResult {
  const sorted = [...reference].sort((x, y) => x - y);
  if (sorted.length === 0 || current.length === 0) return { psi: 0, edges: [], reference: [], current: [] };
  const edges = [...new Set(Array.from({ length: 9 }, (_, i) => quantile(sorted, (i + 1) / 10)))];
  const shares = (values: readonly number[]): number[] => {
    const counts = new Array<number>(edges.length + 1).fill(0);
    for (const v of values) {
      let bin = 0;
      while (bin < edges.length && v > edges[bin]) bin++;
      counts[bin]++;
    }
    return counts.map((c) => c / values.length);
  };
  const r = shares(reference);
  const c = shares(current);
  let total = 0;
  for (let i = 0; i < r.length; i++) {
    const ri = Math.max(r[i], PSI_FLOOR);
    const ci = Math.max(c[i], PSI_FLOOR);
    total += (ci - ri) * Math.log(ci / ri);
  }
  return { psi: total, edges, reference: r, current: c };
}

export interface LabelShiftResult {
  /** Labels seen in either set, and their counts in each. */
  labels: string[];
  reference: number[];
  current: number[];
  tvd: number;
  chi2: number;
  dof: number;
  pValue: number;
}

/** Total variation distance and Pearson's chi-square test of homogeneity of two label-count tables. */
export function labelShift(reference: ReadonlyMap<string, number>, current: ReadonlyMap<string, number>): LabelShiftResult {
  const labels = [...new Set([...reference.keys(), ...current.keys()])]
    .filter((l) => (reference.get(l) ?? 0) + (current.get(l) ?? 0) > 0)
    .sort();
  const r = labels.map((l) => reference.get(l) ?? 0);
  const c = labels.map((l) => current.get(l) ?? 0);
  const nr = r.reduce((s, x) => s + x, 0);
  const nc = c.reduce((s, x) => s + x, 0);
  if (nr === 0 || nc === 0 || labels.length < 2) {
    return { labels, reference: r, current: c, tvd: nr && nc ? 0 : 0, chi2: 0, dof: 0, pValue: 1 };
  }
  let tvd = 0;
  let chi2 = 0;
  const total = nr + nc;
  for (let i = 0; i < labels.length; i++) {
    tvd += Math.abs(r[i] / nr - c[i] / nc) / 2;
    const column = r[i] + c[i];
    const er = (nr * column) / total;
    const ec = (nc * column) / total;
    chi2 += (r[i] - er) ** 2 / er + (c[i] - ec) ** 2 / ec;
  }
  const dof = labels.length - 1;
  return { labels, reference: r, current: c, tvd, chi2, dof, pValue: chiSquareSurvival(chi2, dof) };
}
