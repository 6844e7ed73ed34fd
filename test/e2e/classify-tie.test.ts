/**
 * `npc classify --tie RULE --seed S`: the same prediction path as the library (model/prediction.ts).
 * Under the random rule a text's pick depends on the seed and the text only, never on where the text
 * sits in the input or in a batch; the rules without draws agree with `npc eval --predictions` row for
 * row; the library's predict and predictDetails equal classify's output. On the tie-heavy sentences
 * of test/fixtures/tied-sentences.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipKnnClassifier } from '../../src/index.js';
import { TIE_RULES, type TieRule } from '../../src/model/tie-rules.js';
import { tiedTest, tiedTrain } from '../fixtures/tied-sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';

afterAll(() => cleanupTmp());

const dir = makeTmp('npc-classify-tie-');
const trainFile = writeJsonl(join(dir, 'train.jsonl'), tiedTrain);
const texts = tiedTest.map((r) => r.text);

interface Answer {
  text: string;
  prediction: string;
  confidence: number;
  distance: number;
}

/** classify's JSON answers for `input` (text lines on stdin), in input order. */
async function classifyLines(input: readonly string[], args: readonly string[]): Promise<Answer[]> {
  const r = await run(['classify', '--train', trainFile, '--input', 'text', '--json', ...args], { input: input.join('\n') + '\n' });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toBe('');
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Answer);
}

function classifier(k: number, tie: TieRule, seed: number): GzipKnnClassifier {
  return new GzipKnnClassifier({ k, tie, seed }).fit(
    tiedTrain.map((r) => r.text),
    tiedTrain.map((r) => r.label),
  );
}

describe('classify --tie random: a text gets the same label wherever it is', () => {
  it('row 77: in input order, reversed with two threads, and each text twice among the others: the same label per text, for seeds 1 and 7', async () => {
    for (const seed of ['1', '7']) {
      const args = ['-k', '4', '--tie', 'random', '--seed', seed];
      const inOrder = await classifyLines(texts, [...args, '--jobs', '1']);
      const reversed = await classifyLines([...texts].reverse(), [...args, '--jobs', '2']);
      // Every text twice, far apart and in other neighbours' company (other batches of the stream).
      const mixed = [...texts.filter((_, i) => i % 2), ...texts, ...texts.filter((_, i) => i % 2 === 0)];
      const shuffled = await classifyLines(mixed, [...args, '--jobs', '1']);
      const byText = new Map(inOrder.map((a) => [a.text, a.prediction]));
      expect(byText.size).toBe(new Set(texts).size);
      for (const a of [...reversed, ...shuffled]) expect(a.prediction, a.text).toBe(byText.get(a.text));
    }
  });

  it('row 77: the picks are draws: another seed changes some of them, and they differ from the nearest rule (the test above is not vacuous)', async () => {
    const pick = async (args: string[]): Promise<string[]> => (await classifyLines(texts, ['-k', '4', ...args])).map((a) => a.prediction);
    const seeds = await Promise.all(['0', '1', '2', '3'].map((seed) => pick(['--tie', 'random', '--seed', seed])));
    expect(new Set(seeds.map((s) => s.join('|'))).size).toBeGreaterThan(1);
    expect(seeds[0]).not.toEqual(await pick([]));
  });

  it('without --seed the seed is 0', async () => {
    const r = await classifyLines(texts, ['-k', '4', '--tie', 'random']);
    expect(r).toEqual(await classifyLines(texts, ['-k', '4', '--tie', 'random', '--seed', '0']));
  });
});

describe('classify --tie agrees with npc eval --predictions on the rules without draws (decrement differs from nearest at k = 6 here)', () => {
  const testFile = writeJsonl(join(dir, 'test.jsonl'), tiedTest);
  it.each(TIE_RULES.filter((tie) => tie !== 'random').map((tie) => [tie] as const))('row 77: tie %s, k = 6', async (tie) => {
    const preds = join(dir, `eval-${tie}.jsonl`);
    const e = await run(['eval', '--train', trainFile, '--test', testFile, '-k', '6', '--tie', tie, '--quiet', '--predictions', preds]);
    expect(e.code, e.stderr).toBe(0);
    const evaluated = readFileSync(preds, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Answer);
    const classified = await classifyLines(texts, ['-k', '6', '--tie', tie]);
    expect(classified.map((a) => [a.prediction, a.confidence, a.distance])).toEqual(
      evaluated.map((a) => [a.prediction, a.confidence, a.distance]),
    );
  });
});

describe("the library's predict equals classify's output", () => {
  it.each(TIE_RULES.map((tie) => [tie] as const))('row 77: tie %s, k = 4, seed 7: labels, confidences and distances', async (tie) => {
    const classified = await classifyLines(texts, ['-k', '4', '--tie', tie, ...(tie === 'random' ? ['--seed', '7'] : [])]);
    const details = classifier(4, tie, 7).predictDetails(texts);
    expect(details.map((d) => [d.label, d.confidence, d.distance])).toEqual(
      classified.map((a) => [a.prediction, a.confidence, a.distance]),
    );
  });

  it('row 77: the library under the random rule: a text alone, or among others in any order, gets one label', () => {
    const clf = classifier(4, 'random', 7);
    const together = clf.predict(texts);
    const alone = texts.map((text) => clf.predict([text])[0]);
    const reversed = clf.predict([...texts].reverse()).reverse();
    expect(alone).toEqual(together);
    expect(reversed).toEqual(together);
  });
});

describe('row 76: classify --tie and --seed values', () => {
  const classify = (args: string[]) => run(['classify', '--train', trainFile, ...args, 'the striker scored']);

  it('row 76: an unknown --tie, a --seed out of 0..4294967295, and --seed without --tie random are usage errors (exit 2, nothing on stdout)', async () => {
    expectNpcError(
      await classify(['--tie', 'lenient']),
      2,
      /option '--tie <rule>' argument 'lenient' is invalid\. expected one of nearest, decrement, random, weighted\./,
      { usage: true },
    );
    for (const bad of ['-1', '4294967296', '1.5', 'x', ''])
      expectNpcError(
        await classify(['--tie', 'random', '--seed', bad]),
        2,
        /option '--seed <s>' argument '.*' is invalid\. expected an integer from 0 to 4294967295\./,
        { usage: true },
      );
    expectNpcError(
      await classify(['--seed', '3']),
      2,
      /--seed sets the draws of the random tie rule, but the tie rule is nearest: add --tie random/,
    );
    expectNpcError(
      await classify(['--tie', 'weighted', '--seed', '3']),
      2,
      /--seed sets the draws of the random tie rule, but the tie rule is weighted: add --tie random/,
    );
  });
});
