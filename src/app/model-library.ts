/**
 * The library's classifier with a file behind it: `GzipKnnClassifier.load(path)` and `clf.save(path,
 * card)` write and read the `.npcm` artifact `npc model build` writes (docs/models.md). The model
 * layer's classifier (src/model/classifier.ts) reads and writes no files; this subclass, exported by the
 * library entry (src/index.ts) under the same name, adds the two.
 */
import { renderModelCard } from '../model/card-markdown.js';
import { GzipKnnClassifier as Classifier } from '../model/classifier.js';
import { createSearcher } from '../parallel/searcher.js';
import { loadModel } from './model.js';
import { npcVersion } from './version.js';
import {
  arraysOf,
  composeCard,
  DEFAULT_REFERENCE_ROWS,
  indexTexts,
  referenceSearch,
  sampleReference,
  sampleRows,
  writeModel,
} from './model-build.js';

/** What `save` takes for the card; everything else in it is computed. */
export interface SaveCardOptions {
  /** Default: the file's name without `.npcm`. */
  name?: string;
  description?: string;
  /** Training rows sampled for the reference distributions (default 1000; all when fewer). */
  referenceRows?: number;
}

export class GzipKnnClassifier extends Classifier {
  /**
   * A classifier from an artifact written by `save` or `npc model build`: its rows, their C(y), and its
   * defaults (k, tie rule, seed, abstention thresholds) as options. Every member's sha256 is checked
   * before use and nothing runs; a damaged file is an InputError naming the file and the cause. An
   * artifact of another engine is used once its C(y) are recomputed and found equal (a process warning
   * says how long that took). Cost: reading the file; no compression.
   */
  static async load(path: string): Promise<GzipKnnClassifier> {
    const model = loadModel(path, { onWarning: (message) => process.emitWarning(message) });
    const d = model.card.defaults;
    const clf = new GzipKnnClassifier({
      k: d.k,
      tie: d.tie,
      seed: d.seed,
      ...(d.abstain_above === null ? {} : { abstainAbove: d.abstain_above }),
      ...(d.min_confidence === null ? {} : { minConfidence: d.min_confidence }),
    });
    clf.useIndex(model.index);
    return clf;
  }

  /**
   * Writes the fitted classifier as one `.npcm` artifact (atomically): every training row, their C(y),
   * the options as the model's defaults, and a card whose name and description `card` may give. The
   * card has no evaluation (run `npc eval --model` for one) and its training file is `<library>` with
   * no size or checksum; its reference distributions are computed as `npc model build` computes them
   * (a seeded sample of rows, each searched against all the others but its exact duplicates): about
   * `referenceRows` × rows NCDs. Returns the artifact's size and sha256.
   */
  async save(path: string, card: SaveCardOptions = {}): Promise<{ bytes: number; sha256: string }> {
    const started = process.hrtime.bigint();
    const index = this.trainingIndex;
    if (this.k > index.size)
      throw new RangeError(
        `k is ${this.k}, more than the ${index.size} training ${index.size === 1 ? 'row' : 'rows'}: a model's k can be at most its rows`,
      );
    const texts = indexTexts(index);
    const searcher = await createSearcher(index, 1);
    const rows = sampleRows(index.size, card.referenceRows ?? DEFAULT_REFERENCE_ROWS, this.seed);
    const found = await referenceSearch(
      searcher,
      texts.map((text) => ({ text })),
      rows,
      { k: this.k, tie: this.tie, seed: this.seed },
    ).finally(() => searcher.close());
    const full = composeCard(index, {
      name: card.name ?? (path.split(/[\\/]/).pop() ?? path).replace(/\.npcm$/, ''),
      description: card.description ?? '',
      npcVersion: npcVersion(),
      defaults: {
        k: this.k,
        tie: this.tie,
        seed: this.seed,
        abstain_above: this.abstainAbove ?? null,
        min_confidence: this.minConfidence ?? null,
      },
      training: {
        file: '<library>',
        bytes: null,
        sha256: null,
        read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: false },
      },
      texts,
      evaluation: null,
      reference: sampleReference(index, found, this.seed),
      started,
    });
    return writeModel(path, { card: full, cardMarkdown: renderModelCard(full), arrays: arraysOf(index) });
  }
}
