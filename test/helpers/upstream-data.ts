/**
 * Rebuilds the upstream layouts of the shared benchmark data sets in a temp dir, as the data catalog's
 * sources hold them: text_gcn's `R8/train.txt` (the source files themselves), `20news-bydate-{train,test}/<group>/<id>`
 * (each post re-encoded latin-1 from its JSONL text) and `ohsumed_single_23/{training,test}/<class>/<id>`
 * (each text + the "\n" the loader's strip removed). The files lists in ../shared/data name each row's file.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { createGzip } from 'node:zlib';
import { readJsonlGz, sharedDataPath } from './shared-data.js';

export const UPSTREAM_FILES = [
  'r8/train.txt.gz',
  'r8/test.txt.gz',
  'r52/train.txt.gz',
  'r52/test.txt.gz',
  '20news/train.jsonl.gz',
  '20news/test.jsonl.gz',
  '20news/train.files.txt.gz',
  '20news/test.files.txt.gz',
  'ohsumed/train.jsonl.gz',
  'ohsumed/test.jsonl.gz',
  'ohsumed/train.files.txt.gz',
  'ohsumed/test.files.txt.gz',
];

/** Relative path (as upstream names it) → bytes. */
export type Upstream = Map<string, Buffer>;

function filesList(name: string): string[] {
  return gunzipSync(readFileSync(sharedDataPath(name)))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
}

/** `R8/train.txt`, `R8/test.txt`, `R52/...`: the text_gcn source files. */
export function textGcnFiles(): Upstream {
  const out: Upstream = new Map();
  for (const [dir, up] of [
    ['r8', 'R8'],
    ['r52', 'R52'],
  ]) {
    for (const split of ['train', 'test']) out.set(`${up}/${split}.txt`, gunzipSync(readFileSync(sharedDataPath(dir, `${split}.txt.gz`))));
  }
  return out;
}

/** The folder files of 20news (`20news-bydate-train/...`) or ohsumed (`training/...`, `test/...`). */
export function folderFiles(dataset: '20news' | 'ohsumed'): Upstream {
  const out: Upstream = new Map();
  for (const split of ['train', 'test']) {
    const names = filesList(`${dataset}/${split}.files.txt.gz`);
    const rows = readJsonlGz(sharedDataPath(dataset, `${split}.jsonl.gz`));
    if (names.length !== rows.length) throw new Error(`${dataset} ${split}: ${names.length} file names for ${rows.length} rows`);
    names.forEach((name, i) => {
      const rel = name.replace(/^(20ng|ohsumed_single_23)\//, '');
      out.set(rel, dataset === '20news' ? Buffer.from(rows[i].text, 'latin1') : Buffer.from(`${rows[i].text}\n`, 'utf8'));
    });
  }
  return out;
}

export function writeUpstream(root: string, files: Upstream): string {
  for (const [rel, bytes] of files) {
    const path = join(root, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, bytes);
  }
  return root;
}

/** A .tar.gz of the files (directory members first, as tar writes them). */
export async function tarGz(files: Upstream, extra: { name: string; body?: Buffer; type?: 'file' | 'directory' }[] = []): Promise<Buffer> {
  const pack = tar.pack();
  const gz = pack.pipe(createGzip());
  const chunks: Buffer[] = [];
  gz.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<void>((resolve, reject) => {
    gz.on('end', resolve);
    gz.on('error', reject);
  });
  const dirs = new Set<string>();
  for (const rel of files.keys()) for (let d = dirname(rel); d !== '.'; d = dirname(d)) dirs.add(d);
  for (const d of [...dirs].sort()) pack.entry({ name: `${d}/`, type: 'directory' });
  for (const [rel, body] of files) pack.entry({ name: rel }, body);
  for (const e of extra) pack.entry({ name: e.name, type: e.type ?? 'file' }, e.body ?? Buffer.alloc(0));
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

/** Row count and sha256 of the texts (and of the labels) of a JSONL file. */
export function rowDigest(path: string): { rows: number; texts: string; labels: string } {
  const rows = readJsonlGz(path);
  const texts = createHash('sha256');
  const labels = createHash('sha256');
  for (const r of rows) {
    texts.update(`${JSON.stringify(r.text)}\n`);
    labels.update(`${JSON.stringify(r.label)}\n`);
  }
  return { rows: rows.length, texts: texts.digest('hex'), labels: labels.digest('hex') };
}
