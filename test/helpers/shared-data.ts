/**
 * Access to the read-only benchmark data in ../shared/data (next to the repository, never inside
 * it: no data set text is committed to npc).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const sharedDataDir = path.resolve(repoRoot, '..', 'shared', 'data');

/** Absolute path of a file under ../shared/data, e.g. sharedDataPath('ag_news', 'test.jsonl.gz'). */
export function sharedDataPath(...parts: string[]): string {
  return path.join(sharedDataDir, ...parts);
}

export interface JsonlRow {
  label: string | number;
  text: string;
}

/** Reads a `{"label", "text"}` JSONL file, gzip-compressed or not (decided by the gzip magic bytes). */
export function readJsonlGz(file: string): JsonlRow[] {
  const raw = readFileSync(file);
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw;
  const rows: JsonlRow[] = [];
  const lines = bytes.toString('utf8').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const row = JSON.parse(line) as Partial<JsonlRow>;
    if (typeof row.text !== 'string' || (typeof row.label !== 'string' && typeof row.label !== 'number')) {
      throw new Error(`${file}:${i + 1}: expected {"label": string|number, "text": string}`);
    }
    rows.push({ label: row.label, text: row.text });
  }
  return rows;
}

/**
 * Call at module level of a test file that needs shared data; pass the files it reads (relative to
 * ../shared/data). Returns true when they are all present. When any is missing:
 * with `CI` set it throws (the test file fails loudly); otherwise it prints why and returns false,
 * and the caller skips (`describe.skipIf(!available)`).
 */
export function requireSharedData(...files: string[]): boolean {
  const missing = [sharedDataDir, ...files.map((f) => sharedDataPath(f))].filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  const message =
    `shared benchmark data missing: ${missing.join(', ')} ` +
    `(expected the read-only data folder at ${sharedDataDir}, next to the repository)`;
  if (process.env.CI) throw new Error(`${message}; failing because CI is set`);
  console.warn(`SKIPPING: ${message}`);
  return false;
}
