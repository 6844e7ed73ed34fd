/**
 * The library reproduces `npc eval`: GzipKnnClassifier({ k, tie }).predict equals the predictions eval
 * writes with the same -k and --tie, for every rule without draws (the random rule draws per text in the
 * library, as classify does, and in row order in eval: test/e2e/classify-tie.test.ts). On a small set of
 * our own sentences built to be full of ties and on the first rows of R52 (decrement differs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipKnnClassifier } from '../../src/index.js';
import { TIE_RULES, type TieRule } from '../../src/model/tie-rules.js';
import { type Row, tiedTest as ownTest, tiedTrain as ownTrain } from '../fixtures/tied-sentences.js';
import { cleanupTmp, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

afterAll(() => cleanupTmp());

async function evalPredictions(train: Row[], test: Row[], k: number, tie: TieRule): Promise<unknown[]> {
  const dir = makeTmp('npc-lib-tie-');
  const preds = join(dir, 'p.jsonl');
  const args = ['eval', '--train', writeJsonl(join(dir, 'train.jsonl'), train), '--test', writeJsonl(join(dir, 'test.jsonl'), test)];
  const r = await run([...args, '-k', String(k), '--tie', tie, '--seed', '7', '--quiet', '--predictions', preds]);
  expect(r.code, r.stderr).toBe(0);
  return readFileSync(preds, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l).prediction);
}

function libraryPredictions(train: Row[], test: Row[], k: number, tie: TieRule): unknown[] {
  return new GzipKnnClassifier({ k, tie, seed: 7 })
    .fit(
      train.map((t) => t.text),
      train.map((t) => t.label),
    )
    .predict(test.map((t) => t.text));
}

/** The rules that make no draw: the library and eval agree on them row for row. */
const DRAWLESS = TIE_RULES.filter((tie) => tie !== 'random');

describe('the library and npc eval agree on every tie rule without draws', () => {
  it.each(DRAWLESS.flatMap((tie) => [2, 3, 4, 6].map((k) => [tie, k] as const)))('own sentences: tie %s, k = %i', async (tie, k) => {
    expect(libraryPredictions(ownTrain, ownTest, k, tie)).toEqual(await evalPredictions(ownTrain, ownTest, k, tie));
  });

  it('own sentences: the decrement rule does differ from nearest there at k = 6 (the comparison above is not vacuous)', () => {
    expect(libraryPredictions(ownTrain, ownTest, 6, 'decrement')).not.toEqual(libraryPredictions(ownTrain, ownTest, 6, 'nearest'));
  });

  const haveR52 = requireSharedData('r52/train.jsonl.gz', 'r52/test.jsonl.gz');
  describe.skipIf(!haveR52)('R52, first 400 training and 80 test rows', () => {
    const r52 = (file: string, n: number): Row[] => readJsonlGz(sharedDataPath('r52', file)).slice(0, n);
    it.each(DRAWLESS.map((tie) => [tie] as const))('tie %s, k = 5', async (tie) => {
      const train = r52('train.jsonl.gz', 400);
      const test = r52('test.jsonl.gz', 80);
      expect(libraryPredictions(train, test, 5, tie)).toEqual(await evalPredictions(train, test, 5, tie));
    });

    it('R52: the decrement rule does differ from nearest there', () => {
      const train = r52('train.jsonl.gz', 400);
      const test = r52('test.jsonl.gz', 80);
      expect(libraryPredictions(train, test, 5, 'decrement')).not.toEqual(libraryPredictions(train, test, 5, 'nearest'));
    });
  });
});
