/**
 * The data set registry (data/datasets.json) and the local cache of downloaded data sets.
 *
 * `getDataset` fetches each split's original CSV (its URL, a mirror, or a local directory), checks its
 * size and MD5, converts every row to one JSONL line `{"label": <int>, "text": <string>}` (exactly what
 * Python's `json.dumps` writes, so the files equal the reference JSONL byte for byte), checks the row count,
 * and only then puts `<cache>/<name>/<split>.jsonl` and `<split>.meta.json` in place (temp file + rename).
 * A failure leaves nothing behind in the cache.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { readFile, rmdir, stat, unlink } from 'node:fs/promises';
import { makeDirectories } from './directories.js';
import { sha256OfFile } from './file-hash.js';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, InputError, at } from '../errors.js';
import { createAtomicWriter, removeStaleTempFiles, tempPathFor, writeFileAtomic } from './atomic-file.js';
import { agNewsRowToRecord, readCsvRows } from './csv.js';
import { describeSource, fetchVerifiedFile, type FileSource } from './download.js';

export interface SplitInfo {
  /** Where the original file is published. */
  url: string;
  /** Its file name: appended to a `from` mirror URL, looked up (or `<file>.gz`) in a `from` directory. */
  file: string;
  bytes: number;
  md5: string;
  rows: number;
}

/** How CSV rows become records. `ag_news`: class,title,description, no header (see csv.ts). */
export type CsvLayout = 'ag_news';

export interface DatasetInfo {
  name: string;
  description: string;
  labelNames?: string[];
  splits: Record<string, SplitInfo>;
  /** Licence and provenance note. */
  license?: string;
  homepage?: string;
  layout: CsvLayout;
}

/** What `<split>.meta.json` holds next to a cached `<split>.jsonl`. */
export interface CachedSplitMeta {
  dataset: string;
  split: string;
  /** URL or path the CSV came from. */
  source: string;
  csvBytes: number;
  csvMd5: string;
  rows: number;
  jsonlBytes: number;
  jsonlSha256: string;
  /** ISO 8601 time of the download. */
  created: string;
}

export interface GetDatasetOptions {
  /** One split (default: all of them). */
  split?: string;
  /** A mirror base URL (the split's file name is appended) or a local directory with the CSV files (plain or .gz). */
  from?: string;
  cacheDir?: string;
  onProgress?: (message: string) => void;
  fetchImpl?: typeof fetch;
  /** Download again even when a verified copy is cached. */
  force?: boolean;
}

const REGISTRY_URL = new URL('../../data/datasets.json', import.meta.url);
const LAYOUTS: readonly CsvLayout[] = ['ag_news'];

let registry: Map<string, DatasetInfo> | undefined;

