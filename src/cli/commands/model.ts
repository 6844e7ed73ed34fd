/**
 * `npc model build | show | verify`: maps the flags to app/model-build.ts and app/model.ts. The
 * training file is read as `npc eval --train` reads it (the same flags, the same errors); the card's
 * evaluation is the report `npc eval --json` prints for the same split (cli/report.ts builds both).
 */
import { basename } from 'node:path';
import { buildModel, checkModelOutput, type BuildEvaluation, type EvaluationOutcome, writeModel } from '../../app/model-build.js';
import { loadModel } from '../../app/model.js';
import { datasetSplit, labelNameMap, type WorkerFactory } from '../../app/training.js';
import { type DataFileOptions, dataSpecs } from '../../app/data-layout.js';
import { UsageError } from '../../errors.js';
import { toJson } from '../../json-text.js';
import type { Label } from '../../model/labels.js';
import type { TieRule } from '../../model/tie-rules.js';
import { checkLabelNames } from '../options.js';
import { type LineWriter, ProgressLine } from '../line-writer.js';
import { crossValidationReportJson, evaluationReportJson } from '../report.js';
import { checkMode } from './eval.js';
import { LAYOUT_FLAGS, refuseDatasetNameAsFile, refuseWithDataset } from '../dataset-use.js';
import type { GivenFlags } from '../model-use.js';
import type { Readable } from 'node:stream';

export interface ModelBuildOptions extends DataFileOptions {
  /** The training file; exactly one of `train` and `dataset` is given. */
  train?: string;
  /** `--dataset NAME`: the catalog data set whose cached train split is the training side and test split the evaluation. */
  dataset?: string;
  /** The flags given on the command line, to tell them from defaults. */
  given?: GivenFlags;
  output: string;
  name?: string;
  description?: string;
  k: number;
  tie: TieRule;
  seed: number;
  abstainAbove?: number;
  minConfidence?: number;
  folds?: number;
  holdout?: number;
  test?: string;
  referenceRows: number;
  jobs: number;
  strip: boolean;
  json: boolean;
  quiet: boolean;
}

export interface ModelIo {
  out: LineWriter;
  warn: (message: string) => void;
  stdin?: Readable;
  createWorker?: WorkerFactory;
  npcVersion: string;
}

export async function modelBuildCommand(options: ModelBuildOptions, io: ModelIo): Promise<void> {
  checkBuildOptions(options);
  // With --dataset, the cached splits (verified now) are the files: the train split, and the test split
  // as the evaluation unless --folds or --holdout asks for another.
  const cached =
    options.dataset === undefined
      ? undefined
      : {
          train: await datasetSplit(options.dataset, 'train'),
          test: options.folds === undefined && options.holdout === undefined ? await datasetSplit(options.dataset, 'test') : undefined,
        };
  const train = cached?.train.path ?? options.train!;
  const test = cached ? cached.test?.path : options.test;
  // No StopOnSignal: a build has no partial result to report, so a signal ends it at once (cli/signals.ts),
  // and the exit hook removes the artifact's temporary file if it was being written.
  await checkModelOutput(options.output, [train, ...(test !== undefined ? [test] : [])]);
  const specs = dataSpecs({ ...options, train, test }, { strip: options.strip, testFile: test !== undefined });
  const evaluation: BuildEvaluation | undefined =
    options.folds !== undefined
      ? { kind: 'folds', k: options.folds }
      : options.holdout !== undefined
        ? { kind: 'holdout', fraction: options.holdout }
        : test !== undefined
          ? { kind: 'test', spec: specs.test }
          : undefined;
  // One progress line per stage (the evaluation, then the reference search), each with its own ETA.
  let stage: string | undefined;
  let progress = new ProgressLine(!options.quiet);
  const built = await buildModel({
    train: { ...specs.train, path: train, stdin: io.stdin },
    ...(options.dataset !== undefined ? { dataset: options.dataset } : {}),
    read: {
      format: options.trainFormat ?? options.format ?? null,
      text_field: specs.train.textField ?? 'text',
      label_field: specs.train.labelField ?? 'label',
      columns: specs.train.columns ? [...specs.train.columns] : null,
      strip: options.strip,
    },
    name: options.name ?? basename(options.output).replace(/\.npcm$/, ''),
    description: options.description ?? '',
    k: options.k,
    tie: options.tie,
    seed: options.seed,
    abstainAbove: options.abstainAbove,
    minConfidence: options.minConfidence,
    labelNames: labelNameMap(options.labelNames) ?? cached?.train.labelNames,
    checkLabels: (labels) => {
      checkLabelNames(options.labelNames, labels);
      if (evaluation && evaluation.kind !== 'test')
        checkMode(
          evaluation.kind === 'folds' ? { kind: 'folds', k: evaluation.k } : { kind: 'holdout', fraction: evaluation.fraction },
          labels,
        );
    },
    evaluation,
    referenceRows: options.referenceRows,
    jobs: options.jobs,
    createWorker: io.createWorker,
    npcVersion: io.npcVersion,
    evaluationReport: (outcome, names) => evaluationJson(outcome, names, io.warn),
    onProgress: (now, done, total) => {
      if (now !== stage) {
        progress.clear();
        progress = new ProgressLine(!options.quiet);
        stage = now;
      }
      progress.update(done, total, 0);
    },
  }).finally(() => progress.clear());
  const { bytes, sha256 } = await writeModel(options.output, built);
  const { card } = built;
  if (options.json) await io.out.writeLine(toJson({ path: options.output, name: card.name, rows: card.training.rows, bytes, sha256 }));
  else
    await io.out.writeLine(
      `wrote ${options.output}: model ${card.name}, ${card.training.rows} rows, ${bytes} bytes, sha256 ${sha256}` +
        (card.evaluation ? '' : ' (not evaluated)'),
    );
}

