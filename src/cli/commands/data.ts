/** `npc data list | get NAME | path NAME`: the data catalog and the local cache. */
import { cachedPaths, fetchDataset, splitStatuses } from '../../app/data.js';
import type { LineWriter } from '../line-writer.js';

/** One tab-separated line per split: name, split, rows, `cached` or `not cached`, description. */
export async function dataListCommand(io: { out: LineWriter }): Promise<void> {
  for (const s of splitStatuses()) {
    await io.out.writeLine(`${s.dataset}\t${s.split}\t${s.rows} rows\t${s.cached ? 'cached' : 'not cached'}\t${s.description}`);
  }
}

export async function dataGetCommand(
  name: string,
  options: { split?: string; from?: string; quiet: boolean },
  io: { out: LineWriter },
): Promise<void> {
  const onProgress = options.quiet ? undefined : (message: string): void => void process.stderr.write(`npc: ${message}\n`);
  // Warnings (a mirror that failed, rows a rule skips) are printed even with --quiet.
  const onWarning = (message: string): void => void process.stderr.write(`npc: warning: ${message}\n`);
  for (const path of await fetchDataset(name, { split: options.split, from: options.from, onProgress, onWarning })) {
    await io.out.writeLine(path);
  }
}

export async function dataPathCommand(name: string, options: { split?: string }, io: { out: LineWriter }): Promise<void> {
  // All checked before anything is printed: no partial answer.
  for (const path of cachedPaths(name, options.split)) await io.out.writeLine(path);
}
