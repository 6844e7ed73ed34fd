/**
 * Failure-matrix rows 28, 30 and 32–36 (docs/failure-matrix.md): data that is wrong in a quiet way.
 * Labels that can never match, seeds that would wrap, label names that do not fit, formats per file,
 * corrupt gzip, the cache listing per split, and the per-class table.
 */
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTmp,
  expectNpcError,
  makeAgNewsTestCache,
  makeTrainingDir,
  npcShell,
  q,
  run,
  shell,
  writeIn,
  writeJsonl,
} from '../helpers/failure-tools.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { SENTENCES as SHARED } from '../fixtures/sentences.js';

/** The shared sentences of sport (label 1) and money (label 2), integer-labelled. */
const SENTENCES: [number, string][] = SHARED.slice(0, 4).map(([label, text]) => [label === 'sport' ? 1 : 2, text]);

let dir: string;
let intTrain: string;
beforeAll(() => ({ dir, train: intTrain } = makeTrainingDir('npc-data-', SENTENCES)));
afterAll(() => cleanupTmp());

const file = (name: string, content: string | Buffer): string => writeIn(dir, name, content);

describe.concurrent('row 28: test labels no training row has', () => {
  it('row 28: a test label no training row has → a warning naming it, in the table run and in --json (CSV labels spelt like training labels are matched)', async () => {
    const csv = file('r28.csv', `label,text\n1,${SENTENCES[0][1]}\n2,${SENTENCES[2][1]}\nweather,rain is coming tomorrow\n`);
    const matched =
      'npc: warning: 2 test labels have the text of a training label of another type and are taken for it ' +
      '(CSV and TSV labels are always strings): "1" as 1 (1 row), "2" as 2 (1 row)\n';
    const unseen = 'npc: warning: a test label that no training row has, so 1 test row is always wrong: "weather" (1 row)\n';
    const table = await run(['eval', '--train', intTrain, '--test', csv, '-k', '1', '--quiet']);
    expect(table.code).toBe(0);
    expect(table.stderr).toBe(matched + unseen);
    expect(table.stdout).toMatch(/^strict accuracy {2}0\.6667/m);
    const json = await run(['eval', '--train', intTrain, '--test', csv, '-k', '1', '--quiet', '--json']);
    expect(json.stderr).toBe(matched + unseen);
    const report = JSON.parse(json.stdout);
    expect(report.warnings).toEqual([matched, unseen].map((w) => w.slice('npc: warning: '.length, -1)));
    expect(report.unseen_test_labels).toEqual([{ label: 'weather', rows: 1 }]);
  });

  it('row 28: npc score warns the same way', async () => {
    const test = writeJsonl(join(dir, 'r28-test.jsonl'), [
      { label: 1, text: SENTENCES[0][1] },
      { label: 'weather', text: 'rain is coming' },
    ]);
    const nbr = join(dir, 'r28.nbr');
    expect((await run(['eval', '--train', intTrain, '--test', test, '--quiet', '--save-neighbors', nbr])).code).toBe(0);
    const s = await run(['score', nbr, '--train', intTrain, '--test', test]);
    expect(s.code).toBe(0);
    expect(s.stderr).toBe('npc: warning: a test label that no training row has, so 1 test row is always wrong: "weather" (1 row)\n');
  });
});

describe.concurrent('row 30: integers that cannot be held exactly are refused', () => {
  it.each(['4294967296', '99999999999999999999', '-1', '1.5', ''])('row 30: --seed %j → exit 2', async (seed) => {
    const r = await run(['eval', '--train', intTrain, '--test', intTrain, '--quiet', '--seed', seed]);
    expectNpcError(
      r,
      2,
      new RegExp(`option '--seed <s>' argument '${seed.replace('.', '\\.')}' is invalid\\. expected an integer from 0 to 4294967295\\.`),
      { usage: true },
    );
  });

  it('row 30: --seed 4294967295 is accepted; --limit beyond 2^53 is refused', async () => {
    expect((await run(['eval', '--train', intTrain, '--test', intTrain, '--quiet', '--seed', '4294967295', '--sample', '2'])).code).toBe(0);
    const r = await run(['eval', '--train', intTrain, '--test', intTrain, '--quiet', '--limit', '99999999999999999999']);
    expectNpcError(
      r,
      2,
      /option '--limit <n>' argument '99999999999999999999' is invalid\. expected a positive integer up to 9007199254740991\./,
      { usage: true },
    );
  });
});

