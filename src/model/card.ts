/**
 * The model card: everything a `.npcm` artifact says about itself (docs/models.md lists every field).
 * It is the artifact's first member, `card.json`, so `tar -xOf news.npcm card.json` shows it; loading
 * reads from it the settings a search needs (label classes, default k, tie rule, thresholds) and the
 * engine that computed the stored C(y).
 *
 * Field names are snake_case, as in npc's other JSON outputs. A field added later gets a default when
 * missing; a change to what a field means raises MODEL_FORMAT_VERSION.
 */
import type { JsonLabel } from './labels.js';
import { TIE_RULES, type TieRule } from './tie-rules.js';

export const MODEL_FORMAT = 'npc-model';
/** The version of the artifact's layout and card this npc writes and reads. */
export const MODEL_FORMAT_VERSION = 1;

/** How the training file was read: with `--model`, these apply to the model's rows, never to the input. */
export interface CardReadOptions {
  /** `jsonl`, `csv`, `tsv`, `text`, `ag_news`…, or null when it was told by the file name. */
  format: string | null;
  text_field: string;
  label_field: string;
  /** The columns of a CSV or TSV file without a header row, else null. */
  columns: string[] | null;
  /** Whether every text was stripped as Python's str.strip() does. */
  strip: boolean;
}

/** The settings a run uses unless told otherwise. */
export interface CardDefaults {
  k: number;
  tie: TieRule;
  /** The seed of the `random` tie rule. */
  seed: number;
  /** Abstain when the nearest row is farther than this NCD; null: never. */
  abstain_above: number | null;
  /** Abstain when the predicted label has less than this share of the votes; null: never. */
  min_confidence: number | null;
}

export interface CardLabel {
  label: JsonLabel;
  /** The display name, or null when the training data gave none. */
  name: string | null;
  rows: number;
}

export interface CardTraining {
  /** The training file's name as given to `npc model build` (no directories), `<stdin>`, or `<dataset NAME>` for `--dataset`. */
  file: string;
  bytes: number | null;
  sha256: string | null;
  rows: number;
  read: CardReadOptions;
  /** Rows whose text equals an earlier row's text. */
  duplicate_texts: number;
  /** Text lengths in UTF-8 bytes. */
  text_bytes: { min: number; p50: number; p90: number; p99: number; max: number; mean: number };
}

/**
 * The distributions `npc drift` and a server compare live traffic against: the nearest distance and
 * the predicted label of each reference row, searched with the default k and tie rule.
 */
export interface CardReference {
  /** `training-sample`: a seeded sample of training rows, each searched against every other row except
   * itself and its exact duplicates; `held-out`: the evaluation's held-out rows against their training side. */
  source: 'training-sample' | 'held-out';
  rows: number;
  /** The sampling seed (training-sample), else null. */
  seed: number | null;
  distances: number[];
  labels: { label: JsonLabel; count: number }[];
}

export interface CardEvaluation {
  /** What `npc eval` would be run with to get the same numbers, e.g. `--folds 5 --seed 0`. */
  method: string;
  /** `npc eval --json`'s report for the same options, as it prints it. */
  report: Record<string, unknown>;
}

export interface ModelCard {
  format: typeof MODEL_FORMAT;
  format_version: number;
  name: string;
  description: string;
  /** ISO 8601, UTC. */
  created: string;
  npc_version: string;
  /** The compressor that computed the stored C(y) (Compressor.name). */
  compressor: string;
  /** The engine that computed them: `sha256:` and the sha256 of its engine.wasm (engineIdentity()). */
  engine: string;
  defaults: CardDefaults;
  /** The label classes in id order (the order of the artifact's label ids). */
  labels: CardLabel[];
  training: CardTraining;
  evaluation: CardEvaluation | null;
  reference: CardReference | null;
  build: { seconds: number; artifact_bytes: number };
}

/**
 * Checks the fields loading relies on (the rest is description). Returns the first problem, or
 * undefined. The format and its version are checked by the caller first, so that a newer layout is
 * refused as such and not as a damaged card.
 */
export function cardProblem(card: ModelCard): string | undefined {
  const isInt = (v: unknown, min: number): boolean => Number.isSafeInteger(v) && (v as number) >= min;
  const isThreshold = (v: unknown): boolean => v === null || (typeof v === 'number' && Number.isFinite(v) && v >= 0);
  if (typeof card.name !== 'string') return 'name is not a string';
  if (typeof card.engine !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(card.engine)) return 'engine is not "sha256:<64 hex digits>"';
  if (typeof card.compressor !== 'string') return 'compressor is not a string';
  const d = card.defaults as CardDefaults | undefined;
  if (!d || typeof d !== 'object') return 'defaults are missing';
  if (!isInt(d.k, 1)) return 'defaults.k is not a positive integer';
  if (!TIE_RULES.includes(d.tie)) return `defaults.tie is not one of ${TIE_RULES.join(', ')}`;
  if (!Number.isSafeInteger(d.seed)) return 'defaults.seed is not an integer';
  if (!isThreshold(d.abstain_above)) return 'defaults.abstain_above is not a number or null';
  if (!isThreshold(d.min_confidence) || (d.min_confidence ?? 0) > 1) return 'defaults.min_confidence is not a share or null';
  if (!Array.isArray(card.labels) || card.labels.length === 0) return 'labels are missing';
  if (!card.training || typeof card.training !== 'object' || !isInt(card.training.rows, 1))
    return 'training.rows is not a positive integer';
  if (d.k > card.training.rows) return 'defaults.k is more than the rows';
  return undefined;
}
