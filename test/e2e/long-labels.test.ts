/**
 * Labels with a line end, or thousands of characters long, in the report tables: the text tables (per class,
 * confusion matrix) and the HTML report show them shortened to one line of at most 40 characters; the JSON
 * report and the predictions file carry the full value. The data are the example headlines with two labels
 * replaced.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runNpc } from '../helpers/run-npc.js';

const MULTILINE = 'Sports\nand games';
const LONG = `world ${'x'.repeat(3000)}`;
const RENAME: Record<string, string> = { sports: MULTILINE, world: LONG };
const SHOWN_MULTILINE = '"Sports\\nand games"';
const SHOWN_LONG = `${LONG.slice(0, 39)}…`;

/** The lines of `text` from the one starting with `start` up to the next empty line. */
function section(text: string, start: string): string[] {
  const lines = text.split('\n');
  const from = lines.findIndex((l) => l.startsWith(start));
  expect(from, `no "${start}" in the report`).toBeGreaterThanOrEqual(0);
  const to = lines.indexOf('', from);
  return lines.slice(from + 1, to === -1 ? undefined : to);
}

describe('long and multi-line labels in eval reports', () => {
  const dir = mkdtempSync(join(tmpdir(), 'npc-long-labels-'));
  const train = join(dir, 'train.jsonl');
  const test = join(dir, 'test.jsonl');
  beforeAll(() => {
    for (const [from, to] of [
      ['examples/headlines.jsonl', train],
      ['examples/headlines-test.jsonl', test],
    ]) {
      const rows = readFileSync(join(repoRoot, from), 'utf8')
        .trim()
        .split('\n')
        .map((line) => {
          const row = JSON.parse(line) as { label: string; text: string };
          return JSON.stringify({ ...row, label: RENAME[row.label] ?? row.label });
        });
      writeFileSync(to, `${rows.join('\n')}\n`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('the text report: one line per class and per matrix row, labels shortened to 40 characters, columns aligned', async () => {
    const r = await runNpc(['eval', '--train', train, '--test', test, '-k', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).not.toContain(LONG.slice(0, 41));
    expect(r.stdout).not.toContain('Sports\nand');

    const perClass = section(r.stdout, 'per class');
    expect(perClass).toHaveLength(5); // the header and four classes
    expect(perClass.map((l) => l.trim().split(/\s{2,}/)[0])).toEqual(['label', SHOWN_MULTILINE, 'business', 'tech', SHOWN_LONG]);
    // The n column ends at the same place on every line.
    const end = perClass[0].indexOf('n  precision') + 1;
    for (const line of perClass) expect(line.slice(end - 1, end + 2), line).toMatch(/^\S {2}$/);

    const matrix = section(r.stdout, 'confusion matrix');
    expect(matrix).toHaveLength(5); // the column header and four rows
    expect(new Set(matrix.map((l) => l.length)).size).toBe(1);
    // Each column label ends where that column's counts end, on every row.
    for (const label of [SHOWN_MULTILINE, 'business', 'tech', SHOWN_LONG]) {
      const end = matrix[0].indexOf(` ${label}`) + 1 + label.length;
      expect(end, label).toBeGreaterThan(label.length);
      for (const row of matrix.slice(1)) expect(row.slice(end - 1, end + 1), row).toMatch(/^\d( |$)/);
    }
    expect(matrix.slice(1).map((l) => l.trim().split(/\s{2,}/)[0])).toEqual([SHOWN_MULTILINE, 'business', 'tech', SHOWN_LONG]);
  });

  it('the JSON report and the predictions file carry the full labels', async () => {
    const predictions = join(dir, 'p.jsonl');
    const r = await runNpc(['eval', '--train', train, '--test', test, '-k', '1', '--json', '--predictions', predictions]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { per_class: { label: string }[] };
    expect(report.per_class.map((c) => c.label).sort()).toEqual([MULTILINE, 'business', 'tech', LONG].sort());
    const rows = readFileSync(predictions, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { label: string; prediction: string });
    expect(new Set(rows.map((p) => p.label))).toEqual(new Set([MULTILINE, 'business', 'tech', LONG]));
    expect(rows.some((p) => p.prediction === LONG)).toBe(true);
    expect(rows.some((p) => p.prediction === MULTILINE)).toBe(true);
  });

  it('the HTML report: the confusion matrix keeps its width, labels shortened, the full value in the tooltips', async () => {
    const page = join(dir, 'eval.html');
    const r = await runNpc(['eval', '--train', train, '--test', test, '-k', '1', '-q', '--html', page]);
    expect(r.code, r.stderr).toBe(0);
    const html = readFileSync(page, 'utf8');
    const matrix = html.slice(html.indexOf('<h2>Confusion matrix</h2>'), html.indexOf('<h2>Per class</h2>'));
    const width = Number(/<svg width="(\d+)"/.exec(matrix)?.[1]);
    // Row labels take 7 px per character of the longest shown label (40 at most), four columns at most 60 px.
    expect(width).toBeLessThanOrEqual(12 + 7 * 40 + 4 * 60 + 10);
    expect(matrix).toContain(`<title>${LONG}</title>${SHOWN_LONG}</text>`);
    expect(matrix).toContain(`<title>${MULTILINE}</title>${SHOWN_MULTILINE.replace(/"/g, '&quot;')}</text>`);
    const perClass = html.slice(html.indexOf('<h2>Per class</h2>'));
    expect(perClass).toContain(`<td title="${LONG}">${SHOWN_LONG}</td>`);
    expect(perClass).not.toContain(`>${LONG}<`);
  });
});
