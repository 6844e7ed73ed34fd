/**
 * The data set jobs behind `npc data`: what the data catalog holds and what is cached, downloading a data
 * set into the cache, and the cached paths. The catalog is io/data-catalog.ts, the cache io/data-cache.ts, the download io/data-install.ts.
 */
import { statSync } from 'node:fs';
import { DataError } from '../errors.js';
import { cachedSplitPath, isCached, resolveCacheDir } from '../io/data-cache.js';
import { getDatasetInfo, listDatasets } from '../io/data-catalog.js';

export interface SplitStatus {
  dataset: string;
  split: string;
  rows: number;
  cached: boolean;
  description: string;
}

/** Every split of every data set in the catalog, and whether it is in the cache. */
export function splitStatuses(cacheDir: string = resolveCacheDir()): SplitStatus[] {
  return listDatasets().flatMap((info) =>
    Object.entries(info.splits).map(([split, s]) => ({
      dataset: info.name,
      split,
      rows: s.rows,
      cached: isCached(info.name, split, cacheDir),
      description: info.description,
    })),
  );
}

/** Downloads (or finds verified in the cache) the splits of a data set; returns their cached JSONL paths. */
export async function fetchDataset(
  name: string,
  options: { split?: string; from?: string; onProgress?: (message: string) => void; onWarning?: (message: string) => void },
): Promise<string[]> {
  // Loaded here, not at the top: the download and archive code (tar-stream, yauzl) is only for `npc data
  // get`, and every command that names a data set imports this module.
  const { getDataset } = await import('../io/data-install.js');
  return (await getDataset(name, options)).map((r) => r.path);
}

/** The cached JSONL paths of a data set's splits (all, or one); a DataError if one is not cached. */
export function cachedPaths(name: string, split?: string, cacheDir: string = resolveCacheDir()): string[] {
  const info = getDatasetInfo(name);
  const splits = split ? [split] : Object.keys(info.splits);
  return splits.map((s) => {
    if (!(s in info.splits)) throw new DataError(`data set '${name}' has no split '${s}' (it has: ${Object.keys(info.splits).join(', ')})`);
    if (!isCached(name, s, cacheDir)) throw new DataError(`${name} ${s} is not in the cache (${cacheDir}); run 'npc data get ${name}'`);
    return cachedSplitPath(name, s, cacheDir);
  });
}

/**
 * The catalog data set a file argument names, when it names no file: `--train r8` with no file `r8` in
 * the working directory but a data set `r8` in the catalog (the caller then suggests `--dataset r8`).
 * Undefined for `-`, for anything that exists on disk, and for a name the catalog does not know.
 */
export function datasetNamedInsteadOfFile(path: string): string | undefined {
  if (path === '-') return undefined;
  try {
    statSync(path);
    return undefined;
  } catch {
    // No such file (or none npc can see): is it a data set's name?
  }
  try {
    return getDatasetInfo(path).name;
  } catch (err) {
    if (err instanceof DataError) return undefined;
    throw err;
  }
}
