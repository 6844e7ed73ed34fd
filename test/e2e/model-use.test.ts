/**
 * `--model FILE` gives the same answers as `--train FILE` with the same options: on R8 (texts stripped,
 * as docs/reproducing.md runs it), `classify --model` prints byte for byte what `classify --train
 * --strip` prints (JSONL input, plain and --json output, several k and tie rules), and `eval --model`
 * gives the same predictions and the same JSON report but for the timing and source fields. An artifact
 * of another engine whose C(y) are equal works, with a warning.
 */
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { writeTestModel } from '../helpers/model-artifact.js';
import { pythonStrip } from '../../src/app/training.js';

const haveData = requireSharedData('r8/train.jsonl.gz', 'r8/test.jsonl.gz');
const TIMEOUT = 240_000;

describe.skipIf(!haveData)('--model against --train on R8 (--strip)', () => {
  let dir: string;
  let train: string;
  let test: string;
  let model: string;
  let env: NodeJS.ProcessEnv;
  beforeAll(async () => {
    dir = makeTmp('npc-model-use-');
    env = { NPC_DATA_DIR: join(dir, 'cache') };
    train = sharedDataPath('r8/train.jsonl.gz');
    // A subset of the test rows keeps each run a few seconds; the spread of rows gives every class some.
    const rows = readJsonlGz(sharedDataPath('r8/test.jsonl.gz')).filter((_, i) => i % 110 === 0);
    test = writeJsonl(join(dir, 'test.jsonl'), rows);
    const trainRows = readJsonlGz(train).map((r) => ({ text: pythonStrip(r.text), label: r.label }));
    model = join(dir, 'r8.npcm');
    await writeTestModel(model, trainRows, {
      name: 'r8',
      defaults: { k: 2, tie: 'nearest' },
      training: { file: 'train.jsonl.gz', read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: true } },
    });
  }, TIMEOUT);
  afterAll(() => cleanupTmp());

  for (const [options, json] of [
    [['-k', '1'], false],
    [['-k', '2', '--tie', 'nearest'], true],
    [['-k', '3', '--tie', 'weighted'], false],
    [['-k', '4', '--tie', 'random', '--seed', '7'], true],
  ] as const) {
    it(
      `classify --model prints byte for byte what classify --train --strip prints (${options.join(' ')}${json ? ', --json' : ''})`,
      async () => {
        const common = ['--input-file', test, ...options, '--jobs', '1', ...(json ? ['--json'] : [])];
        const byTrain = await run(['classify', '--train', train, '--strip', ...common], { env });
        expect(byTrain.stderr).toBe('');
        expect(byTrain.code).toBe(0);
        const byModel = await run(['classify', '--model', model, ...common], { env });
        expect(byModel.code).toBe(0);
        expect(byModel.stdoutBytes.equals(byTrain.stdoutBytes)).toBe(true);
        expect(byModel.stdout.split('\n')).toHaveLength(readFileSync(test, 'utf8').split('\n').length);
        expect(byModel.stderr).toMatch(
          /^npc: model .*r8\.npcm \(r8\): k \d \(command line\), tie \w+ \(\w[\w ]*\), .*strip true \(model\)\n$/,
        );
      },
      TIMEOUT,
    );
  }

  it(
    'classify --model without -k and --tie uses the card defaults (k 2, nearest), as --train -k 2 --tie nearest does, and --quiet drops the note',
    async () => {
      const byTrain = await run(['classify', '--train', train, '--strip', '--input-file', test, '-k', '2', '--jobs', '1'], { env });
      const byModel = await run(['classify', '--model', model, '--input-file', test, '--jobs', '1', '--quiet'], { env });
      expect(byModel.stderr).toBe('');
      expect(byModel.code).toBe(0);
      expect(byModel.stdout).toBe(byTrain.stdout);
    },
    TIMEOUT,
  );

  it(
    'eval --model gives the predictions and the JSON report of eval --train --strip, apart from timing and source fields',
    async () => {
      const preds = (name: string): string => join(dir, name);
      const common = ['--test', test, '-k', '1,2,3', '--tie', 'decrement', '--json', '--jobs', '1', '-q'];
      const byTrain = await run(['eval', '--train', train, '--strip', ...common, '--predictions', preds('train.jsonl')], { env });
      expect(byTrain.code).toBe(0);
      const byModel = await run(['eval', '--model', model, ...common, '--predictions', preds('model.jsonl')], { env });
      expect(byModel.stderr).toBe('');
      expect(byModel.code).toBe(0);
      expect(readFileSync(preds('model.jsonl'), 'utf8')).toBe(readFileSync(preds('train.jsonl'), 'utf8'));
      const a = JSON.parse(byTrain.stdout);
      const b = JSON.parse(byModel.stdout);
      expect(b.model).toEqual({
        file: model,
        name: 'r8',
        sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
        settings: {
          k: { value: [1, 2, 3], from: 'command line' },
          tie: { value: 'decrement', from: 'command line' },
          seed: { value: 0, from: 'model' },
          strip: { value: true, from: 'model' },
        },
      });
      expect(b.train).toBe(model);
      expect(a.strict).toBeGreaterThan(0.8);
      for (const field of ['train', 'model', 'elapsed_s', 'pairs', 'pairs_per_second']) {
        delete a[field];
        delete b[field];
      }
      expect(b).toEqual(a);
    },
    TIMEOUT,
  );

  it(
    'an artifact of another engine whose C(y) are equal is used, with a warning saying the C(y) were recomputed and how long it took',
    async () => {
      const other = join(dir, 'other-engine.npcm');
      const rows = readJsonlGz(sharedDataPath('r8/train.jsonl.gz'))
        .slice(0, 300)
        .map((r) => ({ text: pythonStrip(r.text), label: r.label }));
      await writeTestModel(other, rows, {
        engine: `sha256:${'0'.repeat(64)}`,
        training: { read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: true } },
      });
      const same = join(dir, 'same-engine.npcm');
      await writeTestModel(same, rows, {
        training: { read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: true } },
      });
      const args = ['--input-file', test, '--json', '--jobs', '1', '-q'];
      const byOther = await run(['classify', '--model', other, ...args], { env });
      const bySame = await run(['classify', '--model', same, ...args], { env });
      expect(bySame.stderr).toBe('');
      expect(byOther.code).toBe(0);
      expect(byOther.stdout).toBe(bySame.stdout);
      expect(byOther.stderr).toMatch(
        /^npc: warning: .*other-engine\.npcm: built by another engine \(000000000000…\); its 300 C\(y\) were recomputed with this one and are equal \(\d+\.\d s\)\n$/,
      );
    },
    TIMEOUT,
  );
});
