import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runNpc } from '../helpers/run-npc.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const available = requireSharedData('ag_news/train.first2000.jsonl.gz', 'ag_news/test.jsonl.gz');

describe.skipIf(!available)('classify against a large training set: the prepared index', () => {
  it('is written on the first run, used on the next, and never changes a prediction (also when damaged)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-prep-'));
    const cache = join(dir, 'cache');
    const train = join(dir, 'train20k.jsonl');
    const rows = readJsonlGz(sharedDataPath('ag_news/train.first2000.jsonl.gz')).map((r) => JSON.stringify(r));
    writeFileSync(train, (rows.join('\n') + '\n').repeat(10)); // 20,000 rows: the size that gets prepared
    const queries = readJsonlGz(sharedDataPath('ag_news/test.jsonl.gz'))
      .slice(0, 3)
      .map((r) => r.text);
    const args = ['classify', '--train', train, '--json', '--neighbors', '3', ...queries];
    const env = { NPC_DATA_DIR: cache };

    const first = await runNpc(args, { env });
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const files = readdirSync(join(cache, 'index'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{64}\.npcidx$/);

    const second = await runNpc(args, { env });
    expect(second.stdout).toBe(first.stdout);

    // Same rows, one thread, no cache involved: the same answers.
    const plain = await runNpc([...args, '--jobs', '1'], { env: { NPC_DATA_DIR: join(dir, 'other-cache') } });
    expect(plain.stdout).toBe(first.stdout);

    const path = join(cache, 'index', files[0]);
    const bytes = readFileSync(path);
    bytes[bytes.length - 100] ^= 0x55;
    writeFileSync(path, bytes);
    const damaged = await runNpc(args, { env });
    expect(damaged.code).toBe(0);
    expect(damaged.stdout).toBe(first.stdout);

    // A changed training file gets its own prepared index.
    writeFileSync(train, (rows.join('\n') + '\n').repeat(10) + rows[0] + '\n');
    const changed = await runNpc(args, { env });
    expect(changed.code).toBe(0);
    expect(readdirSync(join(cache, 'index')).filter((f) => f.endsWith('.npcidx'))).toHaveLength(2);
  });

  it('a bad line in a large training file: the early-started threads end, npc exits 1 (no thread keeps it alive)', async () => {
    // Large enough (>= 1 MB) that classify starts its worker threads before reading the file.
    const dir = mkdtempSync(join(tmpdir(), 'npc-prep-'));
    const train = join(dir, 'big-bad.jsonl');
    const rows = readJsonlGz(sharedDataPath('ag_news/train.first2000.jsonl.gz')).map((r) => JSON.stringify(r));
    const good = (rows.join('\n') + '\n').repeat(3);
    writeFileSync(train, good + '{"label": 1, "text": oops}\n');
    const lines = 3 * rows.length + 1;
    const r = await runNpc(['classify', '--train', train, '--jobs', '2', 'a text'], {
      env: { NPC_DATA_DIR: join(dir, 'cache') },
      timeoutMs: 60_000,
    });
    // No thread kept the process alive: runNpc's 60 s timeout (a hang guard) would have killed it (SIGKILL).
    expect(r.signal, 'hang guard (60 s, not a performance claim): a thread kept npc alive').toBe(null);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^npc: ${train.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:${lines}: invalid JSON`));
  });
});
