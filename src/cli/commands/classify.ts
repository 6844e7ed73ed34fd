/** `npc classify [TEXT...]`: labels for arguments, or a stream of JSONL / text lines from stdin. */
import type { Readable } from 'node:stream';
import { argumentRecords, classifyRecords, csvField, fileRecords, stdinRecords, stdinTableRows } from '../../app/classify.js';
import type { CsvHeader, PassthroughRecord } from '../../io/csv-passthrough.js';
import type { Label } from '../../model/labels.js';
import type { TieRule } from '../../model/tie-rules.js';
import { INDEX_CACHE_MIN_ROWS, labelNameMap, openTrainingSearcher, type TrainingSearcher, type WorkerFactory } from '../../app/training.js';
import { openModelSearcher } from '../../app/model.js';
import {
  describeSettings,
  type GivenFlags,
  openModel,
  refuseTrainingFlags,
  setting,
  stripOfModel,
  type UsedSetting,
  checkModelKs,
  refuseRepositoryWithoutModel,
} from '../model-use.js';
import type { FileFormat } from '../../io/lines.js';
import { InputError, UsageError, at } from '../../errors.js';
import { addedFields, checkLineOutput, jsonLine, lineEnd, type LineOutput } from '../classify-output.js';
import { resolveShard, type ShardFlag } from '../shards.js';
import { chooseFormat, type FieldFlags, type FileFields, fileFields, formatHint } from '../../app/data-layout.js';
import { checkLabelNames, labelFormatter } from '../options.js';
import { refuseDatasetNameAsFile, refuseDatasetWithModel, refuseWithDataset } from '../dataset-use.js';
import type { LineWriter } from '../line-writer.js';

export interface ClassifyCommandOptions extends FieldFlags {
  train?: string;
  /** `--dataset NAME`: the catalog data set whose cached train split is the training side. */
  dataset?: string;
  /** A model artifact: its rows are the training side, its card the default k, tie rule, seed and thresholds. */
  model?: string;
  /** `--repository DIR`: where `models:/` URIs of --model are resolved. */
  repository?: string;
  /** Strip the training rows and the input texts (Python str.strip()); with --model, the model's choice. */
  strip: boolean;
  /** No note on stderr of the settings a model run uses. */
  quiet: boolean;
  /** The flags given on the command line (`--k`, `--tie`, …), to tell them from defaults. */
  given?: GivenFlags;
  format?: FileFormat;
  trainFormat?: FileFormat;
  k: number;
  tie: TieRule;
  /** Given only with --tie random (0 when absent). */
  seed?: number;
  neighbors: number;
  input: 'jsonl' | 'text' | 'csv' | 'tsv';
  json: boolean;
  labelNames?: string[];
  jobs: number;
  outputField: string;
  emptyLabel: string;
  inputFile?: string;
  shard?: ShardFlag;
  abstainAbove?: number;
  minConfidence?: number;
  abstainLabel: string;
  stopOnBadRow: boolean;
}

