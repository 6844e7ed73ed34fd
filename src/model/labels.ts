/**
 * A label exactly as the data gave it: strings stay strings, JSON numbers stay numbers, and integers
 * beyond 2^53 (which a double would round) are bigints, so 12345678901234567890 stays itself.
 * 1 and "1" are different labels; a number and a bigint never hold the same value.
 */
export type Label = string | number | bigint;

/**
 * Maps labels (kept exactly as given: 1 and "1" are different labels within a file) to dense ids 0..n-1 and back.
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

/** A label as a JSON value: strings and numbers as themselves, a bigint as `{"bigint": "<digits>"}` (a JSON number would round it). */
export type JsonLabel = string | number | { bigint: string };

export function labelToJson(label: Label): JsonLabel {
  return typeof label === 'bigint' ? { bigint: label.toString() } : label;
}

/** The label a JsonLabel holds; a RangeError for any other value. */
export function labelFromJson(value: unknown): Label {
  if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) return value;
  if (value !== null && typeof value === 'object' && Object.keys(value).length === 1) {
    const digits = (value as { bigint?: unknown }).bigint;
    if (typeof digits === 'string' && /^-?\d+$/.test(digits)) return BigInt(digits);
  }
  throw new RangeError(`not a label: ${JSON.stringify(value)}`);
}

/** A label's text: a string itself, a number or big integer in its shortest decimal form (`1`, `0.5`). */
export function labelText(label: Label): string {
  return typeof label === 'string' ? label : String(label);
}

/**
 * Test labels that are no training label but have the text of exactly one (a CSV's `"1"` against a
 * JSONL's `1`: CSV and TSV carry no types), each with that training label. A test label that is a
 * training label is never in the map.
 */
export function labelsMatchedByText(training: Iterable<Label>, test: Iterable<Label>): Map<Label, Label> {
  const known = new Set(training);
  const byText = new Map<string, Label[]>();
  for (const label of known) {
    const same = byText.get(labelText(label));
    if (same) same.push(label);
    else byText.set(labelText(label), [label]);
  }
  const matched = new Map<Label, Label>();
  for (const label of new Set(test)) {
    if (known.has(label)) continue;
    const same = byText.get(labelText(label));
    if (same?.length === 1) matched.set(label, same[0]);
  }
  return matched;
}

/** Numbers (and big integers) ascending by value, then strings by code unit. */
export function compareLabels(a: Label, b: Label): number {
  const aText = typeof a === 'string';
  const bText = typeof b === 'string';
  if (aText !== bText) return aText ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The encoder of `labels` and each label's id: what a training set's labels become. */
export function encodeLabels(labels: readonly Label[]): { encoder: LabelEncoder; labelIds: Int32Array } {
  const encoder = new LabelEncoder(labels);
  return { encoder, labelIds: Int32Array.from(labels, (label) => encoder.idOf(label)) };
}
