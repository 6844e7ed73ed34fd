/** Loading labelled data sets for classify and eval: a path, stdin, or the default cached AG News. */
import type { Readable } from 'node:stream';
import { DataError, InputError } from '../errors.js';
import { cachedSplitPath, getDatasetInfo, isCached, resolveCacheDir, verifyCachedSplit } from '../io/datasets.js';
import { readDataset } from '../io/read-records.js';
import type { InputFormat, Label, LabeledRecord } from '../io/records.js';
import { type Compressor, defaultCompressor } from '../compress/index.js';
import { TrainingIndex } from '../model/training-index.js';
import { createSearcher, type Searcher } from '../parallel/searcher.js';

export const DEFAULT_DATASET = 'ag_news';

export interface DataSpec {
  /** A file, `-` for stdin, or undefined for the default data set's split from the cache. */
  path?: string;
  format?: InputFormat;
  textField?: string;
  labelField?: string;
  cacheDir?: string;
  stdin?: Readable;
  /** Trim surrounding whitespace of every text, as Python's str.strip() does (the published R8/R52 runs). */
  strip?: boolean;
}

export interface LoadedData {
  source: string;
  /** The file read (undefined for stdin), for checksums of saved results. */
  path?: string;
  records: LabeledRecord[];
  /** Display names for labels, when known (the registry's names for the default data set). */
  labelNames?: ReadonlyMap<Label, string>;
}

/** Reads a whole split. The default data set must be in the cache: npc never downloads behind a user's back. */
export async function loadSplit(spec: DataSpec, split: 'train' | 'test'): Promise<LoadedData> {
  if (spec.path !== undefined) {
    const { source, records } = await readDataset(spec.path, spec);
    if (records.length === 0) throw new InputError(`no rows in the ${split === 'train' ? 'training' : 'test'} set`, source);
    return { source, path: spec.path === '-' ? undefined : spec.path, records: spec.strip ? stripTexts(records) : records };
  }
  const cacheDir = spec.cacheDir ?? resolveCacheDir();
  const info = getDatasetInfo(DEFAULT_DATASET);
  if (!isCached(DEFAULT_DATASET, split, cacheDir)) {
    throw new DataError(
      `the ${DEFAULT_DATASET} ${split} split is not in the cache (${cacheDir}); run 'npc data get ${DEFAULT_DATASET}' ` +
        `to download it, or pass --${split} PATH`,
    );
  }
  // A cached file changed on disk is caught here, by size and sha256, before any of it is used.
  await verifyCachedSplit(DEFAULT_DATASET, split, cacheDir);
  const path = cachedSplitPath(DEFAULT_DATASET, split, cacheDir);
  const { source, records } = await readDataset(path, { format: 'jsonl' });
  return { source, path, records: spec.strip ? stripTexts(records) : records, labelNames: labelNameMap(info.labelNames) };
}

/** Names for integer labels 0..n-1, from the registry or `--label-names a,b,c`. */
export function labelNameMap(names: readonly string[] | undefined): ReadonlyMap<Label, string> | undefined {
  if (!names || names.length === 0) return undefined;
  return new Map(names.map((name, i) => [i, name]));
}

/** Fits the training index (C(y) of every row, label ids) with the default exact compressor. */
export function fitIndex(
  records: readonly LabeledRecord[],
  compressor: Compressor = defaultCompressor(),
  options: { deferLengths?: boolean } = {},
): TrainingIndex {
  return new TrainingIndex(
    records.map((r) => r.text),
    records.map((r) => r.label as Label),
    compressor,
    options,
  );
}

/**
 * The training set ready to search on `jobs` threads. With more than one, the workers also compute
 * C(y) of their rows. The caller closes the searcher (it may hold worker threads).
 */
export async function openSearcher(records: readonly LabeledRecord[], jobs: number): Promise<Searcher> {
  const index = fitIndex(records, defaultCompressor(), { deferLengths: jobs > 1 && records.length > 1 });
  return createSearcher(index, jobs);
}

/** The characters Python's str.strip() removes (str.isspace), so --strip matches the published runs. */
const PY_SPACE = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_STRIP = new RegExp(`^[${PY_SPACE}]+|[${PY_SPACE}]+$`, 'g');

/** Python's `text.strip()`. Unlike String.prototype.trim it removes U+001C..U+001F and U+0085, and keeps U+FEFF. */
export function pythonStrip(text: string): string {
  return text.replace(PY_STRIP, '');
}

function stripTexts(records: LabeledRecord[]): LabeledRecord[] {
  return records.map((r) => ({ ...r, text: pythonStrip(r.text) }));
}
