/**
 * `npc model build` as a job: reads the training file as `npc eval --train` does, fits the index
 * (C(y) of every row), runs the evaluation asked for with the jobs `npc eval` runs (app/evaluate.ts,
 * app/cross-validate.ts), computes the reference distributions, and returns the card and the arrays
 * the artifact holds. `writeModel` writes them (io/model-file.ts, atomically). The caller (the CLI)
 * turns an evaluation's result into the report `npc eval --json` prints, so both print the same JSON.
 */
import { access, constants, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { defaultCompressor, engineIdentity, utf8Bytes } from '../compress/index.js';
import { UsageError } from '../errors.js';
import { sha256OfFile } from '../io/file-hash.js';
import { writeModelFile } from '../io/model-file.js';
import { fileIdentity, sameIdentity } from '../io/output-sink.js';
import { describeWriteError } from '../io/atomic-file.js';
import type { LabeledRecord } from '../io/records.js';
import {
  type CardDefaults,
  type CardTraining,
  type CardEvaluation,
  type CardReadOptions,
  type CardReference,
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  type ModelCard,
} from '../model/card.js';
import { renderModelCard } from '../model/card-markdown.js';
import { type Label, labelToJson } from '../model/labels.js';
import { mulberry32, textRandom } from '../model/random.js';
import { predictWithRule, type TieRule } from '../model/tie-rules.js';
import type { TrainingArrays, TrainingIndex } from '../model/training-index.js';
import { queriesPerBatch } from '../parallel/batch.js';
import { createSearcher, type Searcher } from '../parallel/searcher.js';
import { type CrossValidationMode, type CrossValidationResult, crossValidate } from './cross-validate.js';
import { type EvaluationReport, evaluate, matchTestLabels } from './evaluate.js';
import { checkKsFit, type DataSpec, fitIndex, type LoadedData, loadSplit, type WorkerFactory } from './training.js';

/** The reference sample's size when not told. */
export const DEFAULT_REFERENCE_ROWS = 1000;

/** How the card's evaluation is made: `npc eval --data TRAIN --folds K|--holdout F`, or `npc eval --train TRAIN --test FILE`. */
export type BuildEvaluation = { kind: 'folds'; k: number } | { kind: 'holdout'; fraction: number } | { kind: 'test'; spec: DataSpec };

/** An evaluation's result, for the caller to turn into `npc eval --json`'s report. */
export type EvaluationOutcome = { kind: 'test'; report: EvaluationReport } | { kind: 'cross-validation'; cv: CrossValidationResult };

export interface BuildModelOptions {
  /** The training file as `npc eval --train` reads it (`-`: stdin, whose size and sha256 the card leaves null). */
  train: DataSpec & { path: string };
  /** How the card says the file was read. */
  read: CardReadOptions;
  /**
   * The catalog data set whose cached train split `train` is (`--dataset`): the card names the data set
   * instead of the cached file, and its evaluation method says `--dataset NAME`.
   */
  dataset?: string;
  name: string;
  description: string;
  k: number;
  tie: TieRule;
  seed: number;
  abstainAbove?: number;
  minConfidence?: number;
  /** Display names of labels (`--label-names`); default: those the data set has, if any. */
  labelNames?: ReadonlyMap<Label, string>;
  /** Called with the training labels once they are read (the CLI checks `--label-names` against them). */
  checkLabels?: (labels: readonly Label[]) => void;
  evaluation?: BuildEvaluation;
  /** Rows of the reference sample (default DEFAULT_REFERENCE_ROWS; all rows when fewer). */
  referenceRows?: number;
  jobs: number;
  createWorker?: WorkerFactory;
  npcVersion: string;
  /** The report `npc eval --json` prints for this outcome (cli/report.ts builds it). */
  evaluationReport: (outcome: EvaluationOutcome, names: ReadonlyMap<Label, string> | undefined) => Record<string, unknown>;
  /** Called as each stage goes: rows done of total. */
  onProgress?: (stage: 'evaluation' | 'reference', done: number, total: number) => void;
}

/** What `writeModel` writes: the card, MODEL_CARD.md and the arrays. */
export interface BuiltModel {
  card: ModelCard;
  cardMarkdown: string;
  arrays: TrainingArrays;
}

/**
 * Refuses, before any work, an output that cannot be written: a missing folder, a directory, or one of
 * the input files (`inputs`).
 */
export async function checkModelOutput(path: string, inputs: readonly string[]): Promise<void> {
  const target = await fileIdentity(path);
  for (const input of inputs) {
    if (input !== '-' && sameIdentity(target, await fileIdentity(input))) throw new UsageError(`-o ${path} would overwrite an input file`);
  }
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw describeWriteError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  try {
    await access(dirname(path), constants.W_OK);
  } catch (err) {
    throw describeWriteError(path, err);
  }
}

/**
 * Builds the model (see the file comment). Nothing is written. The card records the training file's
 * size and sha256 when it is a regular file (not for stdin, a FIFO or a device, which cannot be read twice).
 */
export async function buildModel(options: BuildModelOptions): Promise<BuiltModel> {
  const started = process.hrtime.bigint();
  const regular = options.train.path !== '-' && (await stat(options.train.path).catch(() => undefined))?.isFile() === true;
  const data = await loadSplit(options.train, 'train');
  const records = data.records;
  options.checkLabels?.(records.map((r) => r.label as Label));
  checkKsFit([options.k], records.length, 'the training set');
  const fromStdin = options.train.path === '-';
  const bytes = regular ? (await stat(options.train.path)).size : null;
  const sha256 = regular ? await sha256OfFile(options.train.path) : null;
  const names = options.labelNames ?? data.labelNames;

  let evaluation: CardEvaluation | null = null;
  let heldOut: CollectedRows | undefined;
  if (options.evaluation) {
    const collected = new CollectedRows();
    const run = await runEvaluation(data, options, options.evaluation, collected);
    evaluation = { method: evaluationMethod(options), report: options.evaluationReport(run, names) };
    heldOut = collected;
  }

  const searcher = await createSearcher(
    fitIndex(records, defaultCompressor(), { deferLengths: options.jobs > 1 && records.length > 1 }),
    options.jobs,
    {
      createWorker: options.createWorker,
    },
  );
  let reference: CardReference | null;
  try {
    const index = searcher.index;
    if (heldOut) {
      reference = heldOut.reference(index);
    } else {
      const rows = sampleRows(records.length, options.referenceRows ?? DEFAULT_REFERENCE_ROWS, options.seed);
      const found = await referenceSearch(searcher, records, rows, options, (done) => options.onProgress?.('reference', done, rows.length));
      reference = sampleReference(index, found, options.seed);
    }
  } finally {
    await searcher.close();
  }
  const card = composeCard(searcher.index, {
    name: options.name,
    description: options.description,
    npcVersion: options.npcVersion,
    defaults: {
      k: options.k,
      tie: options.tie,
      seed: options.seed,
      abstain_above: options.abstainAbove ?? null,
      min_confidence: options.minConfidence ?? null,
    },
    names,
    training: {
      file: fromStdin ? '<stdin>' : options.dataset !== undefined ? `<dataset ${options.dataset}>` : basename(options.train.path),
      bytes,
      sha256,
      read: options.read,
    },
    texts: records.map((r) => r.text),
    evaluation,
    reference,
    started,
  });
  return { card, cardMarkdown: renderModelCard(card), arrays: arraysOf(searcher.index) };
}

/** What a card says beyond what composeCard computes from the index and the texts. */
export interface CardParts {
  name: string;
  description: string;
  npcVersion: string;
  defaults: CardDefaults;
  names?: ReadonlyMap<Label, string>;
  training: Pick<CardTraining, 'file' | 'bytes' | 'sha256' | 'read'>;
  /** The training texts, for the duplicate count and the length percentiles. */
  texts: readonly string[];
  evaluation: CardEvaluation | null;
  reference: CardReference | null;
  /** process.hrtime.bigint() when the build started. */
  started: bigint;
}

/** The card of a fitted index (`npc model build` and the library's `save`); artifact_bytes is set when written. */
export function composeCard(index: TrainingIndex, parts: CardParts): ModelCard {
  return {
    format: MODEL_FORMAT,
    format_version: MODEL_FORMAT_VERSION,
    name: parts.name,
    description: parts.description,
    created: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    npc_version: parts.npcVersion,
    compressor: index.compressor.name,
    engine: engineIdentity(),
    defaults: parts.defaults,
    labels: cardLabels(index, parts.names),
    training: {
      ...parts.training,
      rows: index.size,
      duplicate_texts: duplicateTexts(parts.texts),
      text_bytes: textBytes(parts.texts),
    },
    evaluation: parts.evaluation,
    reference: parts.reference,
    build: { seconds: Number(process.hrtime.bigint() - parts.started) / 1e9, artifact_bytes: 0 },
  };
}

/** The reference distributions of a sample of training rows searched by referenceSearch; null when none was searched. */
export function sampleReference(
  index: TrainingIndex,
  found: { rows: number; distances: number[]; labelIds: readonly number[] },
  seed: number,
): CardReference | null {
  if (found.rows === 0) return null;
  return { source: 'training-sample', rows: found.rows, seed, distances: found.distances, labels: labelCounts(index, found.labelIds) };
}

/** Writes the artifact atomically (io/model-file.ts sets the card's artifact size); returns its size and sha256. */
export async function writeModel(path: string, built: BuiltModel): Promise<{ bytes: number; sha256: string }> {
  return writeModelFile(path, built);
}

/** The card's fields computed from a fitted index alone (the library's `save`): labels, duplicates, text lengths. */
export function indexSummary(
  index: TrainingIndex,
  names?: ReadonlyMap<Label, string>,
): Pick<ModelCard, 'labels'> & Pick<ModelCard['training'], 'rows' | 'duplicate_texts' | 'text_bytes'> {
  const texts = indexTexts(index);
  return { labels: cardLabels(index, names), rows: index.size, duplicate_texts: duplicateTexts(texts), text_bytes: textBytes(texts) };
}

/** The index's texts, decoded. */
export function indexTexts(index: TrainingArrays): string[] {
  const decoder = new TextDecoder();
  const out: string[] = [];
  for (let i = 0; i + 1 < index.offsets.length; i++) out.push(decoder.decode(index.data.subarray(index.offsets[i], index.offsets[i + 1])));
  return out;
}

/** The arrays of an index whose C(y) are all computed. */
export function arraysOf(index: TrainingIndex): TrainingArrays {
  return { data: index.data, offsets: index.offsets, compressedLengths: index.compressedLengths, labelIds: index.labelIds };
}

/** What `npc eval` is run with to print the same report, e.g. `--data train.jsonl --folds 5 --seed 0 -k 2 --tie nearest`. */
function evaluationMethod(options: BuildModelOptions): string {
  const e = options.evaluation!;
  const train =
    options.dataset !== undefined
      ? `"$(npc data path ${options.dataset} --split train)"`
      : options.train.path === '-'
        ? '-'
        : basename(options.train.path);
  const split =
    e.kind === 'test'
      ? options.dataset !== undefined
        ? `--dataset ${options.dataset}`
        : `--train ${train} --test ${e.spec.path === undefined ? '<default>' : basename(e.spec.path)}`
      : `--data ${train} ${e.kind === 'folds' ? `--folds ${e.k}` : `--holdout ${e.fraction}`}`;
  return `${split} -k ${options.k} --tie ${options.tie} --seed ${options.seed}${options.read.strip ? ' --strip' : ''}`;
}

async function runEvaluation(
  data: LoadedData,
  options: BuildModelOptions,
  evaluation: BuildEvaluation,
  collected: CollectedRows,
): Promise<EvaluationOutcome> {
  const run = {
    ks: [options.k],
    tie: options.tie,
    strip: options.read.strip,
    jobs: options.jobs,
    createWorker: options.createWorker,
    predictions: collected,
    npcVersion: options.npcVersion,
  };
  if (evaluation.kind === 'test') {
    const evalData = matchTestLabels({ train: data, test: await loadSplit(evaluation.spec, 'test') });
    const { report } = await evaluate(evalData, {
      ...run,
      seed: options.seed,
      onProgress: (done, total) => options.onProgress?.('evaluation', done, total),
    });
    return { kind: 'test', report };
  }
  const mode: CrossValidationMode =
    evaluation.kind === 'folds' ? { kind: 'folds', k: evaluation.k } : { kind: 'holdout', fraction: evaluation.fraction };
  const cv = await crossValidate(data, {
    ...run,
    mode,
    seed: options.seed,
    onProgress: (done, total) => options.onProgress?.('evaluation', done, total),
  });
  return { kind: 'cross-validation', cv };
}

/**
 * The evaluation's `--predictions` lines, kept in memory: each held-out row's predicted label (its
 * exact JSON text, so a bigint label stays exact) and nearest distance.
 */
class CollectedRows {
  readonly path = '<held-out rows>';
  readonly kind = 'direct' as const;
  private pending = '';
  private readonly predictions: string[] = [];
  private readonly distances: number[] = [];

  async write(chunk: string | Uint8Array): Promise<void> {
    this.pending += typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk);
    let end: number;
    while ((end = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, end);
      this.pending = this.pending.slice(end + 1);
      const row = JSON.parse(line) as { distance: number };
      this.distances.push(row.distance);
      this.predictions.push(predictionSource(line));
    }
  }

  async commit(): Promise<void> {}
  async abort(): Promise<void> {}

  reference(index: TrainingIndex): CardReference {
    const idOf = new Map(index.encoder.classes.map((label, id) => [jsonOfLabel(label), id]));
    const ids = this.predictions.map((p) => {
      const id = idOf.get(p);
      if (id === undefined) throw new Error(`a held-out prediction, ${p}, is no training label`);
      return id;
    });
    return { source: 'held-out', rows: ids.length, seed: null, distances: this.distances, labels: labelCounts(index, ids) };
  }
}

