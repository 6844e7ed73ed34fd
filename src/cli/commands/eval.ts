/**
 * `npc eval`: computes the nearest neighbours of every evaluated test row once and reports every k and
 * tie rule from them; optionally writes predictions and the neighbours themselves (for `npc score`).
 */
import {
  computeNeighbors,
  neighborsNeeded,
  RowScorer,
  type Scores,
  type Timing,
} from '../../app/evaluate.js';
import { fewShotSplits, meanStd } from '../../app/few-shot.js';
import { stratifiedSample } from '../../app/sampling.js';
import { DEFAULT_DATASET, labelNameMap, type LoadedData, loadSplit, openSearcher } from '../../app/training.js';
import { cachedSplitPath } from '../../io/datasets.js';
import { defaultCompressor } from '../../compress/index.js';
import { UsageError } from '../../errors.js';
import { toJson } from '../../io/json-text.js';
import type { FileFormat } from '../../io/lines.js';
import { createNeighborsFileWriter, type NeighborsFileWriter, sha256OfFile } from '../../io/neighbors-file.js';
import { type FileIdentity, fileIdentity, openOutput, type OutputSink, planOutput, sameIdentity, type StdoutTarget } from '../../io/output-file.js';
import type { Label } from '../../io/records.js';
import type { TieRule } from '../../model/tie-rules.js';
import { checkLabelNames, chooseFormat, formatHint } from '../options.js';
import { LineWriter, ProgressLine } from '../output.js';
import { reportJson, reportText, reportWarnings, type ReportContext } from '../report.js';
import { StopOnSignal } from '../signals.js';
import { npcVersion } from '../version.js';

export interface EvalCommandOptions {
  train?: string;
  test?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  testFormat?: FileFormat;
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
  textField: string;
  labelField: string;
  labelNames?: string[];
  jobs: number;
}

export interface EvalIo {
  out: LineWriter;
  warn: (message: string) => void;
  /** Where `--predictions -` goes, and how a path naming stdout is recognised. */
  stdout: StdoutTarget;
  /** The file behind stdin, when --train or --test is `-` (an output must not replace it). */
  stdinIdentity?: FileIdentity;
}

/** Few-shot draws when --trials is not given. */
const DEFAULT_TRIALS = 5;

export async function evalCommand(options: EvalCommandOptions, io: EvalIo): Promise<void> {
  checkOptions(options);
  const stop = new StopOnSignal();
  const progress = new ProgressLine(!options.quiet);
  let predictions: OutputSink | undefined;
  let neighborsFile: NeighborsFileWriter | undefined;
  try {
    // Outputs are opened first, so an output npc cannot write fails before minutes of work.
    const outputs = await openOutputs(options, io, stop);
    predictions = outputs.predictions;
    const neighborsOut = outputs.neighbors;
    // With data on stdout, the report is a message for people: it goes to stderr.
    const reportOut = predictions?.kind === 'stdout' || neighborsOut?.kind === 'stdout' ? new LineWriter(process.stderr, { name: '<stderr>' }) : io.out;

    const fields = { textField: options.textField, labelField: options.labelField, strip: options.strip };
    const train = await loadSplit({ path: options.train, format: chooseFormat(options.train, options.trainFormat, options.format, '--train-format'), formatHint: formatHint('--train-format'), ...fields }, 'train');
    const test = await loadSplit({ path: options.test, format: chooseFormat(options.test, options.testFormat, options.format, '--test-format'), formatHint: formatHint('--test-format'), ...fields }, 'test');
    checkLabelNames(options.labelNames, [...train.records, ...test.records].map((r) => r.label as Label));
    const names = labelNameMap(options.labelNames) ?? train.labelNames ?? test.labelNames;
    const { rows, evaluated } = selectRows(test, options);

    if (options.shots !== undefined) {
      const report = await fewShot(train, test, rows, options, () => stop.stopped);
      stop.check();
      for (const line of (options.json ? toJson(report.json) : report.text).split('\n')) await reportOut.writeLine(line);
      return;
    }

    const trainSize = train.records.length;
    const m = neighborsNeeded(options.k, options.neighbors, trainSize);
    if (neighborsOut) {
      neighborsFile = createNeighborsFileWriter(neighborsOut, {
        npc_version: npcVersion(),
        compressor: defaultCompressor().name,
        train: { sha256: await sha256OfFile(train.path!), rows: trainSize, source: train.source },
        test: { sha256: await sha256OfFile(test.path!), rows: test.records.length, source: test.source },
        m,
        strip: options.strip,
        evaluated,
      });
    }
    const searcher = await openSearcher(train.records, options.jobs);
    const scorer = new RowScorer(searcher.index.encoder, searcher.index.labelIds, { ks: options.k, tie: options.tie, seed: options.seed, trainSize });
    const listed = Math.min(m, options.neighbors ?? Math.min(options.k[0], trainSize));
    let timing: Timing;
    try {
      timing = await computeNeighbors(searcher, test.records, rows, m, {
        onRow: async (testRow, indices, distances) => {
          const row = scorer.add(testRow, test.records[testRow].label as Label, indices, distances);
          // A write that waits on a slow reader ends at a signal; the rest of the batch writes nothing
          // (the outputs are discarded anyway), and the computation stops after it.
          if (stop.stopped) return;
          if (predictions) await stop.orStop(predictions.write(toJson({ ...row, neighbors: row.neighbors.slice(0, listed) }) + '\n'));
          if (neighborsFile && !stop.stopped) await stop.orStop(neighborsFile.write(testRow, indices, distances));
        },
        onProgress: (done, total) => progress.update(done, total, trainSize),
        shouldStop: () => stop.stopped,
      });
    } finally {
      progress.clear();
      await searcher.close();
    }
    const scores = scorer.scores();
    const ctx: ReportContext = {
      trainSource: train.source,
      testSource: test.source,
      trainSize,
      testSize: test.records.length,
      m,
      tie: options.tie,
      strip: options.strip,
      names,
      timing,
      evaluated,
    };
    if (stop.signal) {
      process.stderr.write(`npc: partial result (${timing.done} ${timing.done === 1 ? 'row' : 'rows'} evaluated before ${stop.signal}):\n${reportText(scores, ctx)}\n`);
      stop.check();
    }
    // Finishing waits for a FIFO's reader to take the rest: a signal ends that wait too.
    await stop.orStop(Promise.all([predictions?.commit(), neighborsFile?.commit()]));
    stop.check();
    await printReport(scores, ctx, options.json, reportOut, io.warn);
  } catch (err) {
    await predictions?.abort();
    await neighborsFile?.abort();
    throw err;
  } finally {
    stop.dispose();
  }
}

