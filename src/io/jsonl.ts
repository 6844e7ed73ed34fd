/** JSONL records: one JSON object per line; blank lines are skipped; every problem names its line. */
import { InputError, at } from '../errors.js';
import type { LabeledRecord, ReadOptions } from './records.js';
import type { Label } from '../model/labels.js';
import type { Line } from './lines.js';
import { exactNumber, rawPathText } from '../json-text.js';
import { type FieldSpec, fieldSpecProblem, lookup, parseFieldSpec, pathName } from './field-paths.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export async function* readJsonlRecords(
  lines: AsyncIterable<Line>,
  options: Pick<ReadOptions, 'source' | 'textField' | 'labelField' | 'requireLabel' | 'keepRaw' | 'formatHint' | 'allowEmptyText'>,
): AsyncGenerator<LabeledRecord> {
  for await (const line of lines) {
    if (line.text.trim() === '') continue;
    const record = parseJsonlLine(line.text, line.number, options);
    if (options.keepRaw) record.end = line.end;
    yield record;
  }
}

export function parseJsonlLine(
  text: string,
  lineNumber: number,
  options: Pick<ReadOptions, 'source' | 'textField' | 'labelField' | 'requireLabel' | 'keepRaw' | 'formatHint' | 'allowEmptyText'>,
): LabeledRecord {
  const where = at(options.source, lineNumber);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // A line that does not even start like a JSON object is most likely another format.
    const hint = options.formatHint && !/^\s*[{[]/.test(text) ? `; ${options.formatHint}` : '';
    throw new InputError(`invalid JSON (${(err as Error).message})${hint}`, where);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new InputError(`expected a JSON object, got ${kind}`, where);
  }
  const fields = value as Record<string, unknown>;
  const { textField, labelField } = options;
  const textSpec = specOf(textField, false);
  const labelSpec = specOf(labelField, true);
  // The text: one field, or several joined with one space (`title,description`).
  const parts: string[] = [];
  for (const path of textSpec.paths) {
    const found = lookup(fields, path);
    if (!found.found) throw new InputError(found.message, where);
    if (typeof found.value !== 'string') throw new InputError(`"${pathName(path)}" is not a string`, where);
    parts.push(found.value);
  }
  const textValue = parts.join(' ');
  if (textValue === '' && !options.allowEmptyText) throw new InputError(`empty "${textField}"`, where);
  // "\ud800" is valid JSON but not Unicode: it has no UTF-8 bytes, so C() of it is undefined.
  if (LONE_SURROGATE.test(textValue))
    throw new InputError(`"${textField}" holds a lone surrogate (\\uD800-\\uDFFF escape), not valid Unicode`, where);
  let label: Label | undefined;
  const labelPath = labelSpec.paths[0];
  const labelFound = lookup(fields, labelPath);
  if (labelFound.found && labelFound.value !== null) {
    label = checkLabel(labelFound.value, labelField, where, text, labelPath);
  } else if (options.requireLabel) {
    throw new InputError(labelFound.found ? `"${pathName(labelPath)}" is null` : labelFound.message, where);
  }
  const record: LabeledRecord = { text: textValue, label, line: lineNumber };
  if (options.keepRaw) record.raw = text;
  return record;
}

/** Parsed field specs, cached (the same two specs are used for every line of a file). */
const specs = new Map<string, FieldSpec>();
function specOf(spec: string, single: boolean): FieldSpec {
  let parsed = specs.get(spec);
  if (!parsed) {
    parsed = parseFieldSpec(spec);
    const problem = fieldSpecProblem(parsed, { single });
    if (problem) throw new InputError(`${single ? '--label-field' : '--text-field'} ${problem}`);
    specs.set(spec, parsed);
  }
  return parsed;
}

function checkLabel(value: unknown, labelField: string, where: string, line: string, path: readonly string[]): Label {
  if (typeof value === 'string') {
    if (value === '') throw new InputError(`empty "${labelField}"`, where);
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (Number.isSafeInteger(value)) return value;
    // JSON.parse rounded it to a double: read the digits as written, so big ids keep their value.
    const token = rawPathText(line, path) ?? String(value);
    const exact = exactNumber(token);
    if (exact === undefined) {
      throw new InputError(
        `"${labelField}" ${token} has more digits than npc can compare exactly; write it as a string ("${token}")`,
        where,
      );
    }
    return exact;
  }
  throw new InputError(`"${labelField}" must be a string or a number`, where);
}