describe.concurrent('row 32: --label-names must fit the labels', () => {
  const cases: [string, string[], string][] = [
    ['too few', ['A', 'B'], '--label-names gives 2 names (labels 0..1), but label 2 has no name'],
    ['extra', ['A', 'B', 'C', 'D'], '--label-names gives 4 names (labels 0..3), but the largest label in the data is 2'],
  ];
  it.each(cases)('row 32: %s names → exit 2', async (_, names, message) => {
    const r = await run(['classify', '--train', intTrain, '--label-names', names.join(','), 'x']);
    expectNpcError(r, 2, message);
  });

  it('row 32: duplicate names → exit 2', async () => {
    const r = await run(['classify', '--train', intTrain, '--label-names', 'A,B,A', 'x']);
    expectNpcError(r, 2, `option '--label-names <names>' argument 'A,B,A' is invalid. expected distinct names; "A" is given twice.`, {
      usage: true,
    });
  });

  it('row 32: string labels that are not integers ("one", "two") → exit 2 (names are for labels 0..N−1)', async () => {
    const strings = writeJsonl(
      join(dir, 'r32-strings.jsonl'),
      SENTENCES.map(([label, text]) => ({ label: label === 1 ? 'one' : 'two', text })),
    );
    const r = await run(['classify', '--train', strings, '--label-names', 'A,B,C', 'x']);
    expectNpcError(
      r,
      2,
      '--label-names gives 3 names (labels 0..2), but the data has labels that are not integers ("one", "two"), which are shown as they are',
    );
  });

  it('row 32: eval checks the test labels too; names that fit are used', async () => {
    const test = writeJsonl(join(dir, 'r32-test.jsonl'), [
      { label: 1, text: SENTENCES[0][1] },
      { label: 3, text: SENTENCES[1][1] },
    ]);
    expectNpcError(
      await run(['eval', '--train', intTrain, '--test', test, '--quiet', '--label-names', 'A,B,C']),
      2,
      '--label-names gives 3 names (labels 0..2), but label 3 has no name',
    );
    const ok = await run(['classify', '--train', intTrain, '-k', '1', '--label-names', 'zero,sport,money', SENTENCES[2][1]]);
    expect(ok.stdout).toBe('money\n');
  });
});

describe.concurrent('row 33: one format per file, TSV, and a hint for the wrong one', () => {
  it('row 33: .tsv is read as TSV (a quote is an ordinary character); --train-format reads a .txt', async () => {
    const body = `label\ttext\n1\t${SENTENCES[0][1]} "quoted"\n2\t${SENTENCES[2][1]}\n`;
    const tsv = file('r33.tsv', body);
    const txt = file('r33.txt', body);
    const r = await run(['classify', '--train', tsv, '-k', '1', SENTENCES[2][1]]);
    expect(r.stdout).toBe('2\n');
    expectNpcError(
      await run(['classify', '--train', txt, 'x']),
      2,
      `cannot tell the format of ${txt} from its extension (.txt); pass --train-format jsonl, csv or tsv`,
    );
    expect((await run(['classify', '--train', txt, '--train-format', 'tsv', '-k', '1', SENTENCES[2][1]])).stdout).toBe('2\n');
  });

  it('row 33: --train-format and --test-format apply to one file each; --format contradicting an extension is an error', async () => {
    const csvAsJsonl = file('r33-csv.jsonl', `label,text\n1,${SENTENCES[0][1]}\n2,${SENTENCES[2][1]}\n`);
    const e = await run(['eval', '--train', intTrain, '--test', csvAsJsonl, '--test-format', 'csv', '-k', '1', '--quiet', '--json']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.parse(e.stdout).n).toBe(2);
    expectNpcError(
      await run(['eval', '--train', intTrain, '--test', intTrain, '--format', 'csv', '--quiet']),
      2,
      `--format csv contradicts ${intTrain} (a .jsonl file); use --train-format csv to read that file as CSV`,
    );
  });

  it('row 33: plain text where JSONL is expected: the error names the option that reads it', async () => {
    const stdin = await run(['classify', '--train', intTrain], { input: 'just some words\n' });
    expectNpcError(stdin, 1, /<stdin>:1: invalid JSON \(.+\); for plain text lines pass --input text/);
    const csv = file('r33-plain.jsonl', `label,text\n1,${SENTENCES[0][1]}\n`);
    expectNpcError(
      await run(['classify', '--train', csv, 'x']),
      1,
      new RegExp(`${csv}:1: invalid JSON \\(.+\\); if the file is CSV or TSV, pass --train-format csv or tsv`),
    );
  });

  it('row 33: an unknown format name → usage error naming the choices', async () => {
    for (const flag of ['--train-format', '--format']) {
      const r = await run(['classify', '--train', intTrain, flag, 'xml', 'x']);
      expectNpcError(
        r,
        2,
        new RegExp(`option '${flag} <fmt>' argument 'xml' is invalid\\. expected 'jsonl', 'csv', 'tsv' or 'ag_news'\\.`),
        {
          usage: true,
        },
      );
    }
    expectNpcError(
      await run(['eval', '--test-format', 'xml']),
      2,
      /option '--test-format <fmt>' argument 'xml' is invalid\. expected 'jsonl', 'csv', 'tsv' or 'ag_news'\./,
      { usage: true },
    );
  });

  it('row 33: TSV without a header naming the text column → one line naming it and the flags for its columns', async () => {
    const tsv = file('r33-nohead.tsv', `1\t${SENTENCES[0][1]}\n`);
    expectNpcError(
      await run(['classify', '--train', tsv, 'x']),
      1,
      new RegExp(
        `${tsv}:1: the first row \\("1", ".+"\\) names no "text" column, so it is not a header; for a file without a header, name its columns with --no-header --columns label,text \\(or --train-columns for this file only\\)`,
      ),
    );
  });
});

