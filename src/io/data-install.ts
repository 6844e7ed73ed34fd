/**
 * Installing a data set into the cache. `getDataset` fetches each split's upstream files (their URLs in
 * turn, a `--from` mirror URL, or a local directory), checks sizes and checksums, converts them to JSONL
 * lines `{"label": <label>, "text": <string>}` by the entry's rule (io/data-layouts.ts; exactly what
 * Python's `json.dumps` writes, so the files equal the reference JSONL byte for byte), checks the row
 * count (and the JSONL's sha256 where the catalog pins it), and only when every requested split has
 * passed puts `<cache>/<name>/<split>.jsonl` and `<split>.meta.json` in place (temp files + renames).
 * A failure leaves nothing behind in the cache. The catalog is io/data-catalog.ts, the cache's layout
 * io/data-cache.ts, archives io/archive.ts.
 */
import { createHash } from 'node:crypto';
import { createReadStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, rmdir, unlink } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGunzip, gunzipSync } from 'node:zlib';
import { DataError, InputError, at } from '../errors.js';
import { archiveFolderFiles, archiveMembers } from './archive.js';
import { pythonCsvRows } from './python-csv.js';
import { createAtomicWriter, removeAtExit, removeStaleTempFiles, tempPathFor, writeFileAtomic, type AtomicWriter } from './atomic-file.js';
import { agNewsRowToRecord, readCsvRows } from './csv.js';
import {
  type CachedSplitMeta,
  cachedSplitPath,
  isCached,
  isFile,
  metaPath,
  resolveCacheDir,
  splitPin,
  verifyCachedSplit,
} from './data-cache.js';
import { type DatasetInfo, catalogFilePath, getDatasetInfo, getSplitInfo, type SplitInfo } from './data-catalog.js';
import {
  type FileTree,
  type Row,
  hfDengueRows,
  hfKinnewsRows,
  hfSwahiliRows,
  ohsumedRows,
  sklearn20newsRows,
  sortedFiles,
  textGcnRows,
  zhangCsvRows,
} from './data-layouts.js';
import { makeDirectories } from './directories.js';
import { checkSums, describeSource, type FetchedFile, fetchVerifiedFile, type FileSource } from './download.js';

export interface GetDatasetOptions {
  /** One split (default: all of them). */
  split?: string;
  /** A mirror base URL (the upstream file names are appended) or a local directory holding the upstream files (plain or .gz). */
  from?: string;
  cacheDir?: string;
  onProgress?: (message: string) => void;
  /** Warnings (a mirror that failed, rows the rule skips): never to be silenced with the progress. Default: onProgress with `warning: `. */
  onWarning?: (message: string) => void;
  fetchImpl?: typeof fetch;
  /** Download again even when a verified copy is cached. */
  force?: boolean;
}

/** Where a split's data comes from. */
type Plan =
  /** The split's own file: these sources in turn. */
  | { kind: 'file'; sources: FileSource[] }
  /** A member or folder of the data set's archive, fetched from these sources in turn. */
  | { kind: 'archive'; sources: FileSource[] }
  /** The split's archive member, extracted, in a local directory (plain or .gz). */
  | { kind: 'memberFile'; source: FileSource }
  /** The split's folder, extracted, in a local directory. */
  | { kind: 'dir'; dir: string }
  /** The split's folder, file by file under a base URL (names from the catalog's file list). */
  | { kind: 'list'; base: string };

interface Pending {
  split: string;
  path: string;
  rows: number;
  writer: AtomicWriter;
  meta: CachedSplitMeta;
}

/** Parallel requests when a folder is fetched file by file. */
const LIST_CONCURRENCY = 8;

/**
 * Makes the requested splits available in the cache (downloading, checking and converting them) and
 * returns their JSONL paths. A split already cached and intact is not fetched again unless `force`.
 */
