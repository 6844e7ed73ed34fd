/**
 * The rolling drift check of `npc serve`: the tests of `npc drift` (app/drift.ts compareSets) over the last
 * `window` predictions, against the served model's reference distributions (the card's `reference`).
 *
 * - The window holds the last `window` classified texts. Empty texts are not classified, so the server never
 *   tells them and they are not in the window: of `npc drift`'s three tests only two run here, KS on the
 *   nearest distances and chi-square on the predicted-label shares. Each runs at α/3, as in `npc drift`: the
 *   card's reference has no blank rows and neither has the window, so `npc drift`'s third test has p = 1 on
 *   the same rows and the alarm is exactly the verdict `npc drift` gives on them.
 * - An abstention (no label answered) counts in the distances (its nearest distance is known, and a text far
 *   from everything is what drift looks like) but not in the label shares (it has no predicted label).
 * - The tests run only on a full window: before it, the result says how full the window is and has no
 *   p-values, and the alarm is off.
 * - Without reference distributions there is nothing to compare: no tests and no alarm.
 *
 * Cost: a prediction inserts its distance into a sorted copy of the window and removes the one it pushes out
 * (binary search and one splice: O(window) moves, no sort); the label counts are kept as counts. The tests
 * run when asked (at a scrape), once per change: a merge of two sorted arrays and a pass over the labels.
 */
import { type KsResult, ks2Sorted, type LabelShiftResult, labelShift } from '../drift-stats.js';
import { toJson } from '../../json-text.js';
import type { CardReference } from '../../model/card.js';
import { labelFromJson } from '../../model/labels.js';

/** The options of the rolling drift check (`npc serve --drift-window N --alpha A`). */
export interface RollingDriftOptions {
  /** Predictions in the window (default 1,000): a positive integer. */
  driftWindow?: number;
  /** The false-alarm rate over the tests, as `npc drift --alpha` (default 0.01); each test runs at α/3. */
  alpha?: number;
}

export const DEFAULT_DRIFT_WINDOW = 1000;
export const DEFAULT_DRIFT_ALPHA = 0.01;

/** The reference distributions: nearest distances, and the predicted labels (keyed by the label's JSON text) with their counts. */
export interface DriftReference {
  distances: readonly number[];
  labels: readonly { label: string; count: number }[];
}

/**
 * A card's reference as the drift check takes it: the labels keyed by their JSON text (`1`, `"sports"`),
 * as the server tells each prediction's label, and as `npc drift` keys them (app/drift.ts cardReferenceSet).
 */
export function driftReference(reference: CardReference | null): DriftReference | null {
  if (reference === null) return null;
  return {
    distances: reference.distances,
    labels: reference.labels.map(({ label, count }) => ({ label: toJson(labelFromJson(label)), count })),
  };
}

export interface RollingDriftResult {
  /** The window's size and how many predictions it holds now. */
  size: number;
  filled: number;
  /** Each test's level: α / 3 (as `npc drift`). */
  level: number;
  /** The tests' results: null while the window is not full or there is no reference. */
  ks: KsResult | null;
  labels: LabelShiftResult | null;
  /** True when a test's p-value is below the level (the window is full and a reference exists); else false. */
  alarm: boolean;
}

/** A problem with the options, as a sentence naming the option, or undefined. */
export function rollingDriftOptionsProblem(options: RollingDriftOptions): string | undefined {
  const { driftWindow, alpha } = options;
  if (driftWindow !== undefined && !(Number.isSafeInteger(driftWindow) && driftWindow >= 1))
    return `driftWindow must be a positive integer, not ${driftWindow}`;
  if (alpha !== undefined && !(alpha > 0 && alpha < 1)) return `alpha must be between 0 and 1 (exclusive), not ${alpha}`;
  return undefined;
}

/** The first index of `sorted` whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class RollingDrift {
  readonly size: number;
  readonly alpha: number;
  private referenceDistances: number[] | null = null;
  private referenceLabels = new Map<string, number>();
  /** The window in arrival order (a ring: `next` is the oldest once full), and sorted. */
  private ringDistances: number[] = [];
  private ringLabels: (string | null)[] = [];
  private next = 0;
  private sorted: number[] = [];
  private labelCounts = new Map<string, number>();
  private cached: RollingDriftResult | null = null;

  constructor(options: RollingDriftOptions = {}) {
    const problem = rollingDriftOptionsProblem(options);
    if (problem) throw new RangeError(problem);
    this.size = options.driftWindow ?? DEFAULT_DRIFT_WINDOW;
    this.alpha = options.alpha ?? DEFAULT_DRIFT_ALPHA;
  }

  /** A new reference (a model switch, or null: none): the window starts empty. */
  reset(reference: DriftReference | null): void {
    this.referenceDistances = reference ? [...reference.distances].sort((a, b) => a - b) : null;
    this.referenceLabels = new Map();
    for (const { label, count } of reference?.labels ?? []) this.referenceLabels.set(label, (this.referenceLabels.get(label) ?? 0) + count);
    this.ringDistances = [];
    this.ringLabels = [];
    this.next = 0;
    this.sorted = [];
    this.labelCounts = new Map();
    this.cached = null;
  }

  /** One prediction: its nearest distance, and its label's JSON text (null for an abstention). */
  add(distance: number, label: string | null): void {
    if (this.ringDistances.length === this.size) {
      const oldDistance = this.ringDistances[this.next];
      const oldLabel = this.ringLabels[this.next];
      this.sorted.splice(lowerBound(this.sorted, oldDistance), 1);
      if (oldLabel !== null) {
        const left = this.labelCounts.get(oldLabel)! - 1;
        if (left === 0) this.labelCounts.delete(oldLabel);
        else this.labelCounts.set(oldLabel, left);
      }
      this.ringDistances[this.next] = distance;
      this.ringLabels[this.next] = label;
      this.next = (this.next + 1) % this.size;
    } else {
      this.ringDistances.push(distance);
      this.ringLabels.push(label);
    }
    this.sorted.splice(lowerBound(this.sorted, distance), 0, distance);
    if (label !== null) this.labelCounts.set(label, (this.labelCounts.get(label) ?? 0) + 1);
    this.cached = null;
  }

  /** The tests on the window as it is now (computed once per change). */
  result(): RollingDriftResult {
    if (this.cached) return this.cached;
    const filled = this.ringDistances.length;
    const level = this.alpha / 3;
    let result: RollingDriftResult = { size: this.size, filled, level, ks: null, labels: null, alarm: false };
    if (this.referenceDistances && filled === this.size) {
      const ks = ks2Sorted(this.referenceDistances, this.sorted);
      const labels = labelShift(this.referenceLabels, this.labelCounts);
      result = { ...result, ks, labels, alarm: ks.pValue < level || labels.pValue < level };
    }
    this.cached = result;
    return result;
  }
}
