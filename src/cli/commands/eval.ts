/**
 * `npc eval`: maps the flags to app/evaluate.ts (or app/few-shot.ts with --shots) and prints the report.
 * Outputs are opened first (app/output-files.ts), so an unwritable path fails before minutes of work.
 */
import {
  evaluate,
  type EvalData,
  type EvaluationReport,
  type EvaluationRunOptions,
  loadEvalData,
  matchTestLabels,
} from '../../app/evaluate.js';
import { type LoadedModel, modelRecords } from '../../app/model.js';
import {
  checkModelKs,
  type GivenFlags,
  openModel,
  refuseTrainingFlags,
  setting,
  settingsJson,
  stripOfModel,
  refuseRepositoryWithoutModel,
} from '../model-use.js';
import { crossValidate, type CrossValidationMode } from '../../app/cross-validate.js';
import { fewShot } from '../../app/few-shot.js';
import { inputPaths, labelNameMap, loadSplit, type WorkerFactory } from '../../app/training.js';
import { counted, UsageError } from '../../errors.js';
import type { Label } from '../../model/labels.js';
import type { TieRule } from '../../model/tie-rules.js';
import { openOutputFiles, type OutputFiles } from '../../app/output-files.js';
import type { FileIdentity, OutputSink, StdoutTarget } from '../../io/output-sink.js';
import { type DataFileOptions, dataSpecs } from '../../app/data-layout.js';
import { checkLabelNames } from '../options.js';
import { LAYOUT_FLAGS, refuseDatasetNameAsFile, refuseWithDataset } from '../dataset-use.js';
import { type LineWriter, ProgressLine, reportWriter, sayWaiting } from '../line-writer.js';
import { evalHtml } from '../html.js';
import { partialReportText, printCrossValidation, printFewShot, printReport } from '../report.js';
import { resolveShard, type ShardFlag } from '../shards.js';
import { StopOnSignal } from '../signals.js';
import { npcVersion } from '../../app/version.js';

export interface EvalCommandOptions extends DataFileOptions {
  k: number[];
  tie: TieRule;
  limit?: number;
  sample?: number;
  seed: number;
  json: boolean;
  predictions?: string;
  saveNeighbors?: string;
  neighbors?: number;
  strip: boolean;
  shots?: number;
  trials?: number;
  quiet: boolean;
  jobs: number;
  shard?: ShardFlag;
  trainShard?: ShardFlag;
  html?: string;
  data?: string;
  /** `--dataset NAME`: the catalog data set whose cached splits are the training and test side (with --model: the test side). */
  dataset?: string;
  holdout?: number;
  folds?: number;
  leaveOneOut: boolean;
  /** A model artifact: its rows are the training side, its card the default k, tie rule and seed. */
  model?: string;
  /** `--repository DIR`: where `models:/` URIs of --model are resolved. */
  repository?: string;
  /** The flags given on the command line (`--k`, `--tie`, …), to tell them from defaults. */
  given?: GivenFlags;
}

export interface EvalIo {
  out: LineWriter;
  warn: (message: string) => void;
  /** Where `--predictions -` goes, and how a path naming stdout is recognised. */
  stdout: StdoutTarget;
  /** The file behind stdin, when --train or --test is `-` (an output must not replace it). */
  stdinIdentity?: FileIdentity;
  /** How search worker threads are started (default: the built worker.js). */
  createWorker?: WorkerFactory;
}

/** Few-shot draws when --trials is not given. */
const DEFAULT_TRIALS = 5;