export async function classifyCommand(
  texts: string[],
  options: ClassifyCommandOptions,
  io: {
    stdin: Readable;
    out: LineWriter;
    warn: (message: string) => void;
    /** A note for people on stderr (the settings a model run uses). */
    note: (message: string) => void;
    /** How search worker threads are started (default: the built worker.js). */
    createWorker?: WorkerFactory;
  },
): Promise<void> {
  const fromFile = options.inputFile !== undefined;
  const fromStdin = !fromFile && (texts.length === 0 || (texts.length === 1 && texts[0] === '-'));
  const given = options.given ?? new Set<string>();
  refuseRepositoryWithoutModel(options);
  const withModel = options.model !== undefined;
  refuseDatasetNameAsFile([['--train', options.train]]);
  if (options.dataset !== undefined) {
    refuseDatasetWithModel(options.dataset, options.model);
    refuseWithDataset(
      given,
      options.dataset,
      [['--train', options.train, 'the training split']],
      ['--format', '--train-format', '--train-text-field', '--train-label-field', '--train-columns'],
    );
  }
  if (withModel) {
    refuseTrainingFlags(given, ['--train', '--train-format', '--train-text-field', '--train-label-field', '--train-columns']);
    if (given.has('--format'))
      throw new UsageError("--format sets the training file's format, and --model gives the training side: the input's format is --input");
  }
  const trainFormat = withModel ? undefined : chooseFormat(options.train, options.trainFormat, options.format, '--train-format');
  // The texts to classify are the test side: --test-text-field, --test-columns name their fields.
  const fields = fileFields(options, [
    ...(withModel
      ? []
      : [{ side: 'train' as const, what: 'the training file', format: trainFormat, formatFlag: '--train-format', requireLabel: true }]),
    {
      side: 'test',
      what: 'the input',
      format: fromStdin || fromFile ? options.input : undefined,
      formatFlag: '--input',
      requireLabel: false,
    },
  ]);
  const textField = fields.test.textField;
  const model = withModel ? openModel(options.model!, io.warn, options.repository) : undefined;
  // With a model, k, the tie rule, its seed and the thresholds are the card's unless given; strip is the model's.
  const settings: Record<string, UsedSetting<unknown>> | undefined = model && {
    k: setting(given, '--k', options.k, model.card.defaults.k),
    tie: setting(given, '--tie', options.tie, model.card.defaults.tie),
    seed: setting(given, '--seed', options.seed, model.card.defaults.seed),
    'abstain-above': setting(given, '--abstain-above', options.abstainAbove, model.card.defaults.abstain_above ?? undefined),
    'min-confidence': setting(given, '--min-confidence', options.minConfidence, model.card.defaults.min_confidence ?? undefined),
    strip: stripOfModel(model, given),
  };
  const run = {
    k: (settings?.k.value ?? options.k) as number,
    tie: (settings?.tie.value ?? options.tie) as TieRule,
    seed: settings ? (settings.seed.value as number) : options.seed,
    abstainAbove: (settings ? settings['abstain-above'].value : options.abstainAbove) as number | undefined,
    minConfidence: (settings ? settings['min-confidence'].value : options.minConfidence) as number | undefined,
    strip: (settings?.strip.value ?? options.strip) as boolean,
  };
  checkOptions(texts, fromStdin, options, textField, run.tie);
  const range = options.shard ? resolveShard(options.shard, '--shard') : undefined;
  // JSONL in, JSONL out: the input lines pass through with the prediction added.
  const streamed = fromStdin || fromFile;
  const table = options.input === 'csv' || options.input === 'tsv';
  const asJson = options.json || (streamed && options.input === 'jsonl');
  // A few arguments against a small training set: one thread, no start-up cost. Stdin, or a large
  // training set: the worker pool.
  let searcher: TrainingSearcher['searcher'];
  let labelNames: ReadonlyMap<Label, string> | undefined;
  let trainSource: string;
  if (model) {
    checkModelKs([run.k], model);
    const jobs = model.index.size >= INDEX_CACHE_MIN_ROWS || streamed ? options.jobs : 1;
    searcher = await openModelSearcher(model, jobs, { createWorker: io.createWorker });
    labelNames = model.labelNames;
    trainSource = model.shown;
    if (!options.quiet) io.note(`model ${model.shown} (${model.card.name}): ${describeSettings(settings!)}`);
  } else {
    ({
      searcher,
      labelNames,
      source: trainSource,
    } = await openTrainingSearcher(
      {
        path: options.train,
        dataset: options.dataset,
        format: trainFormat,
        ...fields.train,
        strip: options.strip,
        formatHint: formatHint('--train-format'),
      },
      options.jobs,
      { jobsBelowPreparedSize: streamed ? options.jobs : 1, onWarning: io.warn, createWorker: io.createWorker },
    ));
  }
  const empty: number[] = [];
  let lineOffset: (() => Promise<number>) | undefined;
  try {
    checkLabelNames(options.labelNames, searcher.index.encoder.classes);
    const names = labelNameMap(options.labelNames) ?? labelNames;
    const show = labelFormatter(searcher.index.encoder.classes, names);
    // Plain, CSV and TSV output are one line per input row: refuse, before any output, a value that would break that.
    const lineOutput: LineOutput | undefined = table ? (options.input as 'csv' | 'tsv') : asJson ? undefined : 'plain';
    if (lineOutput) checkLineOutput(lineOutput, searcher.index.encoder.classes, show, { ...options, trainSource });
    const classifyOptions = {
      k: run.k,
      tie: run.tie,
      seed: run.seed ?? 0,
      neighbors: options.neighbors,
      abstainAbove: run.abstainAbove,
      minConfidence: run.minConfidence,
      strip: run.strip,
    };
    if (table) {
      empty.push(...(await classifyTable(options, fields.test, io, searcher, classifyOptions, show)));
    } else {
      const readOptions = {
        format: options.input as 'jsonl' | 'text',
        textField,
        labelField: fields.test.labelField,
        formatHint: 'for plain text lines pass --input text',
      };
      const source = fromFile ? options.inputFile! : fromStdin ? '<stdin>' : 'argument';
      const file = fromFile ? fileRecords(options.inputFile!, readOptions, range) : undefined;
      lineOffset = file?.lineOffset;
      const records = file ? file.records : fromStdin ? stdinRecords(io.stdin, readOptions) : argumentRecords(texts);
      const added = addedFields(options.outputField);
      for await (const result of classifyRecords(searcher, records, classifyOptions)) {
        if (result.skipped) {
          if (options.stopOnBadRow)
            await lineOf(() => stopAt(source, result.record.line, emptyText(options, streamed, textField)), lineOffset);
          empty.push(result.record.line);
        }
        let line: string;
        if (!asJson)
          line = result.prediction !== null ? show(result.prediction) : result.abstained ? options.abstainLabel : options.emptyLabel;
        else line = await lineOf(() => jsonLine(result, textField, added, names, source), lineOffset);
        await io.out.write(line + lineEnd(result.record));
      }
    }
  } finally {
    await searcher.close();
  }
  if (empty.length) {
    const n = empty.length;
    const s = n === 1 ? '' : 's';
    const offset = lineOffset ? await lineOffset() : 0;
    const first =
      empty
        .slice(0, 5)
        .map((line) => line + offset)
        .join(', ') + (n > 5 ? ', …' : '');
    const got = asJson ? `"${options.outputField}": null, "error": "empty text"` : `'${options.emptyLabel}' (--empty-label)`;
    const what = table
      ? `${n} empty "${textField}" cell${s}`
      : !streamed
        ? `${n} empty argument${s}`
        : options.input === 'text'
          ? `${n} empty line${s}`
          : `${n} object${s} with an empty "${textField}"`;
    const where = streamed ? `${fromFile ? options.inputFile : '<stdin>'}: ` : '';
    io.warn(`${where}${what} not classified (${streamed ? 'line' : 'argument'}${s} ${first}); each got ${got}`);
  }
}

