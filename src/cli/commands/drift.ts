/**
 * `npc drift --train T --reference R --current C`: has the input changed since the training set was
 * built? Prints the report (app/drift.ts) and exits 3 when drift is detected, so cron or CI can alert.
 * `--window N` reads the current rows from stdin and prints one JSON line per window of N rows.
 */
import type { Readable } from 'node:stream';
import { cardReferenceSet, compareSets, type DriftOptions, type DriftSet, measureSet, measureWindows } from '../../app/drift.js';
import { type LoadedModel, openModelSearcher } from '../../app/model.js';
import type { Label } from '../../model/labels.js';
import {
  checkModelKs,
  describeSettings,
  type GivenFlags,
  openModel,
  refuseTrainingFlags,
  setting,
  stripOfModel,
  refuseRepositoryWithoutModel,
} from '../model-use.js';
import {
  inputPaths,
  inputRecords,
  labelNameMap,
  openTrainingSearcher,
  type TrainingSearcher,
  type WorkerFactory,
} from '../../app/training.js';
import type { FileFormat } from '../../io/lines.js';
import { counted, InputError, UsageError } from '../../errors.js';
import { EXIT_DRIFT, ExitStatus } from '../exit-codes.js';
import { chooseFormat, type FileFields, formatHint } from '../../app/data-layout.js';
import { checkLabelNames } from '../options.js';
import { refuseDatasetNameAsFile, refuseDatasetWithModel, refuseWithDataset } from '../dataset-use.js';
import { type LineWriter, ProgressLine, sayWaiting } from '../line-writer.js';
import { driftJsonLine, driftText } from '../drift-report.js';
import { driftHtml } from '../html.js';
import { openOutputFiles } from '../../app/output-files.js';
import type { OutputSink, StdoutTarget } from '../../io/output-sink.js';
import { StopOnSignal } from '../signals.js';

export interface DriftCommandOptions {
  train?: string;
  /** `--dataset NAME`: the catalog data set whose cached train split is the training side. */
  dataset?: string;
  /** A model artifact: its rows are the training side; its card gives k, the tie rule and the reference distributions. */
  model?: string;
  /** `--repository DIR`: where `models:/` URIs of --model are resolved. */
  repository?: string;
  /** The flags given on the command line (`--k`, …), to tell them from defaults. */
  given?: GivenFlags;
  /** Required, except with a model whose card carries reference distributions. */
  reference?: string;
  current?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  referenceFormat?: FileFormat;
  currentFormat?: FileFormat;
  textField: string;
  labelField: string;
  /** `--columns`: the columns of every CSV or TSV file without a header; `--no-header` (false) says each needs them. */
  columns?: string[];
  header?: boolean;
  /** One file's columns (that file then has no header). */
  trainColumns?: string[];
  referenceColumns?: string[];
  currentColumns?: string[];
  k: number;
  alpha: number;
  short: number;
  window?: number;
  json: boolean;
  html?: string;
  jobs: number;
  labelNames?: string[];
  quiet: boolean;
}

