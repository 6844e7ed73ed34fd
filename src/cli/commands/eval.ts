/**
 * `npc eval`: computes the nearest neighbours of every evaluated test row once and reports every k and
 * tie rule from them; optionally writes predictions and the neighbours themselves (for `npc score`).
 */
import { resolve } from 'node:path';
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
import { type AtomicWriter, createAtomicWriter } from '../../io/atomic-file.js';
import { createNeighborsFileWriter, type NeighborsFileWriter, sha256OfFile } from '../../io/neighbors-file.js';
import type { InputFormat, Label } from '../../io/records.js';
import type { TieRule } from '../../model/tie-rules.js';
import { Interrupted } from '../exit-codes.js';
import { type LineWriter, ProgressLine } from '../output.js';
import { reportJson, reportText, type ReportContext } from '../report.js';
import { npcVersion } from '../version.js';

export interface EvalCommandOptions {
  train?: string;
  test?: string;
  format?: InputFormat;
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
  trials: number;
  quiet: boolean;
  textField: string;
  labelField: string;
  labelNames?: string[];
  jobs: number;
}

export async function evalCommand(options: EvalCommandOptions, io: { out: LineWriter }): Promise<void> {
  checkOptions(options);
  // Outputs are opened first, so a bad path fails before minutes of work; aborted on any failure below.
  const predictions = options.predictions ? createAtomicWriter(options.predictions) : undefined;
  let neighborsFile: NeighborsFileWriter | undefined;
  const progress = new ProgressLine(!options.quiet);
  let stopSignal: NodeJS.Signals | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    stopSignal = signal;
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const fields = { format: options.format, textField: options.textField, labelField: options.labelField, strip: options.strip };
    const train = await loadSplit({ path: options.train, ...fields }, 'train');
    const test = await loadSplit({ path: options.test, ...fields }, 'test');
    const names = labelNameMap(options.labelNames) ?? train.labelNames ?? test.labelNames;
    const { rows, evaluated } = selectRows(test, options);

    if (options.shots !== undefined) {
      const report = await fewShot(train, test, rows, options, () => stopSignal !== undefined);
      if (stopSignal) throw new Interrupted(stopSignal);
      for (const line of (options.json ? JSON.stringify(report.json) : report.text).split('\n')) await io.out.writeLine(line);
      return;
    }

    const trainSize = train.records.length;
    const m = neighborsNeeded(options.k, options.neighbors, trainSize);
    if (options.saveNeighbors) {
      neighborsFile = createNeighborsFileWriter(options.saveNeighbors, {
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
          if (predictions) {
            const line = JSON.stringify({ ...row, neighbors: row.neighbors.slice(0, listed) });
            await write(predictions, line);
          }
          await neighborsFile?.write(testRow, indices, distances);
        },
        onProgress: (done, total) => progress.update(done, total, trainSize),
        shouldStop: () => stopSignal !== undefined,
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
    if (stopSignal) {
      process.stderr.write(`npc: partial result (${timing.done} rows evaluated before ${stopSignal}):\n${reportText(scores, ctx)}\n`);
      throw new Interrupted(stopSignal);
    }
    await predictions?.commit();
    await neighborsFile?.commit();
    await printReport(scores, ctx, options.json, io.out);
  } catch (err) {
    await predictions?.abort();
    await neighborsFile?.abort();
    throw err;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

export async function printReport(scores: Scores, ctx: ReportContext, json: boolean, out: LineWriter): Promise<void> {
  const report = json ? JSON.stringify(reportJson(scores, ctx)) : reportText(scores, ctx);
  for (const line of report.split('\n')) await out.writeLine(line);
}

function checkOptions(options: EvalCommandOptions): void {
  if (options.limit !== undefined && options.sample !== undefined) throw new UsageError('--limit and --sample cannot be combined');
  if (options.train === '-' && options.test === '-') throw new UsageError('--train and --test cannot both be stdin');
  // The default data set's cached splits are inputs too when --train / --test are not given.
  const inputs = [options.train ?? cachedSplitPath(DEFAULT_DATASET, 'train'), options.test ?? cachedSplitPath(DEFAULT_DATASET, 'test')]
    .filter((p) => p !== '-')
    .map((p) => resolve(p));
  for (const [flag, path] of [['--predictions', options.predictions], ['--save-neighbors', options.saveNeighbors]] as const) {
    if (path !== undefined && inputs.includes(resolve(path))) throw new UsageError(`${flag} ${path} would overwrite an input file`);
  }
  if (options.predictions !== undefined && options.saveNeighbors !== undefined && resolve(options.predictions) === resolve(options.saveNeighbors)) {
    throw new UsageError('--predictions and --save-neighbors must be different files');
  }
  if (options.saveNeighbors !== undefined && (options.train === '-' || options.test === '-')) {
    throw new UsageError('--save-neighbors needs --train and --test files (their checksums are recorded)');
  }
  if (options.shots !== undefined && (options.predictions || options.saveNeighbors)) {
    throw new UsageError('--shots cannot be combined with --predictions or --save-neighbors');
  }
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

function write(writer: AtomicWriter, line: string): Promise<void> | void {
  if (!writer.stream.write(line + '\n')) return new Promise((done) => writer.stream.once('drain', () => done()));
}

/** The paper's few-shot setting: T draws of N training rows per class, mean ± standard deviation. */
async function fewShot(
  train: LoadedData,
  test: LoadedData,
  rows: number[],
  options: EvalCommandOptions,
  shouldStop: () => boolean,
): Promise<{ text: string; json: Record<string, unknown> }> {
  const draws = fewShotSplits(train.records.map((r) => r.label as Label), options.shots!, options.trials, options.seed);
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
