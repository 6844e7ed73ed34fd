/**
 * Your own labelled file, end to end: holdout, stratified k-fold and leave-one-out on one file;
 * CSV and TSV through classify byte for byte; nested and joined fields. Failure-matrix rows 45–47.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { assignFolds } from '../../src/app/cross-validate.js';
import { parseNeighborsFile } from '../../src/io/neighbors-file.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { requirePython3 } from '../helpers/prerequisites.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { repoRoot } from '../helpers/run-npc.js';

afterAll(() => cleanupTmp());
const dir = makeTmp('npc-own-');
const haveR8 = requireSharedData('r8/train.jsonl.gz', 'r52/train.jsonl.gz');

describe.skipIf(!haveR8)('cross-validation on R8 and R52', () => {
  it('R8 train, --folds 5 --seed 1: the folds partition the file and each holds its class share within one row', () => {
    const labels = readJsonlGz(sharedDataPath('r8/train.jsonl.gz')).map((r) => r.label);
    const fold = assignFolds(labels, { kind: 'folds', k: 5 }, 1);
    expect(fold.every((f) => f >= 0 && f < 5)).toBe(true); // every row in exactly one fold
    const sizes = [0, 1, 2, 3, 4].map((f) => fold.filter((x) => x === f).length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    for (const label of new Set(labels)) {
      const n = labels.filter((l) => l === label).length;
      for (let f = 0; f < 5; f++) {
        const inFold = labels.filter((l, i) => l === label && fold[i] === f).length;
        expect(Math.abs(inFold - n / 5)).toBeLessThanOrEqual(1);
      }
    }
    // Deterministic for a seed, different for another.
    expect(assignFolds(labels, { kind: 'folds', k: 5 }, 1)).toEqual(fold);
    expect(assignFolds(labels, { kind: 'folds', k: 5 }, 2)).not.toEqual(fold);
  });

  it('--leave-one-out on the first 300 rows of R52 train equals an independent computation (CPython gzip.compress), row for row', async (ctx) => {
    if (!requirePython3('the leave-one-out CPython comparison')) return ctx.skip();
    const rows = readJsonlGz(sharedDataPath('r52/train.jsonl.gz')).slice(0, 300);
    const data = writeJsonl(join(dir, 'r52-300.jsonl'), rows);
    const nbr = join(dir, 'loo.nbr');
    const r = await run(['eval', '--data', data, '--leave-one-out', '-k', '1,2', '-q', '--save-neighbors', nbr, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const saved = parseNeighborsFile(readFileSync(nbr), nbr);
    const m = saved.header.m;
    const ref = spawnSync(
      'python3',
      [join(repoRoot, 'scripts/reference_neighbors.py'), '--train', data, '--test', data, '--leave-one-out', '--m', String(m)],
      { encoding: 'utf8', maxBuffer: 1 << 28 },
    );
    expect(ref.status, ref.stderr).toBe(0);
    const expected = JSON.parse(ref.stdout) as { index: number; neighbors: [number, number][] }[];
    expect(saved.size).toBe(300);
    for (let i = 0; i < saved.size; i++) {
      const row = saved.row(i);
      expect(row.testRow).toBe(expected[i].index);
      expect(Array.from(row.indices)).toEqual(expected[i].neighbors.map((n) => n[0]));
      expect(Array.from(row.distances)).toEqual(expected[i].neighbors.map((n) => n[1]));
      expect(Array.from(row.indices)).not.toContain(row.testRow);
    }
    // The duplicates, counted independently: rows whose exact text occurs elsewhere among the 300.
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.text, (counts.get(row.text) ?? 0) + 1);
    expect(JSON.parse(r.stdout).duplicates).toBe(rows.filter((row) => counts.get(row.text)! > 1).length);
  });
});

describe('cross-validation on our own sentences', () => {
  const rows = SENTENCES.flatMap(([label, text], i) =>
    [0, 1, 2].map((j) => ({ label, text: `${text} ${['today', 'again', 'at last'][j]}`, id: i * 3 + j })),
  );
  rows.push({ label: 'sport', text: rows[0].text, id: 99 }); // an exact duplicate
  const data = writeJsonl(join(dir, 'own.jsonl'), rows);

  it('--folds 3: per fold and mean ± sd, --predictions carry the fold, the duplicate is counted', async () => {
    const preds = join(dir, 'folds.jsonl');
    const r = await run(['eval', '--data', data, '--folds', '3', '--seed', '4', '-k', '1,2', '-q', '--json', '--predictions', preds]);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.folds).toHaveLength(3);
    expect(report.folds.reduce((s: number, f: { test: number }) => s + f.test, 0)).toBe(rows.length);
    expect(report.mean_sd.map((m: { k: number }) => m.k)).toEqual([1, 2]);
    expect(report.pooled.n).toBe(rows.length);
    const lines = readFileSync(preds, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(rows.length);
    expect(new Set(lines.map((l) => l.fold))).toEqual(new Set([0, 1, 2]));
    expect(report.duplicates).toBeLessThanOrEqual(2);
    const table = await run(['eval', '--data', data, '--folds', '3', '--seed', '4', '-q']);
    expect(table.stdout).toMatch(/^mean ± sd over the 3 folds \(sample sd\):$/m);
  });

  it('--holdout 0.25: one stratified split; the same seed gives the same rows', async () => {
    const a = join(dir, 'h1.jsonl');
    const b = join(dir, 'h2.jsonl');
    expect((await run(['eval', '--data', data, '--holdout', '0.25', '--seed', '7', '-q', '--predictions', a])).code).toBe(0);
    expect((await run(['eval', '--data', data, '--holdout', '0.25', '--seed', '7', '-q', '--predictions', b])).code).toBe(0);
    expect(readFileSync(a, 'utf8')).toBe(readFileSync(b, 'utf8'));
    expect(readFileSync(a, 'utf8').trim().split('\n')).toHaveLength(Math.round(0.25 * rows.length));
  });

  it.each([
    [['--data', data, '--folds', '1'], 2, '--folds needs at least 2 folds'],
    [
      ['--data', data, '--folds', '8'],
      2,
      '--folds 8 needs at least one class with 8 rows, but the largest class, "sport", has 7 (use --folds 7 or fewer, or --leave-one-out)',
    ],
    [
      ['--data', data, '--holdout', '1.5'],
      2,
      "option '--holdout <fraction>' argument '1.5' is invalid. expected a probability between 0 and 1 (exclusive), such as 0.01. (see --help)",
    ],
    [['--data', data, '--holdout', '0.01'], 2, '--holdout 0.01 of 19 rows leaves 0 test rows and 19 training rows: both need at least one'],
    [
      ['--data', data, '--folds', '2', '--train', data],
      2,
      '--data is one file split into training and test rows: it cannot be combined with --train or --test',
    ],
    [['--data', data], 2, '--data needs one of --holdout FRACTION, --folds K or --leave-one-out'],
    [['--data', data, '--folds', '2', '--leave-one-out'], 2, '--folds and --leave-one-out cannot be combined: choose one'],
    [['--folds', '2'], 2, '--folds needs --data FILE (one labelled file to split)'],
  ])('row 45: eval %j → exit %i', async (args, code, message) => {
    expectNpcError(await run(['eval', '-q', ...args]), code, message);
  });
});

describe('row 46: CSV and TSV through classify, written back byte for byte', () => {
  const train = writeJsonl(
    join(dir, 'title-train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, title: text })),
  );

  it('row 46: quoted commas, doubled quotes, CRLF, a line end inside quotes, a blank line, an empty field: the same bytes plus the column', async () => {
    const input =
      'id,title,note\r\n' +
      `1,"${SENTENCES[2][1]}, again",\r\n` +
      '\r\n' +
      `2,"The ""striker"" scored\r\ntwice and the home side won",x\r\n` +
      `3,${SENTENCES[5][1]},"y, ""z"""`;
    const r = await run(['classify', '--train', train, '--text-field', 'title', '-k', '1', '--input', 'csv'], { input });
    expect(r.code, r.stderr).toBe(0);
    const lines = input.split(/(?<=\r\n)/);
    const expected =
      'id,title,note,prediction\r\n' +
      `1,"${SENTENCES[2][1]}, again",,money\r\n` +
      '\r\n' +
      `2,"The ""striker"" scored\r\ntwice and the home side won",x,sport\r\n` +
      `3,${SENTENCES[5][1]},"y, ""z""",tech`;
    expect(lines.length).toBeGreaterThan(3);
    expect(r.stdout).toBe(expected);
  });

  it('row 46: TSV likewise (quotes are ordinary characters); an empty text cell gets the placeholder and a warning', async () => {
    const input = `id\ttitle\n1\t"${SENTENCES[2][1]}"\n2\t\n`;
    const r = await run(['classify', '--train', train, '--text-field', 'title', '-k', '1', '--input', 'tsv'], { input });
    expect(r.stdout).toBe(`id\ttitle\tprediction\n1\t"${SENTENCES[2][1]}"\tmoney\n2\t\t?\n`);
    expect(r.stderr).toBe(`npc: warning: <stdin>: 1 empty "title" cell not classified (line 3); each got '?' (--empty-label)\n`);
  });

  it('row 46: a header that already has the column, a row with the wrong number of fields, an unterminated quote → one line, exit 1', async () => {
    expectNpcError(
      await run(['classify', '--train', train, '--text-field', 'title', '--input', 'csv'], { input: 'title,prediction\nx,y\n' }),
      1,
      '<stdin>:1: the header already has a "prediction" column, which npc would add; name the new column with --output-field NAME',
    );
    expectNpcError(
      await run(['classify', '--train', train, '--text-field', 'title', '--input', 'csv'], { input: 'id,title\n1,a,b\n' }),
      1,
      '<stdin>:2: wrong number of fields: expected 2, got 3',
    );
    expectNpcError(
      await run(['classify', '--train', train, '--text-field', 'title', '--input', 'csv'], { input: 'id,title\n1,"open\n' }),
      1,
      '<stdin>:2: unterminated quoted field: the quote opened in this record is never closed',
    );
  });
});

describe('row 47: nested and joined fields', () => {
  const nested = join(dir, 'nested.jsonl');
  writeFileSync(
    nested,
    SENTENCES.map(([label, text], i) =>
      JSON.stringify({
        meta: { title: text.split(' ').slice(0, 4).join(' '), 'topic.name': label },
        body: text.split(' ').slice(4).join(' '),
        id: i,
      }),
    ).join('\n') + '\n',
  );

  it('row 47: --text-field meta.title,body joins the two with one space; --label-field meta.topic\\.name reads a key with a dot', async () => {
    const r = await run(
      ['classify', '--train', nested, '--text-field', 'meta.title,body', '--label-field', 'meta.topic\\.name', '-k', '1', '--json'],
      {
        input: JSON.stringify({ meta: { title: 'Shares slid on the' }, body: 'stock market as investors dumped bank stocks' }) + '\n',
      },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ prediction: 'money', distance: expect.any(Number) });
    // The joined text is exactly "title body": the same NCD as the plain sentence against the same rows.
    const plain = writeJsonl(
      join(dir, 'plain.jsonl'),
      SENTENCES.map(([label, text]) => ({ label, text })),
    );
    const p = await run(['classify', '--train', plain, '-k', '1', '--json', SENTENCES[2][1]]);
    expect(JSON.parse(p.stdout).distance).toBe(JSON.parse(r.stdout).distance);
  });

  it('row 47: a missing path names the path and the line; a path through a non-object says so', async () => {
    const bad = join(dir, 'bad-nested.jsonl');
    writeFileSync(bad, `${JSON.stringify({ meta: { title: 'a b c' }, label: 'x' })}\n${JSON.stringify({ meta: 'flat', label: 'y' })}\n`);
    expectNpcError(await run(['classify', '--train', bad, '--text-field', 'meta.name', 'x']), 1, `${bad}:1: missing "meta.name"`);
    expectNpcError(
      await run(['classify', '--train', bad, '--text-field', 'meta.title', 'x']),
      1,
      `${bad}:2: "meta" is not an object (looking for "meta.title")`,
    );
    expectNpcError(
      await run(['classify', '--train', bad, '--label-field', 'a,b', 'x']),
      2,
      `option '--label-field <spec>' argument 'a,b' is invalid. "a,b" names several fields; a label is one field. (see --help)`,
    );
    const csv = join(dir, 'nested.csv');
    writeFileSync(csv, 'meta,label\nx,y\n');
    expectNpcError(
      await run(['classify', '--train', csv, '--text-field', 'meta.title', 'x']),
      1,
      `${csv}: --text-field "meta.title" is a nested path, but CSV and TSV columns have no nesting (escape a dot in a column name as \\.)`,
    );
  });
});
