/**
 * Failure-matrix rows 58–63 (docs/failure-matrix.md): k against the training side it votes on, test
 * labels that match training labels only by their text, --label-names on CSV labels, folds with rare
 * classes, one-class cross-validation, --sample / --limit beyond the rows; and `npc score` of a
 * cross-validation reporting the training side eval reported.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';

afterAll(() => cleanupTmp());
const dir = makeTmp('npc-labels-k-');

/** The six sentences, three classes of two rows. */
const six = writeJsonl(
  join(dir, 'six.jsonl'),
  SENTENCES.map(([label, text]) => ({ label, text })),
);
/** 19 rows: every sentence three times with a different ending (six per class), and one exact duplicate. */
const rows = SENTENCES.flatMap(([label, text]) => ['today', 'again', 'at last'].map((end) => ({ label, text: `${text} ${end}` })));
rows.push({ label: 'sport', text: rows[0].text });
const nineteen = writeJsonl(join(dir, 'nineteen.jsonl'), rows);

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe.concurrent('row 58: -k larger than the training side it votes on is refused, naming that side and its rows', () => {
  it('row 58: eval and classify name the training set; a list names every k too large', async () => {
    expectNpcError(
      await run(['eval', '--train', six, '--test', six, '-k', '1,7,9', '-q']),
      2,
      '-k 7,9 are more than the 6 rows of the training set: k can be at most 6',
    );
    expectNpcError(
      await run(['classify', '--train', six, '-k', '7', 'a new phone']),
      2,
      '-k 7 is more than the 6 rows of the training set: k can be at most 6',
    );
    expect((await run(['eval', '--train', six, '--test', six, '-k', '6', '-q'])).code).toBe(0);
  });

  it('row 58: a training shard is checked against the whole training set, not its slice', async () => {
    const part = join(dir, 'r58-shard.nbr');
    const ok = await run(['eval', '--train', six, '--test', six, '-k', '4', '-q', '--train-shard', '1/2', '--save-neighbors', part]);
    expect(ok.code, ok.stderr).toBe(0);
    expectNpcError(
      await run(['eval', '--train', six, '--test', six, '-k', '7', '-q', '--train-shard', '1/2', '--save-neighbors', part]),
      2,
      '-k 7 is more than the 6 rows of the training set: k can be at most 6',
    );
  });

  it("row 58: --folds names the smallest fold's training side, --leave-one-out the other rows, --shots the draw", async () => {
    // 19 rows in 3 folds of 7, 6 and 6 rows: fold 0's training side is the smallest, 12 rows.
    expect((await run(['eval', '--data', nineteen, '--folds', '3', '-k', '12', '-q'])).code).toBe(0);
    expectNpcError(
      await run(['eval', '--data', nineteen, '--folds', '3', '-k', '13', '-q']),
      2,
      "-k 13 is more than the 12 rows of the smallest fold's training side (fold 0): k can be at most 12",
    );
    expectNpcError(
      await run(['eval', '--data', nineteen, '--leave-one-out', '-k', '19', '-q']),
      2,
      '-k 19 is more than the 18 rows of the training side of leave-one-out (every row but the one evaluated): k can be at most 18',
    );
    expectNpcError(
      await run(['eval', '--data', nineteen, '--holdout', '0.5', '-k', '10', '-q']),
      2,
      "-k 10 is more than the 9 rows of the holdout's training side: k can be at most 9",
    );
    expectNpcError(
      await run(['eval', '--train', nineteen, '--test', six, '--shots', '1', '-k', '4', '-q']),
      2,
      '-k 4 is more than the 3 rows of each few-shot draw (1 per class × 3 classes): k can be at most 3',
    );
  });

  it('row 58: npc score refuses a k the saved training side cannot hold', async () => {
    const nbr = join(dir, 'r58.nbr');
    expect((await run(['eval', '--train', six, '--test', six, '-q', '--save-neighbors', nbr])).code).toBe(0);
    expectNpcError(
      await run(['score', nbr, '--train', six, '--test', six, '-k', '7']),
      2,
      '-k 7 is more than the 6 rows of the training set: k can be at most 6',
    );
  });
});

describe.concurrent('npc score of a cross-validation', () => {
  it("reports the training side eval reported (the smallest fold's), in the table and in --json", async () => {
    const nbr = join(dir, 'cv.nbr');
    const e = await run(['eval', '--data', nineteen, '--folds', '3', '--seed', '2', '-k', '1,2', '-q', '--save-neighbors', nbr]);
    expect(e.code, e.stderr).toBe(0);
    const s = await run(['score', nbr, '--train', nineteen, '--test', nineteen, '-k', '1,2']);
    expect(s.code, s.stderr).toBe(0);
    const trainRows = (text: string): string[] => text.split('\n').filter((l) => l.startsWith('train rows'));
    expect(trainRows(e.stdout)).toEqual(['train rows       12']);
    expect(trainRows(s.stdout)).toEqual(trainRows(e.stdout));
    const ej = await run(['eval', '--data', nineteen, '--folds', '3', '--seed', '2', '-k', '1,2', '-q', '--json']);
    const sj = await run(['score', nbr, '--train', nineteen, '--test', nineteen, '-k', '1,2', '--json']);
    expect(JSON.parse(sj.stdout).train_size).toBe(12);
    expect(JSON.parse(ej.stdout).pooled.train_size).toBe(12);
  });
});

