/**
 * The local data set cache: where it is (`$NPC_DATA_DIR`, `$XDG_CACHE_HOME/npc`, `~/.cache/npc`), where a
 * split's JSONL and its meta file live in it, and the check of a cached split against its meta file
 * and the data catalog before every use (size, SHA-256, MD5 and rows of the original).
 */
import { statSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { sha256OfFile } from './file-hash.js';
import { createHash } from 'node:crypto';
import { type DatasetInfo, getDatasetInfo, getSplitInfo } from './data-catalog.js';

/**
 * A digest of what the catalog pins for a split (its rule, sizes, checksums, rows; not its URLs): a
 * cached split whose pin differs from the catalog's is fetched again.
 */
export function splitPin(info: DatasetInfo, split: string): string {
  const s = info.splits[split];
  const a = info.source;
  const fields = {
    layout: info.layout,
    split: [s.file, s.member, s.folder, s.files, s.bytes, s.md5, s.sha256, s.filesSha256, s.rows, s.jsonlSha256],
    source: a ? [a.file, a.bytes, a.md5, a.sha256] : null,
  };
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

export interface CachedSplitMeta {
  dataset: string;
  split: string;
  /** URL or path the upstream file (or folder) came from. */
  source: string;
  /** Size and MD5 of a split's own upstream file, when the catalog pins its MD5. */
  csvBytes?: number;
  csvMd5?: string;
  /** The catalog's pins of the split when it was installed (`splitPin`); absent in caches written before it existed. */
  pin?: string;
  rows: number;
  jsonlBytes: number;
  jsonlSha256: string;
  /** ISO 8601 time of the download. */
  created: string;
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

export function metaPath(jsonlPath: string): string {
  return jsonlPath.replace(/\.jsonl$/, '.meta.json');
}

/** Whether the split's JSONL and its meta file are in the cache (cheap; `verifyCachedSplit` checks content). */
export function isCached(name: string, split: string, cacheDir: string = resolveCacheDir()): boolean {
  const path = cachedSplitPath(name, split, cacheDir);
  return isFile(path) && isFile(metaPath(path));
}

export function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** Checks the cached JSONL against its meta file (size, SHA-256, catalog checksums); DataError if anything differs. */
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
    throw new DataError(
      `cached ${name} ${split} is damaged: cannot read ${metaFile} (${(err as Error).message}); run 'npc data get ${name}' again`,
    );
  }
  const again = `run 'npc data get ${name}' again`;
  const pinned = meta.pin !== undefined ? meta.pin === splitPin(getDatasetInfo(name), split) : meta.csvMd5 === splitInfo.md5;
  if (!pinned || meta.rows !== splitInfo.rows) {
    const pins = splitInfo.md5 !== undefined ? `md5 ${splitInfo.md5}, ` : '';
    throw new DataError(`cached ${name} ${split} (${metaFile}) does not match the data catalog (${pins}${splitInfo.rows} rows); ${again}`);
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
