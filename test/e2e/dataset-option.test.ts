/**
 * Failure-matrix rows 195–199 (docs/failure-matrix.md): `--dataset NAME` on eval, classify, drift and
 * model build. The cache these tests use holds small stand-in splits of `ag_news` (the shared sentences,
 * labels 1–3), written as `npc data get` leaves a split: `<split>.jsonl` and `<split>.meta.json` with the
 * catalog's pins of the original file. Before every use npc checks the JSONL against its meta file and the
 * meta file against the catalog, not the rows against the original, so a stand-in is read as the data set
 * is; each `--dataset` run is compared with the same run on the cached files given by path.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AG_NEWS_TEST_JSONL_SHA256,
  cleanupTmp,
  escapeRegExp,
  expectNpcError,
  makeAgNewsTestCache,
  makeTmp,
  run,
  writeJsonl,
} from '../helpers/failure-tools.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { writeStandInSplit } from '../helpers/stand-in-cache.js';
import { SENTENCES_3_PER_CLASS } from '../fixtures/sentences.js';

const LABEL: Record<string, number> = { sport: 1, money: 2, tech: 3 };
const AG_NEWS_NAMES = 'World,Sports,Business,Sci/Tech';
const TRAIN_ROWS = SENTENCES_3_PER_CLASS.map(([label, text]) => ({ label: LABEL[label], text }));
/** Test rows: variations of the training sentences (so the nearest neighbours differ from row to row). */
const TEST_ROWS = SENTENCES_3_PER_CLASS.map(([label, text], i) => ({ label: LABEL[label], text: `${text} ${i % 2 ? 'today' : 'again'}` }));

let dir: string;
let cache: string;
let empty: string;
let cachedTrain: string;
let cachedTest: string;
let reference: string;
let current: string;
let model: string;
const env = (): { env: NodeJS.ProcessEnv } => ({ env: { NPC_DATA_DIR: cache } });

beforeAll(async () => {
  dir = makeTmp('npc-dataset-');
  cache = makeTmp('npc-dataset-cache-');
  empty = makeTmp('npc-dataset-empty-');
  cachedTrain = writeStandInSplit(cache, 'train', TRAIN_ROWS);
  cachedTest = writeStandInSplit(cache, 'test', TEST_ROWS);
  reference = writeJsonl(join(dir, 'reference.jsonl'), TEST_ROWS.slice(0, 6));
  current = writeJsonl(join(dir, 'current.jsonl'), TEST_ROWS.slice(3));
  const train = writeJsonl(join(dir, 'train.jsonl'), TRAIN_ROWS);
  model = join(dir, 'sentences.npcm');
  const built = await run(['model', 'build', '--train', train, '-o', model, '--quiet']);
  if (built.code !== 0) throw new Error(`model build failed: ${built.stderr}`);
});
afterAll(() => cleanupTmp());

/** An eval --json report without what names the files or measures the time. */
function comparable(stdout: string): Record<string, unknown> {
  const report = JSON.parse(stdout) as Record<string, unknown>;
  for (const key of ['train', 'test', 'elapsed_s', 'pairs_per_second', 'model']) delete report[key];
  return report;
}

