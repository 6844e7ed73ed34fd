/**
 * `npc score` as a job: re-scores the neighbours saved by `npc eval --save-neighbors` without
 * compressing anything, after checking that the file belongs to the data given (checksums, row counts,
 * compressor, strip, enough neighbours). The same RowScorer as eval, so the same numbers.
 */
import { defaultCompressor } from '../compress/index.js';
import { counted, InputError } from '../errors.js';
import { fileHashes } from '../io/file-hash.js';
import { type NeighborsFileHeader, readNeighborsFile } from '../io/neighbors-file.js';
import type { OutputSink } from '../io/output-sink.js';
import { encodeLabels, type Label } from '../model/labels.js';
import type { TieRule } from '../model/tie-rules.js';
import { type EvalData, type EvaluationReport, type Interruption, requireSharedLabel } from './evaluate.js';
import { predictionLine, RowScorer } from './row-scorer.js';
import { checkKsFit } from './training.js';

export interface RescoreOptions {
  ks: number[];
  tie: TieRule;
  seed: number;
  /** One JSONL line per saved row, as `npc eval --predictions` writes it (the first k neighbours listed). */
  predictions?: OutputSink;
  onProgress?: (done: number, total: number) => void;
  interruption?: Interruption;
}

export interface RescoreResult {
  report: EvaluationReport;
  /** True when stopped early: the report covers `scored` of the saved rows and the predictions were discarded. */
  interrupted: boolean;
  scored: number;
  saved: number;
}

/** Rows scored between checks for a stop and progress updates. */
const ROWS_PER_STEP = 1024;

/**
 * Re-scores a neighbours file. The predictions output is committed when every row is scored, and
 * aborted when it is interrupted or fails.
 */
export async function rescore(file: string, data: EvalData, options: RescoreOptions): Promise<RescoreResult> {
  const { predictions, interruption } = options;
  try {
    const saved = await readNeighborsFile(file);
    const { train, test } = data;
    if (!train.path || !test.path) throw new InputError('re-scoring needs the training and test data as files, not stdin', file);
    const trainHashes = await fileHashes(train.path);
    const testHashes = await fileHashes(test.path);
    checkNeighborsFileMatches(
      saved.header,
      {
        trainSha256: trainHashes.sha256,
        trainContentSha256: trainHashes.contentSha256,
        trainRows: train.records.length,
        testSha256: testHashes.sha256,
        testContentSha256: testHashes.contentSha256,
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
    const stopped = (): boolean => interruption?.stopped === true;
    const wait = <T>(promise: Promise<T>): Promise<T | undefined> => (interruption ? interruption.orStop(promise) : promise);
    let scored = 0;
    for (; scored < saved.size && !stopped(); scored++) {
      const row = saved.row(scored);
      const result = scorer.add(row.testRow, test.records[row.testRow].label as Label, row.indices, row.distances);
      if (predictions) await wait(predictions.write(predictionLine(result, options.ks[0])));
      if ((scored + 1) % ROWS_PER_STEP === 0) {
        options.onProgress?.(scored + 1, saved.size);
        await new Promise<void>((resolve) => setImmediate(resolve)); // a signal is seen here
      }
    }
    if (!stopped()) await wait(predictions?.commit() ?? Promise.resolve());
    const interrupted = stopped();
    if (interrupted) await predictions?.abort();
    const report: EvaluationReport = {
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
    return { report, interrupted, scored, saved: saved.size };
  } catch (err) {
    await predictions?.abort();
    throw err;
  }
}

export interface NeighborsExpectation {
  /** SHA-256 of the training file's bytes now. */
  trainSha256?: string;
  /** SHA-256 of the training file's content now (gzip decompressed). */
  trainContentSha256?: string;
  trainRows?: number;
  testSha256?: string;
  testContentSha256?: string;
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
    const sha = (part === 'train' ? expected.trainSha256 : expected.testSha256)?.toLowerCase();
    const content = (part === 'train' ? expected.trainContentSha256 : expected.testContentSha256)?.toLowerCase();
    const rows = part === 'train' ? expected.trainRows : expected.testRows;
    const name = part === 'train' ? 'training' : 'test';
    // The same data: the file's bytes or its content (gzip decompressed) have a checksum the file records.
    const recorded = [saved.sha256, saved.content_sha256];
    if (sha !== undefined && !recorded.includes(sha) && !(content !== undefined && recorded.includes(content))) {
      const contents =
        content !== undefined && saved.content_sha256 !== undefined
          ? `; content sha256 ${short(saved.content_sha256)}… in the file, ${short(content)}… now`
          : '';
      problems.push(`its ${name} data differs (sha256 ${short(saved.sha256)}… in the file, ${short(sha)}… now${contents})`);
    } else if (rows !== undefined && saved.rows !== rows) {
      problems.push(`its ${name} data had ${counted(saved.rows, 'row')}, now ${rows}`);
    }
  }
  if (expected.strip !== undefined && header.strip !== expected.strip) {
    problems.push(`it was computed ${header.strip ? 'with' : 'without'} stripping, this run is ${expected.strip ? 'with' : 'without'}`);
  }
  if (expected.neighbors !== undefined && header.m < Math.min(expected.neighbors, header.train.rows)) {
    problems.push(
      `it holds ${counted(header.m, 'neighbour')} per row, ${expected.neighbors} ${expected.neighbors === 1 ? 'is' : 'are'} needed`,
    );
  }
  if (problems.length) throw new InputError(`neighbours file does not match this run: ${problems.join('; ')}`, where);
}