/** What an empty text is called in an error: the field or cell, a line of plain text, an argument. */
function emptyText(options: ClassifyCommandOptions, streamed: boolean, textField: string): string {
  if (!streamed) return 'empty text';
  return options.input === 'text' ? 'empty line' : `empty "${textField}"`;
}

/** `--stop-on-bad-row`: the first row npc would answer without classifying it ends the job. */
function stopAt(source: string, line: number, what: string): never {
  const where = source === 'argument' ? `argument ${line}` : at(source, line);
  throw new InputError(`${what}, and --stop-on-bad-row stops at the first row that cannot be classified`, where);
}

/**
 * `--input csv|tsv`: the input rows come back as they were, byte for byte, with one column appended
 * (`--output-field`, default prediction): the label, or the abstain / empty placeholder.
 */
async function classifyTable(
  options: ClassifyCommandOptions,
  fields: FileFields,
  io: { stdin: Readable; out: LineWriter },
  searcher: Parameters<typeof classifyRecords>[0],
  classifyOptions: Parameters<typeof classifyRecords>[2],
  show: (label: Label) => string,
): Promise<number[]> {
  const empty: number[] = [];
  let header: CsvHeader | undefined;
  let headerWritten = false;
  const delimiter = options.input === 'tsv' ? '\t' : ',';
  // Every value written was checked before (checkLineOutput): no line end, and no tab in TSV.
  const cell = (value: string): string => (delimiter === ',' ? csvField(value) : value);
  const writeHeader = async (): Promise<void> => {
    if (headerWritten || !header) return;
    headerWritten = true;
    if (header.columns.includes(options.outputField)) {
      throw new InputError(
        `the header already has a "${options.outputField}" column, which npc would add; name the new column with --output-field NAME`,
        '<stdin>:1',
      );
    }
    await io.out.write(header.raw + delimiter + cell(options.outputField) + header.end);
  };
  const { rows, trailer } = stdinTableRows(io.stdin, {
    dialect: options.input as 'csv' | 'tsv',
    textField: fields.textField,
    labelField: fields.labelField,
    columns: fields.columns,
    flags: fields.flags,
    onHeader: (h) => (header = h),
  });
  for await (const result of classifyRecords(searcher, rows, classifyOptions)) {
    await writeHeader();
    const row = result.record as PassthroughRecord;
    if (result.skipped) {
      if (options.stopOnBadRow) stopAt('<stdin>', row.line, `empty "${fields.textField}"`);
      empty.push(row.line);
    }
    const value = result.prediction !== null ? show(result.prediction) : result.abstained ? options.abstainLabel : options.emptyLabel;
    await io.out.write(row.before + row.raw + delimiter + cell(value) + row.end);
  }
  await writeHeader();
  await io.out.write(trailer());
  return empty;
}

