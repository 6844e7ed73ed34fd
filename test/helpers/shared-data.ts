/**
 * Access to the read-only benchmark data sets: the folder named by NPC_TEST_DATA, by default
 * ../shared/data (next to the repository, never inside it: no data set text is committed to npc).
 * A relative NPC_TEST_DATA is taken from the repository root.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { TestRunner } from 'vitest';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const DEFAULT_SHARED_DATA = path.join('..', 'shared', 'data');
export const sharedDataDir = path.resolve(repoRoot, process.env.NPC_TEST_DATA || DEFAULT_SHARED_DATA);

/** What a test module records (in its meta) when data it needs is missing; read by test/helpers/shared-data-reporter.ts. */
export interface MissingSharedData {
  dir: string;
  missing: string[];
}

declare module 'vitest' {
  interface TaskMeta {
    missingSharedData?: MissingSharedData;
  }
}

/** Absolute path of a file in the data folder, e.g. sharedDataPath('ag_news', 'test.jsonl.gz'). */
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
 * Call while a test file is collected (module level or inside a describe) when it needs shared data;
 * pass the files it reads (relative to the data folder). Returns true when they are all present.
 * When any is missing: with `CI` set it throws (the test file fails loudly, naming the files);
 * otherwise it prints why, records the missing files in the test module's meta (the reporter counts
 * the tests skipped at collection in that module) and returns false, and the caller skips
 * (`describe.skipIf(!available)`).
 */
export function requireSharedData(...files: string[]): boolean {
  const missing = [sharedDataDir, ...files.map((f) => sharedDataPath(f))].filter((p) => !existsSync(p));
  if (missing.length === 0) return true;
  const message =
    `shared benchmark data missing: ${missing.join(', ')} ` +
    `(the data sets are looked for at ${sharedDataDir}; set NPC_TEST_DATA to their folder)`;
  if (process.env.CI) throw new Error(`${message}; failing because CI is set`);
  console.warn(`SKIPPING: ${message}`);
  const meta = TestRunner.getCurrentSuite().file?.meta;
  if (meta) {
    const seen = meta.missingSharedData?.missing ?? [];
    meta.missingSharedData = { dir: sharedDataDir, missing: [...new Set([...seen, ...missing])] };
  }
  return false;
}