/**
 * Prints the report and, first, the warnings about the data on stderr (unseen test labels: rows that
 * can never be right); `--json` carries them too, under "warnings".
 */
export async function printReport(scores: Scores, ctx: ReportContext, json: boolean, out: LineWriter, warn: (message: string) => void): Promise<void> {
  const warnings = reportWarnings(scores, ctx);
  for (const warning of warnings) warn(warning);
  const report = json ? toJson(reportJson(scores, ctx, warnings)) : reportText(scores, ctx);
  for (const line of report.split('\n')) await out.writeLine(line);
}

function checkOptions(options: EvalCommandOptions): void {
  if (options.limit !== undefined && options.sample !== undefined) throw new UsageError('--limit and --sample cannot be combined');
  if (options.train === '-' && options.test === '-') throw new UsageError('--train and --test cannot both be stdin');
  if (options.saveNeighbors !== undefined && (options.train === '-' || options.test === '-')) {
    throw new UsageError('--save-neighbors needs --train and --test files (their checksums are recorded)');
  }
  if (options.shots !== undefined && (options.predictions || options.saveNeighbors)) {
    throw new UsageError('--shots cannot be combined with --predictions or --save-neighbors');
  }
  if (options.trials !== undefined && options.shots === undefined) throw new UsageError('--trials counts few-shot draws: it needs --shots');
  if (options.predictions === '-' && options.saveNeighbors === '-') throw new UsageError('--predictions and --save-neighbors cannot both write to stdout');
}

/**
 * Opens --predictions and --save-neighbors (see io/output-file.ts), refusing an output that is one of
 * the inputs (by file identity: any spelling, symlink or hard link) or the same file as the other output.
 */
