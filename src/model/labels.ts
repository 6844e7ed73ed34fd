import type { Label } from '../io/records.js';

/**
 * Maps labels (kept exactly as given: 1 and "1" are different labels) to dense ids 0..n-1 and back.
 * Uses a Map, never a plain object, so labels like "__proto__" or "constructor" are ordinary keys.
 * Classes are sorted like scikit-learn's `classes_`: numbers ascending, then strings by code unit.
 */
export class LabelEncoder {
  readonly classes: readonly Label[];
  private readonly ids: Map<Label, number>;

  constructor(labels: Iterable<Label>) {
    const unique = [...new Set(labels)];
    unique.sort(compareLabels);
    this.classes = unique;
    this.ids = new Map(unique.map((label, id) => [label, id]));
  }

  /** The id of a known label, or -1 for a label the training set never had. */
  idOf(label: Label): number {
    return this.ids.get(label) ?? -1;
  }

  labelOf(id: number): Label {
    return this.classes[id];
  }
}

/** Numbers (and big integers) ascending by value, then strings by code unit. */
export function compareLabels(a: Label, b: Label): number {
  const aText = typeof a === 'string';
  const bText = typeof b === 'string';
  if (aText !== bText) return aText ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}
