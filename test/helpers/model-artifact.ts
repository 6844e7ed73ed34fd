/**
 * Model artifacts for tests that need one without going through `npc model build`: the rows fitted
 * with the default engine and written by the same container code the CLI uses, with a minimal card
 * (no evaluation, no reference distributions) that `overrides` may change.
 */
import { basename } from 'node:path';
import { defaultCompressor, engineIdentity } from '../../src/compress/index.js';
import { fitIndex } from '../../src/app/training.js';
import { readDataset } from '../../src/io/read-records.js';
import { writeModelFile } from '../../src/io/model-file.js';
import { MODEL_FORMAT_VERSION, type ModelCard } from '../../src/model/card.js';
import { type Label, labelToJson } from '../../src/model/labels.js';

/** Card fields to set; `defaults` and `training` are merged into the minimal card's. */
export type TestModelOverrides = Partial<Omit<ModelCard, 'defaults' | 'training'>> & {
  defaults?: Partial<ModelCard['defaults']>;
  training?: Partial<ModelCard['training']>;
};

export interface TestModelRow {
  text: string;
  label: Label;
}

/** Writes an artifact of `rows` to `path`; returns its card as written. */
export async function writeTestModel(path: string, rows: readonly TestModelRow[], overrides: TestModelOverrides = {}): Promise<ModelCard> {
  const index = fitIndex(rows.map((r) => ({ text: r.text, label: r.label, line: 0 })));
  const sizes = rows.map((r) => Buffer.byteLength(r.text)).sort((a, b) => a - b);
  const at = (q: number): number => sizes[Math.min(sizes.length - 1, Math.floor(q * sizes.length))];
  const { defaults, training, ...rest } = overrides;
  const card: ModelCard = {
    format: 'npc-model',
    format_version: MODEL_FORMAT_VERSION,
    name: 'test-model',
    description: 'written by a test',
    created: new Date().toISOString(),
    npc_version: '0.0.0-test',
    compressor: defaultCompressor().name,
    engine: engineIdentity(),
    defaults: { k: 1, tie: 'nearest', seed: 0, abstain_above: null, min_confidence: null, ...defaults },
    labels: index.encoder.classes.map((label, id) => ({
      label: labelToJson(label),
      name: null,
      rows: index.labelIds.filter((x) => x === id).length,
    })),
    training: {
      file: 'rows',
      bytes: null,
      sha256: null,
      rows: rows.length,
      read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: false },
      duplicate_texts: rows.length - new Set(rows.map((r) => r.text)).size,
      text_bytes: {
        min: sizes[0],
        p50: at(0.5),
        p90: at(0.9),
        p99: at(0.99),
        max: sizes[sizes.length - 1],
        mean: sizes.reduce((a, b) => a + b, 0) / sizes.length,
      },
      ...training,
    },
    evaluation: null,
    reference: null,
    build: { seconds: 0, artifact_bytes: 0 },
    ...rest,
  };
  await writeModelFile(path, { card, cardMarkdown: `# ${card.name}\n`, arrays: index.arrays() });
  return card;
}

/** Writes an artifact of every row of the labelled file `trainPath` (read as `npc eval --train` reads it). */
export async function writeTestModelOfFile(path: string, trainPath: string, overrides: TestModelOverrides = {}): Promise<ModelCard> {
  const { records } = await readDataset(trainPath, {});
  const rows = records.map((r) => ({ text: r.text, label: r.label! }));
  return writeTestModel(path, rows, { ...overrides, training: { file: basename(trainPath), ...overrides.training } });
}
