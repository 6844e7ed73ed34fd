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
    const queries = readJsonlGz(sharedDataPath('ag_news/test.jsonl.gz')).slice(0, 3).map((r) => r.text);
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
});
