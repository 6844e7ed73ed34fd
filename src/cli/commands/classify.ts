/** `npc classify [TEXT...]`: labels for arguments, or a stream of JSONL / text lines from stdin. */
import type { Readable } from 'node:stream';
import { classifyRecords, type Prediction } from '../../app/classify.js';
import { labelNameMap, openTrainingSearcher } from '../../app/training.js';
import { InputError } from '../../errors.js';
import { recordsFrom } from '../../io/read-records.js';
import type { InputFormat, Label, LabeledRecord } from '../../io/records.js';
import { labelFormatter } from '../options.js';
import type { LineWriter } from '../output.js';

export interface ClassifyCommandOptions {
  train?: string;
  format?: InputFormat;
  k: number;
  neighbors: number;
  textField: string;
  labelField: string;
  input: 'jsonl' | 'text';
  json: boolean;
  labelNames?: string[];
  jobs: number;
}

export async function classifyCommand(
  texts: string[],
  options: ClassifyCommandOptions,
  io: { stdin: Readable; out: LineWriter },
): Promise<void> {
  const fromStdin = texts.length === 0 || (texts.length === 1 && texts[0] === '-');
  if (!fromStdin) {
    const empty = texts.indexOf('');
    if (empty >= 0) throw new InputError('empty "text"', `argument ${empty + 1}`);
  }
  // A few arguments against a small training set: one thread, no start-up cost. Stdin, or a large
  // training set: the worker pool.
  const { searcher, labelNames } = await openTrainingSearcher(
    { path: options.train, format: options.format, textField: options.textField, labelField: options.labelField },
    options.jobs,
    { jobsBelowPreparedSize: fromStdin ? options.jobs : 1 },
  );
  const names = labelNameMap(options.labelNames) ?? labelNames;
  const records: AsyncIterable<LabeledRecord> = fromStdin
    ? recordsFrom(io.stdin, {
        source: '<stdin>',
        format: options.input,
        textField: options.textField,
        labelField: options.labelField,
        requireLabel: false,
      })
    : argumentRecords(texts);
  // JSONL in, JSONL out: the input objects pass through with `prediction` added.
  const asJson = options.json || (fromStdin && options.input === 'jsonl');
  const show = labelFormatter(searcher.index.encoder.classes, names);
  try {
    for await (const result of classifyRecords(searcher, records, { k: options.k, neighbors: options.neighbors })) {
      await io.out.writeLine(asJson ? jsonLine(result, options, names) : show(result.prediction));
    }
  } finally {
    await searcher.close();
  }
}

async function* argumentRecords(texts: string[]): AsyncGenerator<LabeledRecord> {
  for (let i = 0; i < texts.length; i++) yield { text: texts[i], label: undefined, line: i + 1 };
}

function jsonLine(result: Prediction, options: ClassifyCommandOptions, names: ReadonlyMap<Label, string> | undefined): string {
  const base: Record<string, unknown> = result.record.fields ? { ...result.record.fields } : { [options.textField]: result.record.text };
  base.prediction = result.prediction;
  const name = names?.get(result.prediction);
  if (name !== undefined) base.prediction_name = name;
  if (result.neighbors) base.neighbors = result.neighbors;
  return JSON.stringify(base);
}
