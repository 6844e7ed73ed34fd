/** Loading labelled data sets for classify and eval: a path, stdin, or the default cached AG News. */
import type { Readable } from 'node:stream';
import { DataError, InputError, UsageError } from '../errors.js';
import { cachedSplitPath, isCached, resolveCacheDir, verifyCachedSplit } from '../io/data-cache.js';
import { getDatasetInfo } from '../io/data-catalog.js';
import { readDataset, readRecords } from '../io/read-records.js';
import type { InputFormat, LabeledRecord, LayoutFlags } from '../io/records.js';
import type { Label } from '../model/labels.js';
import { type Compressor, defaultCompressor, engineIdentity } from '../compress/index.js';
import { TrainingIndex } from '../model/training-index.js';
import { LabelEncoder } from '../model/labels.js';
import { indexCacheEntry, readCachedIndex, writeCachedIndex } from '../io/index-cache.js';
import { sha256OfFile } from '../io/file-hash.js';
import { statSync } from 'node:fs';
import { makeDirectories } from '../io/directories.js';
import { systemReason } from '../io/lines.js';
import { dirname } from 'node:path';
import { createSearcher, maxJobs, SearchPool, type Searcher, type WorkerFactory } from '../parallel/searcher.js';

export type { WorkerFactory } from '../parallel/searcher.js';

export const DEFAULT_DATASET = 'ag_news';

export interface DataSpec {
  /** A file, `-` for stdin, or undefined for a split of `dataset` from the cache. */
  path?: string;
  /** The catalog data set whose split is read from the cache when `path` is undefined (default: DEFAULT_DATASET). */
  dataset?: string;
  format?: InputFormat;
  textField?: string;
  labelField?: string;
  cacheDir?: string;
  stdin?: Readable;
  /** Trim surrounding whitespace of every text, as Python's str.strip() does (the published R8/R52 runs). */
  strip?: boolean;
  /** Added to a JSON error on a line that does not look like JSON (see ReadOptions.formatHint). */
  formatHint?: string;
  /** The columns of a CSV or TSV file without a header row (see ReadOptions.columns). */
  columns?: readonly string[];
  /** The flags named in hints (see ReadOptions.flags). */
  flags?: LayoutFlags;
}

export interface LoadedData {
  source: string;
  /** The file read (undefined for stdin), for checksums of saved results. */
  path?: string;
  records: LabeledRecord[];
  /** Display names for labels, when known (the data catalog's names for a cached data set). */
  labelNames?: ReadonlyMap<Label, string>;
}

/** Reads a whole split. A data set must be in the cache: npc never downloads behind a user's back. */
export async function loadSplit(spec: DataSpec, split: 'train' | 'test'): Promise<LoadedData> {
  if (spec.path !== undefined) {
    const { source, records } = await readDataset(spec.path, spec);
    if (records.length === 0) throw new InputError(`no rows in the ${split === 'train' ? 'training' : 'test'} set`, source);
    return { source, path: spec.path === '-' ? undefined : spec.path, records: spec.strip ? stripTexts(records) : records };
  }
  // A cached file changed on disk is caught here, by size and sha256, before any of it is used.
  const { path, labelNames } = await datasetSplit(spec.dataset, split, spec.cacheDir);
  // The cached split is JSONL; a field or layout flag given for this side is applied to it, as `npc classify`
  // applies it (never dropped: a flag that does not fit the file is an error naming the file and line).
  const { source, records } = await readDataset(path, { ...spec, format: spec.format ?? 'jsonl' });
  return { source, path, records: spec.strip ? stripTexts(records) : records, labelNames };
}

/**
 * Rows to classify or monitor, from a file or `-` (stdin): labels optional, empty texts kept (a caller
 * that cannot use them says so), gzip detected.
 */
export function inputRecords(
  path: string,
  options: {
    format?: InputFormat;
    textField: string;
    labelField: string;
    formatHint?: string;
    stdin?: Readable;
    columns?: readonly string[];
    flags?: LayoutFlags;
  },
): AsyncGenerator<LabeledRecord> {
  return readRecords(path, { ...options, requireLabel: false, allowEmptyText: true });
}

/**
 * The files a job reads for its training and test data: the paths given, else the cached splits of
 * `dataset` (default: DEFAULT_DATASET). An unknown data set or split is a DataError.
 */