export async function getDataset(name: string, options: GetDatasetOptions = {}): Promise<{ split: string; path: string; rows: number }[]> {
  const info = getDatasetInfo(name);
  const splits = options.split === undefined ? Object.keys(info.splits) : [options.split];
  for (const split of splits) getSplitInfo(name, split); // unknown split: fail before fetching anything
  const cacheDir = options.cacheDir ?? resolveCacheDir();
  const results = new Map<string, { split: string; path: string; rows: number }>();
  const todo: { split: string; path: string; plan: Plan }[] = [];
  for (const split of splits) {
    const path = cachedSplitPath(name, split, cacheDir);
    if (!options.force && isCached(name, split, cacheDir)) {
      try {
        const meta = await verifyCachedSplit(name, split, cacheDir);
        options.onProgress?.(`${name} ${split}: already in the cache (${path})`);
        results.set(split, { split, path, rows: meta.rows });
        continue;
      } catch (err) {
        if (!(err instanceof DataError)) throw err;
        options.onProgress?.(`${err.message.split('; ')[0]}; downloading it again`);
      }
    }
    // Planned for every split first, so a file missing from a --from directory fails before any work.
    todo.push({ split, path, plan: planSplit(info, split, options.from) });
  }
  if (todo.length === 0) return splits.map((split) => results.get(split)!);
  const large = largeNotice(info);
  if (large) options.onProgress?.(large);
  const dir = join(cacheDir, name);
  let createdDir: string | undefined;
  try {
    createdDir = makeDirectories(dir);
  } catch (err) {
    throw new DataError(`cannot create the cache directory ${dir}: ${(err as Error).message} (set NPC_DATA_DIR to use another one)`);
  }
  await removeStaleTempFiles(dir); // left by an earlier run that was killed mid-download
  const scratch = await mkdtemp(join(dir, '.npc-get-'));
  const forgetScratch = removeAtExit(scratch);
  const pending: Pending[] = [];
  let committed: string[] = [];
  const archive = new ArchiveFetcher(info, scratch, options);
  try {
    for (const { split, path, plan } of todo) pending.push(await convertSplit(info, split, plan, path, scratch, archive, options));
    // Every split has passed: put them all in place.
    for (const p of pending) {
      await p.writer.commit();
      committed.push(p.path);
      await writeFileAtomic(metaPath(p.path), `${JSON.stringify(p.meta, null, 2)}\n`);
      committed.push(metaPath(p.path));
      options.onProgress?.(`${name} ${p.split}: ${p.rows} rows in ${p.path}`);
      results.set(p.split, { split: p.split, path: p.path, rows: p.rows });
    }
    committed = [];
  } catch (err) {
    for (const p of pending) await p.writer.abort();
    for (const file of committed) await unlink(file).catch(() => undefined);
    await rm(scratch, { recursive: true, force: true });
    await removeEmptyDirs(dir, createdDir);
    if (err instanceof DataError) throw err;
    if (err instanceof InputError) throw new DataError(`cannot install ${name}: ${err.describe()}`);
    throw err;
  } finally {
    await rm(scratch, { recursive: true, force: true });
    forgetScratch();
  }
  return splits.map((split) => results.get(split)!);
}

function warn(options: GetDatasetOptions, message: string): void {
  if (options.onWarning) options.onWarning(message);
  else options.onProgress?.(`warning: ${message}`);
}

/** Above either: a data set is "large" and `npc data get` says what it takes before it starts. */
const LARGE_BYTES = 100e6;
const LARGE_PAIRS = 1e9;

/** `NAME is large: ...` (download size, rows, the pairs of a full eval), or undefined for a small data set. */
export function largeNotice(info: DatasetInfo): string | undefined {
  const archive = info.source;
  const archiveBytes = archive ? Math.max(archive.bytes ?? 0, ...(archive.accept ?? []).map((a) => a.bytes ?? 0)) : 0;
  const bytes = archiveBytes + Object.values(info.splits).reduce((n, s) => n + (s.file !== undefined ? (s.bytes ?? 0) : 0), 0);
  const train = info.splits.train?.rows ?? 0;
  const test = info.splits.test?.rows ?? 0;
  const pairs = train * test;
  if (bytes < LARGE_BYTES && pairs < LARGE_PAIRS) return undefined;
  const n = (x: number) => x.toLocaleString('en-US');
  const size = bytes > 0 ? `${(bytes / 1e6).toFixed(1)} MB to download, ` : '';
  return `${info.name} is large: ${size}${n(train)} train and ${n(test)} test rows; a full eval compares ${n(pairs)} pairs (continuing)`;
}

