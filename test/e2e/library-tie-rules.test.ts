/**
 * The library reproduces `npc eval`: GzipKnnClassifier({ k, tie, seed }).predict equals the predictions
 * eval writes with the same -k, --tie and --seed. On a small set of our own sentences built to be full
 * of ties (the random rule differs from nearest there) and on the first rows of R52 (decrement differs).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipKnnClassifier } from '../../src/index.js';
import { TIE_RULES, type TieRule } from '../../src/model/tie-rules.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

afterAll(() => cleanupTmp());

type Row = { label: string | number; text: string };

// Every sentence twice under its own label, once under the next class's, once reversed elsewhere.
const labels = ['sport', 'money', 'tech'];
const ownTrain: Row[] = SENTENCES.flatMap(([label, text], i) => [
  { label, text },
  { label, text: `${text}.` },
  { label: labels[(labels.indexOf(label) + 1) % 3], text: `${text}!` },
  { label: labels[(i + 2) % 3], text: text.split(' ').reverse().join(' ') },
]);
const ownTest: Row[] = SENTENCES.flatMap(([label, text]) => [
  { label, text: text.slice(0, 30) },
  { label, text: text.slice(20) },
  { label, text: `${text} today` },
]);

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

describe('the library and npc eval agree on every tie rule', () => {
  it.each(TIE_RULES.flatMap((tie) => [2, 3, 4].map((k) => [tie, k] as const)))('own sentences: tie %s, k = %i', async (tie, k) => {
    expect(libraryPredictions(ownTrain, ownTest, k, tie)).toEqual(await evalPredictions(ownTrain, ownTest, k, tie));
  });

  it('own sentences: the random rule does differ from nearest there (the comparison above is not vacuous)', () => {
    expect(libraryPredictions(ownTrain, ownTest, 2, 'random')).not.toEqual(libraryPredictions(ownTrain, ownTest, 2, 'nearest'));
  });

  const haveR52 = requireSharedData('r52/train.jsonl.gz', 'r52/test.jsonl.gz');
  describe.skipIf(!haveR52)('R52, first 400 training and 80 test rows', () => {
    const r52 = (file: string, n: number): Row[] => readJsonlGz(sharedDataPath('r52', file)).slice(0, n);
    it.each(TIE_RULES.map((tie) => [tie] as const))('tie %s, k = 5', async (tie) => {
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
