import { readFileSync, mkdtempSync, readdirSync, writeFileSync, appendFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpc } from '../helpers/run-npc.js';
import { startServer, type TestServer } from '../helpers/http-server.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const available = requireSharedData('ag_news/test.csv.gz', 'ag_news/train.first2000.jsonl.gz');

describe.skipIf(!available)('npc data (against a local HTTP server on 127.0.0.1)', () => {
  let server: TestServer;
  let csv: Buffer;

  beforeAll(async () => {
    csv = gunzipSync(readFileSync(sharedDataPath('ag_news/test.csv.gz')));
    const tampered = Buffer.from(csv);
    tampered[1000] = tampered[1000] === 0x61 ? 0x62 : 0x61;
    server = await startServer({ '/good/test.csv': { body: csv }, '/bad/test.csv': { body: tampered } });
  });
  afterAll(() => server?.close());

  it('data get --split test --from URL downloads, verifies and caches byte-exact JSONL; data path prints it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'npc-cache-'));
    const r = await runNpc(['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}good/`], { env: { NPC_DATA_DIR: cache } });
    expect(r.code).toBe(0);
    const path = r.stdout.trim();
    expect(path).toBe(join(cache, 'ag_news', 'test.jsonl'));
    const sha = createHash('sha256').update(readFileSync(path)).digest('hex');
    expect(sha).toBe('896c59c12f49cf4cfdbd2c3296b5c532224be953c3b4560c8bbc114b8a1db411');
    const p = await runNpc(['data', 'path', 'ag_news', '--split', 'test'], { env: { NPC_DATA_DIR: cache } });
    expect(p.stdout.trim()).toBe(path);
    const list = await runNpc(['data', 'list'], { env: { NPC_DATA_DIR: cache } });
    // Per split: only the test split was fetched.
    expect(list.stdout).toMatch(/^ag_news\ttrain\t120000 rows\tnot cached\t.+\nag_news\ttest\t7600 rows\tcached\t.+\n/);
    expect(list.stdout.split('\n').filter((l) => /\tcached\t/.test(l))).toHaveLength(1);

    // The cached split is what eval uses by default; the label names come from the data catalog.
    const e = await runNpc(['eval', '--train', sharedDataPath('ag_news/train.first2000.jsonl.gz'), '--limit', '3', '--quiet'], {
      env: { NPC_DATA_DIR: cache },
    });
    expect(e.code).toBe(0);
    expect(e.stdout).toMatch(/test rows +3 \(first 3 of 7600 in .*ag_news\/test\.jsonl\)/);

    // A cached file changed on disk is detected before use.
    appendFileSync(path, '{"label": 0, "text": "extra"}\n');
    const changed = await runNpc(['eval', '--train', sharedDataPath('ag_news/train.first2000.jsonl.gz'), '--limit', '3', '--quiet'], {
      env: { NPC_DATA_DIR: cache },
    });
    expect(changed.code).toBe(1);
    expect(changed.stderr).toMatch(/^npc: .*changed/);
  });

  it('a tampered download fails the checksum and leaves the cache empty', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'npc-cache-'));
    const r = await runNpc(['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}bad/`, '--quiet'], {
      env: { NPC_DATA_DIR: cache },
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^npc: checksum mismatch for http:\/\/127\.0\.0\.1:\d+\/bad\/test\.csv: expected md5 d52ea96a97a2d943681189a97654912d, got [0-9a-f]{32}\n$/,
    );
    expect(readdirSync(cache)).toEqual([]);
  });

  it('an unknown data set is a one-line error', async () => {
    const r = await runNpc(['data', 'get', 'nope']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "npc: unknown data set 'nope' (known: ag_news, r8, r52, 20news, ohsumed, dbpedia, yahoo_answers, sogou_news, kinnews, kirnews, swahili_news, dengue_filipino)\n",
    );
  });

  it('data path of an uncached split says how to get it', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'npc-cache-'));
    writeFileSync(join(cache, 'unrelated'), '');
    const r = await runNpc(['data', 'path', 'ag_news'], { env: { NPC_DATA_DIR: cache } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("run 'npc data get ag_news'");
  });
});