/** Where the split comes from: its URLs, a `from` mirror URL, or a `from` directory. */
function planSplit(info: DatasetInfo, split: string, from: string | undefined): Plan {
  const s = info.splits[split];
  const mirror = from === undefined || from === '' ? undefined : mirrorOf(from);
  if (s.file !== undefined) {
    if (!mirror) return { kind: 'file', sources: [s.url!, ...(s.mirrors ?? [])].map((url) => ({ kind: 'url', url })) };
    if (mirror.kind === 'url') return { kind: 'file', sources: [{ kind: 'url', url: new URL(s.file, mirror.base).href }] };
    return { kind: 'file', sources: [localFile(mirror.dir, s.file, from!)] };
  }
  if (info.source) {
    if (!mirror) return { kind: 'archive', sources: info.source.urls.map((url) => ({ kind: 'url', url })) };
    if (mirror.kind === 'url') return { kind: 'archive', sources: [{ kind: 'url', url: new URL(info.source.file, mirror.base).href }] };
    const archive = join(mirror.dir, info.source.file);
    if (isFile(archive)) return { kind: 'archive', sources: [{ kind: 'file', path: archive, gzip: false }] };
    if (s.folder !== undefined && isDirectory(join(mirror.dir, s.folder))) return { kind: 'dir', dir: join(mirror.dir, s.folder) };
    if (s.member !== undefined && (s.md5 !== undefined || s.sha256 !== undefined)) {
      const plain = join(mirror.dir, s.member);
      if (isFile(plain)) return { kind: 'memberFile', source: { kind: 'file', path: plain, gzip: false } };
      if (isFile(`${plain}.gz`)) return { kind: 'memberFile', source: { kind: 'file', path: `${plain}.gz`, gzip: true } };
    }
    throw new DataError(
      `--from ${from}: found neither ${info.source.file} nor ${s.folder !== undefined ? `the folder ${s.folder}` : s.member} in ${mirror.dir}`,
    );
  }
  // A file list: the folder's files one by one.
  if (!mirror) return { kind: 'list', base: info.fileList!.urlBase };
  if (mirror.kind === 'url') return { kind: 'list', base: mirror.base.href };
  const folder = join(mirror.dir, s.folder!);
  if (isDirectory(folder)) return { kind: 'dir', dir: folder };
  throw new DataError(`--from ${from}: found no folder ${s.folder} in ${mirror.dir}`);
}

function mirrorOf(from: string): { kind: 'url'; base: URL } | { kind: 'dir'; dir: string } {
  let dir = from;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(from)) {
    let base: URL;
    try {
      base = new URL(from.endsWith('/') ? from : `${from}/`);
    } catch {
      throw new DataError(`--from ${from}: not a valid URL`);
    }
    if (base.protocol === 'http:' || base.protocol === 'https:') return { kind: 'url', base };
    if (base.protocol !== 'file:') throw new DataError(`--from ${from}: only http, https and file URLs are supported`);
    dir = fileURLToPath(base);
  }
  let isDir: boolean;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    throw new DataError(`--from ${from}: no such directory`);
  }
  if (!isDir)
    throw new DataError(`--from ${from}: not a directory (give the directory holding the data set's upstream files, or a mirror base URL)`);
  return { kind: 'dir', dir: resolve(dir) };
}