export async function driftCommand(
  options: DriftCommandOptions,
  io: {
    stdin: Readable;
    out: LineWriter;
    warn: (message: string) => void;
    /** A note for people on stderr (the settings a model run uses). */
    note: (message: string) => void;
    stdout: StdoutTarget;
    createWorker?: WorkerFactory;
  },
): Promise<void> {
  const given = options.given ?? new Set<string>();
  refuseRepositoryWithoutModel(options);
  refuseDatasetNameAsFile([['--train', options.train]]);
  if (options.dataset !== undefined) {
    refuseDatasetWithModel(options.dataset, options.model);
    refuseWithDataset(
      given,
      options.dataset,
      [['--train', options.train, 'the training split']],
      ['--train-format', '--train-columns', '--label-field'],
    );
  }
  if (options.model !== undefined) {
    refuseTrainingFlags(given, ['--train', '--train-format', '--train-columns']);
    if (given.has('--label-field'))
      throw new UsageError(
        "--label-field names the training file's label field, and --model gives the training side (drift reads no labels of its own)",
      );
  } else if (options.reference === undefined) {
    throw new UsageError('npc drift needs --reference FILE (or --model with a card that carries reference distributions)');
  }
  if (options.window !== undefined) {
    if (options.current !== undefined && options.current !== '-')
      throw new UsageError('--window reads the current rows from stdin: leave out --current (or give --current -)');
    if (options.html !== undefined) throw new UsageError('--html cannot be combined with --window (one page per run, not per window)');
  } else if (options.current === undefined) {
    throw new UsageError('npc drift needs --current FILE (or --window N to read windows of it from stdin)');
  }
  if (options.reference === '-' && (options.window !== undefined || options.current === '-'))
    throw new UsageError('--reference and the current rows cannot both be stdin');
  // Loaded first: its card says whether --reference may be left out.
  const model = options.model !== undefined ? openModel(options.model, io.warn, options.repository) : undefined;
  const run = model ? modelRun(model, options, given) : undefined;
  if (options.current !== undefined && options.current === options.reference)
    io.warn(`--reference and --current are the same file (${options.reference}): expect no drift`);
  const fileOf = fileLayouts(options);
  const set = (side: DriftSide, path: string) => {
    const file = fileOf[side];
    return inputRecords(path, { ...file, formatHint: formatHint(`--${side}-format`), stdin: io.stdin });
  };
  const stop = new StopOnSignal();
  const inputs = [
    model ? model.path : (options.train ?? inputPaths(undefined, undefined, options.dataset)[0]),
    ...(options.reference !== undefined ? [options.reference] : []),
    options.current ?? '-',
  ];
  let html: OutputSink | undefined;
  try {
    if (options.html)
      html = (await openOutputFiles({ html: options.html }, inputs, { stdout: io.stdout, onWaiting: sayWaiting }, stop)).html;
  } finally {
    stop.dispose();
  }
  // A signal while the page was opened: from here on, signals end npc at once (cli/signals.ts).
  if (stop.stopped) {
    await html?.abort();
    stop.check();
  }
  let searcher: TrainingSearcher['searcher'];
  let labelNames: ReadonlyMap<Label, string> | undefined;
  try {
    if (model) {
      searcher = await openModelSearcher(model, options.jobs, { createWorker: io.createWorker });
      labelNames = model.labelNames;
      if (!options.quiet) io.note(`model ${model.shown} (${model.card.name}): ${run!.described}`);
    } else {
      ({ searcher, labelNames } = await openTrainingSearcher(
        {
          path: options.train,
          dataset: options.dataset,
          ...fileOf.train,
          formatHint: formatHint('--train-format'),
        },
        options.jobs,
        { onWarning: io.warn, createWorker: io.createWorker },
      ));
    }
  } catch (err) {
    await html?.abort();
    throw err;
  }
  const progress = new ProgressLine(!options.quiet);
  try {
    checkLabelNames(options.labelNames, searcher.index.encoder.classes);
    const names = labelNameMap(options.labelNames) ?? labelNames;
    const drift: DriftOptions = run
      ? { k: run.k, tie: run.tie, seed: run.seed, strip: run.strip, short: options.short, farthest: 10 }
      : { k: options.k, short: options.short, farthest: 10 };
    const reference =
      options.reference === undefined
        ? run!.reference!
        : await measureSet(searcher, options.reference === '-' ? '<stdin>' : options.reference, set('reference', options.reference), {
            ...drift,
            farthest: 0,
            onRow: (rows) => progress.update(rows, undefined, searcher.index.size),
          }).finally(() => progress.clear());
    if (reference.rows === 0) throw new InputError('no rows in the reference set', reference.source);
    if (options.window === undefined) {
      const current = await measureSet(searcher, options.current === '-' ? '<stdin>' : options.current!, set('current', options.current!), {
        ...drift,
        onRow: (rows) => progress.update(rows, undefined, searcher.index.size),
      }).finally(() => progress.clear());
      if (current.rows === 0) throw new InputError('no rows in the current set', current.source);
      const report = compareSets(reference, current, options.alpha);
      const text = options.json ? driftJsonLine(report, {}, names) : driftText(report, names);
      for (const line of text.split('\n')) await io.out.writeLine(line);
      if (html) {
        await html.write(driftHtml(report, reference, current, names));
        await html.commit();
      }
      if (report.drift) throw new ExitStatus(EXIT_DRIFT, 'drift detected');
      return;
    }
    let drifted = 0;
    let window = 0;
    for await (const current of measureWindows(searcher, set('current', '-'), options.window, drift)) {
      const report = compareSets(reference, current.set, options.alpha);
      if (report.drift) drifted++;
      await io.out.writeLine(
        driftJsonLine(
          report,
          {
            window: window++,
            first_line: current.firstLine,
            last_line: current.lastLine,
            partial: current.set.rows < options.window,
          },
          names,
        ),
      );
    }
    if (drifted) throw new ExitStatus(EXIT_DRIFT, `drift in ${counted(drifted, 'window')}`);
  } catch (err) {
    await html?.abort();
    throw err;
  } finally {
    await searcher.close();
  }
}

/**
 * The settings of `drift --model`: k is the card's unless given, the tie rule and its seed are the card's,
 * texts are stripped as the model's rows were. Without --reference, the card's reference distributions
 * are the reference set; they were made with the card's k and tie rule, so another -k would compare
 * predicted labels of unlike votes, and is refused.
 */
