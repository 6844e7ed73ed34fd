/**
 * `npc eval`: maps the flags to app/evaluate.ts (or app/few-shot.ts with --shots) and prints the report.
 * Outputs are opened first (cli/eval-outputs.ts), so an unwritable path fails before minutes of work.
 */
import { evaluate, loadEvalData } from '../../app/evaluate.js';
import { fewShot } from '../../app/few-shot.js';
import { inputPaths, labelNameMap } from '../../app/training.js';
import { UsageError } from '../../errors.js';
import type { Label, TieRule } from '../../app/scoring.js';
import { type FileIdentity, openOutputFiles, type StdoutTarget } from '../outputs.js';
import { checkLabelNames, type DataFileOptions, dataSpecs } from '../options.js';
import { LineWriter, ProgressLine } from '../output.js';
import { evalHtml } from '../html.js';
import { printFewShot, printReport, reportText } from '../report.js';
import { resolveShard, type ShardFlag } from '../shards.js';
import { StopOnSignal } from '../signals.js';
import { npcVersion } from '../version.js';

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
  try {
    const outputs = await openOutputFiles(options, inputPaths(options.train, options.test), io, stop);
    try {
      // With data on stdout, the report is a message for people: it goes to stderr.
      const toStdout = outputs.predictions?.kind === 'stdout' || outputs.neighbors?.kind === 'stdout' || outputs.html?.kind === 'stdout';
      const reportOut = toStdout ? new LineWriter(process.stderr, { name: '<stderr>' }) : io.out;
      const specs = dataSpecs(options, { strip: options.strip });
      const data = await loadEvalData(specs.train, specs.test);
      checkLabelNames(options.labelNames, [...data.train.records, ...data.test.records].map((r) => r.label as Label));
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
          interruption: stop,
        });
        stop.check();
        await printFewShot(result, { json: options.json, out: reportOut });
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
        ks: options.k,
        tie: options.tie,
        neighbors: options.neighbors,
        strip: options.strip,
        jobs: options.jobs,
        predictions: outputs.predictions,
        neighborsOut: outputs.neighbors,
        npcVersion: npcVersion(),
        onProgress: (done, total, pairsPerRow) => progress.update(done, total, pairsPerRow),
        interruption: stop,
      }).finally(() => progress.clear());
      if (interrupted) {
        const done = report.timing!.done;
        const { scores, ...ctx } = report;
        process.stderr.write(`npc: partial result (${done} ${done === 1 ? 'row' : 'rows'} evaluated before ${stop.signal}):\n${reportText(scores, { ...ctx, names })}\n`);
        stop.check();
      }
      await printReport(report, { json: options.json, names, out: reportOut, warn: io.warn });
      if (outputs.html) {
        await outputs.html.write(evalHtml(report, names));
        await outputs.html.commit();
      }
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

function checkOptions(options: EvalCommandOptions): void {
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
  if (options.predictions === '-' && options.saveNeighbors === '-') throw new UsageError('--predictions and --save-neighbors cannot both write to stdout');
  for (const [flag, value] of [['--shard', options.shard], ['--train-shard', options.trainShard]] as const) {
    if (value === undefined) continue;
    if (options.saveNeighbors === undefined) throw new UsageError(`${flag} needs --save-neighbors FILE: npc merge joins the parts`);
    if (options.shots !== undefined) throw new UsageError(`${flag} cannot be combined with --shots`);
  }
  if (options.trainShard !== undefined && options.predictions !== undefined) {
    throw new UsageError('--predictions cannot be combined with --train-shard: a training shard only sees part of the training set (merge the neighbours, then npc score)');
  }
}