export async function evalCommand(options: EvalCommandOptions, io: EvalIo): Promise<void> {
  checkOptions(options);
  refuseRepositoryWithoutModel(options);
  if (options.model !== undefined) {
    checkModelOptions(options);
    const model = openModel(options.model, io.warn, options.repository);
    await evalModel(model, options, io);
    return;
  }
  const stop = new StopOnSignal();
  try {
    const inputs = options.data !== undefined ? [options.data] : inputPaths(options.train, options.test, options.dataset);
    const outputs = await openOutputFiles(options, inputs, { ...io, onWaiting: sayWaiting }, stop);
    try {
      // With data on stdout, the report is a message for people: it goes to stderr.
      const reportOut = reportWriter(outputs, io.out);
      if (options.data !== undefined) {
        await runCrossValidation(options, io, outputs, stop, reportOut);
        return;
      }
      const specs = dataSpecs(options, { strip: options.strip, dataset: options.dataset });
      const data = await loadEvalData(specs.train, specs.test);
      checkLabelNames(
        options.labelNames,
        [...data.train.records, ...data.test.records].map((r) => r.label as Label),
      );
      const names = labelNameMap(options.labelNames) ?? data.train.labelNames ?? data.test.labelNames;
      const selection = { limit: options.limit, sample: options.sample, seed: options.seed };

      if (options.shots !== undefined) {
        const result = await fewShot(data, selection, {
          shots: options.shots,
          trials: options.trials ?? DEFAULT_TRIALS,
          seed: options.seed,
          ks: options.k,
          tie: options.tie,
          neighbors: options.neighbors,
          jobs: options.jobs,
          createWorker: io.createWorker,
          interruption: stop,
        });
        stop.check();
        await printFewShot(result, { json: options.json, out: reportOut, warn: io.warn });
        return;
      }

      const progress = new ProgressLine(!options.quiet);
      const sharded = options.shard !== undefined || options.trainShard !== undefined;
      const shard = sharded
        ? {
            test: options.shard ? resolveShard(options.shard, '--shard') : { index: 0, count: 1 },
            train: options.trainShard ? resolveShard(options.trainShard, '--train-shard') : { index: 0, count: 1 },
          }
        : undefined;
      const { report, interrupted } = await evaluate(data, {
        shard,
        ...selection,
        ...runOptions(options, outputs, stop, io),
        onProgress: (done, total, pairsPerRow) => progress.update(done, total, pairsPerRow),
      }).finally(() => progress.clear());
      await finishReport(report, interrupted, { json: options.json, names, reportOut, html: outputs.html, stop, warn: io.warn });
    } catch (err) {
      await outputs.predictions?.abort();
      await outputs.neighbors?.abort();
      await outputs.html?.abort();
      throw err;
    }
  } finally {
    stop.dispose();
  }
}

/**
 * The end of a train/test evaluation: an interrupted run's partial report on stderr (and the exit status
 * of its signal), else the report and the HTML page.
 */
async function finishReport(
  report: EvaluationReport,
  interrupted: boolean,
  to: {
    json: boolean;
    names: ReadonlyMap<Label, string> | undefined;
    reportOut: LineWriter;
    html: OutputSink | undefined;
    stop: StopOnSignal;
    warn: (message: string) => void;
  },
): Promise<void> {
  if (interrupted) {
    const { done, total = done } = report.timing!;
    process.stderr.write(partialReportText(report, { done, total, verb: 'evaluated' }, to.stop.signal!, to.names));
    to.stop.check();
  }
  await printReport(report, { json: to.json, names: to.names, out: to.reportOut, warn: to.warn });
  if (to.html) {
    await to.html.write(evalHtml(report, to.names));
    await to.html.commit();
  }
}

/** The flags `eval --model` refuses: those of the training side, and the runs a model does not take part in. */
function checkModelOptions(options: EvalCommandOptions): void {
  const given = options.given ?? new Set<string>();
  refuseTrainingFlags(given, ['--train', '--train-format', '--train-text-field', '--train-label-field', '--train-columns']);
  for (const [flag, why] of [
    ['--data', 'splits one labelled file into training and test rows, and the model is the training side'],
    ['--shots', 'draws training rows from a training file'],
    ['--save-neighbors', "records the training file's checksum for npc score, which reads training files, not models"],
    ['--train-shard', 'splits a training file for npc merge'],
    ['--shard', 'writes parts of a neighbours file for npc merge (--save-neighbors)'],
  ] as const) {
    if (given.has(flag)) throw new UsageError(`${flag} cannot be combined with --model: it ${why}`);
  }
  if (options.test === undefined && options.dataset === undefined)
    throw new UsageError(
      'eval --model needs --test FILE or --dataset NAME, the labelled rows to evaluate the model on (it never falls back to AG News)',
    );
}

/**
 * `eval --model M --test T`: the model's rows (as it holds them, C(y) already computed) are the training
 * side; the test file is read with the field and format flags, stripped as the model's rows were; k,
 * the tie rule and the seed are the card's unless given. The report says which were used and from where.
 */
