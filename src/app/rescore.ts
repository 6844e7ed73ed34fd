/**
 * `npc score` as a job: re-scores the neighbours saved by `npc eval --save-neighbors` without
 * compressing anything, after checking that the file belongs to the data given (checksums, row counts,
 * compressor, strip, enough neighbours). The same RowScorer as eval, so the same numbers.
 */
import { defaultCompressor } from '../compress/index.js';
import { InputError } from '../errors.js';
import { sha256OfFile } from '../io/file-hash.js';
import { type NeighborsFileHeader, readNeighborsFile } from '../io/neighbors-file.js';
import { encodeLabels, type Label } from '../model/labels.js';
import type { TieRule } from '../model/tie-rules.js';
import { type EvalData, type EvaluationReport, requireSharedLabel } from './evaluate.js';
import { RowScorer } from './scoring.js';
import { checkKsFit } from './training.js';

export interface RescoreOptions {
  ks: number[];
  tie: TieRule;
  seed: number;
}

export async function rescore(file: string, data: EvalData, options: RescoreOptions): Promise<EvaluationReport> {
  const saved = await readNeighborsFile(file);
  const { train, test } = data;
  if (!train.path || !test.path) throw new InputError('re-scoring needs the training and test data as files, not stdin', file);
  checkNeighborsFileMatches(
    saved.header,
    {
      trainSha256: await sha256OfFile(train.path),
      trainRows: train.records.length,
      testSha256: await sha256OfFile(test.path),
      testRows: test.records.length,
      compressor: defaultCompressor().name,
      neighbors: Math.max(...options.ks),
    },
    file,
  );
  requireSharedLabel(data);
  // A cross-validation's rows were each evaluated against their own fold's training side: the report
  // names the smallest, as eval's did, and k must fit it.
  const trainSize = saved.header.train_side_rows ?? train.records.length;
  checkKsFit(
    options.ks,
    trainSize,
    saved.header.train_side_rows === undefined ? 'the training set' : `the smallest training side in ${file}`,
  );
  const { encoder, labelIds } = encodeLabels(train.records.map((r) => r.label as Label));
  const scorer = new RowScorer(encoder, labelIds, { ...options, trainSize });
  for (let i = 0; i < saved.size; i++) {
    const row = saved.row(i);
    scorer.add(row.testRow, test.records[row.testRow].label as Label, row.indices, row.distances);
  }
  return {
    scores: scorer.scores(),
    trainSource: train.source,
    testSource: test.source,
    trainSize,
    testSize: test.records.length,
    m: saved.header.m,
    tie: options.tie,
    strip: saved.header.strip,
    evaluated: saved.header.evaluated,
    ...(data.matchedByText ? { labelsMatchedByText: data.matchedByText } : {}),
  };
}

export interface NeighborsExpectation {
  trainSha256?: string;
  trainRows?: number;
  testSha256?: string;
  testRows?: number;
  compressor?: string;
  strip?: boolean;
  /** Neighbours this run needs per row (the largest k): M must be at least min(this, training rows). */
  neighbors?: number;
}

function short(sha: string): string {
  return sha.slice(0, 12);
}

/**
 * Checks that a saved file belongs to this run. Throws one InputError (naming the file) listing every
 * mismatch: compressor, training or test data (checksum or row count), strip flag, too few neighbours.
 */
export function checkNeighborsFileMatches(header: NeighborsFileHeader, expected: NeighborsExpectation, where?: string): void {
  const problems: string[] = [];
  if (expected.compressor !== undefined && header.compressor !== expected.compressor) {
    problems.push(`it was computed with compressor ${header.compressor}, this run uses ${expected.compressor}`);
  }
  for (const part of ['train', 'test'] as const) {
    const saved = header[part];
    const sha = part === 'train' ? expected.trainSha256 : expected.testSha256;
    const rows = part === 'train' ? expected.trainRows : expected.testRows;
    const name = part === 'train' ? 'training' : 'test';
    if (sha !== undefined && saved.sha256 !== sha.toLowerCase()) {
      problems.push(`its ${name} data differs (sha256 ${short(saved.sha256)}… in the file, ${short(sha.toLowerCase())}… now)`);
    } else if (rows !== undefined && saved.rows !== rows) {
      problems.push(`its ${name} data had ${saved.rows} rows, now ${rows}`);
    }
  }
  if (expected.strip !== undefined && header.strip !== expected.strip) {
    problems.push(`it was computed ${header.strip ? 'with' : 'without'} stripping, this run is ${expected.strip ? 'with' : 'without'}`);
  }
  if (expected.neighbors !== undefined && header.m < Math.min(expected.neighbors, header.train.rows)) {
    problems.push(`it holds ${header.m} neighbours per row, ${expected.neighbors} are needed`);
  }
  if (problems.length) throw new InputError(`neighbours file does not match this run: ${problems.join('; ')}`, where);
}
