/**
 * `--model models:/…` on classify, eval and drift: a registered version or an alias is the same model
 * as its file, found in `--repository` or `NPC_MODEL_REPOSITORY`. Failure-matrix rows 111 and 112.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, expectNpcError, makeTmp, run, writeIn } from '../helpers/failure-tools.js';
import { type TestModelRow, writeTestModel } from '../helpers/model-artifact.js';

const ROWS: TestModelRow[] = [
  { text: 'stocks fall as oil prices climb', label: 'business' },
  { text: 'the team wins the cup final', label: 'sports' },
  { text: 'markets rally on strong earnings', label: 'business' },
  { text: 'the striker scores twice in the derby', label: 'sports' },
];
const QUERIES = '{"text": "earnings lift the stock market"}\n{"text": "a late goal wins the final"}\n';

let dir: string;
let artifact: string;
let repo: string;
let input: string;

beforeAll(async () => {
  dir = makeTmp('npc-model-uri-');
  artifact = join(dir, 'news.npcm');
  repo = join(dir, 'repo');
  input = writeIn(dir, 'in.jsonl', QUERIES);
  await writeTestModel(artifact, ROWS, { name: 'news' });
  for (const args of [
    ['register', artifact, '--name', 'news'],
    ['alias', 'news', 'production', '1'],
  ]) {
    const r = await run(['model', ...args, '--repository', repo]);
    expect(r.code, r.stderr).toBe(0);
  }
});
afterAll(cleanupTmp);

describe('--model with a models:/ URI', () => {
  it('classify by version and by alias prints what classify by file prints', async () => {
    const byFile = await run(['classify', '--model', artifact, '--json', '-q'], { input: QUERIES });
    expect(byFile.code, byFile.stderr).toBe(0);
    expect(byFile.stdout.trim().split('\n')).toHaveLength(2);
    for (const uri of ['models:/news/1', 'models:/news@production']) {
      const r = await run(['classify', '--model', uri, '--repository', repo, '--json', '-q'], { input: QUERIES });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(byFile.stdout);
    }
  });

  it('finds the repository in NPC_MODEL_REPOSITORY when --repository is not given', async () => {
    const r = await run(['classify', '--model', 'models:/news@production', '-q', 'earnings lift the stock market'], {
      env: { NPC_MODEL_REPOSITORY: repo },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('business\n');
  });

  it('eval and drift name the URI in what they report', async () => {
    const test = writeIn(dir, 'test.jsonl', '{"label": "business", "text": "earnings lift the stock market"}\n');
    const e = await run(['eval', '--model', 'models:/news@production', '--repository', repo, '--test', test, '--json', '-q']);
    expect(e.code, e.stderr).toBe(0);
    expect(JSON.stringify(JSON.parse(e.stdout))).toContain('models:/news@production');
    const d = await run(['drift', '--model', 'models:/news/1', '--repository', repo, '--reference', input, '--current', input, '-q']);
    expect(d.code, d.stderr).toBe(0);
  });

  it('row 111: an unknown alias in --model is one line naming the URI, exit 1, nothing on stdout', async () => {
    const r = await run(['classify', '--model', 'models:/news@canary', '--repository', repo, 'some text']);
    expectNpcError(r, 1, "models:/news@canary: news has no alias 'canary' (aliases: production)");
    expect(r.stdout).toBe('');
  });

  it('row 112: --repository without --model is refused on classify, eval and drift (it would be ignored)', async () => {
    const message = '--repository says where a --model models:/ URI is found: give --model (or leave out --repository)';
    for (const args of [
      ['classify', '--train', input, 'text'],
      ['eval', '--train', input, '--test', input],
      ['drift', '--train', input, '--reference', input, '--current', input],
    ]) {
      const r = await run([...args, '--repository', repo]);
      expectNpcError(r, 2, message);
      expect(r.stdout).toBe('');
    }
  });
});