function localFile(dir: string, file: string, from: string): FileSource {
  const plain = join(dir, file);
  if (isFile(plain)) return { kind: 'file', path: plain, gzip: false };
  if (isFile(`${plain}.gz`)) return { kind: 'file', path: `${plain}.gz`, gzip: true };
  throw new DataError(`--from ${from}: found neither ${file} nor ${file}.gz in ${dirname(plain)}`);
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Fetches the first of `sources` that arrives and passes its checks into `dest`. When one fails and
 * another is left, says so and tries the next; when all fail, the error names each.
 */
async function fetchFirst(
  sources: FileSource[],
  dest: string,
  expected: SplitInfo | NonNullable<DatasetInfo['source']>,
  label: string,
  options: GetDatasetOptions,
): Promise<{ source: FileSource; file: FetchedFile }> {
  const errors: string[] = [];
  for (const [i, source] of sources.entries()) {
    try {
      const file = await fetchVerifiedFile(source, dest, expected, { label, onProgress: options.onProgress, fetchImpl: options.fetchImpl });
      return { source, file };
    } catch (err) {
      if (!(err instanceof DataError) || sources.length === 1) throw err;
      errors.push(err.message);
      if (i < sources.length - 1) warn(options, `${err.message}; trying the next mirror`);
    }
  }
  throw new DataError(`${label}: every mirror failed: ${errors.join('; ')}`);
}

/** Fetches the data set's archive once (for all its splits) into the scratch folder. */
class ArchiveFetcher {
  private fetched: Promise<{ path: string; name: string; file: FetchedFile }> | undefined;
  constructor(
    private readonly info: DatasetInfo,
    private readonly scratch: string,
    private readonly options: GetDatasetOptions,
  ) {}

  get(sources: FileSource[]): Promise<{ path: string; name: string; file: FetchedFile }> {
    this.fetched ??= (async () => {
      const archive = this.info.source!;
      const path = join(this.scratch, archive.file);
      const label = `${this.info.name} ${archive.file}`;
      const { source, file } = await fetchFirst(sources, path, archive, label, this.options);
      if (archive.accept && !archive.accept.some((a) => matchesPins(a, file))) {
        const known = archive.accept.map((a) => (a.sha256 !== undefined ? `sha256 ${a.sha256}` : `md5 ${a.md5}`));
        throw new DataError(
          `checksum mismatch for ${describeSource(source)}: expected ${known.join(' or ')} (a known copy), got sha256 ${file.sha256}, md5 ${file.md5}`,
        );
      }
      this.options.onProgress?.(`${this.info.name}: ${describeSource(source)} checked (${file.bytes} bytes, sha256 ${file.sha256})`);
      return { path, name: describeSource(source), file };
    })();
    return this.fetched;
  }
}

function matchesPins(p: { bytes?: number; md5?: string; sha256?: string }, f: FetchedFile): boolean {
  return (
    (p.bytes === undefined || p.bytes === f.bytes) &&
    (p.md5 === undefined || p.md5 === f.md5) &&
    (p.sha256 === undefined || p.sha256 === f.sha256)
  );
}

/** A stream's bytes passed on unchanged while their size, MD5 and SHA-256 are taken. */
class Tally {
  bytes = 0;
  private readonly md5 = createHash('md5');
  private readonly sha256 = createHash('sha256');
  async *pass(input: AsyncIterable<Buffer | Uint8Array>): AsyncGenerator<Buffer | Uint8Array> {
    for await (const chunk of input) {
      this.bytes += chunk.length;
      this.md5.update(chunk);
      this.sha256.update(chunk);
      yield chunk;
    }
  }
  /** Checks the pins of `s` (size, md5, sha256); a DataError naming `name` when one differs. */
  check(name: string, s: SplitInfo): void {
    if (s.bytes !== undefined && this.bytes !== s.bytes)
      throw new DataError(`size mismatch for ${name}: expected ${s.bytes} bytes, got ${this.bytes}`);
    checkSums(name, s, { md5: this.md5.digest('hex'), sha256: this.sha256.digest('hex') });
  }
}

/** The rows of a CSV data set's file by its layout's rule. */
function csvRows(
  info: DatasetInfo,
  input: AsyncIterable<Buffer | Uint8Array>,
  sourceName: string,
  options: GetDatasetOptions,
): AsyncIterable<Row> {
  const skipInitialSpace = info.layout !== 'zhang_csv';
  const rows = pythonCsvRows(input, sourceName, { skipInitialSpace });
  switch (info.layout) {
    case 'zhang_csv':
      return zhangCsvRows(rows, sourceName);
    case 'hf_kinnews':
      return hfKinnewsRows(rows, sourceName);
    case 'hf_swahili':
      return hfSwahiliRows(rows, sourceName, info.labelNames ?? []);
    case 'hf_dengue': {
      let skipped = 0;
      return (async function* () {
        yield* hfDengueRows(rows, sourceName, (line, fields) => {
          skipped++;
          warn(options, `${sourceName}:${line}: ${fields} fields, not 6: row skipped, as the paper's loader skips it`);
        });
        if (skipped > 0) warn(options, `${sourceName}: ${skipped} rows skipped in all (the paper's loader skips them too)`);
      })();
    }
    default:
      throw new DataError(`${info.name}: layout ${info.layout} is not a CSV layout`);
  }
}

/** The bytes of one member of an archive (a DataError when it is not there). */
async function* memberBytes(path: string, name: string, member: string): AsyncGenerator<Buffer | Uint8Array> {
  for await (const m of archiveMembers(path, name)) {
    if (m.path !== member) continue;
    if (m.type !== 'file') throw new DataError(`${name}: ${member} is not a file`);
    for await (const chunk of m.body) yield chunk as Buffer;
    return;
  }
  throw new DataError(`${name}: no member ${member}`);
}

/** Fetch, verify and convert one split into a temp file next to its cache path (committed by the caller). */
async function convertSplit(
  info: DatasetInfo,
  split: string,
  plan: Plan,
  path: string,
  scratch: string,
  archive: ArchiveFetcher,
  options: GetDatasetOptions,
): Promise<Pending> {
  const s = info.splits[split];
  const label = `${info.name} ${split}`;
  let rows: Iterable<Row> | AsyncIterable<Row>;
  let sourceName: string;
  let fetched: FetchedFile | undefined;
  let tally: Tally | undefined;
  if (plan.kind === 'file') {
    const dest = tempPathFor(join(scratch, s.file!));
    const got = await fetchFirst(plan.sources, dest, s, label, options);
    sourceName = describeSource(got.source);
    fetched = got.file;
    options.onProgress?.(`${label}: checked (md5 ${fetched.md5}, sha256 ${fetched.sha256}); converting to JSONL`);
    rows =
      info.layout === 'ag_news'
        ? agNewsRows(dest, sourceName)
        : info.layout === 'text_gcn'
          ? textGcnRows(await readFile(dest), sourceName)
          : csvRows(info, createReadStream(dest), sourceName, options);
  } else if (plan.kind === 'memberFile' || (plan.kind === 'archive' && s.member !== undefined)) {
    let input: AsyncIterable<Buffer | Uint8Array>;
    if (plan.kind === 'memberFile') {
      sourceName = describeSource(plan.source);
      const file = plan.source as { path: string; gzip: boolean };
      input = file.gzip ? createReadStream(file.path).pipe(createGunzip()) : createReadStream(file.path);
    } else {
      const a = await archive.get(plan.sources);
      sourceName = `${a.name}:${s.member}`;
      input = memberBytes(a.path, a.name, s.member!);
    }
    tally = new Tally();
    rows = csvRows(info, tally.pass(input), sourceName, options);
  } else {
    let tree: FileTree;
    if (plan.kind === 'archive') {
      const a = await archive.get(plan.sources);
      sourceName = `${a.name}:${s.folder}`;
      tree = await archiveFolderFiles(a.path, a.name, s.folder!);
    } else if (plan.kind === 'dir') {
      sourceName = plan.dir;
      tree = treeFromDir(plan.dir);
    } else {
      sourceName = new URL(s.folder!, plan.base.endsWith('/') ? plan.base : `${plan.base}/`).href;
      tree = await treeFromList(info, split, plan.base, label, options);
    }
    checkTree(tree, s, sourceName);
    options.onProgress?.(`${label}: ${s.files} files checked (sha256 of their sha256sum lines ${s.filesSha256}); converting to JSONL`);
    rows = info.layout === 'sklearn_20news' ? sklearn20newsRows(tree, info.labelNames ?? [], sourceName) : ohsumedRows(tree, sourceName);
  }
  const writer = createAtomicWriter(path);
  try {
    const converted = await writeRows(info, rows, sourceName, writer);
    tally?.check(sourceName, s); // the member's pins, now that all of it has been read
    if (converted.rows !== s.rows) {
      throw new DataError(`row count mismatch for ${sourceName}: expected ${s.rows} rows, got ${converted.rows}`);
    }
    if (s.jsonlSha256 !== undefined && converted.sha256 !== s.jsonlSha256) {
      throw new DataError(
        `converted rows of ${sourceName} differ from the pinned ones: expected JSONL sha256 ${s.jsonlSha256}, got ${converted.sha256}`,
      );
    }
    const meta: CachedSplitMeta = {
      dataset: info.name,
      split,
      source: sourceName,
      ...(fetched && s.md5 !== undefined ? { csvBytes: fetched.bytes, csvMd5: fetched.md5 } : {}),
      pin: splitPin(info, split),
      rows: converted.rows,
      jsonlBytes: converted.bytes,
      jsonlSha256: converted.sha256,
      created: new Date().toISOString(),
    };
    return { split, path, rows: converted.rows, writer, meta };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** The AG News CSV rows of a verified file. */
async function* agNewsRows(csvPath: string, sourceName: string): AsyncGenerator<Row> {
  for await (const row of readCsvRows(createReadStream(csvPath), sourceName)) {
    const where = at(sourceName, row.line);
    if (row.cells.length !== 3) {
      throw new InputError(`expected 3 fields (class,title,description), got ${row.cells.length}`, where);
    }
    const [cls, title, description] = row.cells;
    yield agNewsRowToRecord(cls, title, description, where);
  }
}

/** The files of `<dir>/<class>/<file>`. */
function treeFromDir(dir: string): FileTree {
  const tree: FileTree = new Map();
  for (const cls of readdirSync(dir, { withFileTypes: true })) {
    if (!cls.isDirectory()) throw new DataError(`${join(dir, cls.name)}: unexpected file (expected one folder per class)`);
    for (const file of readdirSync(join(dir, cls.name), { withFileTypes: true })) {
      const path = join(dir, cls.name, file.name);
      if (!file.isFile()) throw new DataError(`${path}: unexpected folder (expected files only in a class folder)`);
      let bytes: Buffer;
      try {
        bytes = readFileSync(path);
      } catch (err) {
        throw new DataError(`cannot read ${path}: ${(err as Error).message}`);
      }
      addToTree(tree, cls.name, file.name, bytes);
    }
  }
  return tree;
}

function addToTree(tree: FileTree, cls: string, file: string, bytes: Buffer): void {
  let files = tree.get(cls);
  if (!files) tree.set(cls, (files = new Map()));
  files.set(file, bytes);
}

/** The names of the catalog's file list under `folder/` (relative to the list's base). */
function listedFiles(info: DatasetInfo, folder: string): string[] {
  const listPath = catalogFilePath(info.fileList!.list);
  let names: string[];
  try {
    names = gunzipSync(readFileSync(listPath)).toString('utf8').split('\n');
  } catch (err) {
    throw new DataError(`cannot read the file list ${listPath}: ${(err as Error).message}`);
  }
  return names.filter((n) => n.startsWith(`${folder}/`));
}

/** The split's folder fetched file by file (a few at a time); any failure stops the whole split. */
async function treeFromList(info: DatasetInfo, split: string, base: string, label: string, options: GetDatasetOptions): Promise<FileTree> {
  const s = info.splits[split];
  const names = listedFiles(info, s.folder!);
  if (names.length !== s.files) {
    throw new DataError(`the file list ${info.fileList!.list} names ${names.length} files under ${s.folder}/, the catalog ${s.files}`);
  }
  const root = base.endsWith('/') ? base : `${base}/`;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const tree: FileTree = new Map();
  options.onProgress?.(`${label}: downloading ${names.length} files from ${new URL(s.folder!, root).href}/`);
  let next = 0;
  let done = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < names.length) {
      const name = names[next++];
      const url = new URL(name, root).href;
      let bytes: Buffer;
      try {
        bytes = await fetchSmall(url, fetchImpl);
      } catch (err) {
        failed = true;
        throw err;
      }
      const rest = name.slice(s.folder!.length + 1).split('/');
      addToTree(tree, rest[0], rest[1], bytes);
      if (++done % 500 === 0) options.onProgress?.(`${label}: ${done} of ${names.length} files`);
    }
  };
  await Promise.all(Array.from({ length: LIST_CONCURRENCY }, worker));
  return tree;
}

/** One small file, whole, into memory; a DataError naming the URL when it cannot be had. */
async function fetchSmall(url: string, fetchImpl: typeof fetch): Promise<Buffer> {
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: 'follow', signal: AbortSignal.timeout(60_000) });
  } catch (err) {
    throw new DataError(`cannot download ${url}: ${(err as Error).message}`);
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    throw new DataError(`download failed for ${url}: HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`);
  }
  try {
    return Buffer.from(await response.arrayBuffer());
  } catch (err) {
    throw new DataError(`download of ${url} was interrupted: ${(err as Error).message}`);
  }
}

