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

void file;