export function inputPaths(
  train: string | undefined,
  test: string | undefined,
  dataset: string = DEFAULT_DATASET,
  cacheDir: string = resolveCacheDir(),
): string[] {
  return [train ?? cachedSplitPath(dataset, 'train', cacheDir), test ?? cachedSplitPath(dataset, 'test', cacheDir)];
}

/**
 * Refuses a k larger than the training side it votes on, as scikit-learn does (n_neighbors ≤
 * n_samples_fit): with fewer rows than k, "the k nearest" do not exist. `side` names that training side
 * in the message ("the training set", "the smallest fold's training side (fold 2)", …).
 */
export function checkKsFit(ks: readonly number[], rows: number, side: string): void {
  const over = ks.filter((k) => k > rows);
  if (over.length === 0) return;
  throw new UsageError(
    `-k ${over.join(',')} ${over.length === 1 ? 'is' : 'are'} more than the ${rows} ${rows === 1 ? 'row' : 'rows'} of ${side}: k can be at most ${rows}`,
  );
}

/**
 * Names for labels 0..n-1, from the data catalog or `--label-names a,b,c`: for the integer label i and for
 * the string label of its digits (`"2"`, as a CSV or TSV gives it).
 */
export function labelNameMap(names: readonly string[] | undefined): ReadonlyMap<Label, string> | undefined {
  if (!names || names.length === 0) return undefined;
  return new Map(
    names.flatMap((name, i): [Label, string][] => [
      [i, name],
      [String(i), name],
    ]),
  );
}

/** Fits the training index (C(y) of every row, label ids) with the default exact compressor. */
export function fitIndex(
  records: readonly LabeledRecord[],
  compressor: Compressor = defaultCompressor(),
  options: { deferLengths?: boolean } = {},
): TrainingIndex {
  return TrainingIndex.fromTexts(
    records.map((r) => r.text),
    records.map((r) => r.label as Label),
    compressor,
    options,
  );
}

/**
 * The training set ready to search on `jobs` threads. With more than one, the workers also compute
 * C(y) of their rows. `threads`: threads already spawned and how to start them (see createSearcher).
 * The caller closes the searcher (it may hold worker threads).
 */
export async function openSearcher(
  records: readonly LabeledRecord[],
  jobs: number,
  threads: { started?: SearchPool; createWorker?: WorkerFactory } = {},
): Promise<Searcher> {
  const index = fitIndex(records, defaultCompressor(), { deferLengths: jobs > 1 && records.length > 1 });
  return createSearcher(index, jobs, threads);
}

/** Training sets at least this large are kept prepared on disk (parsing and C(y) then cost nothing). */
export const INDEX_CACHE_MIN_ROWS = 20_000;

export interface TrainingSearcher {
  searcher: Searcher;
  source: string;
  labelNames?: ReadonlyMap<Label, string>;
  /** Whether the training set's index came from the index cache. */
  fromCache: boolean;
}

/**
 * The training set ready to search, for `classify`. A large training file is prepared once: its arrays
 * (bytes, offsets, C(y), label ids) are cached under <cache>/index/, keyed by the sha256 of the file, the
 * engine's identity and every option that changes them, so later runs read them back instead of parsing
 * and compressing.
 * The cache is an optimisation only: a missing, damaged or unwritable cache just means the slow path.
 */
