/**
 * The options `npc drift` shares with the other commands mean the same there: `--label-names` names
 * integer labels (checked against the training labels), `-q` silences the progress line only.
 * Failure-matrix row 69.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';

const TOPICS = ['football match goal team score league', 'stock market shares profit bank', 'computer software chip internet'];

describe('drift --label-names and -q', () => {
  let args: string[];
  beforeAll(() => {
    const dir = makeTmp('npc-drift-options-');
    const train = writeJsonl(
      join(dir, 'train.jsonl'),
      Array.from({ length: 30 }, (_, i) => ({ label: i % 3, text: `${TOPICS[i % 3]} item ${i}` })),
    );
    const reference = writeJsonl(
      join(dir, 'reference.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({ text: `${TOPICS[i % 3]} news ${i}` })),
    );
    const current = writeJsonl(
      join(dir, 'current.jsonl'),
      Array.from({ length: 12 }, (_, i) => ({ text: `${TOPICS[0]} report ${i}` })),
    );
    args = ['drift', '--train', train, '--reference', reference, '--current', current, '--jobs', '1'];
  });
  afterAll(() => cleanupTmp());

  it('row 69: --label-names shows the names in the text report and adds them to the JSON beside the labels', async () => {
    const text = await run([...args, '--label-names', 'Sports,Business,Tech']);
    expect(text.code).toBe(3);
    expect(text.stderr).toBe('');
    expect(text.stdout).toMatch(/^ {2}Sports {8}33\.3% {3}100\.0%$/m);
    expect(text.stdout).toMatch(/^ {2}Tech {10}33\.3% {5}0\.0%$/m);
    expect(text.stdout).toMatch(/^ {2}line 1 {6}\d\.\d{4} {2}Sports {2}"football/m);
    const json = await run([...args, '--label-names', 'Sports,Business,Tech', '--json']);
    const report = JSON.parse(json.stdout);
    expect(report.labels.labels).toEqual([0, 1, 2]);
    expect(report.labels.names).toEqual(['Sports', 'Business', 'Tech']);
    expect(report.farthest[0]).toMatchObject({ prediction: 0, prediction_name: 'Sports' });
    const plain = JSON.parse((await run([...args, '--json'])).stdout);
    expect(plain.labels.names).toBeUndefined();
    expect(plain.farthest[0].prediction_name).toBeUndefined();
  });

  it('row 69: --label-names that do not fit the training labels → usage error naming what does not fit, exit 2', async () => {
    const r = await run([...args, '--label-names', 'Sports,Business']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('npc: --label-names gives 2 names (labels 0..1), but label 2 has no name\n');
  });

  it('row 69: drift accepts -q / --quiet, which changes nothing but the progress line', async () => {
    const loud = await run([...args, '--json']);
    const quiet = await run([...args, '--json', '-q']);
    const long = await run([...args, '--json', '--quiet']);
    expect(quiet.code).toBe(3);
    expect(quiet.stdout).toBe(loud.stdout);
    expect(long.stdout).toBe(loud.stdout);
    expect(quiet.stderr).toBe('');
  });
});