describe.concurrent('row 34: gzip', () => {
  const rows =
    Array.from({ length: 400 }, (_, i) => JSON.stringify({ label: SENTENCES[i % 4][0], text: `${SENTENCES[i % 4][1]} number ${i}` })).join(
      '\n',
    ) + '\n';

  it('row 34: one flipped byte in the middle of a .gz → corrupt gzip data naming the file (never a bad line)', async () => {
    const gz = gzipSync(Buffer.from(rows));
    for (const at of [0.3, 0.5, 0.7]) {
      const bad = Buffer.from(gz);
      bad[Math.floor(bad.length * at)] ^= 0xff;
      const path = file(`r34-${at}.jsonl.gz`, bad);
      const r = await run(['eval', '--train', path, '--test', intTrain, '--quiet']);
      expectNpcError(r, 1, new RegExp(`${path}: corrupt gzip data \\(.+\\)`));
    }
  });

  it('row 34: gzip piped into classify is read; corrupt gzip on stdin is reported as such', async () => {
    const good = file('r34-good.jsonl.gz', gzipSync(Buffer.from(`{"text": "${SENTENCES[3][1]}"}\n`)));
    const r = await shell(`cat ${q(good)} | ${npcShell} classify --train ${q(intTrain)} -k 1`);
    expect(r.status, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).prediction).toBe(2);
    const bad = gzipSync(Buffer.from(rows));
    bad[Math.floor(bad.length / 2)] ^= 0xff;
    const badPath = file('r34-bad-stdin.gz', bad);
    const b = await shell(`cat ${q(badPath)} | ${npcShell} classify --train ${q(intTrain)} -k 1 > /dev/null`);
    expect(b.status).toBe(1);
    expect(b.stderr).toMatch(/^npc: <stdin>: corrupt gzip data \(.+\)\n$/);
  });

  it('row 34: a truncated .gz → corrupt gzip data', async () => {
    const gz = gzipSync(Buffer.from(rows));
    const path = file('r34-cut.jsonl.gz', gz.subarray(0, Math.floor(gz.length / 2)));
    expectNpcError(await run(['classify', '--train', path, 'x']), 1, new RegExp(`${path}: corrupt gzip data \\(.+\\)`));
  });
});

const haveAgCsv = requireSharedData('ag_news/test.csv.gz');

describe('row 35: npc data list, per split', () => {
  it.skipIf(!haveAgCsv)('row 35: only the test split cached → train "not cached", test "cached"', async () => {
    const { cache } = await makeAgNewsTestCache(sharedDataPath('ag_news/test.csv.gz'));
    const r = await run(['data', 'list'], { env: { NPC_DATA_DIR: cache } });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t').slice(0, 4));
    expect(lines.filter(([name]) => name === 'ag_news')).toEqual([
      ['ag_news', 'train', '120000 rows', 'not cached'],
      ['ag_news', 'test', '7600 rows', 'cached'],
    ]);
    // Every other data set of the catalog is listed, none of it cached.
    const others = lines.filter(([name]) => name !== 'ag_news');
    expect(others.length).toBeGreaterThan(0);
    expect(others.filter(([, , , cached]) => cached !== 'not cached')).toEqual([]);
  });
});

describe.concurrent('row 36: the per-class table lists predicted-only labels', () => {
  it('row 36: a label predicted but never true is listed with n = 0, and macro-F1 is the mean of the listed F1s', async () => {
    // Test rows are all label 1; one of them is nearest to a label-2 training row.
    const test = writeJsonl(join(dir, 'r36-test.jsonl'), [
      { label: 1, text: SENTENCES[0][1] },
      { label: 1, text: SENTENCES[2][1] },
    ]);
    const r = await run(['eval', '--train', intTrain, '--test', test, '-k', '1', '--quiet', '--json']);
    const report = JSON.parse(r.stdout);
    expect(report.per_class.map((c: { label: number; n: number }) => [c.label, c.n])).toEqual([
      [1, 2],
      [2, 0],
    ]);
    const mean = report.per_class.reduce((s: number, c: { f1: number }) => s + c.f1, 0) / report.per_class.length;
    expect(report.macro_f1).toBeCloseTo(mean, 12);
    const table = await run(['eval', '--train', intTrain, '--test', test, '-k', '1', '--quiet']);
    expect(table.stdout).toMatch(/^ {2}2 +0 {2}0\.0000 +0\.0000 {2}0\.0000 {2}0\.0000$/m);
  });
});