async function openOutputs(options: EvalCommandOptions, io: EvalIo, stop: StopOnSignal): Promise<{ predictions?: OutputSink; neighbors?: OutputSink }> {
  const wanted = [
    ['--predictions', options.predictions],
    ['--save-neighbors', options.saveNeighbors],
  ].filter((e): e is [string, string] => e[1] !== undefined);
  if (wanted.length === 0) return {};
  // The default data set's cached splits are inputs too when --train / --test are not given.
  const inputs: (FileIdentity | undefined)[] = [];
  for (const path of [options.train ?? cachedSplitPath(DEFAULT_DATASET, 'train'), options.test ?? cachedSplitPath(DEFAULT_DATASET, 'test')]) {
    inputs.push(path === '-' ? io.stdinIdentity : await fileIdentity(path));
  }
  const targets: string[] = [];
  for (const [flag, path] of wanted) {
    const identity = path === '-' ? undefined : await fileIdentity(path);
    if (inputs.some((input) => sameIdentity(input, identity))) throw new UsageError(`${flag} ${path} would overwrite an input file`);
    const plan = await planOutput(path, io.stdout);
    const target = plan.kind === 'file' ? plan.target : plan.kind === 'stdout' ? '<stdout>' : identity && plan.what !== 'device' ? `${identity.dev}:${identity.ino}` : undefined;
    if (target !== undefined && targets.includes(target)) {
      throw new UsageError(target === '<stdout>' ? '--predictions and --save-neighbors cannot both write to stdout' : '--predictions and --save-neighbors must be different files');
    }
    if (target !== undefined) targets.push(target);
  }
  const opened: OutputSink[] = [];
  try {
    for (const [, path] of wanted) {
      // A FIFO without a reader makes npc wait, as `cat > fifo` would: say so, or the wait looks like a hang.
      const onWaiting = (message: string): void => void process.stderr.write(`npc: ${message}\n`);
      const sink = await stop.orStop(openOutput(path, { stdout: io.stdout, signal: stop.abortSignal, onWaiting }));
      stop.check(); // a signal while a FIFO waited for its reader
      opened.push(sink!);
    }
  } catch (err) {
    for (const sink of opened) await sink.abort();
    throw err;
  }
  const byFlag = new Map(wanted.map(([flag], i) => [flag, opened[i]]));
  return { predictions: byFlag.get('--predictions'), neighbors: byFlag.get('--save-neighbors') };
}

function selectRows(test: LoadedData, options: EvalCommandOptions): { rows: number[]; evaluated: string } {
  const all = test.records.map((_, i) => i);
  if (options.sample !== undefined && options.sample < test.records.length) {
    const rows = stratifiedSample(test.records.map((r) => r.label as Label), options.sample, options.seed);
    return { rows, evaluated: `stratified sample of ${rows.length}, seed ${options.seed}` };
  }
  if (options.limit !== undefined && options.limit < test.records.length) {
    return { rows: all.slice(0, options.limit), evaluated: `first ${options.limit}` };
  }
  return { rows: all, evaluated: 'all' };
}

/** The paper's few-shot setting: T draws of N training rows per class, mean ± standard deviation. */
async function fewShot(
  train: LoadedData,
  test: LoadedData,
  rows: number[],
  options: EvalCommandOptions,
  shouldStop: () => boolean,
): Promise<{ text: string; json: Record<string, unknown> }> {
  const draws = fewShotSplits(train.records.map((r) => r.label as Label), options.shots!, options.trials ?? DEFAULT_TRIALS, options.seed);
  const perTrial: Scores[] = [];
  for (const draw of draws) {
    if (shouldStop()) break;
    const searcher = await openSearcher(draw.map((i) => train.records[i]), options.jobs);
    const trainSize = searcher.index.size;
    const scorer = new RowScorer(searcher.index.encoder, searcher.index.labelIds, { ks: options.k, tie: options.tie, seed: options.seed, trainSize });
    try {
      await computeNeighbors(searcher, test.records, rows, neighborsNeeded(options.k, options.neighbors, trainSize), {
        onRow: (testRow, indices, distances) => void scorer.add(testRow, test.records[testRow].label as Label, indices, distances),
        shouldStop,
      });
    } finally {
      await searcher.close();
    }
    perTrial.push(scorer.scores());
  }
  const ks = options.k.map((k, i) => {
    const strict = meanStd(perTrial.map((s) => s.result.ks[i].rules.find((r) => r.rule === options.tie)!.accuracy));
    const lenient = meanStd(perTrial.map((s) => s.result.ks[i].lenient.accuracy));
    return { k, strict, lenient };
  });
  const lines = [
    `few-shot: ${options.shots} training rows per class, ${perTrial.length} trials (seed ${options.seed}), ${rows.length} test rows, tie rule '${options.tie}'`,
    '  k  strict mean ± sd      lenient mean ± sd',
    ...ks.map((r) => `  ${String(r.k).padEnd(2)} ${r.strict.mean.toFixed(4)} ± ${r.strict.std.toFixed(4)}     ${r.lenient.mean.toFixed(4)} ± ${r.lenient.std.toFixed(4)}`),
  ];
  return {
    text: lines.join('\n'),
    json: { shots: options.shots, trials: perTrial.length, seed: options.seed, n: rows.length, tie: options.tie, ks },
  };
}
