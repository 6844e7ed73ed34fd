/** `npc score FILE`: re-scores saved neighbours (from `npc eval --save-neighbors`) without compressing anything. */
import { loadEvalData } from '../../app/evaluate.js';
import { rescore } from '../../app/rescore.js';
import { labelNameMap } from '../../app/training.js';
import type { Label, TieRule } from '../../app/scoring.js';
import { checkLabelNames, type DataFileOptions, dataSpecs } from '../options.js';
import type { LineWriter } from '../output.js';
import { printReport } from '../report.js';

export interface ScoreCommandOptions extends DataFileOptions {
  k: number[];
  tie: TieRule;
  seed: number;
  json: boolean;
}

export async function scoreCommand(
  file: string,
  options: ScoreCommandOptions,
  io: { out: LineWriter; warn: (message: string) => void },
): Promise<void> {
  const specs = dataSpecs(options);
  const data = await loadEvalData(specs.train, specs.test);
  checkLabelNames(
    options.labelNames,
    [...data.train.records, ...data.test.records].map((r) => r.label as Label),
  );
  const report = await rescore(file, data, { ks: options.k, tie: options.tie, seed: options.seed });
  const names = labelNameMap(options.labelNames) ?? data.train.labelNames ?? data.test.labelNames;
  await printReport(report, { json: options.json, names, out: io.out, warn: io.warn });
}
