/**
 * The failure matrix (docs/failure-matrix.md), rows 17–19: downloads that fail (HTTP errors, HTML,
 * truncation, checksums, resets), two `npc data get` at once, and a cached file changed on disk.
 * Every test is named `row N: …`; "Regression (row N)" marks a test that held a fix when it was written
 * (CHANGELOG.md says what was wrong). The sentences are written for these tests; real data sets are only
 * read from ../shared/data.
 */
import { readFileSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closedPort, type RouteMode, startServer, type TestServer } from '../helpers/http-server.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import {
  AG_NEWS_TEST_JSONL_SHA256,
  cleanupTmp,
  escapeRegExp,
  expectNpcError,
  listTree,
  makeAgNewsTestCache,
  makeTmp,
  run,
  sha256File,
  sleep,
  spawnNpc,
  writeJsonl,
} from '../helpers/failure-tools.js';

const AG_TEST_CSV = 'ag_news/test.csv.gz';
const haveAgCsv = requireSharedData(AG_TEST_CSV);

let dir: string;
beforeAll(() => {
  dir = makeTmp('npc-fm-');
});
afterAll(() => cleanupTmp());

const re = escapeRegExp;

// ---------------------------------------------------------------------------------------------------
describe.skipIf(!haveAgCsv).concurrent('row 17: download: 404, 500, HTML, truncated, wrong checksum, connection reset', () => {
  let server: TestServer;
  let csv: Buffer;
  beforeAll(async () => {
    csv = gunzipSync(readFileSync(sharedDataPath(AG_TEST_CSV)));
    const tampered = Buffer.from(csv);
    tampered[5000] ^= 0x01;
    const routes: Record<string, { body: Buffer; mode?: RouteMode; contentType?: string }> = {
      '/checksum/test.csv': { body: tampered },
      '/sniff/test.csv': { body: Buffer.from('<!DOCTYPE html>\n<html><body>Please sign in</body></html>\n'), contentType: 'text/csv' },
      '/longer/test.csv': { body: Buffer.concat([csv, Buffer.from('"1","extra","row"\n')]) },
    };
    for (const mode of ['404', '500', 'html', 'truncate', 'truncate-silent', 'reset'] as RouteMode[])
      routes[`/${mode}/test.csv`] = { body: csv, mode };
    server = await startServer(routes);
  });
  afterAll(() => server?.close());

  const cases: [string, string, (url: string) => string][] = [
    ['404', '404', (u) => `download failed for ${re(u)}: HTTP 404 Not Found`],
    ['500', '500', (u) => `download failed for ${re(u)}: HTTP 500 Internal Server Error`],
    [
      'an HTML page (Content-Type)',
      'html',
      (u) =>
        `download failed for ${re(u)}: the server sent an HTML page \\(Content-Type text/html; charset=utf-8\\) instead of the data file`,
    ],
    [
      'an HTML page (sniffed, Content-Type text/csv)',
      'sniff',
      (u) => `download failed for ${re(u)}: the server sent an HTML page instead of the data file`,
    ],
    [
      'a truncated body (Content-Length)',
      'truncate',
      (u) => `download of ${re(u)} was interrupted after \\d+ bytes: the connection was closed before the whole file arrived`,
    ],
    [
      'a truncated body (no Content-Length)',
      'truncate-silent',
      (u) => `size mismatch for ${re(u)}: expected 1857427 bytes, got 928713 \\(truncated\\?\\)`,
    ],
    ['a body that is too long', 'longer', (u) => `size mismatch for ${re(u)}: expected 1857427 bytes, got more \\(wrong file\\?\\)`],
    [
      'a wrong checksum',
      'checksum',
      (u) => `checksum mismatch for ${re(u)}: expected md5 d52ea96a97a2d943681189a97654912d, got [0-9a-f]{32}`,
    ],
    // Which of the two a reset shows depends on when the client sees the RST (both observed).
    [
      'a connection reset',
      'reset',
      (u) =>
        `download of ${re(u)} was interrupted after \\d+ bytes: (connection reset by the server \\(ECONNRESET\\)|the connection was closed before the whole file arrived)`,
    ],
  ];
  it.each(cases)('row 17: %s → one-line error, exit 1, nothing cached', async (_, route, message) => {
    const cache = makeTmp('npc-fm-r17-');
    const r = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}${route}/`, '--quiet'], {
      env: { NPC_DATA_DIR: cache },
    });
    expectNpcError(r, 1, new RegExp(message(`${server.url}${route}/test.csv`)));
    expect(listTree(cache)).toEqual([]);
  });

  it('row 17: connection refused → "the network could not be reached", exit 1, nothing cached', async () => {
    const cache = makeTmp('npc-fm-r17-');
    const port = await closedPort();
    const r = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', `http://127.0.0.1:${port}/`, '--quiet'], {
      env: { NPC_DATA_DIR: cache },
    });
    expectNpcError(
      r,
      1,
      new RegExp(
        `cannot download http://127\\.0\\.0\\.1:${port}/test\\.csv: the network could not be reached \\(127\\.0\\.0\\.1:${port}: ECONNREFUSED\\); .*--from.*`,
      ),
    );
    expect(listTree(cache)).toEqual([]);
  });

  it('row 17: --from a directory: missing file, or a corrupt .gz → one-line error, nothing cached', async () => {
    const mirror = makeTmp('npc-fm-r17-mirror-');
    const cache = makeTmp('npc-fm-r17-');
    const r = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', mirror, '--quiet'], { env: { NPC_DATA_DIR: cache } });
    expectNpcError(r, 1, new RegExp(`--from ${re(mirror)}: found neither test\\.csv nor test\\.csv\\.gz in ${re(mirror)}`));
    writeFileSync(join(mirror, 'test.csv.gz'), Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00]), Buffer.alloc(64, 7)]));
    const g = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', mirror, '--quiet'], { env: { NPC_DATA_DIR: cache } });
    expectNpcError(g, 1, new RegExp(`cannot read ${re(join(mirror, 'test.csv.gz'))}: not a valid gzip file \\(.+\\)`));
    expect(listTree(cache)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------------
describe.skipIf(!haveAgCsv)('row 18: two `npc data get` at once on the same cache', () => {
  it.each([
    ['started together', 0],
    ['the second starts mid-download', 600],
  ])('row 18: two concurrent data get (%s): both succeed or one waits; the cache ends valid', async (_, stagger) => {
    const csv = gunzipSync(readFileSync(sharedDataPath(AG_TEST_CSV)));
    // ~1.9 MB in 64 KiB pieces 40 ms apart: each download takes about 1.2 s.
    const server = await startServer({ '/slow/test.csv': { body: csv, mode: 'slow', chunkBytes: 64 * 1024, delayMs: 40 } });
    try {
      const cache = makeTmp('npc-fm-r18-');
      const args = ['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}slow/`, '--quiet'];
      const first = spawnNpc(args, { env: { NPC_DATA_DIR: cache }, stdin: 'null', timeoutMs: 60_000 });
      if (stagger) await sleep(stagger);
      const second = spawnNpc(args, { env: { NPC_DATA_DIR: cache }, stdin: 'null', timeoutMs: 60_000 });
      const [a, b] = await Promise.all([first.done, second.done]);
      const jsonl = join(cache, 'ag_news', 'test.jsonl');
      console.info(`row 18 (${_}): exits ${a.code}/${b.code}; ${server.requests.length} downloads`);
      for (const r of [a, b]) {
        expect(r.stderr).toBe('');
        expect(r.code).toBe(0);
        expect(r.stdout).toBe(`${jsonl}\n`);
      }
      expect(sha256File(jsonl)).toBe(AG_NEWS_TEST_JSONL_SHA256);
      const meta = JSON.parse(readFileSync(join(cache, 'ag_news', 'test.meta.json'), 'utf8'));
      expect(meta).toMatchObject({ dataset: 'ag_news', split: 'test', rows: 7600, jsonlSha256: AG_NEWS_TEST_JSONL_SHA256 });
      expect(listTree(cache)).toEqual(['ag_news', 'ag_news/test.jsonl', 'ag_news/test.meta.json']);
      const again = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', `${server.url}slow/`], {
        env: { NPC_DATA_DIR: cache },
      });
      expect(again.code).toBe(0);
      expect(again.stderr).toContain('already in the cache');
    } finally {
      await server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe.skipIf(!haveAgCsv).concurrent('row 19: a cached file changed on disk', () => {
  let agTrain: string;
  beforeAll(() => {
    // Labels 0..3 like AG News; the texts are ours.
    agTrain = writeJsonl(join(dir, 'r19-train.jsonl'), [
      { label: 0, text: 'Leaders met at the summit to discuss the peace treaty' },
      { label: 1, text: 'The striker scored twice in the cup final' },
      { label: 2, text: 'Shares fell as the central bank raised rates' },
      { label: 3, text: 'The new chip runs the software twice as fast' },
    ]);
  });
  const evalDefaultTest = (cache: string) =>
    run(['eval', '--train', agTrain, '--limit', '2', '--quiet', '--json'], { env: { NPC_DATA_DIR: cache } });

  it('row 19: a byte changed in place (same size) → detected by sha256 before use, exit 1', async () => {
    const { cache, jsonl } = await makeAgNewsTestCache(sharedDataPath(AG_TEST_CSV));
    expect((await evalDefaultTest(cache)).code).toBe(0);
    const bytes = readFileSync(jsonl);
    bytes[100] = bytes[100] === 0x61 ? 0x62 : 0x61;
    writeFileSync(jsonl, bytes);
    const r = await evalDefaultTest(cache);
    expectNpcError(
      r,
      1,
      new RegExp(
        `cached ${re(jsonl)} changed on disk: expected sha256 ${AG_NEWS_TEST_JSONL_SHA256}, got [0-9a-f]{64}; run 'npc data get ag_news' again`,
      ),
    );
  });

  it('row 19: a line appended → detected by size, exit 1; `data get` re-fetches and repairs it', async () => {
    const { cache, jsonl } = await makeAgNewsTestCache(sharedDataPath(AG_TEST_CSV));
    writeFileSync(jsonl, Buffer.concat([readFileSync(jsonl), Buffer.from('{"label": 0, "text": "injected"}\n')]));
    const r = await evalDefaultTest(cache);
    expectNpcError(
      r,
      1,
      new RegExp(`cached ${re(jsonl)} changed on disk: expected 1980697 bytes, found \\d+; run 'npc data get ag_news' again`),
    );
    const mirror = makeTmp('npc-fm-r19-mirror-');
    symlinkSync(sharedDataPath(AG_TEST_CSV), join(mirror, 'test.csv.gz'));
    const fix = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', mirror], { env: { NPC_DATA_DIR: cache } });
    expect(fix.code).toBe(0);
    expect(fix.stderr).toMatch(/changed on disk: expected 1980697 bytes, found \d+; downloading it again/);
    expect(sha256File(jsonl)).toBe(AG_NEWS_TEST_JSONL_SHA256);
    expect((await evalDefaultTest(cache)).code).toBe(0);
  });

  it('row 19: a damaged meta file or a deleted JSONL → one-line error with the command to run, exit 1', async () => {
    const { cache, jsonl, meta } = await makeAgNewsTestCache(sharedDataPath(AG_TEST_CSV));
    const saved = readFileSync(meta);
    writeFileSync(meta, '{"dataset": "ag_news", ');
    expectNpcError(
      await evalDefaultTest(cache),
      1,
      new RegExp(`cached ag_news test is damaged: cannot read ${re(meta)} \\(.+\\); run 'npc data get ag_news' again`),
    );
    writeFileSync(meta, saved);
    unlinkSync(jsonl);
    expectNpcError(await evalDefaultTest(cache), 1, /the ag_news test split is not in the cache .+; run 'npc data get ag_news' .+/);
  });
});
