/**
 * The rolling drift check of `npc serve` (src/app/serve/rolling-drift.ts): on the same rows it gives the
 * p-values and the verdict of `npc drift`'s compareSets, as the window slides, and it says when it cannot test.
 */
import { describe, expect, it } from 'vitest';
import { cardReferenceSet, compareSets, type DriftSet } from '../../src/app/drift.js';
import { driftReference, type DriftReference, RollingDrift, rollingDriftOptionsProblem } from '../../src/app/serve/rolling-drift.js';
import type { CardReference } from '../../src/model/card.js';
import { mulberry32 } from '../../src/model/random.js';

interface Row {
  distance: number;
  /** The label's JSON text, or null for an abstention. */
  label: string | null;
}

/** NCD-like distances (ratios of small integers, so with many ties) and labels drawn with the given weights. */
function rows(seed: number, count: number, shift: number, weights: number[], labels: string[]): Row[] {
  const random = mulberry32(seed);
  const total = weights.reduce((s, w) => s + w, 0);
  return Array.from({ length: count }, () => {
    const distance = Math.round((0.55 + shift + 0.25 * random()) * 60) / 60;
    let pick = random() * total;
    let at = 0;
    while (at < weights.length - 1 && pick >= weights[at]) pick -= weights[at++];
    return { distance, label: labels[at] };
  });
}

/** A card's reference (labels as JSON values, as a card holds them) and what the server passes the observer for it (driftReference). */
function reference(seed: number, count: number): { card: CardReference; served: DriftReference } {
  const sample = rows(seed, count, 0, [3, 2, 1], ['1', '2', '"three"']);
  const counts = new Map<string, number>();
  for (const r of sample) counts.set(r.label!, (counts.get(r.label!) ?? 0) + 1);
  const card: CardReference = {
    source: 'training-sample',
    rows: count,
    seed,
    distances: sample.map((r) => r.distance),
    labels: [...counts].map(([label, n]) => ({ label: JSON.parse(label) as string | number, count: n })),
  };
  return { card, served: driftReference(card)! };
}

/** The current set `npc drift` would measure from these rows (none blank). */
function driftSet(window: Row[]): DriftSet {
  const labels = new Map<string, number>();
  for (const r of window) if (r.label !== null) labels.set(r.label, (labels.get(r.label) ?? 0) + 1);
  return {
    source: 'window',
    rows: window.length,
    distances: window.map((r) => r.distance),
    labels,
    empty: [],
    whitespace: [],
    short: [],
    farthest: [],
  };
}

