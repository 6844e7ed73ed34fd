/**
 * The library's `clf.save(path, card)` and `GzipKnnClassifier.load(path)` (src/app/model-library.ts),
 * run against the built library: the artifact is the one `npc model build` writes, and a loaded
 * classifier answers as the one saved.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { assertBuilt, repoRoot, runNpc } from '../helpers/run-npc.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-model-library-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the built library, imported at run time
async function library(): Promise<any> {
  assertBuilt();
  return import(pathToFileURL(join(repoRoot, 'dist/index.js')).href);
}

const rows = readFileSync(join(repoRoot, 'examples/headlines.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as { text: string; label: string });
const tests = readFileSync(join(repoRoot, 'examples/headlines-test.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((line) => (JSON.parse(line) as { text: string }).text);

describe('GzipKnnClassifier save and load', () => {
  it('a loaded classifier has the saved options and gives the saved one’s predictions and details', async () => {
    const { GzipKnnClassifier } = await library();
    const clf = new GzipKnnClassifier({ k: 3, tie: 'weighted', abstainAbove: 0.9, minConfidence: 0.5 }).fit(
      rows.map((r) => r.text),
      rows.map((r) => r.label),
    );
    const path = join(dir, 'headlines.npcm');
    const saved = await clf.save(path, { description: 'example headlines' });
    expect(saved.bytes).toBe(readFileSync(path).length);
    const loaded = await GzipKnnClassifier.load(path);
    expect([loaded.k, loaded.tie, loaded.abstainAbove, loaded.minConfidence]).toEqual([3, 'weighted', 0.9, 0.5]);
    expect(loaded.classes).toEqual(clf.classes);
    expect(loaded.predictDetails(tests)).toEqual(clf.predictDetails(tests));
  });

  it('writes the artifact npc model verify accepts, with a card that says where the rows came from and has no evaluation', async () => {
    const { GzipKnnClassifier } = await library();
    const clf = new GzipKnnClassifier().fit(
      rows.map((r) => r.text),
      rows.map((r) => r.label),
    );
    const path = join(dir, 'plain.npcm');
    const saved = await clf.save(path, { name: 'news', referenceRows: 10 });
    const verified = await runNpc(['model', 'verify', path]);
    expect(verified.stdout).toBe(`OK ${path}: model news, ${rows.length} rows, sha256 ${saved.sha256}\n`);
    const card = JSON.parse((await runNpc(['model', 'show', path, '--json'])).stdout);
    const version = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')).version;
    expect(card).toMatchObject({
      name: 'news',
      description: '',
      npc_version: version,
      defaults: { k: 2, tie: 'nearest', seed: 0, abstain_above: null, min_confidence: null },
      training: { file: '<library>', bytes: null, sha256: null, rows: rows.length },
      evaluation: null,
      reference: { source: 'training-sample', rows: 10, seed: 0 },
    });
  });

  it('refuses to save an unfitted classifier or one whose k exceeds its rows, and to load a damaged file', async () => {
    const { GzipKnnClassifier } = await library();
    await expect(new GzipKnnClassifier().save(join(dir, 'x.npcm'))).rejects.toThrow('GzipKnnClassifier is not fitted');
    const small = new GzipKnnClassifier({ k: 5 }).fit(['a b', 'c d'], ['x', 'y']);
    await expect(small.save(join(dir, 'y.npcm'))).rejects.toThrow(
      "k is 5, more than the 2 training rows: a model's k can be at most its rows",
    );
    const bad = join(dir, 'bad.npcm');
    writeFileSync(bad, 'not a tar file at all');
    await expect(GzipKnnClassifier.load(bad)).rejects.toThrow(/not a usable npc model/);
  });
});