/** The JSON text of the `prediction` member of a predictions line (written by toJson: no spaces). */
function predictionSource(line: string): string {
  const at = line.indexOf('"prediction":') + '"prediction":'.length;
  const value = JSON.parse(line) as { prediction: unknown };
  if (typeof value.prediction === 'string') return JSON.stringify(value.prediction);
  // A number or a bigint: its digits as written.
  const rest = line.slice(at);
  return rest.slice(0, rest.search(/[,}]/));
}

function jsonOfLabel(label: Label): string {
  return typeof label === 'string' ? JSON.stringify(label) : label.toString();
}

/**
 * `count` distinct rows of `n`, drawn by a seeded partial Fisher–Yates shuffle and returned in row
 * order; all rows when `count` ≥ n.
 */
export function sampleRows(n: number, count: number, seed: number): number[] {
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  const rows = Int32Array.from({ length: n }, (_, i) => i);
  const random = mulberry32(seed);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (n - i));
    [rows[i], rows[j]] = [rows[j], rows[i]];
  }
  return Array.from(rows.subarray(0, count)).sort((a, b) => a - b);
}

/**
 * Searches each of `rows` against every training row except itself and its exact duplicates (rows
 * with the same text): the nearest k + (size of its text's group) are searched, the group dropped,
 * and the first k left vote with the tie rule (the random rule drawing from the seed and the text, as
 * `npc classify` does). A row whose text every training row has is left out (nothing to search).
 */