export async function openTrainingSearcher(
  spec: DataSpec,
  jobs: number,
  options: {
    jobsBelowPreparedSize?: number;
    cacheDir?: string;
    onWarning?: (message: string) => void;
    /** How worker threads are started (default: the built worker.js). */
    createWorker?: WorkerFactory;
  } = {},
): Promise<TrainingSearcher> {
  const cacheDir = options.cacheDir ?? resolveCacheDir();
  // Worker threads pay off on large training sets; a caller with little to do may ask for fewer below that.
  const below = options.jobsBelowPreparedSize ?? jobs;
  const jobsFor = (rows: number): number => (rows >= INDEX_CACHE_MIN_ROWS ? jobs : below);
  // The threads boot (~70 ms) while this thread hashes and reads the training file, when they are
  // likely to be used: always if `below` asks for them, else if the file is large enough to hold
  // INDEX_CACHE_MIN_ROWS rows. A wrong guess costs only their start-up on the other cores.
  const early =
    jobs > 1 && spec.path !== '-' && (below > 1 || spec.path === undefined || largeFile(spec.path))
      ? SearchPool.spawn(Math.min(jobs, maxJobs()), options.createWorker)
      : undefined;
  try {
    const cached = spec.path === undefined ? await datasetSplit(spec.dataset, 'train', cacheDir) : undefined;
    const path = spec.path ?? cached!.path;
    const labelNames = cached?.labelNames;
    const compressor = defaultCompressor();
    // The cached split was just verified by its sha256: no need to read it twice. Unreadable
    // files go the normal way, so their errors read like every other input error.
    const fileHash = cached?.sha256 ?? (path === '-' ? undefined : await sha256OfFile(path).catch(() => undefined));
    const entry =
      fileHash === undefined
        ? undefined
        : indexCacheEntry(cacheDir, fileHash, {
            compressor: compressor.name,
            engine: engineIdentity(),
            format: spec.format,
            textField: spec.textField,
            labelField: spec.labelField,
            strip: spec.strip,
            columns: spec.columns,
          });
    if (entry) {
      const cachedIndex = readCachedIndex(entry);
      if (cachedIndex) {
        const index = new TrainingIndex(cachedIndex.arrays, new LabelEncoder(cachedIndex.classes), compressor, true);
        return {
          searcher: await createSearcher(index, jobsFor(index.size), { started: early, createWorker: options.createWorker }),
          source: path,
          labelNames,
          fromCache: true,
        };
      }
    }
    const train = await loadSplit({ ...spec, path }, 'train');
    const searcher = await openSearcher(train.records, jobsFor(train.records.length), {
      started: early,
      createWorker: options.createWorker,
    });
    if (entry && train.records.length >= INDEX_CACHE_MIN_ROWS) {
      const { index } = searcher;
      try {
        makeDirectories(dirname(entry.path));
        await writeCachedIndex(entry, { arrays: index.arrays(), classes: [...index.encoder.classes] });
      } catch (err) {
        // One try: an unwritable cache costs time on the next run, nothing else; say so once.
        const reason = err instanceof InputError ? err.message.replace(/^cannot write [^:]*: /, '') : systemReason(err);
        options.onWarning?.(
          `cannot cache the prepared training set in ${dirname(entry.path)} (${reason}); the next run will prepare it again`,
        );
      }
    }
    return { searcher, source: train.source, labelNames: labelNames ?? train.labelNames, fromCache: false };
  } catch (err) {
    // Bad input (or anything else) before createSearcher took the threads: end them, or they keep the
    // process alive. (If createSearcher itself failed, it has ended them already; closing twice is harmless.)
    await early?.close();
    throw err;
  }
}

/** Large enough to hold INDEX_CACHE_MIN_ROWS rows of 50 bytes (a short headline with its label). */
function largeFile(path: string): boolean {
  try {
    return statSync(path).size >= INDEX_CACHE_MIN_ROWS * 50;
  } catch {
    return false;
  }
}

/** A cached split of a catalog data set, verified, with the catalog's names of its labels. */
export interface DatasetSplit {
  path: string;
  sha256: string;
  labelNames?: ReadonlyMap<Label, string>;
}

/**
 * A split of a catalog data set (`dataset`, default DEFAULT_DATASET) from the cache, verified (size,
 * sha256) before use. An unknown data set, a split it does not have, or a split not in the cache is a
 * DataError; the last names the command that downloads it.
 */
export async function datasetSplit(
  dataset: string | undefined,
  split: 'train' | 'test',
  cacheDir: string = resolveCacheDir(),
): Promise<DatasetSplit> {
  const name = dataset ?? DEFAULT_DATASET;
  const info = getDatasetInfo(name);
  if (!Object.hasOwn(info.splits, split))
    throw new DataError(`data set '${name}' has no ${split} split (it has: ${Object.keys(info.splits).join(', ')})`);
  if (!isCached(name, split, cacheDir)) {
    throw new DataError(
      `the ${name} ${split} split is not in the cache (${cacheDir}); run 'npc data get ${name}' to download it` +
        (dataset === undefined ? `, or pass --${split} PATH` : ''),
    );
  }
  const meta = await verifyCachedSplit(name, split, cacheDir);
  // Names of integer labels (AG News' 0–3); a data set labelled by strings (R8's "earn") is shown as it is.
  const labelNames = info.labelType === 'index' ? labelNameMap(info.labelNames) : undefined;
  return { path: cachedSplitPath(name, split, cacheDir), sha256: meta.jsonlSha256, labelNames };
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