function loadRegistry(): Map<string, DatasetInfo> {
  if (registry) return registry;
  const where = fileURLToPath(REGISTRY_URL);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(REGISTRY_URL, 'utf8'));
  } catch (err) {
    throw new DataError(`cannot read the data set registry ${where}: ${(err as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new DataError(`invalid data set registry ${where}: ${what}`);
  };
  const datasets = (parsed as { datasets?: unknown })?.datasets;
  if (!isObject(datasets)) bad('no "datasets" object');
  const result = new Map<string, DatasetInfo>();
  for (const [name, raw] of Object.entries(datasets as Record<string, unknown>)) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) bad(`bad data set name ${JSON.stringify(name)}`);
    if (!isObject(raw)) bad(`${name} is not an object`);
    const d = raw as Record<string, unknown>;
    if (typeof d.description !== 'string') bad(`${name}: "description" must be a string`);
    if (!LAYOUTS.includes(d.layout as CsvLayout)) bad(`${name}: "layout" must be one of ${LAYOUTS.join(', ')}`);
    if (d.labelNames !== undefined && !(Array.isArray(d.labelNames) && d.labelNames.every((l) => typeof l === 'string'))) {
      bad(`${name}: "labelNames" must be a list of strings`);
    }
    if (!isObject(d.splits) || Object.keys(d.splits as object).length === 0) bad(`${name}: "splits" must be a non-empty object`);
    const splits: Record<string, SplitInfo> = {};
    for (const [split, s] of Object.entries(d.splits as Record<string, unknown>)) {
      const where = `${name}.${split}`;
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(split)) bad(`bad split name ${JSON.stringify(where)}`);
      const si = s as Record<string, unknown>;
      if (!isObject(s) || typeof si.url !== 'string' || typeof si.file !== 'string' || typeof si.md5 !== 'string') {
        bad(`${where}: needs "url", "file" and "md5" strings`);
      }
      if (!/^[A-Za-z0-9_.-]+$/.test(si.file as string)) bad(`${where}: "file" must be a plain file name`);
      if (!/^[0-9a-f]{32}$/.test(si.md5 as string)) bad(`${where}: "md5" must be 32 lowercase hex digits`);
      for (const key of ['bytes', 'rows'] as const) {
        if (!Number.isSafeInteger(si[key]) || (si[key] as number) <= 0) bad(`${where}: "${key}" must be a positive integer`);
      }
      splits[split] = { url: si.url as string, file: si.file as string, bytes: si.bytes as number, md5: si.md5 as string, rows: si.rows as number };
    }
    result.set(name, {
      name,
      description: d.description as string,
      ...(d.labelNames !== undefined ? { labelNames: [...(d.labelNames as string[])] } : {}),
      splits,
      ...(typeof d.license === 'string' ? { license: d.license } : {}),
      ...(typeof d.homepage === 'string' ? { homepage: d.homepage } : {}),
      layout: d.layout as CsvLayout,
    });
  }
  registry = result;
  return result;
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every data set in the registry (copies; changing them changes nothing). */
export function listDatasets(): DatasetInfo[] {
  return [...loadRegistry().values()].map(copyInfo);
}

export function getDatasetInfo(name: string): DatasetInfo {
  const info = loadRegistry().get(name);
  if (!info) {
    throw new DataError(`unknown data set '${name}' (known: ${[...loadRegistry().keys()].join(', ')})`);
  }
  return copyInfo(info);
}

function copyInfo(info: DatasetInfo): DatasetInfo {
  const splits = Object.fromEntries(Object.entries(info.splits).map(([k, v]) => [k, { ...v }]));
  return { ...info, splits, ...(info.labelNames ? { labelNames: [...info.labelNames] } : {}) };
}

function getSplitInfo(name: string, split: string): SplitInfo {
  const info = getDatasetInfo(name);
  const splitInfo = Object.hasOwn(info.splits, split) ? info.splits[split] : undefined;
  if (!splitInfo) {
    throw new DataError(`data set '${name}' has no split '${split}' (it has: ${Object.keys(info.splits).join(', ')})`);
  }
  return splitInfo;
}

/** `$NPC_DATA_DIR`, else `$XDG_CACHE_HOME/npc` (when absolute, as the XDG spec requires), else `~/.cache/npc`. */
export function resolveCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.NPC_DATA_DIR) return resolve(env.NPC_DATA_DIR);
  if (env.XDG_CACHE_HOME && isAbsolute(env.XDG_CACHE_HOME)) return join(env.XDG_CACHE_HOME, 'npc');
  return join(env.HOME || homedir(), '.cache', 'npc');
}

/** `<cache>/<name>/<split>.jsonl` (whether or not it exists). */
export function cachedSplitPath(name: string, split: string, cacheDir: string = resolveCacheDir()): string {
  getSplitInfo(name, split);
  return join(cacheDir, name, `${split}.jsonl`);
}

function metaPath(jsonlPath: string): string {
  return jsonlPath.replace(/\.jsonl$/, '.meta.json');
}

/** Whether the split's JSONL and its meta file are in the cache (cheap; `verifyCachedSplit` checks content). */
export function isCached(name: string, split: string, cacheDir: string = resolveCacheDir()): boolean {
  const path = cachedSplitPath(name, split, cacheDir);
  return isFile(path) && isFile(metaPath(path));
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Checks the cached JSONL against its meta file (size, SHA-256, registry checksums); DataError if anything differs. */
export async function verifyCachedSplit(name: string, split: string, cacheDir: string = resolveCacheDir()): Promise<CachedSplitMeta> {
  const splitInfo = getSplitInfo(name, split);
  const path = cachedSplitPath(name, split, cacheDir);
  const metaFile = metaPath(path);
  let meta: CachedSplitMeta;
  try {
    meta = JSON.parse(await readFile(metaFile, 'utf8')) as CachedSplitMeta;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new DataError(`${name} ${split} is not in the cache (${cacheDir}); run 'npc data get ${name}'`);
    throw new DataError(`cached ${name} ${split} is damaged: cannot read ${metaFile} (${(err as Error).message}); run 'npc data get ${name}' again`);
  }
  const again = `run 'npc data get ${name}' again`;
  if (meta.csvMd5 !== splitInfo.md5 || meta.rows !== splitInfo.rows) {
    throw new DataError(`cached ${name} ${split} (${metaFile}) does not match the registry (md5 ${splitInfo.md5}, ${splitInfo.rows} rows); ${again}`);
  }
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    throw new DataError(`cached ${name} ${split} is damaged: ${path} is missing; ${again}`);
  }
  if (size !== meta.jsonlBytes) {
    throw new DataError(`cached ${path} changed on disk: expected ${meta.jsonlBytes} bytes, found ${size}; ${again}`);
  }
  const sha256 = await sha256OfFile(path);
  if (sha256 !== meta.jsonlSha256) {
    throw new DataError(`cached ${path} changed on disk: expected sha256 ${meta.jsonlSha256}, got ${sha256}; ${again}`);
  }
  return meta;
}


/**
 * Makes the requested splits available in the cache (downloading, checking and converting them) and
 * returns their JSONL paths. A split already cached and intact is not fetched again unless `force`.
 */
export async function getDataset(
  name: string,
  options: GetDatasetOptions = {},
): Promise<{ split: string; path: string; rows: number }[]> {
  const info = getDatasetInfo(name);
  const splits = options.split === undefined ? Object.keys(info.splits) : [options.split];
  for (const split of splits) getSplitInfo(name, split); // unknown split: fail before fetching anything
  const cacheDir = options.cacheDir ?? resolveCacheDir();
  const results = new Map<string, { split: string; path: string; rows: number }>();
  const todo: { split: string; path: string; source: FileSource }[] = [];
  for (const split of splits) {
    const path = cachedSplitPath(name, split, cacheDir);
    if (!options.force && isCached(name, split, cacheDir)) {
      try {
        const meta = await verifyCachedSplit(name, split, cacheDir);
        options.onProgress?.(`${name} ${split}: already in the cache (${path})`);
        results.set(split, { split, path, rows: meta.rows });
        continue;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        options.onProgress?.(`${err.message.split('; ')[0]}; downloading it again`);
      }
    }
    // Resolved for every split first, so a file missing from a --from directory fails before any work.
    todo.push({ split, path, source: resolveSource(info.splits[split], options.from) });
  }
  for (const { split, path, source } of todo) {
    const rows = await installSplit(info, split, source, path, options);
    results.set(split, { split, path, rows });
  }
  return splits.map((split) => results.get(split)!);
}

/** The split's URL, or its file under a `from` mirror URL or directory. */
function resolveSource(split: SplitInfo, from: string | undefined): FileSource {
  if (from === undefined || from === '') return { kind: 'url', url: split.url };
  let dir = from;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) {
    let base: URL;
    try {
      base = new URL(from.endsWith('/') ? from : `${from}/`);
    } catch {
      throw new DataError(`--from ${from}: not a valid URL`);
    }
    if (base.protocol === 'http:' || base.protocol === 'https:') return { kind: 'url', url: new URL(split.file, base).href };
    if (base.protocol !== 'file:') throw new DataError(`--from ${from}: only http, https and file URLs are supported`);
    dir = fileURLToPath(base);
  }
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new DataError(`--from ${from}: no such directory`);
  }
  if (!isDir) throw new DataError(`--from ${from}: not a directory (give the directory holding ${split.file} or ${split.file}.gz, or a mirror base URL)`);
  const plain = join(resolve(dir), split.file);
  if (isFile(plain)) return { kind: 'file', path: plain, gzip: false };
  if (isFile(`${plain}.gz`)) return { kind: 'file', path: `${plain}.gz`, gzip: true };
  throw new DataError(`--from ${from}: found neither ${split.file} nor ${split.file}.gz in ${dirname(plain)}`);
}

/** Fetch, verify, convert and cache one split; on failure remove everything this call created. */
async function installSplit(info: DatasetInfo, split: string, source: FileSource, path: string, options: GetDatasetOptions): Promise<number> {
  const splitInfo = info.splits[split];
  const label = `${info.name} ${split}`;
  const dir = dirname(path);
  let createdDir: string | undefined;
  try {
    createdDir = makeDirectories(dir);
  } catch (err) {
    throw new DataError(`cannot create the cache directory ${dir}: ${(err as Error).message} (set NPC_DATA_DIR to use another one)`);
  }
  await removeStaleTempFiles(dir); // left by an earlier run that was killed mid-download
  const csvPath = tempPathFor(join(dir, splitInfo.file));
  let writer: ReturnType<typeof createAtomicWriter> | undefined;
  let committedJsonl = false;
  try {
    const csv = await fetchVerifiedFile(source, csvPath, splitInfo, { label, onProgress: options.onProgress, fetchImpl: options.fetchImpl });
    options.onProgress?.(`${label}: checked (md5 ${csv.md5}); converting to JSONL`);
    writer = createAtomicWriter(path);
    const sourceName = describeSource(source);
    const converted = await convertCsv(info, csvPath, sourceName, writer.stream);
    if (converted.rows !== splitInfo.rows) {
      throw new DataError(`row count mismatch for ${sourceName}: expected ${splitInfo.rows} rows, got ${converted.rows}`);
    }
    await writer.commit();
    committedJsonl = true;
    const meta: CachedSplitMeta = {
      dataset: info.name,
      split,
      source: sourceName,
      csvBytes: csv.bytes,
      csvMd5: csv.md5,
      rows: converted.rows,
      jsonlBytes: converted.bytes,
      jsonlSha256: converted.sha256,
      created: new Date().toISOString(),
    };
    await writeFileAtomic(metaPath(path), `${JSON.stringify(meta, null, 2)}\n`);
    options.onProgress?.(`${label}: ${converted.rows} rows in ${path}`);
    return converted.rows;
  } catch (err) {
    await writer?.abort();
    if (committedJsonl) await unlink(path).catch(() => undefined);
    await removeEmptyDirs(dir, createdDir);
    if (err instanceof DataError) throw err;
    if (err instanceof InputError) throw new DataError(`cannot install ${label}: ${err.describe()}`);
    throw err;
  } finally {
    await unlink(csvPath).catch(() => undefined);
  }
}

/** Removes `dir` and its parents up to `createdRoot` (the first directory mkdir created) if they are empty. */
async function removeEmptyDirs(dir: string, createdRoot: string | undefined): Promise<void> {
  if (createdRoot === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (another split, another process) or already gone
    }
    if (d === createdRoot || dirname(d) === d) return;
  }
}

/**
 * Converts the verified CSV to JSONL lines `{"label": <int>, "text": <JSON string>}`, the spacing of
 * Python's `json.dumps`, hashing what is written.
 */
async function convertCsv(
  info: DatasetInfo,
  csvPath: string,
  sourceName: string,
  out: NodeJS.WritableStream,
): Promise<{ rows: number; bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const classes = info.labelNames?.length;
  let rows = 0;
  let bytes = 0;
  let pending = '';
  const flush = async () => {
    const chunk = Buffer.from(pending, 'utf8');
    pending = '';
    hash.update(chunk);
    bytes += chunk.length;
    if (!out.write(chunk)) await new Promise<void>((resolve, reject) => {
      const onDrain = () => { out.off('error', onError); resolve(); };
      const onError = (err: Error) => { out.off('drain', onDrain); reject(err); };
      out.once('drain', onDrain);
      out.once('error', onError);
    });
  };
  for await (const row of readCsvRows(createReadStream(csvPath), sourceName)) {
    const where = at(sourceName, row.line);
    if (row.cells.length !== 3) {
      throw new InputError(`expected 3 fields (class,title,description), got ${row.cells.length}`, where);
    }
    const [cls, title, description] = row.cells;
    const { label, text } = agNewsRowToRecord(cls, title, description, where);
    if (classes !== undefined && label >= classes) {
      throw new InputError(`class ${cls} is out of range: ${info.name} has classes 1..${classes}`, where);
    }
    pending += `{"label": ${label}, "text": ${JSON.stringify(text)}}\n`;
    rows++;
    if (pending.length >= 1 << 20) await flush();
  }
  if (pending.length > 0) await flush();
  return { rows, bytes, sha256: hash.digest('hex') };
}
