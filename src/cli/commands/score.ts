/**
 * `npc score FILE`: re-scores saved neighbours (from `npc eval --save-neighbors`) without compressing
 * anything. Its outputs are eval's, written by the same code: the report (tables or --json),
 * --predictions and --html.
 */
import { loadEvalData } from '../../app/evaluate.js';
import { rescore } from '../../app/rescore.js';
import { labelNameMap } from '../../app/training.js';
import type { Label } from '../../model/labels.js';
import type { TieRule } from '../../model/tie-rules.js';
import { UsageError } from '../../errors.js';
import { evalHtml } from '../html.js';
import { type DataFileOptions, dataSpecs } from '../../app/data-layout.js';
import { checkLabelNames } from '../options.js';
import { type LineWriter, ProgressLine, reportWriter, sayWaiting } from '../line-writer.js';
import { openOutputFiles } from '../../app/output-files.js';
import type { FileIdentity, StdoutTarget } from '../../io/output-sink.js';
import { partialReportText, printReport } from '../report.js';
import { StopOnSignal } from '../signals.js';
import { refuseDatasetNameAsFile } from '../dataset-use.js';

export interface ScoreCommandOptions extends DataFileOptions {
  k: number[];
  tie: TieRule;
  seed: number;
  json: boolean;
  predictions?: string;
  html?: string;
  quiet: boolean;
}

export async function scoreCommand(
  file: string,
  options: ScoreCommandOptions,
  io: { out: LineWriter; warn: (message: string) => void; stdout: StdoutTarget; stdinIdentity?: FileIdentity },
): Promise<void> {
  if (options.predictions === '-' && options.html === '-') throw new UsageError('--predictions and --html cannot both write to stdout');
  // score reads the files the neighbours were computed on: a data set's are its cached splits, by path.
  refuseDatasetNameAsFile(
    [
      ['--train', options.train],
      ['--test', options.test],
    ],
    (name, flag) => `its cached split is ${flag} "$(npc data path ${name} --split ${flag === '--train' ? 'train' : 'test'})"`,
  );
  const stop = new StopOnSignal();
  try {
    const specs = dataSpecs(options);
    const inputs = [file, ...[options.train, options.test].filter((path): path is string => path !== undefined)];
    const outputs = await openOutputFiles(
      { predictions: options.predictions, html: options.html },
      inputs,
      { ...io, onWaiting: sayWaiting },
      stop,
    );
    try {
      const reportOut = reportWriter(outputs, io.out);
      const data = await loadEvalData(specs.train, specs.test);
      checkLabelNames(
        options.labelNames,
        [...data.train.records, ...data.test.records].map((r) => r.label as Label),
      );
      const names = labelNameMap(options.labelNames) ?? data.train.labelNames ?? data.test.labelNames;
      const progress = new ProgressLine(!options.quiet);
      const result = await rescore(file, data, {
        ks: options.k,
        tie: options.tie,
        seed: options.seed,
        predictions: outputs.predictions,
        interruption: stop,
        onProgress: (done, total) => progress.update(done, total, 0),
      }).finally(() => progress.clear());
      if (result.interrupted) {
        process.stderr.write(
          partialReportText(result.report, { done: result.scored, total: result.saved, verb: 'scored' }, stop.signal!, names),
        );
        stop.check();
      }
      await printReport(result.report, { json: options.json, names, out: reportOut, warn: io.warn });
      if (outputs.html) {
        await outputs.html.write(evalHtml(result.report, names));
        await outputs.html.commit();
      }
    } catch (err) {
      await outputs.predictions?.abort();
      await outputs.html?.abort();
      throw err;
    }
  } finally {
    stop.dispose();
  }
}