/** A folder's pins: number of files, total bytes, sha256 of its sorted sha256sum lines. */
function checkTree(tree: FileTree, s: SplitInfo, sourceName: string): void {
  const files = sortedFiles(tree);
  if (files.length !== s.files)
    throw new DataError(`file count mismatch for ${sourceName}: expected ${s.files} files, found ${files.length}`);
  const bytes = files.reduce((n, f) => n + f.bytes.length, 0);
  if (s.bytes !== undefined && bytes !== s.bytes) {
    throw new DataError(`size mismatch for ${sourceName}: expected ${s.bytes} bytes in ${s.files} files, got ${bytes}`);
  }
  const list = createHash('sha256');
  for (const f of files) list.update(`${createHash('sha256').update(f.bytes).digest('hex')}  ${f.label}/${f.file}\n`);
  const got = list.digest('hex');
  if (got !== s.filesSha256) {
    throw new DataError(`checksum mismatch for ${sourceName}: expected sha256 of the files' sha256sum lines ${s.filesSha256}, got ${got}`);
  }
}

/** Writes rows as JSONL lines `{"label": ..., "text": ...}` (Python json.dumps spacing), checking labels. */
async function writeRows(
  info: DatasetInfo,
  rows: Iterable<Row> | AsyncIterable<Row>,
  sourceName: string,
  writer: AtomicWriter,
): Promise<{ rows: number; bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  const names = info.labelNames;
  const known = info.labelType === 'name' ? new Set(names) : undefined;
  let count = 0;
  let bytes = 0;
  let pending = '';
  const flush = async () => {
    const chunk = Buffer.from(pending, 'utf8');
    pending = '';
    hash.update(chunk);
    bytes += chunk.length;
    await writer.write(chunk);
  };
  for await (const row of rows) {
    count++;
    if (known ? !known.has(row.label as string) : names !== undefined && (row.label as number) >= names.length) {
      const shown = typeof row.label === 'number' ? `class ${row.label + 1}` : `label ${JSON.stringify(row.label)}`;
      const range = known ? `one of its ${names!.length} labels` : `classes 1..${names!.length}`;
      throw new InputError(`${shown} is out of range: ${info.name} has ${range}`, at(sourceName, count));
    }
    pending += `{"label": ${JSON.stringify(row.label)}, "text": ${JSON.stringify(row.text)}}\n`;
    if (pending.length >= 1 << 20) await flush();
  }
  if (pending.length > 0) await flush();
  return { rows: count, bytes, sha256: hash.digest('hex') };
}

/** Removes `dir` and its parents up to `createdRoot` (the first directory mkdir created) if they are empty. */
async function removeEmptyDirs(dir: string, createdRoot: string | undefined): Promise<void> {
  if (createdRoot === undefined) return;
  for (let d = dir; ; d = dirname(d)) {
    try {
      await rmdir(d);
    } catch {
      return; // not empty (another split, another process) or already gone
    }
    if (d === createdRoot || dirname(d) === d) return;
  }
}
