/**
 * docs/reproducing.md's table against what it claims to cover: one row per catalog data set, each with the
 * command that evaluates it by name; the published columns equal the reference file beside the data
 * (REFERENCE.md: the paper's figure and Schutte's strict k=1); every measured figure lies in its own
 * envelope. The measured figures themselves come from full evaluations (the commands in the doc), which
 * are too long for the suite.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const doc = readFileSync(join(repoRoot, 'docs', 'reproducing.md'), 'utf8');
const catalog = Object.keys(
  (JSON.parse(readFileSync(join(repoRoot, 'data', 'datasets.json'), 'utf8')) as { datasets: Record<string, unknown> }).datasets,
);

interface Row {
  name: string;
  paper: string;
  schutte: string;
  strict: string;
  lenient: string;
  command: string;
}

/** The rows of the table under "## The table". */
function tableRows(): Row[] {
  const section = doc.split('\n## The table\n')[1].split('\n## ')[0];
  return section
    .split('\n')
    .filter((line) => line.startsWith('| ') && !line.startsWith('| data set') && !line.startsWith('|---'))
    .map((line) => {
      const cells = line.split(' | ').map((c) => c.replace(/^\| ?| ?\|$/g, '').trim());
      return { name: cells[0], paper: cells[2], schutte: cells[3], strict: cells[4], lenient: cells[5], command: cells[6] };
    });
}

/** The catalog names a row's command evaluates (`--dataset NAME`). */
function datasetOf(row: Row): string[] {
  return [...row.command.matchAll(/--dataset (\w+)/g)].map((m) => m[1]);
}

function sectionByAnchor(anchor: string): string {
  const heading = doc.split('\n').find((line) => line.startsWith('## ') && slug(line.slice(3)) === anchor);
  if (!heading) throw new Error(`docs/reproducing.md: no section for #${anchor}`);
  return doc.split(`${heading}\n`)[1].split('\n## ')[0];
}

function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^a-z0-9 -]/g, '')
    .replace(/ /g, '-');
}

/** REFERENCE.md's accuracy table: data set → [paper, Schutte knn1]. */
function referenceFigures(): Map<string, [string, string]> {
  const text = readFileSync(sharedDataPath('REFERENCE.md'), 'utf8');
  const table = text.split('| data set | paper (reported) | Schutte knn1 (k=1) |')[1].split('\n\n')[0];
  const out = new Map<string, [string, string]>();
  for (const line of table.split('\n').slice(2)) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length > 3) out.set(cells[1].toLowerCase(), [cells[2], cells[3]]);
  }
  return out;
}

describe('docs/reproducing.md: the table of the paper data sets', () => {
  const rows = tableRows();

  it('has a row for every catalog data set, and every row evaluates a catalog data set by name', () => {
    const named = rows.map((row) => {
      const names = datasetOf(row);
      expect(names.length, row.name).toBeGreaterThan(0);
      for (const name of names) expect(catalog, `${row.name}: --dataset ${name}`).toContain(name);
      return new Set(names).size === 1 ? names[0] : `${row.name}: ${names.join(', ')}`;
    });
    expect([...new Set(named)].sort()).toEqual([...catalog].sort());
  });

  it('a command that continues in a section links to one that exists and evaluates the same data set', () => {
    for (const row of rows) {
      const link = /\]\(#([^)]+)\)/.exec(row.command);
      if (!link) continue;
      const section = sectionByAnchor(link[1]);
      for (const name of datasetOf(row)) expect(section, row.name).toContain(`--dataset ${name} `);
    }
  });

  it('the --strip rows, and only they, run with --strip', () => {
    for (const row of rows) expect(row.command.includes('--strip'), row.name).toBe(row.name.includes('--strip'));
  });

  it('every measured figure lies inside its own tie-order envelope, and an unmeasured row says so in both columns', () => {
    for (const row of rows) {
      for (const cell of [row.strict, row.lenient]) {
        if (row.strict === 'not measured here') {
          expect(cell, row.name).toBe('not measured here');
          continue;
        }
        const m = /^(0\.\d{4}) \[(0\.\d{4}), (0\.\d{4})\]¹?$/.exec(cell);
        expect(m, `${row.name}: ${cell}`).not.toBeNull();
        const [point, low, high] = m!.slice(1).map(Number);
        expect(low, row.name).toBeLessThanOrEqual(point);
        expect(point, row.name).toBeLessThanOrEqual(high);
      }
    }
  });

  const available = requireSharedData('REFERENCE.md');
  it.skipIf(!available)('the published columns are REFERENCE.md’s figures (the paper, Schutte’s knn1)', () => {
    const reference = referenceFigures();
    const names: Record<string, string> = {
      'ag news': 'agnews',
      kinyarwandanews: 'kinyarwandanews',
    };
    for (const row of rows) {
      const base = row.name.split(/ \(|, /)[0].toLowerCase();
      const key = names[base] ?? base;
      expect(reference.has(key), `${row.name} (${key}) in REFERENCE.md`).toBe(true);
      expect([row.paper, row.schutte], row.name).toEqual(reference.get(key));
    }
  });
});
