/**
 * Stand-in splits of a catalog data set in a test's own cache: `<name>/<split>.jsonl` and `<split>.meta.json`
 * written as `npc data get` leaves them, the meta file carrying the catalog's pins of the original file.
 * npc checks the JSONL against its meta file and the meta file against the catalog before every use, not
 * the rows against the original, so a stand-in is read as the data set is.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonl } from './failure-tools.js';
import { repoRoot } from './run-npc.js';

interface SplitPin {
  bytes: number;
  md5: string;
  rows: number;
}

/** Writes `rows` into `cache` as the cached `ag_news` `split`, with a meta file carrying the catalog's pins. */
export function writeStandInSplit(cache: string, split: 'train' | 'test', rows: readonly object[]): string {
  const catalog = JSON.parse(readFileSync(join(repoRoot, 'data', 'datasets.json'), 'utf8')) as {
    datasets: Record<string, { splits: Record<string, SplitPin> }>;
  };
  const pin = catalog.datasets.ag_news.splits[split];
  mkdirSync(join(cache, 'ag_news'), { recursive: true });
  const jsonl = writeJsonl(join(cache, 'ag_news', `${split}.jsonl`), rows);
  const bytes = readFileSync(jsonl);
  const meta = {
    dataset: 'ag_news',
    split,
    source: 'stand-in rows written by the test',
    csvBytes: pin.bytes,
    csvMd5: pin.md5,
    rows: pin.rows,
    jsonlBytes: bytes.length,
    jsonlSha256: createHash('sha256').update(bytes).digest('hex'),
    created: new Date(0).toISOString(),
  };
  writeFileSync(join(cache, 'ag_news', `${split}.meta.json`), JSON.stringify(meta, null, 2));
  return jsonl;
}
