/** `npc classify [TEXT...]`: labels for arguments, or a stream of JSONL / text lines from stdin. */
import type { Readable } from 'node:stream';
import { argumentRecords, classifyRecords, stdinRecords } from '../../app/classify.js';
import { type FileFormat, labelNameMap, openTrainingSearcher } from '../../app/training.js';
import { InputError, UsageError } from '../../errors.js';
import { addedFields, jsonLine } from '../classify-output.js';
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
    const records = fromStdin
      ? stdinRecords(io.stdin, {
          format: options.input,
          textField: options.textField,
          labelField: options.labelField,
          formatHint: 'for plain text lines pass --input text',
        })
      : argumentRecords(texts);
    const show = labelFormatter(searcher.index.encoder.classes, names);
    const added = addedFields(options.outputField);
    for await (const result of classifyRecords(searcher, records, { k: options.k, neighbors: options.neighbors })) {
      if (result.skipped) empty.push(result.record.line);
      let line: string;
      if (!asJson) line = result.prediction === null ? options.emptyLabel : show(result.prediction);
      else line = jsonLine(result, options.textField, added, names, fromStdin ? '<stdin>' : 'argument');
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

