/**
 * Failure-matrix row 200: a training-side field or layout flag with the default data set (AG News from
 * the cache, no `--train`) is applied to the cached split on every command, as `npc classify` applies it,
 * never dropped: `npc eval` used to ignore it and exit 0. The cache holds a stand-in `ag_news` train split.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, escapeRegExp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { writeStandInSplit } from '../helpers/stand-in-cache.js';
import { SENTENCES_3_PER_CLASS } from '../fixtures/sentences.js';

const LABEL: Record<string, number> = { sport: 1, money: 2, tech: 3 };
const ROWS = SENTENCES_3_PER_CLASS.map(([label, text]) => ({ label: LABEL[label], text }));

let cache: string;
let test: string;
let train: string;
const env = (): { env: NodeJS.ProcessEnv } => ({ env: { NPC_DATA_DIR: cache } });

beforeAll(() => {
  const dir = makeTmp('npc-default-layout-');
  cache = join(dir, 'cache');
  train = writeStandInSplit(cache, 'train', ROWS);
  test = writeJsonl(join(dir, 'test.jsonl'), ROWS.slice(0, 3));
});

afterAll(() => cleanupTmp());

describe('row 200: field and layout flags on the default training split', () => {
  it('row 200: npc eval --train-text-field NAME with the default train split reads that field and fails naming the cached file and line, like classify', async () => {
    const evaluated = await run(['eval', '--test', test, '-k', '1', '--train-text-field', 'headline'], env());
    expectNpcError(evaluated, 1, new RegExp(`${escapeRegExp(train)}:1: missing "headline"$`));
    expect(evaluated.stdout).toBe('');
    const classified = await run(['classify', '--train-text-field', 'headline', 'a text'], env());
    expectNpcError(classified, 1, new RegExp(`${escapeRegExp(train)}:1: missing "headline"$`));
  });

  it('row 200: npc eval --train-format csv with the default train split reads it as CSV and fails naming the file, not silently as JSONL', async () => {
    const evaluated = await run(['eval', '--test', test, '-k', '1', '--train-format', 'csv'], env());
    expectNpcError(evaluated, 1, new RegExp(`${escapeRegExp(train)}:1: invalid quoting: .*`));
  });

  it('row 200: the flags that match the cached split (--train-text-field text) change nothing: the same report as without them', async () => {
    const plain = await run(['eval', '--test', test, '-k', '1', '--json', '--quiet'], env());
    const same = await run(
      ['eval', '--test', test, '-k', '1', '--json', '--quiet', '--train-text-field', 'text', '--train-label-field', 'label'],
      env(),
    );
    expect(plain.code).toBe(0);
    const report = (r: { stdout: string }): unknown => {
      const { elapsed_s: _e, pairs_per_second: _p, ...rest } = JSON.parse(r.stdout) as Record<string, unknown>;
      return rest;
    };
    expect(report(same)).toEqual(report(plain));
  });
});
