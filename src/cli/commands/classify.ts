/** `npc classify [TEXT...]`: labels for arguments, or a stream of JSONL / text lines from stdin. */
import type { Readable } from 'node:stream';
import { classifyRecords, type Prediction } from '../../app/classify.js';
import { labelNameMap, openTrainingSearcher } from '../../app/training.js';
import { InputError, UsageError, at } from '../../errors.js';
import { appendMembers, objectMembers, toJson } from '../../io/json-text.js';
import type { FileFormat } from '../../io/lines.js';
import { readRecords } from '../../io/read-records.js';
import type { Label, LabeledRecord } from '../../io/records.js';
import { checkLabelNames, chooseFormat, formatHint, labelFormatter } from '../options.js';
import type { LineWriter } from '../output.js';

export interface ClassifyCommandOptions {
  train?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  k: number;
  neighbors: number;
  textField: string;
  labelField: string;
  input: 'jsonl' | 'text';
  json: boolean;
  labelNames?: string[];
  jobs: number;
  outputField: string;
  emptyLabel: string;
}

export async function classifyCommand(
  texts: string[],
  options: ClassifyCommandOptions,
  io: { stdin: Readable; out: LineWriter; warn: (message: string) => void },
): Promise<void> {
  const fromStdin = texts.length === 0 || (texts.length === 1 && texts[0] === '-');
  checkOptions(texts, fromStdin, options);
  // JSONL in, JSONL out: the input lines pass through with the prediction added.
  const asJson = options.json || (fromStdin && options.input === 'jsonl');
  const trainFormat = chooseFormat(options.train, options.trainFormat, options.format, '--train-format');
  // A few arguments against a small training set: one thread, no start-up cost. Stdin, or a large
  // training set: the worker pool.
  const { searcher, labelNames } = await openTrainingSearcher(
    { path: options.train, format: trainFormat, textField: options.textField, labelField: options.labelField, formatHint: formatHint('--train-format') },
    options.jobs,
    { jobsBelowPreparedSize: fromStdin ? options.jobs : 1, onWarning: io.warn },
  );
  const empty: number[] = [];
  try {
    checkLabelNames(options.labelNames, searcher.index.encoder.classes);
    const names = labelNameMap(options.labelNames) ?? labelNames;
    const records: AsyncIterable<LabeledRecord> = fromStdin
      ? readRecords('-', {
          stdin: io.stdin,
          format: options.input,
          textField: options.textField,
          labelField: options.labelField,
          requireLabel: false,
          keepRaw: true,
          formatHint: 'for plain text lines pass --input text',
        })
      : argumentRecords(texts);
    const show = labelFormatter(searcher.index.encoder.classes, names);
    const added = addedFields(options);
    for await (const result of classifyRecords(searcher, records, { k: options.k, neighbors: options.neighbors })) {
      if (result.skipped) empty.push(result.record.line);
      let line: string;
      if (!asJson) line = result.prediction === null ? options.emptyLabel : show(result.prediction);
      else line = jsonLine(result, options, added, names, fromStdin ? '<stdin>' : 'argument');
      await io.out.writeLine(line);
    }
  } finally {
    await searcher.close();
  }
  if (empty.length) {
    const s = empty.length === 1 ? '' : 's';
    const first = empty.slice(0, 5).join(', ') + (empty.length > 5 ? ', …' : '');
    const got = asJson ? '"prediction": null, "error": "empty text"' : `'${options.emptyLabel}' (--empty-label)`;
    io.warn(`<stdin>: ${empty.length} empty line${s} not classified (line${s} ${first}); each got ${got}`);
  }
}

/** Combinations that would silently do something other than asked. */
function checkOptions(texts: string[], fromStdin: boolean, options: ClassifyCommandOptions): void {
  if (!fromStdin) {
    if (texts.includes('-')) throw new UsageError('"-" (read stdin) cannot be combined with text arguments; pipe the texts in instead');
    const empty = texts.indexOf('');
    if (empty >= 0) throw new InputError('empty "text"', `argument ${empty + 1}`);
    if (options.input !== 'jsonl') throw new UsageError('--input describes stdin, but the texts are arguments');
  }
  if (fromStdin && options.train === '-') {
    throw new UsageError('--train - reads the training set from stdin, so the texts to classify must be arguments');
  }
  const asJson = options.json || (fromStdin && options.input === 'jsonl');
  if (options.neighbors > 0 && !asJson) throw new UsageError('--neighbors needs JSON output: add --json (plain output is one label per line)');
  if (options.outputField === '') throw new UsageError('--output-field needs a name');
  if (asJson && !(fromStdin && options.input === 'jsonl') && options.outputField === options.textField) {
    throw new UsageError(`--output-field ${options.outputField} is also the text field`);
  }
}

async function* argumentRecords(texts: string[]): AsyncGenerator<LabeledRecord> {
  for (let i = 0; i < texts.length; i++) yield { text: texts[i], label: undefined, line: i + 1 };
}

/** The fields classify adds to each object: the prediction, its display name, the neighbours. */
interface AddedFields {
  prediction: string;
  name: string;
  neighbors: string;
}

function addedFields(options: ClassifyCommandOptions): AddedFields {
  return { prediction: options.outputField, name: `${options.outputField}_name`, neighbors: 'neighbors' };
}

function jsonLine(
  result: Prediction,
  options: ClassifyCommandOptions,
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
  if (result.neighbors) members.push([added.neighbors, toJson(result.neighbors)]);
  const { raw } = result.record;
  if (raw === undefined) return `{${[[options.textField, JSON.stringify(result.record.text)], ...members].map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
  // The input line passes through byte for byte (numbers are not re-read); a field of the same name
  // as one npc adds would be shadowed or duplicated, so it is an error, with the way out.
  const present = new Set(objectMembers(raw).map((m) => m.name));
  for (const [field] of members) {
    if (present.has(field)) {
      const remedy = field === added.neighbors ? 'rename it in the input' : 'name the new field with --output-field NAME';
      throw new InputError(`the object already has a "${field}" field, which npc would add; ${remedy}`, at(source, result.record.line));
    }
  }
  return appendMembers(raw, members);
}