async function evalModel(model: LoadedModel, options: EvalCommandOptions, io: EvalIo): Promise<void> {
  const given = options.given ?? new Set<string>();
  const { defaults } = model.card;
  const settings = {
    k: setting(given, '--k', options.k, [defaults.k]),
    tie: setting(given, '--tie', options.tie, defaults.tie),
    seed: setting(given, '--seed', options.seed, defaults.seed),
    strip: stripOfModel(model, given),
  };
  checkModelKs(settings.k.value, model);
  const stop = new StopOnSignal();
  try {
    const testInput = options.test ?? inputPaths(undefined, undefined, options.dataset)[1];
    const outputs = await openOutputFiles(options, [model.path, testInput], { ...io, onWaiting: sayWaiting }, stop);
    try {
      const reportOut = reportWriter(outputs, io.out);
      const test = dataSpecs(options, { strip: settings.strip.value, dataset: options.dataset }).test;
      const data: EvalData = matchTestLabels({
        train: { source: model.shown, path: model.path, records: modelRecords(model), labelNames: model.labelNames },
        test: await loadSplit(test, 'test'),
      });
      checkLabelNames(
        options.labelNames,
        [...data.train.records, ...data.test.records].map((r) => r.label as Label),
      );
      // The model's names, else (a model built without them) those of a data set's test split.
      const names = labelNameMap(options.labelNames) ?? data.train.labelNames ?? data.test.labelNames;
      const progress = new ProgressLine(!options.quiet);
      const { report, interrupted } = await evaluate(data, {
        limit: options.limit,
        sample: options.sample,
        seed: settings.seed.value,
        ...runOptions(options, outputs, stop, io),
        ks: settings.k.value,
        tie: settings.tie.value,
        strip: settings.strip.value,
        index: model.index,
        onProgress: (done, total, pairsPerRow) => progress.update(done, total, pairsPerRow),
      }).finally(() => progress.clear());
      report.model = {
        file: model.shown,
        name: model.card.name,
        sha256: model.sha256,
        settings: settingsJson(settings),
      };
      await finishReport(report, interrupted, { json: options.json, names, reportOut, html: outputs.html, stop, warn: io.warn });
    } catch (err) {
      await outputs.predictions?.abort();
      await outputs.html?.abort();
      throw err;
    }
  } finally {
    stop.dispose();
  }
}

/** `--data FILE` with --holdout, --folds or --leave-one-out (app/cross-validate.ts). */
async function runCrossValidation(
  options: EvalCommandOptions,
  io: EvalIo,
  outputs: OutputFiles,
  stop: StopOnSignal,
  reportOut: LineWriter,
): Promise<void> {
  const spec = dataSpecs({ ...options, train: options.data }, { strip: options.strip, testFile: false }).train;
  const data = await loadSplit(spec, 'train');
  checkLabelNames(
    options.labelNames,
    data.records.map((r) => r.label as Label),
  );
  const names = labelNameMap(options.labelNames) ?? data.labelNames;
  const mode: CrossValidationMode =
    options.folds !== undefined
      ? { kind: 'folds', k: options.folds }
      : options.holdout !== undefined
        ? { kind: 'holdout', fraction: options.holdout }
        : { kind: 'loo' };
  checkMode(
    mode,
    data.records.map((r) => r.label as Label),
  );
  const progress = new ProgressLine(!options.quiet);
  const cv = await crossValidate(data, {
    mode,
    seed: options.seed,
    ...runOptions(options, outputs, stop, io),
    onProgress: (done, total) => progress.update(done, total, data.records.length),
  }).finally(() => progress.clear());
  if (cv.interrupted) {
    process.stderr.write(`npc: interrupted by ${stop.signal} after ${counted(cv.report.timing!.done, 'row')}\n`);
    stop.check();
  }
  await printCrossValidation(cv, { json: options.json, names, out: reportOut, warn: io.warn });
  if (outputs.html) {
    await outputs.html.write(evalHtml(cv.report, names));
    await outputs.html.commit();
  }
}

/** The flags and outputs every evaluation run takes (a test split or cross-validation). */
function runOptions(options: EvalCommandOptions, outputs: OutputFiles, stop: StopOnSignal, io: EvalIo): EvaluationRunOptions {
  return {
    createWorker: io.createWorker,
    ks: options.k,
    tie: options.tie,
    neighbors: options.neighbors,
    strip: options.strip,
    jobs: options.jobs,
    predictions: outputs.predictions,
    neighborsOut: outputs.neighbors,
    npcVersion: npcVersion(),
    interruption: stop,
  };
}

