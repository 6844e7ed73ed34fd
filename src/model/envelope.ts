/**
 * The tie-order envelope: how much an accuracy depends on the order given to equally near training rows.
 *
 * Equal NCD values are common, and which of several equally near training rows counts as "the nearest"
 * is a convention (npc: lowest training index; the paper's code: numpy's unstable argsort, i.e. an
 * accident). For one test row and a scoring mode we ask whether the row is correct under SOME order of
 * the equal-distance rows (`best`) and under EVERY order (`worst`). Summed over rows these give exactly
 * the lowest and the highest accuracy that any tie order can reach, because each row's order is chosen
 * independently of the others.
 *
 * Modes: `strict`/`nearest` (strict vote, ties between labels broken by the nearest neighbour),
 * `decrement` (strict vote with Ken Schutte's rule, see tie-rules.ts) and `lenient` (the paper's score:
 * correct when the true label is among the labels tied for most votes; for k = 2 "either neighbour").
 * All are exact for every k, computed without enumerating orders:
 *
 * With d = the distance of the k-th neighbour, every order takes all rows nearer than d (the fixed
 * part F, whose own equal-distance groups can still be reordered) plus r = k − |F| rows of the boundary
 * group G (all rows at distance d), in any order. Then
 * - lenient depends only on the multiset of labels taken;
 * - nearest predicts, among the labels tied for most votes, one whose first occurrence is earliest:
 *   any tied label whose first tie group (the group of its nearest row) is the earliest among the tied
 *   labels can be put first;
 * - decrement predicts, among the tied labels, the one whose last (farthest) row within the k is
 *   nearest (dropping the farthest neighbour until the tie breaks leaves exactly that label), so any tied
 *   label whose last tie group is the earliest can win.
 * Whether a label L can be the outcome is then a small feasibility question about how many rows of each
 * label to take from G (take as many of L as possible, or, for decrement, possibly none so that L's last
 * row stays in an earlier group; fill the rest without letting another label overtake L). The unit tests
 * check all of this against brute force over every permutation of the tie groups.
 *
 * Saved lists hold only the M nearest. When the last saved neighbour is at distance d as well, more rows
 * at distance d may exist unseen, with unknown labels. Such a row is flagged (`exact: false`) and its
 * bounds are widened conservatively: unseen rows may be any number of rows of any label (the true label,
 * a label in the list, or labels not in the list), so `best` can only rise and `worst` only fall compared
 * with the bounds of the complete list. (When the widened bounds agree the row is exact after all: the
 * true bounds lie between them.) Pass `complete: true` when the list holds every training row.
 * A row is exact when some saved neighbour after the k-th is strictly farther than the k-th, so save
 * M > k neighbours (with M = k the boundary group always reaches the end of the list); the more, the
 * fewer rows are widened.
 *
 * A true label that no training row has (`trueLabel < 0`) is never correct: best = worst = false.
 */

export type EnvelopeMode = 'strict' | 'nearest' | 'decrement' | 'lenient';

export interface EnvelopeRow {
  /** Correct under some order of equal-distance neighbours. */
  best: boolean;
  /** Correct under every order of equal-distance neighbours. */
  worst: boolean;
  /** False when rows beyond the saved list could change the answer (the bounds are then widened). */
  exact: boolean;
}

export interface EnvelopeOptions {
  /** The list holds every training row (M = training set size), so nothing is unseen. */
  complete?: boolean;
}

/** The tie structure of one list at one k. */
interface TieStructure {
  /** Slots filled from the boundary group. */
  r: number;
  /** Label → rows strictly nearer than the k-th distance. */
  fixed: Map<number, number>;
  /** Label → index of the first / last tie group holding it, within the fixed part. */
  first: Map<number, number>;
  last: Map<number, number>;
  /** Label → seen rows at the boundary distance. */
  avail: Map<number, number>;
  /** Group index of the boundary group (greater than every fixed group's). */
  boundary: number;
  /** Rows at the boundary distance may exist beyond the saved list. */
  wild: boolean;
}

/** A label that appears nowhere in the list (only possible among unseen rows). */
const FRESH = -2;

