/**
 * What README.md and docs/scale-out.md say about speed: a ratio to pako timed in the same run, and absolute
 * times only beside their machine, all taken from the figures in docs/performance.md (never a bare number of
 * minutes, which did not carry over to another machine).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-npc.js';

const read = (file: string): string => readFileSync(join(repoRoot, file), 'utf8');
const readme = read('README.md');
const scaleOut = read('docs/scale-out.md');
const performance = read('docs/performance.md');

/** The numbers of the docs/performance.md table row whose first cell starts with `name`. */
function row(name: string): number[] {
  const line = performance.split('\n').find((l) => l.startsWith(`| ${name}`));
  expect(line, `no row "${name}" in docs/performance.md`).toBeDefined();
  return line!
    .split('|')
    .slice(2)
    .flatMap((cell) => [...cell.matchAll(/(\d+(?:\.\d+)?)/g)].map((m) => Number(m[1])));
}

/** Paragraphs (blank-line separated) that mention minutes. */
function minuteParagraphs(text: string): string[] {
  return text.split(/\n\s*\n/).filter((p) => /\bminutes?\b|\bmin\b/.test(p));
}

describe('speed claims in the README and docs/scale-out.md', () => {
  it("the README's speed ratio to pako is the range of the search speed-ups in docs/performance.md", () => {
    const ratios = row('search speed-up over pako').filter((x) => x > 1);
    const m = /a pair (\d+(?:\.\d+)?)–(\d+(?:\.\d+)?) times\s+faster than pako 2\.1\.0/.exec(readme);
    expect(m, 'the README states the ratio to pako').not.toBeNull();
    const newest = ratios.slice(-2);
    expect([Number(m![1]), Number(m![2])]).toEqual([Math.min(...newest), Math.max(...newest)]);
  });

  it("the README's and scale-out's minutes for full AG News are docs/performance.md's projections, rounded, beside their machine", () => {
    const projected = row('projected full AG News eval (7,600 × 120,000').filter((x) => x < 100 && x !== 2);
    const newest = projected.slice(-2).map(Math.round);
    const range = `${Math.min(...newest)}–${Math.max(...newest)} minutes`;
    for (const [name, text] of [
      ['README.md', readme],
      ['docs/scale-out.md', scaleOut],
    ] as const) {
      const paragraphs = minuteParagraphs(text);
      expect(paragraphs.length, name).toBeGreaterThan(0);
      expect(paragraphs.join('\n'), name).toContain(range);
      for (const p of paragraphs.filter((x) => /\d\s*minutes/.test(x))) {
        expect(p, `${name}: minutes without their machine`).toMatch(/this project's 2-core VM/);
        expect(p, `${name}: minutes without the figures' page`).toMatch(/docs\/performance\.md/);
      }
    }
  });

  it('no bold claim of minutes in the README', () => {
    expect(readme).not.toMatch(/\*\*[^*]*\bminutes\b[^*]*\*\*/);
  });
});
