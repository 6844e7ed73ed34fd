/**
 * The paper's data sets by name: `npc data get NAME --from URL` (a local HTTP server on 127.0.0.1
 * serving the upstream files under their upstream names) and `--from DIR` (the upstream layout rebuilt
 * in a temp dir) yield the rows of the reference JSONL in ../shared/data; bad mirrors fail, caching nothing.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpc } from '../helpers/run-npc.js';
import { startServer, type TestServer } from '../helpers/http-server.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { folderFiles, rowDigest, tarGz, textGcnFiles, UPSTREAM_FILES, type Upstream, writeUpstream } from '../helpers/upstream-data.js';

const available = requireSharedData(...UPSTREAM_FILES);

/** Where each data set's files sit under the mirror root (the paths the catalog appends). */
const MIRROR_DIR: Record<string, string> = { r8: 'R8', r52: 'R52', '20news': '20ng', ohsumed: 'ohsumed_single_23' };
const SHARED_DIR: Record<string, string> = { r8: 'r8', r52: 'r52', '20news': '20news', ohsumed: 'ohsumed' };

describe.skipIf(!available)('npc data get for the paper data sets (upstream layouts from the shared data)', () => {
  let server: TestServer;
  let root: string;
  let ng: Upstream;
  const caches: string[] = [];
  const cache = () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-catalog-cache-'));
    caches.push(dir);
    return dir;
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'npc-upstream-'));
    const gcn = textGcnFiles();
    writeUpstream(root, gcn);
    ng = folderFiles('20news');
    writeUpstream(join(root, '20ng'), ng);
    const oh = folderFiles('ohsumed');
    writeUpstream(join(root, 'ohsumed_single_23'), oh);
    server = await startServer();
    for (const [rel, body] of gcn) server.route(`/${rel}`, { body });
    for (const [rel, body] of oh) server.route(`/ohsumed_single_23/${rel}`, { body });
  });
  afterAll(async () => {
    await server?.close();
    if (root) rmSync(root, { recursive: true, force: true });
    for (const dir of caches) rmSync(dir, { recursive: true, force: true });
  });

  function expectReferenceRows(name: string, out: string, dir: string): void {
    const paths = out.trim().split('\n');
    expect(paths).toEqual(['train', 'test'].map((split) => join(dir, name, `${split}.jsonl`)));
    for (const split of ['train', 'test']) {
      const got = rowDigest(join(dir, name, `${split}.jsonl`));
      const want = rowDigest(sharedDataPath(SHARED_DIR[name], `${split}.jsonl.gz`));
      expect(got).toEqual(want);
    }
  }

  for (const name of ['r8', 'r52', 'ohsumed']) {
    it(`${name}: --from URL (the upstream names on a local server) gives the reference rows, texts and labels`, async () => {
      const dir = cache();
      const r = await runNpc(['data', 'get', name, '--from', `${server.url}${MIRROR_DIR[name]}/`], { env: { NPC_DATA_DIR: dir } });
      expect(r.stderr).not.toMatch(/warning/);
      expect(r.code).toBe(0);
      expectReferenceRows(name, r.stdout, dir);
    });
  }

  for (const name of ['r8', 'r52', '20news', 'ohsumed']) {
    it(`${name}: --from DIR (the upstream layout) gives the reference rows, texts and labels`, async () => {
      const dir = cache();
      const r = await runNpc(['data', 'get', name, '--from', join(root, MIRROR_DIR[name])], { env: { NPC_DATA_DIR: dir } });
      expect(r.code).toBe(0);
      expectReferenceRows(name, r.stdout, dir);
    });
  }

  it('r8: --from DIR also takes the shared copy as it is (train.txt.gz, test.txt.gz)', async () => {
    const dir = cache();
    const r = await runNpc(['data', 'get', 'r8', '--from', sharedDataPath('r8')], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(0);
    expectReferenceRows('r8', r.stdout, dir);
  });

  it('row 185: 20news --from URL serving an archive of the right size with other bytes → checksum mismatch naming the file, expected and actual md5; nothing cached', async () => {
    // A real .tar.gz of the same posts, cut or zero-padded to the pinned size: only the checksum can tell.
    const archive = Buffer.alloc(14_464_277);
    (await tarGz(ng)).copy(archive);
    server.route('/other/20news-bydate.tar.gz', { body: archive, contentType: 'application/gzip' });
    const dir = cache();
    const r = await runNpc(['data', 'get', '20news', '--from', `${server.url}other/`], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(1);
    const line = r.stderr.trim().split('\n').pop()!;
    const md5 = createHash('md5').update(archive).digest('hex');
    expect(line).toBe(
      `npc: checksum mismatch for ${server.url}other/20news-bydate.tar.gz: expected md5 d6e9e45cb8cb77ec5276dfa6dfc14318, got ${md5}`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('row 185: 20news --from DIR with one post changed → checksum mismatch naming the folder, expected and actual sums; nothing cached', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'npc-upstream-20ng-'));
    caches.push(copy);
    const changed = new Map(ng);
    const first = [...ng.keys()].find((k) => k.startsWith('20news-bydate-test/'))!;
    changed.set(first, Buffer.concat([ng.get(first)!.subarray(0, 10), Buffer.from('X'), ng.get(first)!.subarray(11)]));
    writeUpstream(copy, changed);
    const dir = cache();
    const r = await runNpc(['data', 'get', '20news', '--from', copy], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toMatch(
      new RegExp(
        `^npc: checksum mismatch for ${join(copy, '20news-bydate-test').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: expected sha256 of the files' sha256sum lines 8490447be9f9927fb4be723a8d208c6a1cf6c5f511e9154c85e21c3a6d2c7c5d, got [0-9a-f]{64}$`,
      ),
    );
    // The train split passed, but nothing is cached: all requested splits or none.
    expect(readdirSync(dir)).toEqual([]);
  });

  it('row 186: a truncated archive from a mirror → size mismatch "(truncated?)", nothing cached', async () => {
    const archive = await tarGz(ng);
    server.route('/cut/20news-bydate.tar.gz', { body: archive.subarray(0, 1000), contentType: 'application/gzip' });
    const dir = cache();
    const r = await runNpc(['data', 'get', '20news', '--split', 'test', '--from', `${server.url}cut/`], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(
      `npc: size mismatch for ${server.url}cut/20news-bydate.tar.gz: expected 14464277 bytes, got 1000 (truncated?)`,
    );
    expect(readdirSync(dir)).toEqual([]);
  });

  it('row 188: an unknown data set name → one line listing the known names, exit 1', async () => {
    const r = await runNpc(['data', 'get', 'r9'], { env: { NPC_DATA_DIR: cache() } });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "npc: unknown data set 'r9' (known: ag_news, r8, r52, 20news, ohsumed, dbpedia, yahoo_answers, sogou_news, kinnews, kirnews, swahili_news, dengue_filipino)\n",
    );
  });

  it('row 189: a mirror missing one file (R8 test.txt) → HTTP 404 naming its URL; the train split that passed is not cached either', async () => {
    server.route('/partial/R8/train.txt', { body: textGcnFiles().get('R8/train.txt')! });
    const dir = cache();
    const r = await runNpc(['data', 'get', 'r8', '--from', `${server.url}partial/R8/`], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`npc: download failed for ${server.url}partial/R8/test.txt: HTTP 404 Not Found`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('row 189: a mirror missing one of the 7,400 Ohsumed files → HTTP 404 naming that file, nothing cached', async () => {
    const oh = folderFiles('ohsumed');
    const missing = [...oh.keys()].find((k) => k.startsWith(['test', 'C14', ''].join('/')))!;
    for (const [rel, body] of oh) if (rel !== missing) server.route(`/holey/${rel}`, { body });
    const dir = cache();
    const r = await runNpc(['data', 'get', 'ohsumed', '--from', `${server.url}holey/`], { env: { NPC_DATA_DIR: dir } });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n').pop()).toBe(`npc: download failed for ${server.url}holey/${missing}: HTTP 404 Not Found`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('row 190: --from DIR without the upstream files → one line naming what was looked for, nothing fetched or cached', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'npc-upstream-empty-'));
    caches.push(empty);
    writeFileSync(join(empty, 'readme.txt'), 'nothing here\n');
    const dir = cache();
    const ng20 = await runNpc(['data', 'get', '20news', '--from', empty], { env: { NPC_DATA_DIR: dir } });
    expect(ng20.code).toBe(1);
    expect(ng20.stderr).toBe(`npc: --from ${empty}: found neither 20news-bydate.tar.gz nor the folder 20news-bydate-train in ${empty}\n`);
    const oh = await runNpc(['data', 'get', 'ohsumed', '--from', empty], { env: { NPC_DATA_DIR: dir } });
    expect(oh.stderr).toBe(`npc: --from ${empty}: found no folder training in ${empty}\n`);
    expect(existsSync(join(dir, '20news')) || existsSync(join(dir, 'ohsumed'))).toBe(false);
    expect(readFileSync(join(empty, 'readme.txt'), 'utf8')).toBe('nothing here\n');
  });
});

describe('large data sets and archive entries without a network', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(() => server?.close());

  it('row 191: a large data set (dbpedia) prints its size, rows and the pairs of a full eval, then goes on (no prompt)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-catalog-large-'));
    try {
      // The mirror is empty: the notice comes first, then the download is tried and fails.
      const r = await runNpc(['data', 'get', 'dbpedia', '--from', `${server.url}empty/`], { env: { NPC_DATA_DIR: dir }, input: '' });
      expect(r.stderr.split('\n')[0]).toBe(
        'npc: dbpedia is large: 68.3 MB to download, 560,000 train and 70,000 test rows; a full eval compares 39,200,000,000 pairs (continuing)',
      );
      expect(r.stderr.trim().split('\n').pop()).toBe(`npc: download failed for ${server.url}empty/dbpedia_csv.tar.gz: HTTP 404 Not Found`);
      expect(r.code).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('row 194: extracted DBpedia CSVs in a --from DIR are converted as streams, then refused by their pins (size) naming the file; nothing cached', async () => {
    const mirror = mkdtempSync(join(tmpdir(), 'npc-catalog-dbpedia-'));
    const dir = mkdtempSync(join(tmpdir(), 'npc-catalog-dbpedia-cache-'));
    try {
      const csv = Buffer.from('1,"E. D. Abbott Ltd"," Abbott of Farnham"\n');
      writeUpstream(
        mirror,
        new Map([
          ['dbpedia_csv/train.csv', csv],
          ['dbpedia_csv/test.csv', csv],
        ]),
      );
      const r = await runNpc(['data', 'get', 'dbpedia', '--from', mirror], { env: { NPC_DATA_DIR: dir } });
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `npc: size mismatch for ${join(mirror, 'dbpedia_csv', 'train.csv')}: expected 174148970 bytes, got ${csv.length}`,
      );
      expect(r.code).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(mirror, { recursive: true, force: true });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('row 192: dengue_filipino from a mirror whose zip is not the pinned one → checksum mismatch naming it, nothing cached', async () => {
    const body = Buffer.alloc(156_014, 0x50);
    server.route('/dengue/dengue_raw.zip', { body, contentType: 'application/zip' });
    const dir = mkdtempSync(join(tmpdir(), 'npc-catalog-dengue-'));
    try {
      const r = await runNpc(['data', 'get', 'dengue_filipino', '--from', `${server.url}dengue/`], { env: { NPC_DATA_DIR: dir } });
      const sha = createHash('sha256').update(body).digest('hex');
      expect(r.stderr.trim().split('\n').pop()).toBe(
        `npc: checksum mismatch for ${server.url}dengue/dengue_raw.zip: expected sha256 928f7072dec6830c2f18aabc490aec886253e76cf764e06395e7ca66c4a17c4c, got ${sha}`,
      );
      expect(r.code).toBe(1);
      expect(readdirSync(dir)).toEqual([]);
      // Both splits read the one archive: it was fetched once.
      expect(server.requests.filter((p) => p === '/dengue/dengue_raw.zip')).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