function analyze(labels: ArrayLike<number>, distances: ArrayLike<number>, k: number, complete: boolean): TieStructure | null {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  const n = labels.length;
  if (n === 0) throw new RangeError('the envelope needs at least one neighbour');
  if (distances.length < n) throw new RangeError(`${n} labels but only ${distances.length} distances`);
  for (let i = 0; i < n; i++) {
    const d = distances[i];
    if (Number.isNaN(d) || (i > 0 && d < distances[i - 1])) throw new RangeError('neighbour distances must be ascending');
  }
  if (k > n) {
    if (!complete) return null; // fewer saved than k: positions k−M.. are unknown
    k = n;
  }
  const dk = distances[k - 1];
  let gs = k - 1;
  while (gs > 0 && distances[gs - 1] === dk) gs--;
  let ge = k;
  while (ge < n && distances[ge] === dk) ge++;
  const fixed = new Map<number, number>();
  const first = new Map<number, number>();
  const last = new Map<number, number>();
  let group = -1;
  for (let i = 0; i < gs; i++) {
    if (i === 0 || distances[i] !== distances[i - 1]) group++;
    const label = labels[i];
    fixed.set(label, (fixed.get(label) ?? 0) + 1);
    if (!first.has(label)) first.set(label, group);
    last.set(label, group);
  }
  const avail = new Map<number, number>();
  for (let i = gs; i < ge; i++) avail.set(labels[i], (avail.get(labels[i]) ?? 0) + 1);
  return { r: k - gs, fixed, first, last, avail, boundary: group + 1, wild: ge === n && !complete };
}

/** Rows of `label` that may be taken from the boundary group (unseen rows count as any label). */
function available(s: TieStructure, label: number): number {
  return (s.avail.get(label) ?? 0) + (s.wild ? s.r : 0);
}

function fixedCount(s: TieStructure, label: number): number {
  return s.fixed.get(label) ?? 0;
}

/** Can the nearest rule predict `label` under some choice and order? */
function nearestCan(s: TieStructure, label: number, universe: Iterable<number>): boolean {
  const x = Math.min(available(s, label), s.r);
  const count = fixedCount(s, label) + x;
  if (count === 0) return false;
  const firstGroup = fixedCount(s, label) > 0 ? (s.first.get(label) as number) : s.boundary;
  let capacity = 0;
  for (const other of universe) {
    if (other === label) continue;
    const f = fixedCount(s, other);
    // A tied label whose nearest row is in an earlier group would win instead.
    const cap = f > 0 && (s.first.get(other) as number) < firstGroup ? count - 1 : count;
    if (f > cap) return false;
    capacity += Math.min(available(s, other), cap - f);
  }
  return s.wild || capacity >= s.r - x;
}

/** Can Ken Schutte's decrement rule predict `label` under some choice and order? */
function decrementCan(s: TieStructure, label: number, universe: Iterable<number>): boolean {
  const own = fixedCount(s, label);
  const a = available(s, label);
  if (a > 0) {
    // Take as many rows of `label` from the boundary group as possible; its last row is then there,
    // so every other label in the fixed part must stay below its count.
    const x = Math.min(a, s.r);
    const count = own + x;
    let capacity = 0;
    let feasible = true;
    for (const other of universe) {
      if (other === label) continue;
      const f = fixedCount(s, other);
      if (f > count - 1) {
        feasible = false;
        break;
      }
      capacity += Math.min(available(s, other), count - f);
    }
    if (feasible && (s.wild || capacity >= s.r - x)) return true;
  }
  if (own > 0) {
    // Take no row of `label` from the boundary group: its last row stays in the fixed part.
    const lastGroup = s.last.get(label) as number;
    let capacity = 0;
    for (const other of universe) {
      if (other === label) continue;
      const f = fixedCount(s, other);
      const cap = f > 0 && (s.last.get(other) as number) < lastGroup ? own - 1 : own;
      if (f > cap) return false;
      capacity += Math.min(available(s, other), own - f);
    }
    return s.wild || capacity >= s.r;
  }
  return false;
}

/** Can the true label be among the labels tied for most votes? */
function lenientCanSucceed(s: TieStructure, trueLabel: number, universe: Iterable<number>): boolean {
  const x = Math.min(available(s, trueLabel), s.r);
  const count = fixedCount(s, trueLabel) + x;
  if (count === 0) return false;
  let capacity = 0;
  for (const other of universe) {
    if (other === trueLabel) continue;
    const f = fixedCount(s, other);
    if (f > count) return false;
    capacity += Math.min(available(s, other), count - f);
  }
  return s.wild || capacity >= s.r - x;
}