describe.concurrent("row 195: --dataset NAME reads NAME's cached splits, with the catalog's label names", () => {
  it('row 195: eval --dataset ag_news gives the report of --train and --test naming the cached files, labels shown by their catalog names', async () => {
    const byName = await run(['eval', '--dataset', 'ag_news', '-k', '1,2', '--json', '--quiet'], env());
    const byPath = await run(
      ['eval', '--train', cachedTrain, '--test', cachedTest, '-k', '1,2', '--json', '--quiet', '--label-names', AG_NEWS_NAMES],
      env(),
    );
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    expect(byPath.code).toBe(0);
    expect(comparable(byName.stdout)).toEqual(comparable(byPath.stdout));
    expect(JSON.parse(byName.stdout)).toMatchObject({ train: cachedTrain, test: cachedTest, n: TEST_ROWS.length });
    const table = await run(['eval', '--dataset', 'ag_news', '-k', '1', '--quiet'], env());
    expect(table.code).toBe(0);
    for (const name of ['Sports', 'Business', 'Sci/Tech']) expect(table.stdout).toContain(name);
  });

  it('row 195: classify --dataset ag_news answers as classify --train with the cached train split and the catalog names', async () => {
    const texts = TEST_ROWS.map((r) => r.text);
    const byName = await run(['classify', '--dataset', 'ag_news', '-k', '1', ...texts], env());
    const byPath = await run(['classify', '--train', cachedTrain, '--label-names', AG_NEWS_NAMES, '-k', '1', ...texts], env());
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe(byPath.stdout);
    expect(byName.stdout.trim().split('\n')).toHaveLength(texts.length);
    expect(byName.stdout).toContain('Sports');
  });

  it('row 195: drift --dataset ag_news gives the report of drift --train with the cached train split', async () => {
    const args = ['--reference', reference, '--current', current, '--json', '--quiet', '-k', '1'];
    const byName = await run(['drift', '--dataset', 'ag_news', ...args], env());
    const byPath = await run(['drift', '--train', cachedTrain, '--label-names', AG_NEWS_NAMES, ...args], env());
    expect(byName.stderr).toBe(byPath.stderr);
    expect([0, 3]).toContain(byName.code);
    expect(byName.code).toBe(byPath.code);
    expect(byName.stdout).toBe(byPath.stdout);
    expect(Object.keys(JSON.parse(byName.stdout))).toContain('drift');
  });

  it("row 195: model build --dataset ag_news holds the train split, evaluated on the test split (eval --dataset's report), and says so in its card", async () => {
    const out = join(dir, 'by-name.npcm');
    const built = await run(['model', 'build', '--dataset', 'ag_news', '-k', '1', '-o', out, '--quiet'], env());
    expect(built.stderr).toBe('');
    expect(built.code).toBe(0);
    const card = JSON.parse((await run(['model', 'show', out, '--json'])).stdout);
    expect(card.training).toMatchObject({ file: '<dataset ag_news>', rows: TRAIN_ROWS.length, sha256: sha256Of(cachedTrain) });
    expect(card.evaluation.method).toMatch(/^--dataset ag_news -k 1 /);
    const evaluated = await run(['eval', '--dataset', 'ag_news', '-k', '1', '--json', '--quiet'], env());
    expect(comparable(JSON.stringify(card.evaluation.report))).toEqual(comparable(evaluated.stdout));
    const classified = await run(['classify', '--model', out, '--quiet', TEST_ROWS[0].text]);
    expect(classified.stdout).toBe('Sports\n');
    const folds = join(dir, 'folds.npcm');
    expect((await run(['model', 'build', '--dataset', 'ag_news', '--folds', '3', '-o', folds, '--quiet'], env())).code).toBe(0);
    const foldCard = JSON.parse((await run(['model', 'show', folds, '--json'])).stdout);
    expect(foldCard.evaluation.method).toMatch(/^--data "\$\(npc data path ag_news --split train\)" --folds 3 /);
  });

  it.each([
    ['eval', '--dataset', 'ag_news'],
    ['classify', '--dataset', 'ag_news', 'a text'],
    ['drift', '--dataset', 'ag_news', '--reference', 'REF', '--current', 'CUR'],
    ['model', 'build', '--dataset', 'ag_news', '-o', 'OUT'],
  ])('row 195: %s %s %s with NAME not in the cache → the command that downloads it, exit 1, nothing written', async (...args) => {
    const out = join(dir, `never-${args[0]}.npcm`);
    const r = await run(
      args.map((a) => (a === 'REF' ? reference : a === 'CUR' ? current : a === 'OUT' ? out : a)),
      { env: { NPC_DATA_DIR: empty } },
    );
    expectNpcError(r, 1, `the ag_news train split is not in the cache (${empty}); run 'npc data get ag_news' to download it`);
    expect(readdirSync(empty)).toEqual([]);
    expect(readdirSync(dir)).not.toContain(`never-${args[0]}.npcm`);
  });

  it('row 195: --dataset with a name the catalog does not know → an error listing the known ones, exit 1', async () => {
    for (const args of [
      ['eval', '--dataset', 'no_such_set'],
      ['classify', '--dataset', 'no_such_set', 'a text'],
      ['model', 'build', '--dataset', 'no_such_set', '-o', join(dir, 'unknown.npcm')],
    ]) {
      const r = await run(args, env());
      expectNpcError(r, 1, /unknown data set 'no_such_set' \(known: [^)]*\bag_news\b[^)]*\)/);
    }
  });
});

