/**
 * The README's "A model you can ship" block, as written: every command runs in order (build, register,
 * alias, classify by URI, show, a second version, rollback, list) in a fresh folder holding the examples,
 * against an empty repository, and the output the README shows under a command is what npc prints.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runNpc } from '../helpers/run-npc.js';

const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
const start = readme.indexOf('## A model you can ship');
const open = readme.indexOf('```sh\n', start) + 6;
const block = readme.slice(open, readme.indexOf('```\n', open));

/** The commands of the block, each with the output line shown under it (if any). */
const steps = block
  .split('\n')
  .flatMap((line, i, lines) =>
    line.startsWith('npc ')
      ? [{ command: line.replace(/\s+#.*$/, ''), shown: lines[i + 1]?.startsWith('# ') ? lines[i + 1].slice(2) : undefined }]
      : [],
  );

/** `npc a "b c"` → ['a', 'b c'] (the block quotes with double quotes only). */
function argsOf(command: string): string[] {
  return [...command.replace(/^npc /, '').matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

const dir = mkdtempSync(join(tmpdir(), 'npc-readme-model-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('README: a model you can ship', () => {
  it('runs every command of the block in order, printing what the block shows', async () => {
    expect(steps.map((s) => argsOf(s.command).slice(0, 2).join(' '))).toEqual([
      'model build',
      'model register',
      'model alias',
      'classify --model',
      'model show',
      'model build',
      'model register',
      'model alias',
      'model rollback',
      'model list',
    ]);
    cpSync(join(repoRoot, 'examples'), join(dir, 'examples'), { recursive: true });
    const env = { NPC_MODEL_REPOSITORY: join(dir, 'repo') };
    const outputs: string[] = [];
    for (const { command, shown } of steps) {
      const r = await runNpc(argsOf(command), { env, cwd: dir });
      expect(r.code, `${command}\n${r.stderr}`).toBe(0);
      if (shown !== undefined) expect(r.stdout, command).toBe(`${shown}\n`);
      outputs.push(r.stdout);
    }
    expect(outputs[4]).toMatch(/^---\n[\s\S]*# headlines\n[\s\S]*## Evaluation/);
    const listed = outputs[9].trim().split('\n');
    expect(listed[0].split('\t')).toEqual(['name', 'version', 'aliases', 'created', 'rows', 'strict']);
    expect(listed.slice(1).map((line) => line.split('\t').slice(0, 3))).toEqual([
      ['headlines', '1', 'production'],
      ['headlines', '2', '—'],
    ]);
    // The strict accuracy the card's cross-validation measured, as list shows it.
    expect(listed[1].split('\t')[5]).toMatch(/^0\.\d{4} \(k=2, nearest\)$/);
    expect(listed[2].split('\t')[5]).toMatch(/^0\.\d{4} \(k=3, nearest\)$/);
  });
});
