/**
 * The shared AG News files for the measuring scripts, found as the tests and the bench find them:
 * NPC_TEST_DATA (relative: from the repository root), default ../shared/data.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));

/** The folder of the shared AG News files; `script` (its name) exits 1 saying it is missing. */
export function agNewsDir(script: string): string {
  const dir = join(resolve(root, process.env.NPC_TEST_DATA || join('..', 'shared', 'data')), 'ag_news');
  if (!existsSync(dir)) {
    console.error(`${script}: ${dir} is missing; it needs the shared AG News files`);
    process.exit(1);
  }
  return dir;
}

/** The texts of a gzipped JSONL file of `dir` (`test.jsonl.gz`, `train.first2000.jsonl.gz`), in order. */
export function agNewsTexts(dir: string, file: string): string[] {
  return agNewsRows(dir, file).map((r) => r.text);
}

/** The rows of a gzipped JSONL file of `dir`, in order, each with its 1-based line number. */
export function agNewsRows(dir: string, file: string): { text: string; label: number; line: number }[] {
  return gunzipSync(readFileSync(join(dir, file)))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l, i) => {
      const o = JSON.parse(l) as { label: number; text: string };
      return { text: o.text, label: o.label, line: i + 1 };
    });
}
