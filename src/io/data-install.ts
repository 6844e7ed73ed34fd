/**
 * Installing a data set into the cache. `getDataset` fetches each split's original CSV (its URL, a
 * mirror, or a local directory), checks its size and MD5, converts every row to one JSONL line
 * `{"label": <int>, "text": <string>}` (exactly what Python's `json.dumps` writes, so the files equal
 * the reference JSONL byte for byte), checks the row count, and only then puts
 * `<cache>/<name>/<split>.jsonl` and `<split>.meta.json` in place (temp file + rename). A failure leaves
 * nothing behind in the cache. The catalog is io/data-catalog.ts, the cache's layout io/data-cache.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError, InputError, at } from '../errors.js';
import { createAtomicWriter, removeAtExit, removeStaleTempFiles, tempPathFor, writeFileAtomic } from './atomic-file.js';
import { agNewsRowToRecord, readCsvRows } from './csv.js';
import { type CachedSplitMeta, cachedSplitPath, isCached, isFile, metaPath, resolveCacheDir, verifyCachedSplit } from './data-cache.js';
import { makeDirectories } from './directories.js';
import { describeSource, fetchVerifiedFile, type FileSource } from './download.js';
import { type DatasetInfo, getDatasetInfo, getSplitInfo, type SplitInfo } from './data-catalog.js';

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

/**
 * Makes the requested splits available in the cache (downloading, checking and converting them) and
 * returns their JSONL paths. A split already cached and intact is not fetched again unless `force`.
 */
export async function getDataset(name: string, options: GetDatasetOptions = {}): Promise<{ split: string; path: string; rows: number }[]> {
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
  if (!isDir)
    throw new DataError(
      `--from ${from}: not a directory (give the directory holding ${split.file} or ${split.file}.gz, or a mirror base URL)`,
    );
  const plain = join(resolve(dir), split.file);
  if (isFile(plain)) return { kind: 'file', path: plain, gzip: false };
  if (isFile(`${plain}.gz`)) return { kind: 'file', path: `${plain}.gz`, gzip: true };
  throw new DataError(`--from ${from}: found neither ${split.file} nor ${split.file}.gz in ${dirname(plain)}`);
}

/** Fetch, verify, convert and cache one split; on failure remove everything this call created. */
async function installSplit(
  info: DatasetInfo,
  split: string,
  source: FileSource,
  path: string,
  options: GetDatasetOptions,
): Promise<number> {
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
  const forgetCsv = removeAtExit(csvPath); // a signal mid-download leaves nothing behind
  let writer: ReturnType<typeof createAtomicWriter> | undefined;
  let committedJsonl = false;
  try {
    const csv = await fetchVerifiedFile(source, csvPath, splitInfo, {
      label,
      onProgress: options.onProgress,
      fetchImpl: options.fetchImpl,
    });
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
    forgetCsv();
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
    if (!out.write(chunk))
      await new Promise<void>((resolve, reject) => {
        const onDrain = () => {
          out.off('error', onError);
          resolve();
        };
        const onError = (err: Error) => {
          out.off('drain', onDrain);
          reject(err);
        };
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
