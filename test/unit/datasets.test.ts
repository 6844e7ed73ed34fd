import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DataError, InputError } from '../../src/errors.js';
import { createAtomicWriter, removeStaleTempFiles, writeFileAtomic } from '../../src/io/atomic-file.js';
import { readCsvRecords } from '../../src/io/csv.js';
import { cachedSplitPath, isCached, resolveCacheDir, verifyCachedSplit } from '../../src/io/data-cache.js';
import { getDataset } from '../../src/io/data-install.js';
import { getDatasetInfo, listDatasets } from '../../src/io/data-catalog.js';
import { closedPort, startServer, type RouteMode, type TestServer } from '../helpers/http-server.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const TEST_JSONL_SHA256 = '896c59c12f49cf4cfdbd2c3296b5c532224be953c3b4560c8bbc114b8a1db411';
const TEST_CSV_MD5 = 'd52ea96a97a2d943681189a97654912d';

const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

let tmpRoots: string[] = [];
function tmp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'npc-datasets-'));
  tmpRoots.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of tmpRoots) rmSync(dir, { recursive: true, force: true });
  tmpRoots = [];
});

/** Every file under `dir` (relative paths), or [] when it does not exist. */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return (readdirSync(dir, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((e) => !e.isDirectory())
    .map((e) => join(e.parentPath ?? (e as unknown as { path: string }).path, e.name).slice(dir.length + 1))
    .sort();
}

async function dataError(promise: Promise<unknown>): Promise<DataError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    expect((err as Error).message).not.toContain('\n');
    return err as DataError;
  }
  throw new Error('expected a DataError');
}

describe('data catalog', () => {
  it('lists ag_news with its labels and pinned splits', () => {
    const names = listDatasets().map((d) => d.name);
    expect(names).toContain('ag_news');
    const info = getDatasetInfo('ag_news');
    expect(info.labelNames).toEqual(['World', 'Sports', 'Business', 'Sci/Tech']);
    expect(info.description).toMatch(/AG News/);
    expect(info.splits.train).toEqual({
      url: 'https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/train.csv',
      file: 'train.csv',
      bytes: 29_470_338,
      md5: 'b1a00f826fdfbd249f79597b59e1dc12',
      rows: 120_000,
    });
    expect(info.splits.test).toEqual({
      url: 'https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/test.csv',
      file: 'test.csv',
      bytes: 1_857_427,
      md5: TEST_CSV_MD5,
      rows: 7_600,
    });
  });

  it('returns copies: changing one does not change the catalog', () => {
    getDatasetInfo('ag_news').splits.test.rows = 1;
    expect(getDatasetInfo('ag_news').splits.test.rows).toBe(7600);
  });

  it('unknown data set or split is a DataError naming what is known', async () => {
    expect(() => getDatasetInfo('imdb')).toThrow(
      new DataError(
        "unknown data set 'imdb' (known: ag_news, r8, r52, 20news, ohsumed, dbpedia, yahoo_answers, sogou_news, kinnews, kirnews, swahili_news, dengue_filipino)",
      ),
    );
    expect(() => cachedSplitPath('ag_news', 'dev', '/c')).toThrow(DataError);
    const e = await dataError(getDataset('ag_news', { split: 'dev', cacheDir: tmp() }));
    expect(e.message).toContain("has no split 'dev'");
  });
});

