/**
 * The JSON line of one prediction, as `npc classify --json` writes it and the server's NDJSON answer
 * streams it: an input line passes through byte for byte, the new fields appended after its last
 * member (numbers are not re-read, key order and spacing stay), and ends as it ended (LF or CRLF); a new
 * object is built for texts given as arguments or plain lines.
 */
import type { Prediction } from './classify.js';
import { InputError, at } from '../errors.js';
import { appendMembers, objectMembers, toJson } from '../json-text.js';
import type { Label } from '../model/labels.js';

/** The fields classify adds to each object: the prediction, its display name, the neighbours (also `confidence`, `distance`, `abstained`, `error`). */
export interface AddedFields {
  prediction: string;
  name: string;
  neighbors: string;
}

/** `--output-field NAME` names the prediction field and, after it, the label's display name field. */
export function addedFields(outputField: string): AddedFields {
  return { prediction: outputField, name: `${outputField}_name`, neighbors: 'neighbors' };
}

export function jsonLine(
  result: Prediction,
  textField: string,
  added: AddedFields,
  names: ReadonlyMap<Label, string> | undefined,
  source: string,
): string {
  const members: [string, string][] = [[added.prediction, toJson(result.prediction)]];
  if (result.skipped) members.push(['error', JSON.stringify(result.skipped)]);
  if (result.prediction !== null) {
    const name = names?.get(result.prediction);
    if (name !== undefined) members.push([added.name, JSON.stringify(name)]);
  }
  if (result.abstained) members.push(['abstained', 'true']);
  members.push(['confidence', toJson(result.confidence)], ['distance', toJson(result.distance)]);
  if (result.neighbors) members.push([added.neighbors, toJson(result.neighbors)]);
  const { raw } = result.record;
  if (raw === undefined)
    return `{${[[textField, JSON.stringify(result.record.text)], ...members].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  // The input line passes through byte for byte (numbers are not re-read); a field of the same name
  // as one npc adds would be shadowed or duplicated, so it is an error, with the way out.
  const present = new Set(objectMembers(raw).map((m) => m.name));
  for (const [field] of members) {
    if (present.has(field)) {
      const remedy =
        field === added.prediction || field === added.name ? 'name the new field with --output-field NAME' : 'rename it in the input';
      throw new InputError(`the object already has a "${field}" field, which npc would add; ${remedy}`, at(source, result.record.line));
    }
  }
  return appendMembers(raw, members);
}

/**
 * The line end after the output line of `record`: the input line's own when it was a passed-through
 * JSONL line (LF or CRLF), LF otherwise, and LF too after a last input line that had none (every output
 * line is ended, so that outputs concatenate).
 */
export function lineEnd(record: { end?: string }): string {
  const { end } = record;
  if (end === undefined || end === '') return '\n';
  return end.endsWith('\n') ? end : end + '\n';
}