function modelRun(
  model: LoadedModel,
  options: DriftCommandOptions,
  given: GivenFlags,
): { k: number; tie: DriftOptions['tie']; seed: number; strip: boolean; described: string; reference?: DriftSet } {
  const { defaults, reference } = model.card;
  const settings = {
    k: setting(given, '--k', options.k, defaults.k),
    // drift has no --tie or --seed: the predicted labels are the model's own.
    tie: { value: defaults.tie, from: 'model' as const },
    seed: { value: defaults.seed, from: 'model' as const },
    strip: stripOfModel(model, given),
  };
  checkModelKs([settings.k.value], model);
  let referenceSet: DriftSet | undefined;
  if (options.reference === undefined) {
    if (reference === null || reference === undefined)
      throw new InputError(
        'the card carries no reference distributions (card.reference is null): give the reference rows with --reference FILE',
        model.shown,
      );
    if (
      !Array.isArray(reference.distances) ||
      !reference.distances.every((d) => typeof d === 'number' && Number.isFinite(d) && d >= 0) ||
      !Array.isArray(reference.labels)
    )
      throw new InputError('not a usable npc model: card.json: reference.distances or reference.labels are damaged', model.shown);
    if (settings.k.value !== defaults.k)
      throw new UsageError(
        `-k ${settings.k.value}: the card's reference distributions were made with k ${defaults.k}, so their predicted labels are not comparable; leave out -k, or give the reference rows with --reference FILE`,
      );
    referenceSet = cardReferenceSet(reference, `${model.shown} (card reference: ${reference.source}, ${reference.distances.length} rows)`);
  }
  return {
    k: settings.k.value,
    tie: settings.tie.value,
    seed: settings.seed.value,
    strip: settings.strip.value,
    described: `${describeSettings(settings)}; reference ${options.reference === undefined ? 'the card’s' : options.reference}`,
    reference: referenceSet,
  };
}

type DriftSide = 'train' | 'reference' | 'current';

/**
 * The format and columns of drift's three files: `--columns` sets every CSV and TSV file's,
 * `--train-columns`, `--reference-columns`, `--current-columns` one file's. Combinations that would
 * leave a flag without effect are usage errors (as for the other commands, cli/options.ts fileFields).
 */
function fileLayouts(
  options: DriftCommandOptions,
): Record<
  DriftSide,
  { format: FileFormat | undefined; textField: string; labelField: string; columns?: string[]; flags: FileFields['flags'] }
> {
  const table = (format: FileFormat | undefined): boolean => format === 'csv' || format === 'tsv';
  const files = {
    train: { path: options.train, own: options.trainFormat, columns: options.trainColumns, what: 'the training file' },
    reference: { path: options.reference, own: options.referenceFormat, columns: options.referenceColumns, what: 'the reference file' },
    current: { path: options.current ?? '-', own: options.currentFormat, columns: options.currentColumns, what: 'the current file' },
  };
  const formats = Object.fromEntries(
    (Object.keys(files) as DriftSide[]).map((side) => [
      side,
      chooseFormat(files[side].path, files[side].own, options.format, `--${side}-format`),
    ]),
  ) as Record<DriftSide, FileFormat | undefined>;
  const anyTable = Object.values(formats).some(table);
  if (options.columns !== undefined && !anyTable)
    throw new UsageError('--columns names the columns of CSV and TSV files without a header, but no file here is CSV or TSV');
  if (options.header === false && !anyTable)
    throw new UsageError('--no-header applies to CSV and TSV files, but no file here is CSV or TSV');
  const result = {} as ReturnType<typeof fileLayouts>;
  for (const side of Object.keys(files) as DriftSide[]) {
    const file = files[side];
    const format = formats[side];
    if (file.columns !== undefined) {
      if (options.columns !== undefined)
        throw new UsageError(
          `--columns sets every file's columns: it cannot be combined with --${side}-columns (give each file's own --…-columns instead)`,
        );
      if (!table(format))
        throw new UsageError(
          `--${side}-columns names the columns of a CSV or TSV file without a header, but ${file.what} is ${format === undefined ? 'the cached JSONL' : format === 'ag_news' ? 'read as AG News' : format.toUpperCase()}`,
        );
    }
    const columns = table(format) ? (file.columns ?? options.columns) : undefined;
    if (table(format) && options.header === false && columns === undefined)
      throw new UsageError(`--no-header: name the columns of ${file.what} with --columns NAMES or --${side}-columns NAMES`);
    result[side] = {
      format,
      textField: options.textField,
      labelField: options.labelField,
      columns,
      flags: {
        format: `--${side}-format`,
        columns: file.columns !== undefined ? `--${side}-columns` : '--columns',
        ownColumns: `--${side}-columns`,
      },
    };
  }
  return result;
}
