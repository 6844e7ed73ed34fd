/**
 * `--dataset NAME` on eval, classify, drift and model build: a catalog data set's splits from the cache
 * take the place of data files. Which flags it cannot be combined with (they would give the same side
 * twice, or describe a file that is not read), and the hint for a data set's name given as a file.
 */
import { datasetNamedInsteadOfFile } from '../app/data.js';
import { UsageError } from '../errors.js';
import type { GivenFlags } from './model-use.js';

/** Every flag that says how a data file is laid out (`--format`, `--text-field`, `--train-columns`, …). */
export const LAYOUT_FLAGS = [
  '--format',
  '--train-format',
  '--test-format',
  '--text-field',
  '--label-field',
  '--train-text-field',
  '--train-label-field',
  '--test-text-field',
  '--test-label-field',
  '--columns',
  '--no-header',
  '--train-columns',
  '--test-columns',
] as const;

/**
 * Refuses `--dataset` with a flag that gives a side it gives too (`sides`: the flag, its value, the side,
 * e.g. `['--train', options.train, 'the training split']`), and with a layout flag (`layout`) of a file it replaces: the cached
 * splits are JSONL with "label" and "text", so such a flag would be ignored.
 */
export function refuseWithDataset(
  given: GivenFlags,
  name: string,
  sides: readonly (readonly [flag: string, value: string | undefined, side: string])[],
  layout: readonly string[],
): void {
  for (const [flag, value, side] of sides) {
    if (value !== undefined) throw new UsageError(`--dataset ${name} and ${flag} both give ${side}: use one`);
  }
  for (const flag of layout) {
    if (given.has(flag))
      throw new UsageError(
        `${flag} describes a data file, but --dataset ${name} reads the cached splits (JSONL with "label" and "text"), so it would be ignored`,
      );
  }
}

/** Refuses `--dataset` with `--model` where both would give the training side (classify, drift). */
export function refuseDatasetWithModel(dataset: string, model: string | undefined): void {
  if (model !== undefined)
    throw new UsageError(`--model and --dataset ${dataset} both give the training side: use one (the model holds its training rows)`);
}

/**
 * Refuses a file flag whose value is no file but a data set's name (`--train r8`), suggesting
 * `--dataset NAME` (`use`: what to suggest instead, for a command without `--dataset`): read as a file
 * it would only fail with "no such file".
 */
export function refuseDatasetNameAsFile(
  files: readonly (readonly [flag: string, value: string | undefined])[],
  use: (name: string, flag: string) => string = (name) => `use --dataset ${name} (see npc data list)`,
): void {
  for (const [flag, value] of files) {
    if (value === undefined) continue;
    const name = datasetNamedInsteadOfFile(value);
    if (name !== undefined) throw new UsageError(`${flag} ${value}: there is no such file, but ${name} is a data set: ${use(name, flag)}`);
  }
}