/** Folds must be 2 or more and at most the largest class; a holdout must leave rows on both sides (eval --data, model build). */
export function checkMode(mode: CrossValidationMode, labels: readonly Label[]): void {
  if (mode.kind === 'folds') {
    const counts = new Map<string, number>();
    const key = (l: Label): string => (typeof l === 'string' ? JSON.stringify(l) : String(l));
    for (const l of labels) counts.set(key(l), (counts.get(key(l)) ?? 0) + 1);
    // As scikit-learn's StratifiedKFold: refused only when no class fills every fold (a smaller class is
    // warned about with the report, which lists the folds it is missing from).
    const [largest, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
    if (n < mode.k)
      throw new UsageError(
        `--folds ${mode.k} needs at least one class with ${mode.k} rows, but the largest class, ${largest}, has ${n} (use ${n >= 2 ? `--folds ${n} or fewer, or ` : ''}--leave-one-out)`,
      );
  }
  if (mode.kind === 'holdout') {
    const test = Math.round(mode.fraction * labels.length);
    if (test < 1 || test >= labels.length)
      throw new UsageError(
        `--holdout ${mode.fraction} of ${counted(labels.length, 'row')} leaves ${counted(test, 'test row')} and ${counted(labels.length - test, 'training row')}: both need at least one`,
      );
  }
  if (mode.kind === 'loo' && labels.length < 2) throw new UsageError('--leave-one-out needs at least 2 rows');
}

function checkOptions(options: EvalCommandOptions): void {
  refuseDatasetNameAsFile([
    ['--train', options.train],
    ['--test', options.test],
    ['--data', options.data],
  ]);
  if (options.dataset !== undefined)
    refuseWithDataset(
      options.given ?? new Set(),
      options.dataset,
      [
        ['--train', options.train, 'the training split'],
        ['--test', options.test, 'the test split'],
        ['--data', options.data, 'the rows to evaluate'],
      ],
      LAYOUT_FLAGS,
    );
  const modes = [
    options.holdout !== undefined && '--holdout',
    options.folds !== undefined && '--folds',
    options.leaveOneOut && '--leave-one-out',
  ].filter(Boolean) as string[];
  if (options.data !== undefined) {
    if (options.train !== undefined || options.test !== undefined)
      throw new UsageError('--data is one file split into training and test rows: it cannot be combined with --train or --test');
    if (modes.length !== 1)
      throw new UsageError(
        modes.length
          ? `${modes.join(' and ')} cannot be combined: choose one`
          : '--data needs one of --holdout FRACTION, --folds K or --leave-one-out',
      );
    for (const [flag, value] of [
      ['--limit', options.limit],
      ['--sample', options.sample],
      ['--shots', options.shots],
      ['--shard', options.shard],
      ['--train-shard', options.trainShard],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} cannot be combined with --data`);
    }
    if (options.data === '-' && options.saveNeighbors !== undefined)
      throw new UsageError('--save-neighbors needs --data to be a file (its checksum is recorded)');
  } else if (modes.length) {
    throw new UsageError(`${modes[0]} needs --data FILE (one labelled file to split)`);
  }
  if (options.folds !== undefined && options.folds < 2) throw new UsageError('--folds needs at least 2 folds');
  if (options.limit !== undefined && options.sample !== undefined) throw new UsageError('--limit and --sample cannot be combined');
  if (options.train === '-' && options.test === '-') throw new UsageError('--train and --test cannot both be stdin');
  if (options.saveNeighbors !== undefined && (options.train === '-' || options.test === '-')) {
    throw new UsageError('--save-neighbors needs --train and --test files (their checksums are recorded)');
  }
  if (options.shots !== undefined && (options.predictions || options.saveNeighbors)) {
    throw new UsageError('--shots cannot be combined with --predictions or --save-neighbors');
  }
  if (options.html !== undefined && options.shots !== undefined) throw new UsageError('--html cannot be combined with --shots');
  if (options.trials !== undefined && options.shots === undefined) throw new UsageError('--trials counts few-shot draws: it needs --shots');
  if (options.predictions === '-' && options.saveNeighbors === '-')
    throw new UsageError('--predictions and --save-neighbors cannot both write to stdout');
  for (const [flag, value] of [
    ['--shard', options.shard],
    ['--train-shard', options.trainShard],
  ] as const) {
    if (value === undefined) continue;
    if (options.saveNeighbors === undefined) throw new UsageError(`${flag} needs --save-neighbors FILE: npc merge joins the parts`);
    if (options.shots !== undefined) throw new UsageError(`${flag} cannot be combined with --shots`);
  }
  if (options.trainShard !== undefined && options.predictions !== undefined) {
    throw new UsageError(
      '--predictions cannot be combined with --train-shard: a training shard only sees part of the training set (merge the neighbours, then npc score)',
    );
  }
}
