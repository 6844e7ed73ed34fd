/**
 * Model artifacts for tests that need one without going through `npc model build`: the rows fitted
 * with the default engine and written by the same container code the CLI uses, with a minimal card
 * (no evaluation, no reference distributions) that `overrides` may change.
 */
import { basename } from 'node:path';
import { fitIndex } from '../../src/app/training.js';
import { composeCard } from '../../src/app/model-build.js';
import { readDataset } from '../../src/io/read-records.js';
import { writeModelFile } from '../../src/io/model-file.js';
import type { ModelCard } from '../../src/model/card.js';
import type { Label } from '../../src/model/labels.js';

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
  const { defaults, training, ...rest } = overrides;
  const composed = composeCard(index, {
    name: 'test-model',
    description: 'written by a test',
    npcVersion: '0.0.0-test',
    defaults: { k: 1, tie: 'nearest', seed: 0, abstain_above: null, min_confidence: null, ...defaults },
    training: {
      file: 'rows',
      bytes: null,
      sha256: null,
      read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: false },
    },
    texts: rows.map((r) => r.text),
    evaluation: null,
    reference: null,
    started: process.hrtime.bigint(),
  });
  const card: ModelCard = { ...composed, ...rest, training: { ...composed.training, ...training } };
  await writeModelFile(path, { card, cardMarkdown: `# ${card.name}\n`, arrays: index.arrays() });
  return card;
}

/** Writes an artifact of every row of the labelled file `trainPath` (read as `npc eval --train` reads it). */
export async function writeTestModelOfFile(path: string, trainPath: string, overrides: TestModelOverrides = {}): Promise<ModelCard> {
  const { records } = await readDataset(trainPath, {});
  const rows = records.map((r) => ({ text: r.text, label: r.label! }));
  return writeTestModel(path, rows, { ...overrides, training: { file: basename(trainPath), ...overrides.training } });
}
