/** Real texts from the shared data sets for the deflate tests (read with node:zlib; never a length reference). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { sharedDataPath } from './shared-data.js';

/** The `text` fields of a gzip-compressed JSONL file, first `limit` lines. */
export function readTexts(rel: string, limit = Infinity): string[] {
  const lines = gunzipSync(readFileSync(sharedDataPath(rel)))
    .toString('utf8')
    .split('\n');
  const out: string[] = [];
  for (const line of lines) {
    if (out.length >= limit) break;
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as { text: unknown };
    if (typeof row.text !== 'string') throw new Error(`${rel}: a row without a string "text"`);
    out.push(row.text);
  }
  return out;
}

const utf8 = new TextEncoder();

/** UTF-8 bytes of x + " " + y, as the NCD pair is built. */
export function pairBytes(x: string, y: string): Uint8Array {
  return utf8.encode(x + ' ' + y);
}
