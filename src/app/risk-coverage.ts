/**
 * Is the distance to the nearest training row a usable trust signal? Risk–coverage answers it: keep only
 * the rows whose nearest NCD is at most a threshold, and see how the strict accuracy of the kept rows
 * changes with the share kept (the coverage). If distance says something, accuracy rises as coverage falls.
 *
 * - Thresholds are the deciles of the nearest distance (the 10 %, 20 %, …, 100 % quantiles, each the
 *   smallest distance that keeps at least that share of the rows); rows at the threshold are kept, so with
 *   ties a coverage can exceed its decile.
 * - AURC, the area under the risk–coverage curve (risk = 1 − accuracy of the kept rows), adds rows in order of
 *   distance, a group of equal distances at once, and integrates risk over coverage as a step function: the
 *   mean over rows of the risk at the coverage where each row joined. Lower is better; a signal that says
 *   nothing gives about the overall risk.
 * - Accuracy per decile bin: the rows cut into 10 groups of (nearly) equal size by rank of distance.
 *
 * Credit per row is the headline rule's (expected for the random rule), so at 100 % coverage the accuracy
 * is the headline strict accuracy.
 */
import { type Interval, wilsonInterval } from './classification-metrics.js';

export interface CoveragePoint {
  /** The quantile asked for (0.1 … 1). */
  quantile: number;
  /** The threshold: rows with nearest NCD ≤ this are kept. */
  distance: number;
  kept: number;
  coverage: number;
  /** Strict accuracy of the kept rows, with its 95 % Wilson interval. */
  accuracy: number;
  interval: Interval;
}

export interface DecileBin {
  /** Rows in the bin, and the nearest distances they span. */
  n: number;
  from: number;
  to: number;
  accuracy: number;
  interval: Interval;
}

export interface RiskCoverage {
  n: number;
  points: CoveragePoint[];
  /** Area under the risk–coverage curve (0 = no errors at all). */
  aurc: number;
  /** The risk at full coverage, for comparison with the area. */
  risk: number;
  bins: DecileBin[];
}

/** Collects (nearest distance, credit) per row; `result()` computes the curve. */
export class RiskCoverageAccumulator {
  private distances: number[] = [];
  private credits: number[] = [];

  add(nearestDistance: number, credit: number): void {
    this.distances.push(nearestDistance);
    this.credits.push(credit);
  }

  result(): RiskCoverage {
    const n = this.distances.length;
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => this.distances[a] - this.distances[b] || a - b);
    const d = order.map((i) => this.distances[i]);
    const c = order.map((i) => this.credits[i]);
    const prefix = new Float64Array(n + 1);
    for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + c[i];
    /** Rows kept at threshold d[i]: everything up to the last row with the same distance. */
    const keptAt = (i: number): number => {
      let j = i;
      while (j + 1 < n && d[j + 1] === d[i]) j++;
      return j + 1;
    };
    const points: CoveragePoint[] = [];
    for (let q = 1; q <= 10; q++) {
      if (n === 0) break;
      const quantile = q / 10;
      const i = Math.max(0, Math.ceil(quantile * n) - 1);
      const kept = keptAt(i);
      points.push({
        quantile,
        distance: d[i],
        kept,
        coverage: kept / n,
        accuracy: prefix[kept] / kept,
        interval: wilsonInterval(prefix[kept], kept),
      });
    }
    let area = 0;
    for (let i = 0; i < n;) {
      const kept = keptAt(i);
      const risk = 1 - prefix[kept] / kept;
      area += risk * ((kept - i) / n);
      i = kept;
    }
    const bins: DecileBin[] = [];
    for (let b = 0; b < 10 && n > 0; b++) {
      const from = Math.floor((b * n) / 10);
      const to = Math.floor(((b + 1) * n) / 10);
      if (to === from) continue;
      const credit = prefix[to] - prefix[from];
      bins.push({
        n: to - from,
        from: d[from],
        to: d[to - 1],
        accuracy: credit / (to - from),
        interval: wilsonInterval(credit, to - from),
      });
    }
    return { n, points, aurc: area, risk: n ? 1 - prefix[n] / n : 0, bins };
  }
}