/** The report `npc eval --json` prints for the same split; its warnings go to stderr as eval's do. */
function evaluationJson(
  outcome: EvaluationOutcome,
  names: ReadonlyMap<Label, string> | undefined,
  warn: (message: string) => void,
): Record<string, unknown> {
  const { json, warnings } =
    outcome.kind === 'test' ? evaluationReportJson(outcome.report, names) : crossValidationReportJson(outcome.cv, names);
  for (const warning of warnings) warn(warning);
  return json;
}

function checkBuildOptions(options: ModelBuildOptions): void {
  refuseDatasetNameAsFile([
    ['--train', options.train],
    ['--test', options.test],
  ]);
  if (options.dataset !== undefined)
    refuseWithDataset(
      options.given ?? new Set(),
      options.dataset,
      [
        ['--train', options.train, 'the training split'],
        ['--test', options.test, 'the test split (the evaluation, unless --folds or --holdout)'],
      ],
      LAYOUT_FLAGS,
    );
  else if (options.train === undefined) throw new UsageError('model build needs --train FILE or --dataset NAME (the training rows)');
  const modes = [
    options.folds !== undefined && '--folds',
    options.holdout !== undefined && '--holdout',
    options.test !== undefined && '--test',
  ].filter(Boolean) as string[];
  if (modes.length > 1) throw new UsageError(`${modes.join(' and ')} cannot be combined: choose one way to evaluate`);
  if (options.folds !== undefined && options.folds < 2) throw new UsageError('--folds needs at least 2 folds');
  if (options.test === undefined) {
    for (const [flag, value] of [
      ['--test-format', options.testFormat],
      ['--test-text-field', options.testTextField],
      ['--test-label-field', options.testLabelField],
      ['--test-columns', options.testColumns],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag} describes the --test file: it needs --test FILE`);
    }
  }
  if (options.output === '-') throw new UsageError('-o must name a file: the artifact is written atomically, not to stdout');
  if (options.train === '-' && options.test === '-') throw new UsageError('--train and --test cannot both be stdin');
}

/** `npc model show`: MODEL_CARD.md as the artifact holds it, or card.json with --json. */
export async function modelShowCommand(file: string, options: { json: boolean; repository?: string }, io: ModelIo): Promise<void> {
  const model = loadModel(file, { onWarning: io.warn, repository: options.repository });
  if (options.json) {
    await io.out.writeLine(toJson(model.card));
    return;
  }
  for (const line of model.cardMarkdown.replace(/\n$/, '').split('\n')) await io.out.writeLine(line);
}

/** `npc model verify`: every check loading makes; one OK line, or the error (exit 1). */
export async function modelVerifyCommand(file: string, options: { repository?: string }, io: ModelIo): Promise<void> {
  const model = loadModel(file, { onWarning: io.warn, repository: options.repository });
  await io.out.writeLine(`OK ${model.shown}: model ${model.card.name}, ${model.card.training.rows} rows, sha256 ${model.sha256}`);
}