describe.concurrent('row 196: --dataset with --train, --test or --data', () => {
  it.each([
    [['eval', '--dataset', 'ag_news', '--train', 'TRAIN'], '--train', 'the training split'],
    [['eval', '--dataset', 'ag_news', '--test', 'TRAIN'], '--test', 'the test split'],
    [['eval', '--dataset', 'ag_news', '--data', 'TRAIN', '--folds', '3'], '--data', 'the rows to evaluate'],
    [['classify', '--dataset', 'ag_news', '--train', 'TRAIN', 'a text'], '--train', 'the training split'],
    [['drift', '--dataset', 'ag_news', '--train', 'TRAIN', '--reference', 'TRAIN', '--current', 'TRAIN'], '--train', 'the training split'],
    [['model', 'build', '--dataset', 'ag_news', '--train', 'TRAIN', '-o', 'OUT'], '--train', 'the training split'],
    [
      ['model', 'build', '--dataset', 'ag_news', '--test', 'TRAIN', '-o', 'OUT'],
      '--test',
      'the test split (the evaluation, unless --folds or --holdout)',
    ],
  ])('row 196: %j → a usage error naming both flags, exit 2', async (args, flag, side) => {
    const r = await run(
      args.map((a) => (a === 'TRAIN' ? cachedTrain : a === 'OUT' ? join(dir, 'never.npcm') : a)),
      env(),
    );
    expectNpcError(r, 2, `--dataset ag_news and ${flag} both give ${side}: use one`);
  });

  it('row 196: model build with neither --train nor --dataset → a usage error naming both, exit 2', async () => {
    const r = await run(['model', 'build', '-o', join(dir, 'never.npcm')], env());
    expectNpcError(r, 2, 'model build needs --train FILE or --dataset NAME (the training rows)');
  });
});