/** The six sentences with integer labels 0 (sport), 1 (money), 2 (tech), as JSONL and as CSV (labels then strings). */
const ids: Record<string, number> = { sport: 0, money: 1, tech: 2 };
const intJsonl = writeJsonl(
  join(dir, 'int.jsonl'),
  SENTENCES.map(([label, text]) => ({ label: ids[label], text })),
);
const csvOf = (name: string, labelOf: (label: string) => string): string =>
  file(name, 'label,text\n' + SENTENCES.map(([label, text]) => `${labelOf(label)},${text}`).join('\n') + '\n');
const stringCsv = csvOf('strings.csv', (label) => String(ids[label]));
const MATCHED =
  '3 test labels have the text of a training label of another type and are taken for it (CSV and TSV labels are always strings): ';

describe.concurrent('row 59: test labels that match training labels only by their text', () => {
  it('row 59: CSV "0".."2" against JSONL 0..2 are the same labels: every row right, one warning, also in --json', async () => {
    const warning = MATCHED + '"0" as 0 (2 rows), "1" as 1 (2 rows), "2" as 2 (2 rows)';
    const table = await run(['eval', '--train', intJsonl, '--test', stringCsv, '-k', '1', '-q']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toBe(`npc: warning: ${warning}\n`);
    expect(table.stdout).toMatch(/^strict accuracy {2}1\.0000/m);
    const json = await run(['eval', '--train', intJsonl, '--test', stringCsv, '-k', '1', '-q', '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.warnings).toEqual([warning]);
    expect(report.strict).toBe(1);
    expect(report.per_class.map((c: { label: unknown }) => c.label)).toEqual([0, 1, 2]);
    expect(report.unseen_test_labels).toEqual([]);
  });

  it('row 59: the other way round (a CSV training set, JSONL test labels), and in npc score and few-shot --json', async () => {
    const warning = MATCHED + '0 as "0" (2 rows), 1 as "1" (2 rows), 2 as "2" (2 rows)';
    const nbr = join(dir, 'r59.nbr');
    const e = await run(['eval', '--train', stringCsv, '--test', intJsonl, '-k', '1', '-q', '--save-neighbors', nbr]);
    expect(e.stderr).toBe(`npc: warning: ${warning}\n`);
    expect(e.stdout).toMatch(/^strict accuracy {2}1\.0000/m);
    const s = await run(['score', nbr, '--train', stringCsv, '--test', intJsonl, '-k', '1']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toBe(`npc: warning: ${warning}\n`);
    expect(s.stdout).toMatch(/^strict accuracy {2}1\.0000/m);
    const f = await run(['eval', '--train', stringCsv, '--test', intJsonl, '--shots', '1', '--trials', '2', '-k', '1', '-q', '--json']);
    expect(f.code, f.stderr).toBe(0);
    expect(f.stderr).toBe(`npc: warning: ${warning}\n`);
    expect(JSON.parse(f.stdout).warnings).toEqual([warning]);
  });

  it('row 59: no test label is a training label → exit 1 naming the test file and both label sets (nothing can be right), also with --shots', async () => {
    const other = csvOf('r59-other.csv', (label) => label);
    expectNpcError(
      await run(['eval', '--train', intJsonl, '--test', other, '-q']),
      1,
      `${other}: no test label is a training label, so no row can be predicted right (test labels "money", "sport", "tech"; training labels 0, 1, 2)`,
    );
    const noneShared = writeJsonl(
      join(dir, 'r59-other.jsonl'),
      SENTENCES.map(([label, text]) => ({ label: `${label}!`, text })),
    );
    expectNpcError(
      await run(['eval', '--train', intJsonl, '--test', noneShared, '--shots', '1', '-k', '1', '-q']),
      1,
      `${noneShared}: no test label is a training label, so no row can be predicted right (test labels "money!", "sport!", "tech!"; training labels 0, 1, 2)`,
    );
  });
});

describe.concurrent('row 60: --label-names with CSV labels names them by their text', () => {
  it('row 60: CSV labels "0".."2" take the names, in eval (table and --json) and classify', async () => {
    const e = await run([
      'eval',
      '--train',
      stringCsv,
      '--test',
      stringCsv,
      '-k',
      '1',
      '-q',
      '--json',
      '--label-names',
      'Sport,Money,Tech',
    ]);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).per_class.map((c: { label: unknown; name: unknown }) => [c.label, c.name])).toEqual([
      ['0', 'Sport'],
      ['1', 'Money'],
      ['2', 'Tech'],
    ]);
    const table = await run(['eval', '--train', stringCsv, '--test', stringCsv, '-k', '1', '-q', '--label-names', 'Sport,Money,Tech']);
    expect(table.stdout).toMatch(/^ {2}Money +2 +1\.0000/m);
    const c = await run(['classify', '--train', stringCsv, '-k', '1', '--label-names', 'Sport,Money,Tech', SENTENCES[4][1]]);
    expect(c.stdout).toBe('Tech\n');
  });

  it('row 60: labels that are not integers, a label past the names, or 1 and "1" together → exit 2', async () => {
    expectNpcError(
      await run(['classify', '--train', stringCsv, '--label-names', 'Sport,Money', 'x']),
      2,
      '--label-names gives 2 names (labels 0..1), but label "2" has no name',
    );
    const both = writeJsonl(join(dir, 'r60-both.jsonl'), [
      { label: 0, text: SENTENCES[0][1] },
      { label: '0', text: SENTENCES[1][1] },
      { label: 1, text: SENTENCES[2][1] },
    ]);
    expectNpcError(
      await run(['classify', '--train', both, '--label-names', 'Sport,Money', 'x']),
      2,
      '--label-names would give labels 0 and "0" the same name, but the data has both',
    );
  });
});

describe.concurrent('row 63: --sample or --limit beyond the test rows', () => {
  it.each([['--sample'], ['--limit']])(
    'row 63: %s 20 of 6 rows → a warning naming both counts (also in --json); all 6 evaluated',
    async (flag) => {
      const warning = `${flag} 20 asks for more rows than the test set has (6): all 6 are evaluated`;
      const r = await run(['eval', '--train', six, '--test', six, '-k', '1', '-q', flag, '20']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`npc: warning: ${warning}\n`);
      expect(r.stdout).toMatch(/^test rows {8}6$/m);
      const json = await run(['eval', '--train', six, '--test', six, '-k', '1', '-q', flag, '20', '--json']);
      expect(JSON.parse(json.stdout).warnings).toEqual([warning]);
      expect((await run(['eval', '--train', six, '--test', six, '-k', '1', '-q', flag, '6'])).stderr).toBe('');
    },
  );
});

/** Two classes of three rows and one of a single row. */
const rare = writeJsonl(join(dir, 'rare.jsonl'), [
  ...SENTENCES.slice(0, 4).flatMap(([label, text]) => [{ label, text }]),
  { label: 'sport', text: `${SENTENCES[0][1]} again` },
  { label: 'money', text: `${SENTENCES[2][1]} again` },
  { label: 'tech', text: SENTENCES[4][1] },
]);

describe.concurrent('row 61: --folds K with classes of fewer than K rows (as scikit-learn StratifiedKFold)', () => {
  it('row 61: a class smaller than K → a warning, and the report (table and --json) lists the folds each class is missing from', async () => {
    const warning =
      'a class has fewer rows than the 3 folds: "tech" (1 row); it is missing from the test side of some folds, ' +
      'and a class of one row from the training side of its fold (the report lists them)';
    const table = await run(['eval', '--data', rare, '--folds', '3', '--seed', '0', '-k', '1', '-q']);
    expect(table.code, table.stderr).toBe(0);
    expect(table.stderr).toBe(`npc: warning: ${warning}\n`);
    const json = await run(['eval', '--data', rare, '--folds', '3', '--seed', '0', '-k', '1', '-q', '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.warnings).toEqual([warning]);
    expect(report.pooled.warnings).toEqual([warning]);
    // The one tech row is in exactly one fold's test side, and that fold has no tech row to learn from.
    const folds = report.folds as { fold: number; absent_from_training: string[]; absent_from_test: string[] }[];
    const withTech = folds.filter((f) => !f.absent_from_test.includes('tech'));
    expect(withTech).toHaveLength(1);
    expect(withTech[0].absent_from_training).toEqual(['tech']);
    for (const f of folds.filter((f) => f !== withTech[0])) {
      expect(f.absent_from_training).toEqual([]);
      expect(f.absent_from_test).toContain('tech');
    }
    expect(table.stdout).toContain(`\n  fold ${withTech[0].fold}: training side: tech\n`);
  });

  it('row 61: every class smaller than K → exit 2 naming the largest class', async () => {
    expectNpcError(
      await run(['eval', '--data', rare, '--folds', '4', '-q']),
      2,
      '--folds 4 needs at least one class with 4 rows, but the largest class, "sport", has 3 (use --folds 3 or fewer, or --leave-one-out)',
    );
  });
});

describe.concurrent('row 62: cross-validation of a one-class file', () => {
  const one = writeJsonl(
    join(dir, 'one-class.jsonl'),
    SENTENCES.map(([, text]) => ({ label: 'news', text })),
  );
  it.each([['--folds', '2'], ['--holdout', '0.5'], ['--leave-one-out']])(
    'row 62: %s → accuracy 1 with a warning that it says nothing (also in --json)',
    async (...mode) => {
      const warning = 'the data has one class ("news"): every prediction is that class, so an accuracy of 1 says nothing about the texts';
      const r = await run(['eval', '--data', one, ...mode, '-k', '1', '-q', '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toBe(`npc: warning: ${warning}\n`);
      const report = JSON.parse(r.stdout);
      expect(report.pooled.strict).toBe(1);
      expect(report.warnings).toEqual([warning]);
    },
  );
});
