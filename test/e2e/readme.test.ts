/**
 * The README's offline quick start, as written: its commands are read from README.md's "Quick start"
 * block and run on a fresh checkout's files (examples/, no network, an empty cache), and the output
 * the README shows under each is what npc prints.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runNpc } from '../helpers/run-npc.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const start = readme.indexOf('## Quick start');
const block = readme.slice(readme.indexOf('```sh\n', start) + 6, readme.indexOf('```\n', readme.indexOf('```sh\n', start) + 6));
const lines = block.split('\n');
/** The comment line right under `command` in the block. */
function shownUnder(command: string): string {
  const i = lines.findIndex((l) => l.startsWith(command));
  if (i < 0 || !lines[i + 1]?.startsWith('# ')) throw new Error(`README quick start: no "${command}" line followed by its output`);
  return lines[i + 1].slice(2);
}
/** `npc a "b c"` → ['a', 'b c'] (the quick start quotes with double quotes only). */
function argsOf(command: string): string[] {
  return [...command.replace(/^npc /, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const cache = mkdtempSync(join(tmpdir(), 'npc-readme-'));
afterAll(() => rmSync(cache, { recursive: true, force: true }));
const env = { NPC_DATA_DIR: cache };

describe('README quick start', () => {
  it('classify a headline: prints the label the README shows', async () => {
    const command = lines.find((l) => l.startsWith('npc classify --train examples/headlines.jsonl "'))!;
    const r = await runNpc(argsOf(command), { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${shownUnder(command)}\n`);
  });

  it('a JSONL line through classify: the line the README shows, byte for byte', async () => {
    const command = lines.find((l) => l.startsWith("echo '"))!;
    const input = /^echo '(.*)' \| npc /.exec(command)![1];
    const r = await runNpc(argsOf(command.slice(command.indexOf('| npc ') + 2)), { input: `${input}\n`, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${shownUnder(command)}\n`);
  });

  it('eval on the example split: the accuracies the README quotes', async () => {
    const command = lines.find((l) => l.startsWith('npc eval --train examples/'))!;
    const shown = shownUnder(command);
    const r = await runNpc(argsOf(command), { env });
    expect(r.code).toBe(0);
    // "# strict accuracy  0.7500  (15/20; …)   lenient accuracy 0.7500 … (k=2: strict 0.75, lenient 0.85)"
    const strict = /^strict accuracy\s+([\d.]+)\s+\((\d+\/\d+);/.exec(shown)!;
    expect(r.stdout).toContain(`strict accuracy  ${strict[1]}  (${strict[2]};`);
    const lenient = /lenient accuracy ([\d.]+)/.exec(shown)!;
    expect(r.stdout).toMatch(new RegExp(`^lenient accuracy ${lenient[1]} `, 'm'));
    const k2 = /k=2: strict ([\d.]+), lenient ([\d.]+)/.exec(shown)!;
    const row = r.stdout.split('\n').find((l) => /^\s+2\s/.test(l))!;
    const cells = [...row.matchAll(/(\d\.\d{4}) \[/g)].map((m) => Number(m[1]));
    expect(cells[0]).toBe(Number(k2[1])); // nearest (the headline rule)
    expect(cells.at(-1)).toBe(Number(k2[2])); // lenient
  });
});
