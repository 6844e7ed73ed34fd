/** `npc data list | get NAME | path NAME`: the data set registry and the local cache. */
import { DataError } from '../../errors.js';
import { cachedSplitPath, getDataset, isCached, listDatasets, resolveCacheDir, getDatasetInfo } from '../../io/datasets.js';
import type { LineWriter } from '../output.js';

/** One tab-separated line per split: name, split, rows, `cached` or `not cached`, description. */
export async function dataListCommand(io: { out: LineWriter }): Promise<void> {
  const cacheDir = resolveCacheDir();
  for (const info of listDatasets()) {
    for (const [split, s] of Object.entries(info.splits)) {
      const state = isCached(info.name, split, cacheDir) ? 'cached' : 'not cached';
      await io.out.writeLine(`${info.name}\t${split}\t${s.rows} rows\t${state}\t${info.description}`);
    }
  }
}

export async function dataGetCommand(
  name: string,
  options: { split?: string; from?: string; quiet: boolean },
  io: { out: LineWriter },
): Promise<void> {
  const results = await getDataset(name, {
    split: options.split,
    from: options.from,
    onProgress: options.quiet ? undefined : (message) => process.stderr.write(`npc: ${message}\n`),
  });
  for (const r of results) await io.out.writeLine(r.path);
}

export async function dataPathCommand(name: string, options: { split?: string }, io: { out: LineWriter }): Promise<void> {
  const info = getDatasetInfo(name);
  const cacheDir = resolveCacheDir();
  const splits = options.split ? [options.split] : Object.keys(info.splits);
  for (const split of splits) {
    if (!(split in info.splits)) throw new DataError(`data set '${name}' has no split '${split}' (it has: ${Object.keys(info.splits).join(', ')})`);
    if (!isCached(name, split, cacheDir)) {
      throw new DataError(`${name} ${split} is not in the cache (${cacheDir}); run 'npc data get ${name}'`);
    }
    await io.out.writeLine(cachedSplitPath(name, split, cacheDir));
  }
}
