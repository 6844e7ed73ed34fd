/** `npc eval`: strict and lenient accuracy of a test split against a training set. */
import { evaluate, type EvaluationSummary, type RowResult } from '../../app/evaluate.js';
import { stratifiedSample } from '../../app/sampling.js';
import { labelNameMap, loadSplit, openSearcher } from '../../app/training.js';
import { UsageError } from '../../errors.js';
import { createAtomicWriter } from '../../io/atomic-file.js';
import type { InputFormat, Label } from '../../io/records.js';
import { Interrupted } from '../exit-codes.js';
import { displayLabel } from '../options.js';
import { type LineWriter, ProgressLine } from '../output.js';

export interface EvalCommandOptions {
  train?: string;
  test?: string;
  format?: InputFormat;
  k: number;
  limit?: number;
  sample?: number;
  seed: number;
  json: boolean;
  predictions?: string;
  neighbors?: number;
  quiet: boolean;
  textField: string;
  labelField: string;
  labelNames?: string[];
  jobs: number;
}

export async function evalCommand(options: EvalCommandOptions, io: { out: LineWriter }): Promise<void> {
  if (options.limit !== undefined && options.sample !== undefined) throw new UsageError('--limit and --sample cannot be combined');
  if (options.train !== undefined && options.train === options.test && options.train === '-') {
    throw new UsageError('--train and --test cannot both be stdin');
  }
  if (options.predictions !== undefined && [options.train, options.test].includes(options.predictions)) {
    throw new UsageError(`--predictions ${options.predictions} would overwrite an input file`);
  }
  // Opened first so a bad output path fails before minutes of work; aborted on any failure below.
  const writer = options.predictions ? createAtomicWriter(options.predictions) : undefined;
  const progress = new ProgressLine(!options.quiet);
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSignal = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let summary: EvaluationSummary;
  let names: ReadonlyMap<Label, string> | undefined;
  let trainSource: string;
  let testSource: string;
  let testSize: number;
  try {
    const fields = { format: options.format, textField: options.textField, labelField: options.labelField };
    const train = await loadSplit({ path: options.train, ...fields }, 'train');
    const test = await loadSplit({ path: options.test, ...fields }, 'test');
    names = labelNameMap(options.labelNames) ?? train.labelNames ?? test.labelNames;
    trainSource = train.source;
    testSource = test.source;
    testSize = test.records.length;
    let rows: number[] | undefined;
    if (options.sample !== undefined) {
      rows = stratifiedSample(test.records.map((r) => r.label as Label), options.sample, options.seed);
    } else if (options.limit !== undefined) {
      rows = test.records.slice(0, options.limit).map((_, i) => i);
    }
    const searcher = await openSearcher(train.records, options.jobs);
    const trainSize = searcher.index.size;
    summary = await evaluate(searcher, test.records, rows, {
      k: options.k,
      neighbors: options.neighbors,
      onProgress: (done, total) => progress.update(done, total, trainSize),
      onPrediction: writer ? (row) => writeLine(writer.stream, predictionLine(row)) : undefined,
      shouldStop: () => stopSignal !== undefined,
    }).finally(() => searcher.close());
  } catch (err) {
    await writer?.abort();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress.clear();
  }
  if (stopSignal) {
    await writer?.abort();
    process.stderr.write(`npc: partial result (${summary.n} rows evaluated):\n${formatSummary(summary, names, testSource)}\n`);
    throw new Interrupted(stopSignal);
  }
  await writer?.commit();
  const report = options.json ? JSON.stringify(summaryJson(summary, names, trainSource, testSource)) : formatSummary(summary, names, testSource, testSize);
  for (const line of report.split('\n')) await io.out.writeLine(line);
}

function predictionLine(row: RowResult): string {
  return JSON.stringify({
    index: row.index,
    label: row.label,
    prediction: row.prediction,
    correct: row.correct,
    lenient: row.lenient,
    neighbors: row.neighbors,
  });
}

function writeLine(stream: NodeJS.WritableStream, line: string): Promise<void> | void {
  if (!stream.write(line + '\n')) return new Promise((resolve) => stream.once('drain', () => resolve()));
}

function summaryJson(s: EvaluationSummary, names: ReadonlyMap<Label, string> | undefined, train: string, test: string): object {
  return {
    train,
    test,
    n: s.n,
    k: s.k,
    train_size: s.train_size,
    strict: s.strict,
    lenient: s.lenient,
    strict_correct: s.strict_correct,
    lenient_correct: s.lenient_correct,
    per_class: s.per_class.map((c) => ({ ...c, ...(names?.has(c.label) ? { name: names.get(c.label) } : {}) })),
    elapsed_s: s.elapsed_s,
    pairs: s.pairs,
    pairs_per_second: s.pairs_per_second,
  };
}

function formatSummary(s: EvaluationSummary, names: ReadonlyMap<Label, string> | undefined, testSource: string, testSize?: number): string {
  const pct = (x: number): string => x.toFixed(4);
  const lines = [
    `test rows        ${s.n}${testSize !== undefined && testSize !== s.n ? ` (of ${testSize} in ${testSource})` : ''}`,
    `train rows       ${s.train_size}`,
    `k                ${s.k}`,
    `strict accuracy  ${pct(s.strict)}  (${s.strict_correct}/${s.n}; top-1 vote, ties to the nearest neighbour)`,
    `lenient accuracy ${pct(s.lenient)}  (${s.lenient_correct}/${s.n}; the paper's rule: right if the true label is among the tied top votes)`,
    'per class:',
  ];
  const labels = s.per_class.map((c) => displayLabel(c.label, names));
  const width = Math.max(5, ...labels.map((l) => l.length));
  lines.push(`  ${'label'.padEnd(width)}  ${'n'.padStart(6)}  strict  lenient`);
  s.per_class.forEach((c, i) => {
    lines.push(`  ${labels[i].padEnd(width)}  ${String(c.n).padStart(6)}  ${pct(c.strict)}  ${pct(c.lenient)}`);
  });
  lines.push(`elapsed          ${s.elapsed_s.toFixed(2)} s`);
  lines.push(`pairs per second ${Math.round(s.pairs_per_second).toLocaleString('en-US')}`);
  return lines.join('\n');
}
