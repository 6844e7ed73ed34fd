/**
 * Archives read as streams (tar-stream, yauzl) with member paths checked, and the conversion rules of
 * the data catalog on small inputs built here in the upstream formats (tar members, zip, latin-1).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateRawSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { DataError, InputError } from '../../src/errors.js';
import { archiveFolderFiles, archiveMembers, checkMemberPath } from '../../src/io/archive.js';
import {
  hfDengueRows,
  hfKinnewsRows,
  hfSwahiliRows,
  ohsumedRows,
  pyStrip,
  sklearn20newsRows,
  textGcnRows,
  zhangCsvRows,
} from '../../src/io/data-layouts.js';
import { type PyCsvRow, pythonCsvRows } from '../../src/io/python-csv.js';
import { numpyLegacyShuffle } from '../../src/io/numpy-shuffle.js';
import { getDataset } from '../../src/io/data-install.js';
import { listDatasets, parseCatalog } from '../../src/io/data-catalog.js';
import { requireSharedData, readJsonlGz, sharedDataPath } from '../helpers/shared-data.js';
import { folderFiles, tarGz } from '../helpers/upstream-data.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-archives-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
function save(bytes: Buffer, name: string): string {
  const path = join(dir, `${n++}-${name}`);
  writeFileSync(path, bytes);
  return path;
}

/** A minimal zip (deflated members, no extra fields), the layout yauzl reads. */
function zip(members: { name: string; body: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const data = deflateRawSync(m.body);
    const crc = crc32(m.body);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(m.body.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(m.body.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, data);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

async function members(path: string, name: string): Promise<{ path: string; type: string; body: string }[]> {
  const out = [];
  for await (const m of archiveMembers(path, name)) {
    const chunks: Buffer[] = [];
    for await (const c of m.body) chunks.push(c as Buffer);
    out.push({ path: m.path, type: m.type, body: Buffer.concat(chunks).toString('latin1') });
  }
  return out;
}

async function dataError(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(DataError);
    return (err as Error).message;
  }
  throw new Error('expected a DataError');
}

describe('archives read as streams', () => {
  it('a .tar.gz: members in archive order with their bytes (latin-1 kept as bytes)', async () => {
    const body = Buffer.from('caf\xe9\n', 'latin1');
    const path = save(await tarGz(new Map([['a/x/1', body]])), 'a.tar.gz');
    expect(await members(path, 'a.tar.gz')).toEqual([
      { path: 'a', type: 'directory', body: '' },
      { path: 'a/x', type: 'directory', body: '' },
      { path: 'a/x/1', type: 'file', body: 'caf\xe9\n' },
    ]);
  });

  it('a .zip: members and their bytes', async () => {
    const path = save(zip([{ name: 'dengue/train.csv', body: Buffer.from('text,absent\n"a",0\n') }]), 'd.zip');
    expect(await members(path, 'd.zip')).toEqual([{ path: 'dengue/train.csv', type: 'file', body: 'text,absent\n"a",0\n' }]);
  });

  it('row 186: a .tar.gz cut short → "truncated or corrupt archive" naming it', async () => {
    const whole = await tarGz(new Map([['a/x/1', Buffer.alloc(100_000, 0x61)]]));
    const path = save(whole.subarray(0, Math.floor(whole.length / 2)), 'cut.tar.gz');
    expect(await dataError(members(path, 'cut.tar.gz'))).toMatch(/^cut\.tar\.gz: truncated or corrupt archive \(.+\)$/);
  });

  it('row 186: a .zip cut short → "truncated or corrupt archive" naming it', async () => {
    const whole = zip([{ name: 'k/train.csv', body: Buffer.alloc(10_000, 0x61) }]);
    const path = save(whole.subarray(0, whole.length - 30), 'cut.zip');
    expect(await dataError(members(path, 'cut.zip'))).toMatch(/^cut\.zip: truncated or corrupt archive \(.+\)$/);
  });

  it('row 187: a tar member path with ".." or an absolute path → error naming the archive and the member', async () => {
    for (const bad of ['../evil', 'a/../../evil', '/etc/evil']) {
      const path = save(await tarGz(new Map(), [{ name: bad, body: Buffer.from('x') }]), 'bad.tar.gz');
      expect(await dataError(members(path, 'bad.tar.gz'))).toBe(
        `bad.tar.gz: member path ${JSON.stringify(bad)} escapes the archive (absolute or with "..")`,
      );
    }
  });

  it('row 187: a zip member path with ".." → error naming the archive and the member', async () => {
    const path = save(zip([{ name: '../evil.csv', body: Buffer.from('x') }]), 'bad.zip');
    expect(await dataError(members(path, 'bad.zip'))).toBe(
      `bad.zip: member path "../evil.csv" escapes the archive (absolute or with "..")`,
    );
  });

  it('checkMemberPath keeps relative paths and drops "./" and a trailing slash', () => {
    expect(checkMemberPath('a.tar', './x/y/')).toBe('x/y');
    expect(() => checkMemberPath('a.tar', 'x\\..\\y')).toThrow(DataError);
    expect(() => checkMemberPath('a.tar', 'C:/x')).toThrow(DataError);
  });
});

describe('conversion rules', () => {
  it('text_gcn: whole-file strip only, so every row but the last keeps its trailing space; one tab per line', () => {
    const rows = [...textGcnRows(Buffer.from('earn\tstock split \r\nacq\tbuys a firm \n'), 'train.txt')];
    expect(rows).toEqual([
      { label: 'earn', text: 'stock split ' },
      { label: 'acq', text: 'buys a firm' },
    ]);
    expect(() => [...textGcnRows(Buffer.from('earn\tok \nacq no tab \n'), 'train.txt')]).toThrow(
      new InputError('expected label<TAB>text (exactly one tab), found 0 tabs', 'train.txt:2'),
    );
    expect(() => [...textGcnRows(Buffer.from([0x61, 0x09, 0xff]), 'train.txt')]).toThrow(new InputError('not valid UTF-8', 'train.txt'));
  });

  it("pyStrip removes Python's whitespace set (x1c-x1f, x85 too), not JavaScript's (keeps U+FEFF)", () => {
    expect(pyStrip('\x1c\x85 a b\u3000\n')).toBe('a b');
    expect(pyStrip('\ufeffa')).toBe('\ufeffa');
  });

  it('ohsumed_single: folders and files sorted, texts stripped, folder names as labels', () => {
    const tree = new Map([
      ['C02', new Map([['0000002', Buffer.from(' second\r\n')]])],
      [
        'C01',
        new Map([
          ['0000009', Buffer.from('b\n')],
          ['0000001', Buffer.from('a\nabstract\n')],
        ]),
      ],
    ]);
    expect(ohsumedRows(tree, 'training')).toEqual([
      { label: 'C01', text: 'a\nabstract' },
      { label: 'C01', text: 'b' },
      { label: 'C02', text: 'second' },
    ]);
  });

  it("numpy's legacy shuffle: RandomState(42).shuffle(arange(10)) and RandomState(0).shuffle(arange(10))", () => {
    // What numpy.random.RandomState(seed).shuffle(numpy.arange(10)) leaves (checked against numpy).
    expect(numpyLegacyShuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 42)).toEqual([8, 1, 5, 0, 7, 2, 9, 4, 3, 6]);
    expect(numpyLegacyShuffle([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 0)).toEqual([2, 8, 4, 9, 1, 6, 7, 3, 0, 5]);
  });

  const shared = requireSharedData(
    '20news/train.jsonl.gz',
    '20news/test.jsonl.gz',
    '20news/train.files.txt.gz',
    '20news/test.files.txt.gz',
  );
  it.skipIf(!shared)('sklearn_20news from a .tar.gz of the bydate layout: the rows, labels and order of the reference JSONL', async () => {
    const files = folderFiles('20news');
    const path = save(await tarGz(files), '20news-bydate.tar.gz');
    const names = readJsonlGz(sharedDataPath('20news', 'test.jsonl.gz'));
    const labelNames = [...new Set([...files.keys()].map((k) => k.split('/')[1]))].sort();
    for (const split of ['train', 'test']) {
      const tree = await archiveFolderFiles(path, '20news-bydate.tar.gz', `20news-bydate-${split}`);
      const rows = sklearn20newsRows(tree, labelNames, split);
      const want = split === 'test' ? names : readJsonlGz(sharedDataPath('20news', 'train.jsonl.gz'));
      const digest = (r: { label: unknown; text: string }[]) => createHash('sha256').update(JSON.stringify(r)).digest('hex');
      expect(rows.length).toBe(want.length);
      expect(digest(rows)).toBe(digest(want.map((r) => ({ label: r.label, text: r.text }))));
    }
    expect(() => sklearn20newsRows(new Map([['b', new Map()]]), ['a'], 'x')).toThrow(
      new DataError('x: expected the class folders a; found b'),
    );
  });
});

async function csvRules<T>(
  bytes: Buffer,
  rule: (rows: AsyncIterable<PyCsvRow>, source: string) => AsyncIterable<T>,
  skipInitialSpace: boolean,
): Promise<T[]> {
  const out: T[] = [];
  for await (const r of rule(pythonCsvRows([bytes.subarray(0, 7), bytes.subarray(7)], 'f.csv', { skipInitialSpace }), 'f.csv')) out.push(r);
  return out;
}

describe('CSV rules as the paper loaders read them (archives built here in the upstream layout)', () => {
  it('python csv: "" quotes, newlines inside quotes (CRLF made LF), text after a closing quote, blank line = no fields', async () => {
    const rows = [];
    const input = Buffer.from('1,"a ""b""","x\r\ny"\r\n\n2,"c"d, e\r3,plain "q" mid');
    for await (const r of pythonCsvRows([input], 'f.csv')) rows.push(r);
    expect(rows).toEqual([
      { fields: ['1', 'a "b"', 'x\ny'], line: 1 },
      { fields: [], line: 3 },
      { fields: ['2', 'cd', ' e'], line: 4 },
      { fields: ['3', 'plain "q" mid'], line: 5 },
    ]);
  });

  it('zhang_csv from a .tar.gz (dbpedia_csv/train.csv): label = class - 1, text = the fields joined with one space, "\\n" kept', async () => {
    const csv = Buffer.from('1,"E. D. Abbott Ltd"," Abbott of Farnham\\nLimited"\n14,"Title","Body, with ""quotes"""\n');
    const path = save(await tarGz(new Map([['dbpedia_csv/train.csv', csv]])), 'dbpedia_csv.tar.gz');
    let member: Buffer | undefined;
    for await (const m of archiveMembers(path, 'dbpedia_csv.tar.gz')) {
      if (m.path !== 'dbpedia_csv/train.csv') continue;
      const chunks: Buffer[] = [];
      for await (const c of m.body) chunks.push(c as Buffer);
      member = Buffer.concat(chunks);
    }
    expect(await csvRules(member!, zhangCsvRows, false)).toEqual([
      { label: 0, text: 'E. D. Abbott Ltd  Abbott of Farnham\\nLimited' },
      { label: 13, text: 'Title Body, with "quotes"' },
    ]);
    // Yahoo's three text fields, an empty one still adding its space.
    expect(await csvRules(Buffer.from('3,"q","","answer"\n'), zhangCsvRows, false)).toEqual([{ label: 2, text: 'q  answer' }]);
    await expect(csvRules(Buffer.from('x,"t"\n'), zhangCsvRows, false)).rejects.toThrow(
      new InputError('invalid class "x": expected a positive integer', 'f.csv:1'),
    );
  });

  it('hf_kinnews from a .zip (KINNEWS/cleaned/train.csv): header skipped, spaces after commas dropped, label - 1, title + " " + content', async () => {
    const csv = Buffer.from('label,title,content\n"2", "Amakuru","ya siporo"\n14,t,c\n');
    const path = save(zip([{ name: 'KINNEWS/cleaned/train.csv', body: csv }]), 'KINNEWS.zip');
    const got = await members(path, 'KINNEWS.zip');
    expect(await csvRules(Buffer.from(got[0].body, 'latin1'), hfKinnewsRows, true)).toEqual([
      { label: 1, text: 'Amakuru ya siporo' },
      { label: 13, text: 't c' },
    ]);
    await expect(csvRules(Buffer.from('h\n1,only two\n'), hfKinnewsRows, true)).rejects.toThrow(
      new InputError('expected 3 fields (label,title,content), got 2', 'f.csv:2'),
    );
  });

  it('hf_swahili: header names the columns (either order), label name → index, unknown label refused', async () => {
    const names = ['uchumi', 'kitaifa', 'michezo', 'kimataifa', 'burudani', 'afya'];
    const rule = (rows: AsyncIterable<PyCsvRow>, source: string) => hfSwahiliRows(rows, source, names);
    expect(await csvRules(Buffer.from('id,text,label\n1, "Habari, za leo",michezo\n\n2,x,afya\n'), rule, true)).toEqual([
      { label: 2, text: 'Habari, za leo' },
      { label: 5, text: 'x' },
    ]);
    await expect(csvRules(Buffer.from('text,label\nx,siasa\n'), rule, true)).rejects.toThrow(
      new InputError('unknown label "siasa" (known: uchumi, kitaifa, michezo, kimataifa, burudani, afya)', 'f.csv:2'),
    );
  });

  it('hf_dengue: rows without 6 fields skipped (and reported), the LAST flag set wins, no flag keeps the previous label', async () => {
    const skipped: number[] = [];
    const rule = (rows: AsyncIterable<PyCsvRow>, source: string) => hfDengueRows(rows, source, (line) => skipped.push(line));
    const csv = 'text,absent,dengue,health,mosquito,sick\n"a",0,1,0,1,0\n"broken",1\n"b",0,0,0,0,0\n"c",1,0,0,0,1\n';
    expect(await csvRules(Buffer.from(csv), rule, true)).toEqual([
      { label: 3, text: 'a' },
      { label: 3, text: 'b' },
      { label: 4, text: 'c' },
    ]);
    expect(skipped).toEqual([3]);
    await expect(csvRules(Buffer.from('h\n"a",0,0,0,0,0\n'), rule, true)).rejects.toThrow(InputError);
  });
});

describe('mirrors tried in turn', () => {
  it("row 193: Google Drive's HTML page, then a 404 from the fast.ai copy → a warning per mirror, then one line naming each; nothing cached", async () => {
    const cacheDir = mkdtempSync(join(tmpdir(), 'npc-mirrors-'));
    const asked: string[] = [];
    const fetchImpl = (async (url: string | URL | Request) => {
      const u = String(url);
      asked.push(u);
      if (u.includes('drive.google.com')) {
        return new Response('<!DOCTYPE html><html><body>Google Drive can\u2019t scan this file for viruses.</body></html>', {
          headers: { 'content-type': 'text/html; charset=utf-8' },
        });
      }
      return new Response('Not Found', { status: 404, statusText: 'Not Found' });
    }) as typeof fetch;
    const progress: string[] = [];
    try {
      const err = await dataError(getDataset('sogou_news', { cacheDir, fetchImpl, onProgress: (m) => progress.push(m) }));
      const drive = 'https://drive.google.com/uc?export=download&id=0Bz8a_Dbh9QhbUkVqNEszd0pHaFE&confirm=t';
      const fastai = 'https://s3.amazonaws.com/fast-ai-nlp/sogou_news_csv.tgz';
      expect(asked).toEqual([drive, fastai]);
      expect(err).toBe(
        `sogou_news sogou_news_csv.tar.gz: every mirror failed: download failed for ${drive}: the server sent an HTML page (Content-Type text/html; charset=utf-8) instead of the data file; download failed for ${fastai}: HTTP 404 Not Found`,
      );
      expect(progress.filter((m) => m.startsWith('warning: '))).toEqual([
        `warning: download failed for ${drive}: the server sent an HTML page (Content-Type text/html; charset=utf-8) instead of the data file; trying the next mirror`,
      ]);
      expect(readdirSync(cacheDir)).toEqual([]);
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });
});

describe('data catalog validation', () => {
  const entry = (over: Record<string, unknown>) => ({
    version: 2,
    datasets: { x: { description: 'd', layout: 'zhang_csv', labelNames: ['a'], ...over } },
  });
  const member = { train: { member: 'x/train.csv', rows: 1 } };
  const bad = (catalog: unknown) => {
    try {
      parseCatalog(catalog, 'cat.json');
    } catch (err) {
      expect(err).toBeInstanceOf(DataError);
      return (err as Error).message;
    }
    throw new Error('expected the catalog to be refused');
  };

  it('every shipped entry has a licence, a citation, a homepage and label names', () => {
    for (const info of listDatasets()) {
      expect([info.name, typeof info.license, typeof info.citation, typeof info.homepage]).toEqual([
        info.name,
        'string',
        'string',
        'string',
      ]);
      expect(info.labelNames?.length).toBeGreaterThan(1);
    }
  });

  it('errors name the entry and what is wrong', () => {
    expect(bad({ datasets: {} })).toBe('invalid data catalog cat.json: "version" must be 1 or 2');
    expect(bad(entry({ layout: 'tsv' }))).toMatch(/^invalid data catalog cat\.json: x: "layout" must be one of ag_news, text_gcn, /);
    expect(bad(entry({ splits: member }))).toBe(
      'invalid data catalog cat.json: x: layout zhang_csv needs a "source" archive or a "fileList"',
    );
    expect(bad(entry({ source: { file: 'x.tgz', urls: ['https://h/x.tgz'] }, splits: member }))).toBe(
      'invalid data catalog cat.json: x.train: neither the archive nor the member has a checksum',
    );
    expect(bad(entry({ source: { file: 'x.tgz', urls: ['https://h/x.tgz'], accept: [{ bytes: 3 }] }, splits: member }))).toBe(
      'invalid data catalog cat.json: x.source.accept[0]: needs "md5" or "sha256"',
    );
    expect(bad(entry({ source: { file: 'x.tgz', urls: ['https://h/x.tgz'], md5: 'ABC' }, splits: member }))).toBe(
      'invalid data catalog cat.json: x.source: "md5" must be 32 lowercase hex digits',
    );
    expect(
      bad(
        entry({
          source: { file: 'x.tgz', urls: ['https://h/x.tgz'], sha256: 'a'.repeat(64) },
          splits: { train: { member: '../x', rows: 1 } },
        }),
      ),
    ).toBe('invalid data catalog cat.json: x.train: "member" must be a relative path without ".."');
    expect(bad(entry({ layout: 'text_gcn', labelNames: undefined, splits: {} }))).toBe(
      'invalid data catalog cat.json: x: layout text_gcn needs "labelNames" (the label strings)',
    );
  });
});
