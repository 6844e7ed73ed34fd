/** JSONL records: one JSON object per line; blank lines are skipped; every problem names its line. */
import { InputError, at } from '../errors.js';
import type { LabeledRecord, ReadOptions } from './records.js';
import type { Label } from '../model/labels.js';
import type { Line } from './lines.js';
import { exactNumber, rawMemberText } from './json-text.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export async function* readJsonlRecords(
  lines: AsyncIterable<Line>,
  options: Pick<ReadOptions, 'source' | 'textField' | 'labelField' | 'requireLabel' | 'keepRaw' | 'formatHint' | 'allowEmptyText'>,
): AsyncGenerator<LabeledRecord> {
  for await (const line of lines) {
    if (line.text.trim() === '') continue;
    yield parseJsonlLine(line.text, line.number, options);
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
  if (!Object.prototype.hasOwnProperty.call(fields, textField)) throw new InputError(`missing "${textField}"`, where);
  const textValue = fields[textField];
  if (typeof textValue !== 'string') throw new InputError(`"${textField}" is not a string`, where);
  if (textValue === '' && !options.allowEmptyText) throw new InputError(`empty "${textField}"`, where);
  // "\ud800" is valid JSON but not Unicode: it has no UTF-8 bytes, so C() of it is undefined.
  if (LONE_SURROGATE.test(textValue)) throw new InputError(`"${textField}" holds a lone surrogate (\\uD800-\\uDFFF escape), not valid Unicode`, where);
  let label: Label | undefined;
  if (Object.prototype.hasOwnProperty.call(fields, labelField) && fields[labelField] !== null) {
    label = checkLabel(fields[labelField], labelField, where, text);
  } else if (options.requireLabel) {
    throw new InputError(`missing "${labelField}"`, where);
  }
  const record: LabeledRecord = { text: textValue, label, line: lineNumber };
  if (options.keepRaw) record.raw = text;
  return record;
}

function checkLabel(value: unknown, labelField: string, where: string, line: string): Label {
  if (typeof value === 'string') {
    if (value === '') throw new InputError(`empty "${labelField}"`, where);
    return value;
  }
  if (typeof value === 'number' && Number.isFinite(value)) {
    if (Number.isSafeInteger(value)) return value;
    // JSON.parse rounded it to a double: read the digits as written, so big ids keep their value.
    const token = rawMemberText(line, labelField) ?? String(value);
    const exact = exactNumber(token);
    if (exact === undefined) {
      throw new InputError(`"${labelField}" ${token} has more digits than npc can compare exactly; write it as a string ("${token}")`, where);
    }
    return exact;
  }
  throw new InputError(`"${labelField}" must be a string or a number`, where);
}