describe.concurrent('row 197: --dataset with --model', () => {
  it("row 197: eval --model M --dataset ag_news evaluates the model on the data set's test split (as --test with the cached file), labels by the catalog's names", async () => {
    const byName = await run(['eval', '--model', model, '--dataset', 'ag_news', '-k', '1,2', '--json', '--quiet'], env());
    const byPath = await run(
      ['eval', '--model', model, '--test', cachedTest, '-k', '1,2', '--json', '--quiet', '--label-names', AG_NEWS_NAMES],
      env(),
    );
    expect(byName.stderr).toBe('');
    expect(byName.code).toBe(0);
    expect(comparable(byName.stdout)).toEqual(comparable(byPath.stdout));
    expect(JSON.parse(byName.stdout)).toMatchObject({ test: cachedTest, n: TEST_ROWS.length, train_size: TRAIN_ROWS.length });
  });

  it.skipIf(!requireSharedData('ag_news/test.csv.gz'))(
    "row 197: eval --model M --dataset ag_news on the test split `npc data get ag_news --from` installed: the report of --test with the cached file, AG News' label names",
    async () => {
      const { cache: installed, jsonl } = await makeAgNewsTestCache(sharedDataPath('ag_news/test.csv.gz'));
      expect(sha256Of(jsonl)).toBe(AG_NEWS_TEST_JSONL_SHA256);
      const ag = writeJsonl(join(dir, 'ag-train.jsonl'), [
        { label: 0, text: 'Leaders meet at the summit to talk about the war and peace talks' },
        { label: 1, text: TRAIN_ROWS[0].text },
        { label: 2, text: TRAIN_ROWS[3].text },
        { label: 3, text: TRAIN_ROWS[6].text },
      ]);
      const agModel = join(dir, 'ag.npcm');
      expect((await run(['model', 'build', '--train', ag, '-o', agModel, '--quiet'])).code).toBe(0);
      const opts = { env: { NPC_DATA_DIR: installed } };
      const byName = await run(['eval', '--model', agModel, '--dataset', 'ag_news', '-k', '1', '--limit', '40', '--quiet'], opts);
      const byPath = await run(
        ['eval', '--model', agModel, '--test', jsonl, '-k', '1', '--limit', '40', '--quiet', '--label-names', AG_NEWS_NAMES],
        opts,
      );
      expect(byName.stderr).toBe('');
      expect(byName.code).toBe(0);
      const untimed = (stdout: string): string => stdout.replace(/^(elapsed|pairs per second) .*$/gm, '');
      expect(untimed(byName.stdout)).toBe(untimed(byPath.stdout));
      expect(byName.stdout).toMatch(/^test rows +40 \(first 40 of 7600 in /m);
      for (const name of ['World', 'Sports', 'Business', 'Sci/Tech']) expect(byName.stdout).toContain(name);
    },
  );

  it('row 197: eval --model without --test or --dataset → a usage error naming both, exit 2', async () => {
    const r = await run(['eval', '--model', model], env());
    expectNpcError(
      r,
      2,
      'eval --model needs --test FILE or --dataset NAME, the labelled rows to evaluate the model on (it never falls back to AG News)',
    );
  });

  it.each([
    [['classify', '--model', 'MODEL', '--dataset', 'ag_news', 'a text']],
    [['drift', '--model', 'MODEL', '--dataset', 'ag_news', '--current', 'REF']],
  ])('row 197: %j → refused: the model is the training side, exit 2', async (args) => {
    const r = await run(
      args.map((a) => (a === 'MODEL' ? model : a === 'REF' ? reference : a)),
      env(),
    );
    expectNpcError(r, 2, '--model and --dataset ag_news both give the training side: use one (the model holds its training rows)');
  });
});

describe.concurrent('row 198: --dataset with a flag that describes a data file', () => {
  it.each([
    ['eval', ['--format', 'csv']],
    ['eval', ['--text-field', 'body']],
    ['eval', ['--test-label-field', 'topic']],
    ['eval', ['--train-columns', 'label,text']],
    ['eval --model', ['--test-format', 'csv']],
    ['classify', ['--train-format', 'csv']],
    ['classify', ['--format', 'tsv']],
    ['drift', ['--label-field', 'topic']],
    ['drift', ['--train-format', 'csv']],
    ['model build', ['--no-header']],
    ['model build', ['--label-field', 'topic']],
  ])(
    'row 198: %s --dataset ag_news %j → a usage error: the cached splits are JSONL, the flag would be ignored; exit 2',
    async (command, flag) => {
      const base: Record<string, string[]> = {
        eval: ['eval', '--dataset', 'ag_news'],
        'eval --model': ['eval', '--model', model, '--dataset', 'ag_news'],
        classify: ['classify', '--dataset', 'ag_news', 'a text'],
        drift: ['drift', '--dataset', 'ag_news', '--reference', reference, '--current', current],
        'model build': ['model', 'build', '--dataset', 'ag_news', '-o', join(dir, 'never.npcm')],
      };
      const r = await run([...base[command], ...flag], env());
      expectNpcError(
        r,
        2,
        `${flag[0]} describes a data file, but --dataset ag_news reads the cached splits (JSONL with "label" and "text"), so it would be ignored`,
      );
    },
  );

  it('row 198: classify --dataset takes the input’s own flags (--test-text-field, --input) and --strip', async () => {
    const input = TEST_ROWS.map((r) => JSON.stringify({ body: r.text })).join('\n') + '\n';
    const byName = await runWithInput(['classify', '--dataset', 'ag_news', '--test-text-field', 'body', '--strip', '-k', '1'], input);
    const byPath = await runWithInput(
      ['classify', '--train', cachedTrain, '--label-names', AG_NEWS_NAMES, '--test-text-field', 'body', '--strip', '-k', '1'],
      input,
    );
    expect(byName.code).toBe(0);
    expect(byName.stdout).toBe(byPath.stdout);
    expect(byName.stdout.trim().split('\n')).toHaveLength(TEST_ROWS.length);
  });
});

describe.concurrent("row 199: a data set's name given where a file is expected", () => {
  it.each([
    [['eval', '--train', 'ag_news', '--test', 'TEST'], '--train'],
    [['eval', '--train', 'TEST', '--test', 'ag_news'], '--test'],
    [['eval', '--data', 'ag_news', '--folds', '3'], '--data'],
    [['classify', '--train', 'ag_news', 'a text'], '--train'],
    [['drift', '--train', 'ag_news', '--reference', 'TEST', '--current', 'TEST'], '--train'],
    [['model', 'build', '--train', 'ag_news', '-o', 'OUT'], '--train'],
  ])('row 199: %j with no file of that name → a usage error suggesting --dataset, exit 2', async (args, flag) => {
    const r = await run(
      args.map((a) => (a === 'TEST' ? cachedTest : a === 'OUT' ? join(dir, 'never.npcm') : a)),
      { ...env(), cwd: dir },
    );
    expectNpcError(r, 2, `${flag} ag_news: there is no such file, but ag_news is a data set: use --dataset ag_news (see npc data list)`);
  });

  it('row 199: score --train ag_news (score has no --dataset) → a usage error naming the cached split by path, exit 2', async () => {
    const r = await run(['score', join(dir, 'never.nbr'), '--train', 'ag_news', '--test', cachedTest], { ...env(), cwd: dir });
    expectNpcError(
      r,
      2,
      '--train ag_news: there is no such file, but ag_news is a data set: its cached split is --train "$(npc data path ag_news --split train)"',
    );
  });

  it('row 199: a file that has a data set’s name is read as that file', async () => {
    const own = makeTmp('npc-dataset-cwd-');
    writeJsonl(join(own, 'ag_news'), TRAIN_ROWS);
    const r = await run(['eval', '--train', 'ag_news', '--test', cachedTest, '-k', '1', '--json', '--quiet'], { ...env(), cwd: own });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ train: 'ag_news', train_size: TRAIN_ROWS.length });
  });

  it('row 199: a missing file with any other name is the usual missing-file error', async () => {
    const r = await run(['eval', '--train', 'no_such_set', '--test', cachedTest], { ...env(), cwd: dir });
    expectNpcError(r, 1, new RegExp(`${escapeRegExp('no_such_set')}: .*no such file or directory`));
  });
});

function sha256Of(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

async function runWithInput(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(args, { ...env(), input });
}