/** `make()`, with a line-numbered error of a shard renumbered as a line of the whole file. */
async function lineOf(make: () => string, lineOffset: (() => Promise<number>) | undefined): Promise<string> {
  try {
    return make();
  } catch (err) {
    const where = err instanceof InputError ? /^(.*):(\d+)$/.exec(err.where ?? '') : null;
    if (!where || !lineOffset) throw err;
    throw new InputError((err as InputError).message, `${where[1]}:${Number(where[2]) + (await lineOffset())}`);
  }
}

/** Combinations that would silently do something other than asked. */
function checkOptions(texts: string[], fromStdin: boolean, options: ClassifyCommandOptions, textField: string, tie: TieRule): void {
  if (options.inputFile !== undefined) {
    if (texts.length) throw new UsageError('--input-file reads the texts from a file: give no text arguments');
    if (options.inputFile === options.train) throw new UsageError('--input-file and --train name the same file');
  } else if (options.shard !== undefined) {
    throw new UsageError('--shard needs --input-file: a file can be split into byte ranges, stdin cannot');
  }
  if (!fromStdin && options.inputFile === undefined) {
    if (texts.includes('-')) throw new UsageError('"-" (read stdin) cannot be combined with text arguments; pipe the texts in instead');
    if (options.input !== 'jsonl') throw new UsageError('--input describes stdin, but the texts are arguments');
  }
  if ((fromStdin || options.inputFile === '-') && options.train === '-') {
    throw new UsageError('--train - reads the training set from stdin, so the texts to classify must be arguments');
  }
  const streamed = fromStdin || options.inputFile !== undefined;
  const asJson = options.json || (streamed && options.input === 'jsonl');
  if (options.input === 'csv' || options.input === 'tsv') {
    if (options.inputFile !== undefined) throw new UsageError(`--input ${options.input} reads stdin; --input-file takes JSONL or text`);
    if (options.json || options.neighbors > 0)
      throw new UsageError(
        `--input ${options.input} writes ${options.input.toUpperCase()} back (the input with a prediction column): --json and --neighbors do not apply`,
      );
  }
  if (options.neighbors > 0 && !asJson)
    throw new UsageError('--neighbors needs JSON output: add --json (plain output is one label per line)');
  if (options.seed !== undefined && tie !== 'random')
    throw new UsageError(`--seed sets the draws of the random tie rule, but the tie rule is ${tie}: add --tie random`);
  if (options.outputField === '') throw new UsageError('--output-field needs a name');
  if (asJson && !(streamed && options.input === 'jsonl') && options.outputField === textField) {
    throw new UsageError(`--output-field ${options.outputField} is also the text field`);
  }
}
