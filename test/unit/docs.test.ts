/**
 * Rules for the reference docs (README.md, docs/*.md, src/deflate/README.md) and the tests' names and comments:
 * - speed and memory figures live in docs/performance.md only: the other docs link there;
 * - no issue numbers, commit hashes or machine paths (history is CHANGELOG.md's);
 * - the README's exit-code table lists every exit code npc uses;
 * - every repository path they cite exists: `src/…`, `test/…`, `scripts/…`, `docs/…`, `assembly/…`
 *   anywhere, paths relative to src/ (`app/evaluate.ts`) in src/'s comments, and relative Markdown links.
 *   CHANGELOG.md is history and may name files that are gone; it is not scanned for paths.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT_DRIFT, EXIT_FAILURE, EXIT_INTERNAL, EXIT_OK, EXIT_USAGE } from '../../src/cli/exit-codes.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(dir: string, keep: (name: string) => boolean): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(root, dir))) {
    const path = join(dir, name);
    if (statSync(join(root, path)).isDirectory()) out.push(...filesUnder(path, keep));
    else if (keep(name)) out.push(path);
  }
  return out;
}

const docs = ['README.md', ...filesUnder('docs', (n) => n.endsWith('.md')), ...filesUnder('src', (n) => n.endsWith('.md'))];
const code = [
  ...filesUnder('src', (n) => n.endsWith('.ts')),
  ...filesUnder('test', (n) => /\.(ts|mjs)$/.test(n)),
  ...filesUnder('scripts', (n) => /\.(ts|mjs|sh|py)$/.test(n)),
  ...filesUnder('assembly', (n) => n.endsWith('.ts')),
];

/** Paths under src/, test/, scripts/ and the like, not inside a URL or a longer path. */
const ROOTED = /(?<![\w./-])((?:src|test|scripts|docs|assembly|bin|examples)\/[\w./-]*[\w])/g;
/** `app/evaluate.ts` and the like: relative to src/ (as src/'s comments cite them). */
const SRC_RELATIVE = /(?<![\w./-])((?:app|cli|io|model|parallel|compress|deflate)\/[\w./-]*\.ts)\b/g;
/** A relative Markdown link target. */
const LINK = /\]\((?!https?:|mailto:|#)([^)\s#]+)(?:#[^)]*)?\)/g;

function cited(file: string): { path: string; exists: boolean }[] {
  const text = readFileSync(join(root, file), 'utf8');
  const found: { path: string; exists: boolean }[] = [];
  for (const m of text.matchAll(ROOTED)) {
    // `test/e2e/*.test.ts`-style patterns name a set of files, not one.
    if (m[1].includes('*')) continue;
    found.push({ path: m[1], exists: existsSync(join(root, m[1])) });
  }
  if (file.startsWith('src/') && file.endsWith('.ts')) {
    for (const m of text.matchAll(SRC_RELATIVE)) found.push({ path: `src/${m[1]}`, exists: existsSync(join(root, 'src', m[1])) });
  }
  if (file.endsWith('.md')) {
    for (const m of text.matchAll(LINK)) {
      const target = relative(root, join(root, dirname(file), m[1]));
      found.push({ path: target, exists: existsSync(join(root, target)) });
    }
  }
  return found;
}

const read = (file: string): string => readFileSync(join(root, file), 'utf8');

/**
 * Speed and memory figures: µs, pairs/s, speed-ups (`28.6×`, `times faster`), minutes, wall seconds, MB of
 * RSS. Sizes of files (`about 30 MB`) and counts (`912 M pairs`) are not figures of speed.
 */
const SPEED_FIGURES: RegExp[] = [
  /\d\s*µs\b/,
  /\d[\d,]*\s*pairs\/s\b/,
  /\d(?:\.\d+)?×/,
  /\d(?:\.\d+)?x (?:pako|faster)\b/,
  /\d\s*times faster\b/,
  /\d\s*(?:min|minutes)\b/,
  /\d\s*s wall\b|\bwall[^.\n|]*\d\s*s\b/,
  /RSS[^.\n|]*\d\s*MB|\d\s*MB[^.\n|]*RSS/,
];

function speedFigures(text: string): string[] {
  return text.split('\n').filter((line) => SPEED_FIGURES.some((re) => re.test(line)));
}

describe('speed figures live in docs/performance.md', () => {
  it('docs/performance.md holds them (the bench table)', () => {
    const performance = read('docs/performance.md');
    expect(speedFigures(performance).length).toBeGreaterThan(10);
    expect(performance).toContain('npm run bench');
  });

  it.each(['README.md', 'CHANGELOG.md', 'docs/scale-out.md', 'docs/reproducing.md', 'src/deflate/README.md'])(
    '%s carries no speed figure and links to docs/performance.md',
    (file) => {
      const text = read(file);
      expect(speedFigures(text)).toEqual([]);
      expect(text).toMatch(/performance\.md/);
    },
  );

  it('the other docs carry no speed figure either', () => {
    for (const file of docs.filter((f) => f !== 'docs/performance.md')) expect(speedFigures(read(file)), file).toEqual([]);
  });

  it('the check catches the figures it is for', () => {
    for (const claim of [
      '4.13 µs per pair',
      '440,445 pairs/s',
      '28.6× pako',
      '22.5–28.6 times faster',
      '33–35 minutes',
      '0.90 s wall',
      'peak RSS 142 MB',
    ])
      expect(speedFigures(claim), claim).toEqual([claim]);
    for (const fine of ['about 30 MB', '912 M pairs', '4 × the CPUs', 'exit 143']) expect(speedFigures(fine), fine).toEqual([]);
  });
});

/** An issue number, a commit hash (7 to 40 hex digits with a digit and a letter), or a machine path. */
const HISTORY: RegExp[] = [
  /\bissues? #?\d+/i,
  /(?<=[\s(])#\d{1,5}\b(?!;)/,
  /\bcommit [0-9a-f]{7,40}\b/i,
  // a bare hash; not part of a file name (`.0123abcd.tmp`) nor an abbreviated checksum (`896c59c1…`)
  /(?<![\w.-])(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{7,12}(?![\w.…-])/,
  /(?<![\w.])\/(?:work|Users)\//,
];

function historyMarks(text: string): string[] {
  return text.split('\n').filter((line) => HISTORY.some((re) => re.test(line)));
}

describe('no issue numbers, commit hashes or machine paths', () => {
  it.each(docs)('%s', (file) => {
    expect(historyMarks(read(file))).toEqual([]);
  });

  it('in test names and comments', () => {
    const self = 'test/unit/docs.test.ts'; // its examples below
    const found = filesUnder('test', (n) => /\.(ts|mjs)$/.test(n))
      .filter((file) => file !== self)
      .flatMap((file) => historyMarks(read(file)).map((line) => `${file}: ${line.trim()}`));
    expect(found).toEqual([]);
  });

  it('the check catches what it is for', () => {
    for (const mark of ['(issue 10 item 5)', "Issue 11's targets", 'see #14', 'main at 37e7dc6', 'commit c87a546', '/work/shared/data'])
      expect(historyMarks(mark), mark).toEqual([mark]);
    for (const fine of [
      'row 14',
      'seed 20261128',
      '&#39;',
      'exit 143',
      '#36;5',
      'ag_news/test.csv',
      'sha256 `896c59c1…1db411`',
      '.0123abcd.tmp',
      'HOME: /home/u',
    ])
      expect(historyMarks(fine), fine).toEqual([]);
  });
});

describe("the README's exit codes", () => {
  it('lists every exit code npc uses, 130 and 143 included', () => {
    const table = read('README.md')
      .split('\n')
      .filter((l) => /^\| *\d/.test(l))
      .flatMap((l) =>
        l
          .split('|')[1]
          .split('/')
          .map((c) => Number(c.trim())),
      );
    expect(new Set(table)).toEqual(new Set([EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_DRIFT, EXIT_INTERNAL, 130, 143]));
  });
});

describe('paths cited in docs and comments', () => {
  it('finds files to scan and paths in them', () => {
    expect(docs).toContain('docs/failure-matrix.md');
    expect(cited('docs/failure-matrix.md').length).toBeGreaterThan(10);
  });

  it.each([...docs, ...code])('%s cites only paths that exist', (file) => {
    const missing = cited(file)
      .filter((c) => !c.exists)
      .map((c) => c.path);
    expect([...new Set(missing)]).toEqual([]);
  });
});