describe('the rolling drift check', () => {
  it('on a full window gives the p-values, statistics and verdict of npc drift on the same rows, at every step as it slides', () => {
    const ref = reference(1, 800);
    const referenceSet = cardReferenceSet(ref.card, 'card');
    const stream = [...rows(2, 300, 0, [3, 2, 1], ['1', '2', '"three"']), ...rows(3, 300, 0.08, [1, 1, 4], ['1', '2', '"three"'])];
    const drift = new RollingDrift({ driftWindow: 200, alpha: 0.01 });
    drift.reset(ref.served);
    let alarms = 0;
    let calm = 0;
    stream.forEach((row, i) => {
      drift.add(row.distance, row.label);
      if (i + 1 < 200 || i % 37 !== 0) return;
      const expected = compareSets(referenceSet, driftSet(stream.slice(i + 1 - 200, i + 1)), 0.01);
      const got = drift.result();
      expect(got.filled).toBe(200);
      expect(got.ks!.d).toBeCloseTo(expected.ks.d, 12);
      expect(got.ks!.pValue).toBeCloseTo(expected.ks.pValue, 12);
      expect(got.labels!.chi2).toBeCloseTo(expected.labels.chi2, 9);
      expect(got.labels!.pValue).toBeCloseTo(expected.labels.pValue, 12);
      expect(got.level).toBe(expected.level);
      expect(got.alarm).toBe(expected.drift);
      if (got.alarm) alarms++;
      else calm++;
    });
    // The comparison covered both verdicts: the stream shifts half way.
    expect(alarms).toBeGreaterThan(0);
    expect(calm).toBeGreaterThan(0);
  });

  it('counts an abstention in the distances and not in the label shares', () => {
    const ref = reference(4, 300);
    const stream: Row[] = rows(5, 50, 0, [3, 2, 1], ['1', '2', '"three"']).map((r, i) => (i % 5 === 0 ? { ...r, label: null } : r));
    const drift = new RollingDrift({ driftWindow: 50 });
    drift.reset(ref.served);
    for (const r of stream) drift.add(r.distance, r.label);
    const expected = compareSets(cardReferenceSet(ref.card, 'card'), driftSet(stream), 0.01);
    const got = drift.result();
    expect(got.ks!.n + got.ks!.m).toBe(300 + 50);
    expect(got.ks!.pValue).toBeCloseTo(expected.ks.pValue, 12);
    expect(got.labels!.current.reduce((s, c) => s + c, 0)).toBe(40);
    expect(got.labels!.pValue).toBeCloseTo(expected.labels.pValue, 12);
  });

  it('before the window is full: how full it is, no tests and no alarm, even on a stream far from the reference', () => {
    const drift = new RollingDrift({ driftWindow: 10 });
    drift.reset(reference(6, 100).served);
    for (let i = 0; i < 9; i++) drift.add(1.1, '"elsewhere"');
    expect(drift.result()).toMatchObject({ size: 10, filled: 9, ks: null, labels: null, alarm: false });
    drift.add(1.1, '"elsewhere"');
    expect(drift.result()).toMatchObject({ filled: 10, alarm: true });
  });

  it('without reference distributions: no tests and no alarm', () => {
    const drift = new RollingDrift({ driftWindow: 5 });
    drift.reset(null);
    for (let i = 0; i < 8; i++) drift.add(1.1, '1');
    expect(drift.result()).toMatchObject({ filled: 5, ks: null, labels: null, alarm: false });
  });

  it('a reset (a model switch) empties the window', () => {
    const drift = new RollingDrift({ driftWindow: 5 });
    drift.reset(reference(7, 100).served);
    for (let i = 0; i < 5; i++) drift.add(1.1, '"x"');
    expect(drift.result().alarm).toBe(true);
    drift.reset(reference(8, 100).served);
    expect(drift.result()).toMatchObject({ filled: 0, alarm: false, ks: null });
  });

  it('keys a card\'s reference labels by their JSON text, as npc drift does (1, "1" and a big integer stay apart)', () => {
    const card: CardReference = {
      source: 'held-out',
      rows: 4,
      seed: null,
      distances: [0.5, 0.6, 0.7, 0.8],
      labels: [
        { label: 1, count: 1 },
        { label: '1', count: 1 },
        { label: 'sports', count: 1 },
        { label: { bigint: '12345678901234567890' }, count: 1 },
      ],
    };
    const served = driftReference(card)!;
    expect(served.labels.map((l) => l.label)).toEqual([...cardReferenceSet(card, 'card').labels.keys()]);
    expect(served.labels.map((l) => l.label)).toEqual(['1', '"1"', '"sports"', '12345678901234567890']);
    expect(driftReference(null)).toBeNull();
  });

  it('defaults to a window of 1,000 and alpha 0.01 (each test at alpha / 3, as npc drift)', () => {
    const drift = new RollingDrift();
    expect(drift.size).toBe(1000);
    expect(drift.result().level).toBeCloseTo(0.01 / 3, 15);
  });

  it.each([
    [{ driftWindow: 0 }, 'driftWindow must be a positive integer, not 0'],
    [{ driftWindow: 2.5 }, 'driftWindow must be a positive integer, not 2.5'],
    [{ alpha: 0 }, 'alpha must be between 0 and 1 (exclusive), not 0'],
    [{ alpha: 1 }, 'alpha must be between 0 and 1 (exclusive), not 1'],
    [{ alpha: Number.NaN }, 'alpha must be between 0 and 1 (exclusive), not NaN'],
  ])('refuses the options %o, naming the option', (options, message) => {
    expect(rollingDriftOptionsProblem(options)).toBe(message);
    expect(() => new RollingDrift(options)).toThrow(new RangeError(message));
  });
});
