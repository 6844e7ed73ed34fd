import { mkdtempSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, npcBin, runNpc } from '../helpers/run-npc.js';

// A tiny training set written by the test itself (no data set rows in the repository).
const rows = [
  ['sport', 'The striker scored twice as the home team won the football match'],
  ['sport', 'The goalkeeper saved a penalty and the football team won the cup final'],
  ['sport', 'The tennis champion won the match in straight sets at the open'],
  ['money', 'Shares fell on the stock market as investors sold bank stocks'],
  ['money', 'The central bank raised interest rates and bond yields climbed'],
  ['money', 'Stock prices rose after the company reported higher quarterly profits'],
  ['tech', 'The new smartphone chip runs machine learning software faster'],
  ['tech', 'Engineers released an open source compiler for the new processor'],
  ['tech', 'The software update fixes a security bug in the web browser'],
];

let dir: string;
let train: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'npc-e2e-'));
  train = join(dir, 'train.jsonl');
  writeFileSync(train, rows.map(([label, text]) => JSON.stringify({ label, text })).join('\n') + '\n');
});

describe('npc classify', () => {
  it('prints one label per text argument', async () => {
    const r = await runNpc(['classify', '--train', train, 'the football team won the match', 'stock market shares fell']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sport\nmoney\n');
  });

  it('--json prints objects with the prediction and, with --neighbors, the nearest rows', async () => {
    const r = await runNpc(['classify', '--train', train, '--json', '--neighbors', '2', 'the software update for the browser']);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.text).toBe('the software update for the browser');
    expect(out.prediction).toBe('tech');
    expect(out.neighbors).toHaveLength(2);
    expect(out.neighbors[0]).toEqual({ index: 8, label: 'tech', distance: expect.any(Number) });
    expect(out.neighbors[0].distance).toBeLessThanOrEqual(out.neighbors[1].distance);
  });

  it('streams JSONL from stdin, passing other fields through in order', async () => {
    const input = [
      { id: 'a', text: 'the tennis champion won in straight sets' },
      { id: 'b', text: 'the bank raised interest rates', label: 'money' },
      { id: 'c', text: 'open source compiler released for the processor' },
    ]
      .map((o) => JSON.stringify(o))
      .join('\n');
    const r = await runNpc(['classify', '--train', train], { input });
    expect(r.code).toBe(0);
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map(({ confidence: _c, distance: _d, ...rest }) => rest)).toEqual([
      { id: 'a', text: 'the tennis champion won in straight sets', prediction: 'sport' },
      { id: 'b', text: 'the bank raised interest rates', label: 'money', prediction: 'money' },
      { id: 'c', text: 'open source compiler released for the processor', prediction: 'tech' },
    ]);
  });

  it('reads plain text lines with --input text: one output line per input line, an empty one gets the placeholder', async () => {
    const r = await runNpc(['classify', '--train', train, '--input', 'text', '-'], {
      input: 'the striker scored a goal\n\nstock prices rose\n',
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('sport\n?\nmoney\n');
    expect(r.stderr).toBe("npc: warning: <stdin>: 1 empty line not classified (line 2); each got '?' (--empty-label)\n");
  });

  it('agrees with the library: the same predictions as GzipKnnClassifier', async () => {
    const { GzipKnnClassifier } = await import('../../src/index.js');
    const clf = new GzipKnnClassifier({ k: 3 }).fit(
      rows.map((r) => r[1]),
      rows.map((r) => r[0]),
    );
    const queries = ['a football final', 'bond yields and bank rates', 'a bug in the compiler'];
    const r = await runNpc(['classify', '--train', train, '-k', '3', ...queries]);
    expect(r.stdout.trim().split('\n')).toEqual(clf.predict(queries));
  });

  it('exits quietly with 0 when the reader goes away (| head -1)', () => {
    const many = Array.from({ length: 3000 }, (_, i) => JSON.stringify({ text: `the match number ${i} was won` })).join('\n');
    const inputFile = join(dir, 'many.jsonl');
    writeFileSync(inputFile, many + '\n');
    assertBuilt();
    const r = spawnSync(
      'bash',
      ['-c', `set -o pipefail; "${process.execPath}" "${npcBin}" classify --train "${train}" < "${inputFile}" | head -1`],
      {
        encoding: 'utf8',
      },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).prediction).toBe('sport');
  });
});

describe('npc classify: bad input', () => {
  it('names the stdin line of invalid JSON and exits 1', async () => {
    const r = await runNpc(['classify', '--train', train], { input: '{"text": "fine"}\n{"text": oops}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: <stdin>:2: invalid JSON \(.+\)\n$/);
    // The first line was classified and written before the bad one was read: streaming, in order.
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('names the training file and line of a bad row', async () => {
    const bad = join(dir, 'bad-train.jsonl');
    writeFileSync(bad, '{"label": "a", "text": "x"}\n{"text": "no label"}\n');
    const r = await runNpc(['classify', '--train', bad, 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`npc: ${bad}:2: missing "label"\n`);
    expect(r.stdout).toBe('');
  });

  it('reports a missing training file in one line', async () => {
    const r = await runNpc(['classify', '--train', join(dir, 'nope.jsonl'), 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`npc: ${join(dir, 'nope.jsonl')}: cannot read: no such file or directory\n`);
  });

  it('rejects an empty training set', async () => {
    const empty = join(dir, 'empty.jsonl');
    writeFileSync(empty, '\n');
    const r = await runNpc(['classify', '--train', empty, 'hello']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`npc: ${empty}: no rows in the training set\n`);
  });

  it.each([['0'], ['-1'], ['1.5'], ['x']])('rejects k = %s as a usage error (exit 2)', async (k) => {
    const r = await runNpc(['classify', '--train', train, '-k', k, 'hello']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^npc: /);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('rejects an unknown option as a usage error', async () => {
    const r = await runNpc(['classify', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--bogus'");
  });

  it('tells the user how to get AG News when the cache is empty', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'npc-cache-'));
    const r = await runNpc(['classify', 'hello'], { env: { NPC_DATA_DIR: cache } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run 'npc data get ag_news'");
    expect(readdirSync(cache)).toEqual([]);
  });
});

describe('npc help and version', () => {
  it('prints the version', async () => {
    const r = await runNpc(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it.each([['classify'], ['eval'], ['data']])('%s --help shows usage', async (cmd) => {
    const r = await runNpc([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Usage: npc ${cmd}`);
  });

  it('classify --help and eval --help show examples', async () => {
    for (const cmd of ['classify', 'eval']) {
      const r = await runNpc([cmd, '--help']);
      expect(r.stdout).toContain('Examples:');
    }
  });
});
