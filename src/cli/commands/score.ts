/** `npc score FILE`: re-scores saved neighbours (from `npc eval --save-neighbors`) without compressing anything. */
import { loadEvalData } from '../../app/evaluate.js';
import { rescore } from '../../app/rescore.js';
import { type FileFormat, labelNameMap } from '../../app/training.js';
import type { Label, TieRule } from '../../app/scoring.js';
import { checkLabelNames, chooseFormat, formatHint } from '../options.js';
import type { LineWriter } from '../output.js';
import { printReport } from '../report.js';

export interface ScoreCommandOptions {
  train?: string;
  test?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  testFormat?: FileFormat;
  k: number[];
  tie: TieRule;
  seed: number;
  json: boolean;
  textField: string;
  labelField: string;
  labelNames?: string[];
}

export async function scoreCommand(file: string, options: ScoreCommandOptions, io: { out: LineWriter; warn: (message: string) => void }): Promise<void> {
  const fields = { textField: options.textField, labelField: options.labelField };
  const data = await loadEvalData(
    { path: options.train, format: chooseFormat(options.train, options.trainFormat, options.format, '--train-format'), formatHint: formatHint('--train-format'), ...fields },
    { path: options.test, format: chooseFormat(options.test, options.testFormat, options.format, '--test-format'), formatHint: formatHint('--test-format'), ...fields },
  );
  checkLabelNames(options.labelNames, [...data.train.records, ...data.test.records].map((r) => r.label as Label));
  const report = await rescore(file, data, { ks: options.k, tie: options.tie, seed: options.seed });
  const names = labelNameMap(options.labelNames) ?? data.train.labelNames ?? data.test.labelNames;
  await printReport(report, { json: options.json, names, out: io.out, warn: io.warn });
}