describe('cache location', () => {
  it('resolves $NPC_DATA_DIR, then $XDG_CACHE_HOME/npc, then ~/.cache/npc', () => {
    expect(resolveCacheDir({ NPC_DATA_DIR: '/data/npc', XDG_CACHE_HOME: '/xdg', HOME: '/home/u' })).toBe('/data/npc');
    expect(resolveCacheDir({ XDG_CACHE_HOME: '/xdg', HOME: '/home/u' })).toBe('/xdg/npc');
    expect(resolveCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/npc');
    expect(resolveCacheDir({ NPC_DATA_DIR: '', XDG_CACHE_HOME: '', HOME: '/home/u' })).toBe('/home/u/.cache/npc');
    // The XDG spec says a relative XDG_CACHE_HOME is ignored.
    expect(resolveCacheDir({ XDG_CACHE_HOME: 'rel/cache', HOME: '/home/u' })).toBe('/home/u/.cache/npc');
    expect(resolveCacheDir({})).toBe(join(homedir(), '.cache', 'npc'));
    expect(resolveCacheDir({ NPC_DATA_DIR: 'rel' })).toBe(join(process.cwd(), 'rel'));
  });

  it('puts a split at <cache>/<name>/<split>.jsonl', () => {
    expect(cachedSplitPath('ag_news', 'test', '/c')).toBe('/c/ag_news/test.jsonl');
    expect(isCached('ag_news', 'test', tmp())).toBe(false);
  });
});

describe('atomic files', () => {
  it('writeFileAtomic replaces the file and leaves no temp file', async () => {
    const dir = tmp();
    const path = join(dir, 'out.txt');
    writeFileSync(path, 'old');
    await writeFileAtomic(path, 'new content');
    expect(readFileSync(path, 'utf8')).toBe('new content');
    await writeFileAtomic(path, new Uint8Array([104, 105]), { fsync: true });
    expect(readFileSync(path, 'utf8')).toBe('hi');
    expect(readdirSync(dir)).toEqual(['out.txt']);
  });

  it('a missing directory is a clear InputError', async () => {
    const path = join(tmp(), 'no', 'such', 'out.txt');
    await expect(writeFileAtomic(path, 'x')).rejects.toThrow(new InputError(`cannot write ${path}: directory does not exist`));
    expect(() => createAtomicWriter(path)).toThrow(new InputError(`cannot write ${path}: directory does not exist`));
  });

  it('createAtomicWriter: nothing visible until commit; abort removes the temp file', async () => {
    const dir = tmp();
    const path = join(dir, 'preds.jsonl');
    const w = createAtomicWriter(path);
    expect(w.tempPath).toMatch(new RegExp(`/\\.preds\\.jsonl\\.${process.pid}\\.[0-9a-f]{8}\\.tmp$`));
    w.stream.write('line 1\n');
    w.stream.write('line 2\n');
    expect(existsSync(path)).toBe(false);
    await w.commit();
    expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2\n');
    expect(readdirSync(dir)).toEqual(['preds.jsonl']);
    await w.abort(); // after commit: no effect
    expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2\n');

    const w2 = createAtomicWriter(path, { fsync: true });
    w2.stream.write('partial');
    await w2.abort();
    await w2.abort();
    expect(readFileSync(path, 'utf8')).toBe('line 1\nline 2\n');
    expect(readdirSync(dir)).toEqual(['preds.jsonl']);
    await expect(w2.commit()).rejects.toThrow(/aborted/);
  });

  it('removeStaleTempFiles removes temp files of dead processes only', async () => {
    const dir = tmp();
    const dead = '.test.csv.99999999.0123abcd.tmp'; // above Linux's pid_max: never a live process
    const mine = `.out.txt.${process.pid}.89abcdef.tmp`;
    for (const name of [dead, mine, 'keep.jsonl', '.hidden']) writeFileSync(join(dir, name), 'x');
    expect(await removeStaleTempFiles(dir)).toEqual([dead]);
    expect(readdirSync(dir).sort()).toEqual(['.hidden', mine, 'keep.jsonl'].sort());
    expect(await removeStaleTempFiles(join(dir, 'missing'))).toEqual([]);
  });

  it('a stream error is reported by commit and the temp file removed', async () => {
    const dir = tmp();
    const w = createAtomicWriter(join(dir, 'x.txt'));
    w.stream.destroy(new Error('ENOSPC-like failure'));
    await expect(w.commit()).rejects.toThrow(/cannot write .*x\.txt: ENOSPC-like failure/);
    expect(readdirSync(dir)).toEqual([]);
  });
});

const haveData = requireSharedData('ag_news/test.csv.gz', 'ag_news/test.jsonl.gz', 'ag_news/train.first2000.csv.gz');

describe.skipIf(!haveData)('getDataset (local HTTP server and local files; no other host is contacted)', () => {
  let testCsv: Buffer;
  let expectedJsonl: Buffer;
  let server: TestServer;

  beforeAll(async () => {
    testCsv = gunzipSync(readFileSync(sharedDataPath('ag_news', 'test.csv.gz')));
    expectedJsonl = gunzipSync(readFileSync(sharedDataPath('ag_news', 'test.jsonl.gz')));
    expect(createHash('md5').update(testCsv).digest('hex')).toBe(TEST_CSV_MD5);
    expect(sha256(expectedJsonl)).toBe(TEST_JSONL_SHA256);
    server = await startServer({ '/test.csv': { body: testCsv } });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('downloads from a mirror URL, verifies, converts byte-exactly and caches with a meta file', async () => {
    const cacheDir = join(tmp(), 'cache');
    // A temp file left by a killed earlier run is cleaned up.
    mkdirSync(join(cacheDir, 'ag_news'), { recursive: true });
    writeFileSync(join(cacheDir, 'ag_news', '.test.csv.99999999.0123abcd.tmp'), 'partial');
    const progress: string[] = [];
    const before = server.requests.length;
    const result = await getDataset('ag_news', {
      split: 'test',
      from: server.url,
      cacheDir,
      onProgress: (m) => progress.push(m),
    });
    const path = join(cacheDir, 'ag_news', 'test.jsonl');
    expect(result).toEqual([{ split: 'test', path, rows: 7600 }]);
    expect(server.requests.slice(before)).toEqual(['/test.csv']);

    const jsonl = readFileSync(path);
    expect(sha256(jsonl)).toBe(TEST_JSONL_SHA256);
    expect(jsonl.equals(expectedJsonl)).toBe(true);
    expect(filesUnder(cacheDir)).toEqual(['ag_news/test.jsonl', 'ag_news/test.meta.json']);

    const meta = JSON.parse(readFileSync(join(cacheDir, 'ag_news', 'test.meta.json'), 'utf8'));
    expect(meta).toMatchObject({
      dataset: 'ag_news',
      split: 'test',
      source: `${server.url}test.csv`,
      csvBytes: 1_857_427,
      csvMd5: TEST_CSV_MD5,
      rows: 7600,
      jsonlBytes: jsonl.length,
      jsonlSha256: TEST_JSONL_SHA256,
    });
    expect(Number.isNaN(Date.parse(meta.created))).toBe(false);
    expect(isCached('ag_news', 'test', cacheDir)).toBe(true);
    expect(isCached('ag_news', 'train', cacheDir)).toBe(false);
    await expect(verifyCachedSplit('ag_news', 'test', cacheDir)).resolves.toMatchObject({ rows: 7600 });

    // Progress: it only goes forward and reaches 100 % (how often it reports depends on the clock).
    expect(progress.length).toBeGreaterThan(0);
    const percents = progress.flatMap((m) => /\((\d+)%\)$/.exec(m)?.[1] ?? []).map(Number);
    expect(percents).toEqual([...percents].sort((a, b) => a - b));
    expect(progress.some((m) => /1\.9 of 1\.9 MB \(100%\)/.test(m))).toBe(true);
  });

  it('does not fetch a verified cached split again; a changed cached file is detected and replaced', async () => {
    const cacheDir = tmp();
    await getDataset('ag_news', { split: 'test', from: server.url, cacheDir });
    const before = server.requests.length;
    const again = await getDataset('ag_news', { split: 'test', from: server.url, cacheDir });
    expect(again[0].rows).toBe(7600);
    expect(server.requests.length).toBe(before);

    const path = cachedSplitPath('ag_news', 'test', cacheDir);
    const bytes = readFileSync(path);
    bytes[100] ^= 1;
    writeFileSync(path, bytes);
    expect((await dataError(verifyCachedSplit('ag_news', 'test', cacheDir))).message).toMatch(/changed on disk: expected sha256/);
    writeFileSync(path, bytes.subarray(0, 1000));
    expect((await dataError(verifyCachedSplit('ag_news', 'test', cacheDir))).message).toMatch(
      /changed on disk: expected \d+ bytes, found 1000/,
    );

    await getDataset('ag_news', { split: 'test', from: server.url, cacheDir });
    expect(server.requests.length).toBe(before + 1);
    expect(sha256(readFileSync(path))).toBe(TEST_JSONL_SHA256);
  });

  it('uses the catalog URL by default (through the injected fetch)', async () => {
    const cacheDir = tmp();
    const urls: string[] = [];
    const fetchImpl = (async (input: string | URL | Request) => {
      urls.push(String(input));
      return new Response(testCsv, { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' } });
    }) as typeof fetch;
    const [r] = await getDataset('ag_news', { split: 'test', cacheDir, fetchImpl });
    expect(urls).toEqual(['https://raw.githubusercontent.com/mhjabreel/CharCnn_Keras/master/data/ag_news_csv/test.csv']);
    expect(sha256(readFileSync(r.path))).toBe(TEST_JSONL_SHA256);
  });

  it('a tampered copy (one byte changed) fails the checksum and caches nothing', async () => {
    const tampered = Buffer.from(testCsv);
    const i = tampered.indexOf(' ', 5000);
    tampered[i] = '_'.charCodeAt(0);
    const bad = await startServer({ '/test.csv': { body: tampered } });
    try {
      const cacheDir = join(tmp(), 'cache');
      const e = await dataError(getDataset('ag_news', { split: 'test', from: bad.url, cacheDir }));
      expect(e.message).toMatch(new RegExp(`^checksum mismatch for ${bad.url}test\\.csv: expected md5 ${TEST_CSV_MD5}, got [0-9a-f]{32}$`));
      expect(filesUnder(cacheDir)).toEqual([]);
      expect(existsSync(join(cacheDir, 'ag_news'))).toBe(false);
    } finally {
      await bad.close();
    }
  });

  const failures: [RouteMode, RegExp][] = [
    ['404', /download failed for .*\/test\.csv: HTTP 404 Not Found/],
    ['500', /download failed for .*\/test\.csv: HTTP 500 Internal Server Error/],
    ['html', /download failed for .*\/test\.csv: the server sent an HTML page/],
    ['truncate', /download of .*\/test\.csv was interrupted after \d+ bytes: the connection was closed before the whole file arrived/],
    ['truncate-silent', /size mismatch for .*\/test\.csv: expected 1857427 bytes, got 928713 \(truncated\?\)/],
    // The client sees the reset either as ECONNRESET or as a close, depending on timing.
    ['reset', /download of .*\/test\.csv was interrupted after \d+ bytes: (connection reset|the connection was closed)/],
  ];
  for (const [mode, message] of failures) {
    it(`${mode}: DataError naming the URL, cache untouched`, async () => {
      const bad = await startServer({ '/test.csv': { body: testCsv, mode } });
      try {
        const cacheDir = join(tmp(), 'cache');
        const e = await dataError(getDataset('ag_news', { split: 'test', from: `${bad.url}`, cacheDir }));
        expect(e.message).toMatch(message);
        expect(e.message).toContain(`${bad.url}test.csv`);
        expect(filesUnder(cacheDir)).toEqual([]);
      } finally {
        await bad.close();
      }
    });
  }

  it('HTML sent as text/plain is still recognised', async () => {
    const bad = await startServer({
      '/test.csv': { body: '\n  <!doctype html><html><body>rate limited</body></html>', contentType: 'text/plain' },
    });
    try {
      const cacheDir = tmp();
      const e = await dataError(getDataset('ag_news', { split: 'test', from: bad.url, cacheDir }));
      expect(e.message).toMatch(/HTML page instead of the data file/);
      expect(filesUnder(cacheDir)).toEqual([]);
    } finally {
      await bad.close();
    }
  });

  it('a failed re-download (force) leaves the good cached copy in place', async () => {
    const cacheDir = tmp();
    await getDataset('ag_news', { split: 'test', from: server.url, cacheDir });
    const bad = await startServer({ '/test.csv': { body: testCsv, mode: 'reset' } });
    try {
      await dataError(getDataset('ag_news', { split: 'test', from: bad.url, cacheDir, force: true }));
    } finally {
      await bad.close();
    }
    expect(filesUnder(cacheDir)).toEqual(['ag_news/test.jsonl', 'ag_news/test.meta.json']);
    await expect(verifyCachedSplit('ag_news', 'test', cacheDir)).resolves.toMatchObject({ rows: 7600 });
  });

  it('an unreachable host: says the network could not be reached and how to use --from', async () => {
    const port = await closedPort();
    const cacheDir = tmp();
    const e = await dataError(getDataset('ag_news', { split: 'test', from: `http://127.0.0.1:${port}/mirror`, cacheDir }));
    expect(e.message).toMatch(
      new RegExp(`^cannot download http://127\\.0\\.0\\.1:${port}/mirror/test\\.csv: the network could not be reached`),
    );
    expect(e.message).toContain('ECONNREFUSED');
    expect(e.message).toContain('--from');
    expect(filesUnder(cacheDir)).toEqual([]);

    // What offline looks like for the default URL (DNS failure), without touching the network.
    const offline = (async () => {
      throw new TypeError('fetch failed', {
        cause: Object.assign(new Error('getaddrinfo ENOTFOUND raw.githubusercontent.com'), { code: 'ENOTFOUND' }),
      });
    }) as typeof fetch;
    const e2 = await dataError(getDataset('ag_news', { split: 'test', cacheDir, fetchImpl: offline }));
    expect(e2.message).toMatch(
      /^cannot download https:\/\/raw\.githubusercontent\.com\/.*\/test\.csv: the network could not be reached \(raw\.githubusercontent\.com: ENOTFOUND\); .*--from DIR/,
    );
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('installs from a local directory holding test.csv.gz (decompressed on the fly)', async () => {
    const dir = tmp();
    symlinkSync(sharedDataPath('ag_news', 'test.csv.gz'), join(dir, 'test.csv.gz'));
    const cacheDir = join(tmp(), 'cache');
    const [r] = await getDataset('ag_news', { split: 'test', from: dir, cacheDir });
    expect(r).toEqual({ split: 'test', path: join(cacheDir, 'ag_news', 'test.jsonl'), rows: 7600 });
    expect(sha256(readFileSync(r.path))).toBe(TEST_JSONL_SHA256);
    expect(filesUnder(dir)).toEqual(['test.csv.gz']);
    const meta = await verifyCachedSplit('ag_news', 'test', cacheDir);
    expect(meta.source).toBe(join(dir, 'test.csv.gz'));
  });

  it('prefers a plain test.csv in the directory, also given as a file: URL', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'test.csv'), testCsv);
    writeFileSync(join(dir, 'test.csv.gz'), 'not gzip at all');
    const cacheDir = tmp();
    const [r] = await getDataset('ag_news', { split: 'test', from: `file://${dir}`, cacheDir });
    expect(sha256(readFileSync(r.path))).toBe(TEST_JSONL_SHA256);
  });

  it('local directory problems are DataErrors and cache nothing', async () => {
    const cacheDir = tmp();
    const empty = tmp();
    expect((await dataError(getDataset('ag_news', { split: 'test', from: empty, cacheDir }))).message).toContain(
      'found neither test.csv nor test.csv.gz',
    );
    expect((await dataError(getDataset('ag_news', { split: 'test', from: join(empty, 'nope'), cacheDir }))).message).toContain(
      'no such directory',
    );
    const corrupt = tmp();
    writeFileSync(join(corrupt, 'test.csv.gz'), gzipSync(testCsv).subarray(0, 5000));
    expect((await dataError(getDataset('ag_news', { split: 'test', from: corrupt, cacheDir }))).message).toMatch(/test\.csv\.gz/);
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('the 2,000-row head of train.csv is rejected as the train split (size), nothing cached', async () => {
    const dir = tmp();
    symlinkSync(sharedDataPath('ag_news', 'train.first2000.csv.gz'), join(dir, 'train.csv.gz'));
    const cacheDir = tmp();
    const e = await dataError(getDataset('ag_news', { split: 'train', from: dir, cacheDir }));
    expect(e.message).toBe(`size mismatch for ${join(dir, 'train.csv.gz')}: expected 29470338 bytes, got 517506 (truncated?)`);
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('all splits by default: a split missing from --from fails before anything is fetched', async () => {
    const dir = tmp();
    symlinkSync(sharedDataPath('ag_news', 'test.csv.gz'), join(dir, 'test.csv.gz'));
    const cacheDir = tmp();
    // train is missing here: nothing is read, not even test.
    const e = await dataError(getDataset('ag_news', { from: dir, cacheDir }));
    expect(e.message).toContain('found neither train.csv nor train.csv.gz');
    expect(filesUnder(cacheDir)).toEqual([]);
  });

  it('the CSV reader gives the same records as the converter (one shared conversion)', async () => {
    const expected = expectedJsonl
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as { label: number; text: string });
    let i = 0;
    async function* input() {
      yield testCsv;
    }
    for await (const r of readCsvRecords(input(), {
      source: 'test.csv',
      format: 'ag_news',
      textField: 'text',
      labelField: 'label',
      requireLabel: true,
    })) {
      expect({ label: r.label, text: r.text }).toEqual(expected[i]);
      expect(r.line).toBe(i + 1);
      i++;
    }
    expect(i).toBe(7600);
  });
});

describe('shared data folder used by these tests', () => {
  it('is present, or the reason for skipping was printed (and CI fails)', () => {
    // requireSharedData throws at import time under CI when data is missing; here just record the state.
    expect(typeof haveData).toBe('boolean');
    if (!haveData) expect(process.env.CI).toBeFalsy();
  });
});
