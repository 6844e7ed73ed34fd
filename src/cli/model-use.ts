/**
 * `--model FILE` on classify, eval and drift: which flags a model leaves to the run and which it fixes,
 * and where each setting of a run came from (the model's card or the command line). The model's rows
 * are the training side: how they were read (format, fields, columns, strip) is the card's, so every
 * flag about the training file is refused, and the field and format flags apply to the other files only.
 */
import { loadModel, type LoadedModel } from '../app/model.js';
import { checkKsFit } from '../app/training.js';
import { UsageError } from '../errors.js';

/** Where a setting of a run came from. */
export type SettingSource = 'model' | 'command line';

export interface UsedSetting<T> {
  value: T;
  from: SettingSource;
}

/** The flags (as `--name`) of the options set on the command line, not left at their defaults. */
export type GivenFlags = ReadonlySet<string>;

/**
 * The value of a setting with a model: the flag's when it was given on the command line, else the card's.
 */
export function setting<T>(given: GivenFlags, flag: string, flagValue: T, cardValue: T): UsedSetting<T> {
  return given.has(flag) ? { value: flagValue, from: 'command line' } : { value: cardValue, from: 'model' };
}

/**
 * Refuses, with `--model`, every flag that says how the training side is read or where it comes from:
 * the model fixes it. `flags` lists the command's training-side flags (`--train`, `--train-format`, …);
 * `--train` gets its own message.
 */
export function refuseTrainingFlags(given: GivenFlags, flags: readonly string[]): void {
  if (given.has('--train'))
    throw new UsageError('--model and --train both give the training side: use one (the model holds its training rows)');
  for (const flag of flags) {
    if (flag !== '--train' && given.has(flag))
      throw new UsageError(
        `${flag} contradicts --model: the model's rows were read when it was built (its card says how); the field and format flags apply to the other files only`,
      );
  }
}

/**
 * Whether the texts a run compares with the model's rows are stripped: as the model's rows were.
 * `--strip` agrees with a model built with it; with a model built without it, stripping one side only
 * would differ silently from the `--train` run with the same options, so it is refused.
 */
export function stripOfModel(model: LoadedModel, given: GivenFlags): UsedSetting<boolean> {
  const strip = model.card.training.read.strip === true;
  if (given.has('--strip') && !strip)
    throw new UsageError(
      `--strip: the rows of ${model.shown} were not stripped when it was built, so stripping only the other side would compare unlike texts (build the model with --strip)`,
    );
  return { value: strip, from: 'model' };
}

/** `--repository` says where `--model`'s URI is found: without `--model` it would be ignored, so it is refused. */
export function refuseRepositoryWithoutModel(options: { model?: string; repository?: string }): void {
  if (options.repository !== undefined && options.model === undefined)
    throw new UsageError('--repository says where a --model models:/ URI is found: give --model (or leave out --repository)');
}

/**
 * Loads the model given by `--model`: a file or a `models:/` URI, resolved in `repository` (`--repository`,
 * default: resolveModelRepository()). Warnings, such as another engine's artifact, go to `warn`.
 */
export function openModel(pathOrUri: string, warn: (message: string) => void, repository?: string): LoadedModel {
  return loadModel(pathOrUri, { onWarning: warn, repository });
}

/** A setting as the note on stderr and the text report show it: `k 2 (model)`. */
export function describeSettings(settings: Record<string, UsedSetting<unknown>>): string {
  return Object.entries(settings)
    .map(([name, s]) => `${name} ${s.value === null || s.value === undefined ? 'none' : String(s.value)} (${s.from})`)
    .join(', ');
}

/** The settings as JSON: `{"k": {"value": 2, "from": "model"}, …}`. */
export function settingsJson(settings: Record<string, UsedSetting<unknown>>): Record<string, { value: unknown; from: SettingSource }> {
  return Object.fromEntries(Object.entries(settings).map(([name, s]) => [name, { value: s.value ?? null, from: s.from }]));
}

/** Refuses, before any work, a k larger than the model's rows (usage error naming the model). */
export function checkModelKs(ks: readonly number[], model: LoadedModel): void {
  checkKsFit(ks, model.index.size, `the model ${model.shown}`);
}
