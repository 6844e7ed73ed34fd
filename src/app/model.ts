/**
 * A model artifact in use: loaded (every member verified, src/io/model-file.ts), its C(y) checked
 * against this engine, and ready to search, or turned back into rows for `npc eval`.
 */
import { InputError } from '../errors.js';
import { defaultCompressor, engineIdentity } from '../compress/index.js';
import { readModelFile } from '../io/model-file.js';
import { resolveModelRepository, resolveModelUri } from '../io/model-repository.js';
import type { LabeledRecord } from '../io/records.js';
import type { ModelCard } from '../model/card.js';
import { compareLabels, type Label, LabelEncoder, labelFromJson } from '../model/labels.js';
import { TrainingIndex } from '../model/training-index.js';
import { createSearcher, type SearchPool, type Searcher, type WorkerFactory } from '../parallel/searcher.js';

export interface LoadedModel {
  /** The file read. */
  path: string;
  /** How errors and outputs name the model: the path, or the `models:/` URI it was given as. */
  shown: string;
  /** The sha256 of the artifact's bytes (computed when first read). */
  readonly sha256: string;
  card: ModelCard;
  cardMarkdown: string;
  /** The model's rows, C(y) of each ready, on this thread's compressor. */
  index: TrainingIndex;
  /** Display names of the labels that have one. */
  labelNames?: ReadonlyMap<Label, string>;
  /** When the artifact was built by another engine: how long checking its C(y) took. */
  engineCheckSeconds?: number;
}

/**
 * Reads and verifies the artifact at `path`. One built by another engine (another engine.wasm) is used
 * only after every stored C(y) is recomputed with this one and found equal: `onWarning` is told how long
 * that took; a difference is refused naming the first row that differs. `pathOrUri` may be a `models:/`
 * URI, resolved in `options.repository` (default: resolveModelRepository()).
 */
export function loadModel(
  pathOrUri: string,
  options: { shown?: string; onWarning?: (message: string) => void; repository?: string } = {},
): LoadedModel {
  // `models:/NAME/VERSION` or `models:/NAME@ALIAS`: the artifact in the repository; outputs name the URI.
  const path = pathOrUri.startsWith('models:/') ? resolveModelUri(pathOrUri, resolveModelRepository(options.repository)).path : pathOrUri;
  const shown = options.shown ?? pathOrUri;
  const file = readModelFile(path, shown);
  const { card, cardMarkdown, arrays } = file;
  let classes: Label[];
  try {
    classes = card.labels.map((l) => labelFromJson(l.label));
  } catch (err) {
    throw new InputError(`not a usable npc model: card.json: labels: ${(err as Error).message}`, shown);
  }
  const encoder = new LabelEncoder(classes);
  if (encoder.classes.length !== classes.length || classes.some((label, i) => compareLabels(label, encoder.classes[i]) !== 0))
    throw new InputError('not a usable npc model: card.json: labels are repeated or not in npc’s class order', shown);
  const compressor = defaultCompressor();
  let engineCheckSeconds: number | undefined;
  if (card.engine !== engineIdentity() || card.compressor !== compressor.name) {
    const started = performance.now();
    const { data, offsets, compressedLengths } = arrays;
    for (let i = 0; i < compressedLengths.length; i++) {
      const length = compressor.gzipLength(data.subarray(offsets[i], offsets[i + 1]));
      if (length !== compressedLengths[i])
        throw new InputError(
          `the model was built by another engine (${shortEngine(card.engine)}, this npc's is ${shortEngine(engineIdentity())}) ` +
            `and its C(y) of row ${i + 1} is ${compressedLengths[i]}, not the ${length} this engine computes: rebuild it with this npc`,
          shown,
        );
    }
    engineCheckSeconds = (performance.now() - started) / 1000;
    options.onWarning?.(
      `${shown}: built by another engine (${shortEngine(card.engine)}); its ${card.training.rows} C(y) were recomputed ` +
        `with this one and are equal (${engineCheckSeconds.toFixed(1)} s)`,
    );
  }
  const names = card.labels.flatMap((l, i): [Label, string][] => (l.name === null ? [] : [[classes[i], l.name]]));
  return {
    path,
    shown,
    get sha256(): string {
      return file.sha256;
    },
    card,
    cardMarkdown,
    index: new TrainingIndex(arrays, encoder, compressor, true),
    labelNames: names.length > 0 ? new Map(names) : undefined,
    engineCheckSeconds,
  };
}

/** The model's rows, as a training file would give them (line = row number, from 1). */
export function modelRecords(model: LoadedModel): LabeledRecord[] {
  const { data, offsets, labelIds } = model.index;
  const decoder = new TextDecoder();
  return Array.from(labelIds, (id, i) => ({
    text: decoder.decode(data.subarray(offsets[i], offsets[i + 1])),
    label: model.index.encoder.labelOf(id),
    line: i + 1,
  }));
}

/** The model ready to search on `jobs` threads; the caller closes the searcher. */
export function openModelSearcher(
  model: LoadedModel,
  jobs: number,
  threads: { started?: SearchPool; createWorker?: WorkerFactory } = {},
): Promise<Searcher> {
  return createSearcher(model.index, jobs, threads);
}

/** An engine identity as people read it: the first 12 hex digits of its sha256. */
function shortEngine(identity: string): string {
  return `${identity.replace(/^sha256:/, '').slice(0, 12)}…`;
}
