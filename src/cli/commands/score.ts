/** `npc score FILE`: re-scores saved neighbours (from `npc eval --save-neighbors`) without compressing anything. */
import { RowScorer } from '../../app/evaluate.js';
import { labelNameMap, loadSplit } from '../../app/training.js';
import { defaultCompressor } from '../../compress/index.js';
import { InputError } from '../../errors.js';
import { checkNeighborsFileMatches, readNeighborsFile, sha256OfFile } from '../../io/neighbors-file.js';
import type { FileFormat } from '../../io/lines.js';
import type { Label } from '../../io/records.js';
import { LabelEncoder } from '../../model/labels.js';
import type { TieRule } from '../../model/tie-rules.js';
import { checkLabelNames, chooseFormat, formatHint } from '../options.js';
import type { LineWriter } from '../output.js';
import { printReport } from './eval.js';

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
  const saved = await readNeighborsFile(file);
  const fields = { textField: options.textField, labelField: options.labelField };
  const train = await loadSplit({ path: options.train, format: chooseFormat(options.train, options.trainFormat, options.format, '--train-format'), formatHint: formatHint('--train-format'), ...fields }, 'train');
  const test = await loadSplit({ path: options.test, format: chooseFormat(options.test, options.testFormat, options.format, '--test-format'), formatHint: formatHint('--test-format'), ...fields }, 'test');
  checkLabelNames(options.labelNames, [...train.records, ...test.records].map((r) => r.label as Label));
  if (!train.path || !test.path) throw new InputError('npc score needs --train and --test files, not stdin', file);
  checkNeighborsFileMatches(
    saved.header,
    {
      trainSha256: await sha256OfFile(train.path),
      trainRows: train.records.length,
      testSha256: await sha256OfFile(test.path),
      testRows: test.records.length,
      compressor: defaultCompressor().name,
      neighbors: Math.max(...options.k),
    },
    file,
  );
  const labels = train.records.map((r) => r.label as Label);
  const encoder = new LabelEncoder(labels);
  const labelIds = Int32Array.from(labels, (label) => encoder.idOf(label));
  const scorer = new RowScorer(encoder, labelIds, { ks: options.k, tie: options.tie, seed: options.seed, trainSize: train.records.length });
  for (let i = 0; i < saved.size; i++) {
    const row = saved.row(i);
    scorer.add(row.testRow, test.records[row.testRow].label as Label, row.indices, row.distances);
  }
  const names = labelNameMap(options.labelNames) ?? train.labelNames ?? test.labelNames;
  await printReport(
    scorer.scores(),
    {
      trainSource: train.source,
      testSource: test.source,
      trainSize: train.records.length,
      testSize: test.records.length,
      m: saved.header.m,
      tie: options.tie,
      strip: saved.header.strip,
      names,
      evaluated: saved.header.evaluated,
    },
    options.json,
    io.out,
    io.warn,
  );
}
