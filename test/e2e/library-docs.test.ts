/**
 * The library examples as written: the code block of docs/library.md and the one in the README's
 * "Library" section run against the built library (dist/), from the repository root (they read
 * examples/), and every line `EXPRESSION; // → VALUE` must return VALUE (assert.deepStrictEqual).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, childEnv, repoRoot } from '../helpers/run-npc.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-library-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The ```js blocks of `markdown`, or of its section under `heading` (up to the next `## `). */
function jsBlocks(markdown: string, heading?: string): string[] {
  let text = markdown;
  if (heading !== undefined) {
    const start = markdown.indexOf(`\n${heading}\n`);
    if (start < 0) throw new Error(`no "${heading}" section`);
    const end = markdown.indexOf('\n## ', start + heading.length + 2);
    text = markdown.slice(start, end < 0 ? undefined : end);
  }
  return [...text.matchAll(/^```js\n([\s\S]*?)^```$/gm)].map((m) => m[1]);
}

const MARKED = /^(.*?);\s*\/\/ → (.+)$/;

/** The block as a module that imports dist/ for 'npc-gzip' and checks every marked line; prints the results as JSON. */
function checkedModule(block: string): { source: string; marked: number } {
  const dist = pathToFileURL(join(repoRoot, 'dist/index.js')).href;
  if (!block.includes("from 'npc-gzip'")) throw new Error("the block does not import 'npc-gzip'");
  let marked = 0;
  const body = block
    .replace("from 'npc-gzip'", `from '${dist}'`)
    .split('\n')
    .map((line, i) => {
      const m = MARKED.exec(line);
      if (!m) return line;
      marked++;
      return `__check(${i + 1}, ${JSON.stringify(line)}, () => (${m[1]}), () => (${m[2]}));`;
    })
    .join('\n');
  const harness = `import { deepStrictEqual } from 'node:assert';
import { inspect } from 'node:util';
const __results = [];
function __check(line, text, actual, expected) {
  let got;
  try {
    got = actual();
    deepStrictEqual(got, expected());
    __results.push({ line, ok: true });
  } catch (err) {
    __results.push({ line, ok: false, text, got: inspect(got, { depth: null, breakLength: Infinity }), why: String(err.message).split('\\n')[0] });
  }
}
`;
  return { source: `${harness}${body}\nconsole.log(JSON.stringify(__results));\n`, marked };
}

async function runBlock(name: string, block: string): Promise<void> {
  assertBuilt();
  const { source, marked } = checkedModule(block);
  expect(marked, 'lines marked // →').toBeGreaterThanOrEqual(4);
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, source);
  const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: repoRoot, env: childEnv(), timeout: 120_000 });
  const results = JSON.parse(stdout.trim().split('\n').at(-1)!) as { line: number; ok: boolean }[];
  expect(results).toHaveLength(marked);
  expect(results.filter((r) => !r.ok)).toEqual([]);
}

describe('the library examples in the docs', () => {
  it('docs/library.md: every line marked // → returns what it shows, on the example headlines', async () => {
    const blocks = jsBlocks(readFileSync(join(repoRoot, 'docs/library.md'), 'utf8'));
    expect(blocks).toHaveLength(1);
    await runBlock('library-md', blocks[0]);
  });

  it("README's Library section: every line marked // → returns what it shows", async () => {
    const blocks = jsBlocks(readFileSync(join(repoRoot, 'README.md'), 'utf8'), '## Library');
    expect(blocks).toHaveLength(1);
    await runBlock('readme', blocks[0]);
  });

  it('a marked line that is wrong is reported, with what it returned', async () => {
    const { source } = checkedModule("import { compressedLength } from 'npc-gzip';\ncompressedLength('hello'); // → 26\n");
    const file = join(dir, 'wrong.mjs');
    writeFileSync(file, source);
    const { stdout } = await promisify(execFile)(process.execPath, [file], { cwd: repoRoot, env: childEnv() });
    expect(JSON.parse(stdout)).toEqual([expect.objectContaining({ line: 2, ok: false, got: '25' })]);
  });
});