/** Can some other label get more votes than the true label? */
function lenientCanFail(s: TieStructure, trueLabel: number, universe: Iterable<number>): boolean {
  const trueFixed = fixedCount(s, trueLabel);
  const others = [...universe].filter((label) => label !== trueLabel);
  if (s.wild) others.push(FRESH);
  let otherSupply = 0;
  for (const label of others) otherSupply += available(s, label);
  for (const label of others) {
    const y = Math.min(available(s, label), s.r);
    const rest = s.wild ? Infinity : otherSupply - available(s, label);
    const forcedTrue = Math.max(0, s.r - y - rest);
    if (fixedCount(s, label) + y > trueFixed + forcedTrue) return true;
  }
  return false;
}

function evaluateStructure(s: TieStructure, mode: EnvelopeMode, trueLabel: number): EnvelopeRow {
  const universe = new Set<number>([...s.fixed.keys(), ...s.avail.keys(), trueLabel]);
  let best: boolean;
  let worst: boolean;
  if (mode === 'lenient') {
    best = lenientCanSucceed(s, trueLabel, universe);
    worst = !lenientCanFail(s, trueLabel, universe);
  } else {
    const can = mode === 'decrement' ? decrementCan : nearestCan;
    best = can(s, trueLabel, universe);
    worst = best;
    if (worst) {
      const rivals = [...universe].filter((label) => label !== trueLabel);
      if (s.wild) rivals.push(FRESH);
      worst = !rivals.some((label) => can(s, label, universe));
    }
  }
  return { best, worst, exact: !s.wild || best === worst };
}

/**
 * Whether one test row is correct under some / every order of equal-distance neighbours.
 * `labels` and `distances` are the saved neighbours, nearest first (distances ascending).
 */
export function envelopeRow(
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  k: number,
  mode: EnvelopeMode,
  trueLabel: number,
  options: EnvelopeOptions = {},
): EnvelopeRow {
  const s = analyze(labels, distances, k, options.complete === true);
  if (trueLabel < 0) return { best: false, worst: false, exact: true };
  if (s === null) return { best: true, worst: false, exact: false };
  return evaluateStructure(s, mode, trueLabel);
}

/** The three modes at once, sharing the analysis of the list. */
export function envelopeRowAll(
  labels: ArrayLike<number>,
  distances: ArrayLike<number>,
  k: number,
  trueLabel: number,
  options: EnvelopeOptions = {},
): { nearest: EnvelopeRow; decrement: EnvelopeRow; lenient: EnvelopeRow } {
  const s = analyze(labels, distances, k, options.complete === true);
  if (trueLabel < 0 || s === null) {
    const row: EnvelopeRow = trueLabel < 0 ? { best: false, worst: false, exact: true } : { best: true, worst: false, exact: false };
    return { nearest: row, decrement: { ...row }, lenient: { ...row } };
  }
  return {
    nearest: evaluateStructure(s, 'nearest', trueLabel),
    decrement: evaluateStructure(s, 'decrement', trueLabel),
    lenient: evaluateStructure(s, 'lenient', trueLabel),
  };
}

export interface EnvelopeSummary {
  /** Rows added. */
  n: number;
  /** Rows correct under some order (the highest reachable number of correct rows). */
  best: number;
  /** Rows correct under every order (the lowest reachable number of correct rows). */
  worst: number;
  /** worst / n and best / n (0 when n = 0). */
  low: number;
  high: number;
  /** Rows whose bounds were widened because rows beyond the saved list could matter. */
  inexact: number;
  /** True when no row was widened: [low, high] is then exactly the reachable range. */
  exact: boolean;
}

/** Sums `EnvelopeRow`s into the lowest and highest accuracy reachable by any tie order. */
export class EnvelopeAccumulator {
  private n = 0;
  private best = 0;
  private worst = 0;
  private inexact = 0;

  add(row: EnvelopeRow): void {
    this.n++;
    if (row.best) this.best++;
    if (row.worst) this.worst++;
    if (!row.exact) this.inexact++;
  }

  summary(): EnvelopeSummary {
    const { n, best, worst, inexact } = this;
    return { n, best, worst, low: n ? worst / n : 0, high: n ? best / n : 0, inexact, exact: inexact === 0 };
  }
}