export async function referenceSearch(
  searcher: Searcher,
  records: readonly Pick<LabeledRecord, 'text'>[],
  rows: readonly number[],
  options: { k: number; tie: TieRule; seed: number },
  onProgress?: (done: number) => void,
): Promise<{ rows: number; distances: number[]; labelIds: number[] }> {
  const n = records.length;
  const group = new Int32Array(n);
  const groupSize = new Map<number, number>();
  const first = new Map<string, number>();
  records.forEach((r, i) => {
    const g = first.get(r.text) ?? i;
    first.set(r.text, g);
    group[i] = g;
    groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
  });
  const labelIds = searcher.index.labelIds;
  const distances: number[] = [];
  const predicted: number[] = [];
  const batchSize = queriesPerBatch(n);
  let done = 0;
  for (let start = 0; start < rows.length; start += batchSize) {
    const batch = rows.slice(start, start + batchSize);
    const largest = Math.max(...batch.map((row) => groupSize.get(group[row])!));
    const m = Math.min(n, options.k + largest);
    const queries = batch.map((row) => utf8Bytes(records[row].text));
    const lists = await searcher.search(queries, m);
    for (let q = 0; q < batch.length; q++) {
      const own = group[batch[q]];
      const ids: number[] = [];
      const ds: number[] = [];
      for (let i = q * lists.m, end = i + lists.sizes[q]; i < end && ids.length < options.k; i++) {
        const row = lists.indices[i];
        if (group[row] === own) continue;
        ids.push(labelIds[row]);
        ds.push(lists.distances[i]);
      }
      if (ids.length === 0) continue;
      distances.push(ds[0]);
      predicted.push(predictWithRule(options.tie, ids, ds, ids.length, textRandom(options.seed, queries[q])));
    }
    done += batch.length;
    onProgress?.(done);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { rows: distances.length, distances, labelIds: predicted };
}

function labelCounts(index: TrainingIndex, ids: readonly number[]): CardReference['labels'] {
  const counts = new Array<number>(index.encoder.classes.length).fill(0);
  for (const id of ids) counts[id]++;
  return index.encoder.classes.map((label, id) => ({ label: labelToJson(label), count: counts[id] }));
}

function cardLabels(index: TrainingIndex, names: ReadonlyMap<Label, string> | undefined): ModelCard['labels'] {
  const rows = new Array<number>(index.encoder.classes.length).fill(0);
  for (const id of index.labelIds) rows[id]++;
  return index.encoder.classes.map((label, id) => ({ label: labelToJson(label), name: names?.get(label) ?? null, rows: rows[id] }));
}

/** Rows whose text equals an earlier row's text. */
export function duplicateTexts(texts: readonly string[]): number {
  return texts.length - new Set(texts).size;
}

/** Text lengths in UTF-8 bytes: min, nearest-rank percentiles, max and mean. */
export function textBytes(texts: readonly string[]): ModelCard['training']['text_bytes'] {
  const sizes = texts.map((t) => Buffer.byteLength(t, 'utf8')).sort((a, b) => a - b);
  const at = (q: number): number => sizes[Math.max(0, Math.ceil(q * sizes.length) - 1)];
  return {
    min: sizes[0],
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sizes[sizes.length - 1],
    mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
  };
}
