/**
 * The data catalog (data/datasets.json, version 2): which data sets `npc data get` knows, where their
 * files are published (one or more mirrors), the size and checksums each file must have, the rule
 * (`layout`) that turns the files into rows, and the rows that must come out. Read once, validated,
 * handed out as copies. docs/data.md describes every entry.
 *
 * A split's source is one of:
 * - a file of its own (`url`, optional `mirrors`, `file`, `bytes`, `md5` and/or `sha256`);
 * - a member (`member`, a file) or a folder (`folder`) of the data set's `source` archive;
 * - a folder (`folder`) of the data set's `fileList`: files fetched one by one from `urlBase`.
 * A folder is pinned by its number of files, their total bytes and `filesSha256` (the sha256 of the
 * `sha256sum` lines `<sha256>  <class>/<file>` in sorted order); a member by `bytes` and `md5`/`sha256`.
 * `rows` (and `jsonlSha256` where it was verified) pin what the conversion yields.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError } from '../errors.js';

/** Pins of one file: its size and at least one checksum. */
export interface FilePins {
  bytes?: number;
  md5?: string;
  sha256?: string;
}

export interface SplitInfo extends FilePins {
  /** Where the split's own file is published (first choice). */
  url?: string;
  /** Other URLs of the same file, tried in turn when one fails. */
  mirrors?: string[];
  /** Its file name: appended to a `from` mirror URL, looked up (or `<file>.gz`) in a `from` directory. */
  file?: string;
  /** The member of the data set's archive holding this split. */
  member?: string;
  /** The folder (of the archive, or of the file list) holding this split, one sub-folder per class. */
  folder?: string;
  /** Number of files in `folder`. */
  files?: number;
  /** sha256 of the sorted `sha256sum` lines of `folder`'s files. */
  filesSha256?: string;
  rows: number;
  /** sha256 of the converted JSONL (where it was verified against a reference copy). */
  jsonlSha256?: string;
}

/**
 * An archive shared by a data set's splits. Pinned by its own size and sums, or by `accept` (the
 * copies known to be good, e.g. torchtext's Google Drive archive and the fast.ai copy, which differ
 * byte-wise), or only through its members' pins.
 */
export interface ArchiveInfo extends FilePins {
  file: string;
  urls: string[];
  accept?: FilePins[];
}

/** Files fetched one by one: `urlBase` + each name of the list (a gzip file next to the catalog). */
export interface FileListInfo {
  urlBase: string;
  list: string;
}

/** The conversion rules (src/io/data-layouts.ts; docs/data.md). */
export type DataLayout =
  'ag_news' | 'text_gcn' | 'sklearn_20news' | 'ohsumed_single' | 'zhang_csv' | 'hf_kinnews' | 'hf_swahili' | 'hf_dengue';

export interface DatasetInfo {
  name: string;
  description: string;
  /** `index`: labels are integers 0..n-1 and labelNames names them; `name`: labels are the strings of labelNames. */
  labelType: 'index' | 'name';
  labelNames?: string[];
  splits: Record<string, SplitInfo>;
  source?: ArchiveInfo;
  fileList?: FileListInfo;
  /** Licence and provenance note. */
  license?: string;
  citation?: string;
  homepage?: string;
  layout: DataLayout;
}

const CATALOG_URL = new URL('../../data/datasets.json', import.meta.url);
const LAYOUTS: readonly DataLayout[] = [
  'ag_news',
  'text_gcn',
  'sklearn_20news',
  'ohsumed_single',
  'zhang_csv',
  'hf_kinnews',
  'hf_swahili',
  'hf_dengue',
];
/** Layouts whose splits each have a file of their own. */
const FILE_LAYOUTS: readonly DataLayout[] = ['ag_news', 'text_gcn', 'hf_swahili'];
/** Layouts whose labels are class names (strings). */
const NAME_LABEL_LAYOUTS: readonly DataLayout[] = ['text_gcn', 'ohsumed_single'];

let catalog: Map<string, DatasetInfo> | undefined;

/** The path of a file shipped next to the catalog (e.g. a file list). */
export function catalogFilePath(file: string): string {
  return fileURLToPath(new URL(file, CATALOG_URL));
}

function loadCatalog(): Map<string, DatasetInfo> {
  if (catalog) return catalog;
  const where = fileURLToPath(CATALOG_URL);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(CATALOG_URL, 'utf8'));
  } catch (err) {
    throw new DataError(`cannot read the data catalog ${where}: ${(err as Error).message}`);
  }
  catalog = parseCatalog(parsed, where);
  return catalog;
}

/** Validates a parsed catalog; errors name the entry (`invalid data catalog PATH: r8.train: ...`). */
export function parseCatalog(parsed: unknown, where: string): Map<string, DatasetInfo> {
  const bad = (what: string): never => {
    throw new DataError(`invalid data catalog ${where}: ${what}`);
  };
  const version = (parsed as { version?: unknown })?.version;
  if (version !== 1 && version !== 2) bad(`"version" must be 1 or 2`);
  const datasets = (parsed as { datasets?: unknown })?.datasets;
  if (!isObject(datasets)) bad('no "datasets" object');
  const result = new Map<string, DatasetInfo>();
  for (const [name, raw] of Object.entries(datasets as Record<string, unknown>)) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) bad(`bad data set name ${JSON.stringify(name)}`);
    if (!isObject(raw)) bad(`${name} is not an object`);
    const d = raw as Record<string, unknown>;
    if (typeof d.description !== 'string') bad(`${name}: "description" must be a string`);
    for (const key of ['license', 'citation', 'homepage'] as const) {
      if (d[key] !== undefined && typeof d[key] !== 'string') bad(`${name}: "${key}" must be a string`);
    }
    if (!LAYOUTS.includes(d.layout as DataLayout)) bad(`${name}: "layout" must be one of ${LAYOUTS.join(', ')}`);
    const layout = d.layout as DataLayout;
    if (d.labelNames !== undefined && !(Array.isArray(d.labelNames) && d.labelNames.every((l) => typeof l === 'string'))) {
      bad(`${name}: "labelNames" must be a list of strings`);
    }
    const labelType = NAME_LABEL_LAYOUTS.includes(layout) ? 'name' : 'index';
    if (labelType === 'name' && d.labelNames === undefined) bad(`${name}: layout ${layout} needs "labelNames" (the label strings)`);
    let source: ArchiveInfo | undefined;
    if (d.source !== undefined) {
      const s = d.source as Record<string, unknown>;
      if (!isObject(s) || !isPlainPath(s.file) || !isUrlList(s.urls))
        bad(`${name}.source: needs "file" (a file name) and "urls" (a non-empty list)`);
      if (s.accept !== undefined && !(Array.isArray(s.accept) && s.accept.length > 0 && s.accept.every(isObject))) {
        bad(`${name}.source: "accept" must be a non-empty list of {bytes, md5 and/or sha256}`);
      }
      const accept = (s.accept as Record<string, unknown>[] | undefined)?.map((a, i) =>
        pins(a, `${name}.source.accept[${i}]`, bad, 'checksum'),
      );
      source = {
        file: s.file as string,
        urls: [...(s.urls as string[])],
        ...pins(s, `${name}.source`, bad, false),
        ...(accept ? { accept } : {}),
      };
    }
    let fileList: FileListInfo | undefined;
    if (d.fileList !== undefined) {
      const f = d.fileList as Record<string, unknown>;
      if (!isObject(f) || !isHttpUrl(f.urlBase) || !isPlainPath(f.list) || (f.list as string).includes('/')) {
        bad(`${name}.fileList: needs "urlBase" (an http(s) URL) and "list" (a file name next to the catalog)`);
      }
      fileList = { urlBase: f.urlBase as string, list: f.list as string };
    }
    const perFile = FILE_LAYOUTS.includes(layout);
    if (!perFile && !source && !fileList) bad(`${name}: layout ${layout} needs a "source" archive or a "fileList"`);
    if (!isObject(d.splits) || Object.keys(d.splits as object).length === 0) bad(`${name}: "splits" must be a non-empty object`);
    const splits: Record<string, SplitInfo> = {};
    for (const [split, s] of Object.entries(d.splits as Record<string, unknown>)) {
      const at = `${name}.${split}`;
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(split)) bad(`bad split name ${JSON.stringify(at)}`);
      if (!isObject(s)) bad(`${at}: must be an object`);
      const si = s as Record<string, unknown>;
      if (!Number.isSafeInteger(si.rows) || (si.rows as number) <= 0) bad(`${at}: "rows" must be a positive integer`);
      const info: SplitInfo = { rows: si.rows as number };
      if (si.jsonlSha256 !== undefined) info.jsonlSha256 = hex(si.jsonlSha256, 64, `${at}: "jsonlSha256"`, bad);
      if (perFile) {
        if (typeof si.url !== 'string' || typeof si.file !== 'string') bad(`${at}: needs "url" and "file" strings`);
        if (!/^[A-Za-z0-9_.-]+$/.test(si.file as string)) bad(`${at}: "file" must be a plain file name`);
        if (si.mirrors !== undefined && !isUrlList(si.mirrors)) bad(`${at}: "mirrors" must be a non-empty list of URLs`);
        Object.assign(info, {
          url: si.url,
          ...(si.mirrors !== undefined ? { mirrors: [...(si.mirrors as string[])] } : {}),
          file: si.file,
          ...pins(si, at, bad, true),
        });
      } else if (typeof si.folder === 'string') {
        if (!isPlainPath(si.folder)) bad(`${at}: "folder" must be a relative path without ".."`);
        if (!Number.isSafeInteger(si.files) || (si.files as number) <= 0) bad(`${at}: "files" must be a positive integer`);
        Object.assign(info, {
          folder: si.folder,
          files: si.files,
          filesSha256: hex(si.filesSha256, 64, `${at}: "filesSha256"`, bad),
          ...pins(si, at, bad, false),
        });
      } else if (typeof si.member === 'string') {
        if (!source) bad(`${at}: "member" needs the data set's "source" archive`);
        if (!isPlainPath(si.member)) bad(`${at}: "member" must be a relative path without ".."`);
        Object.assign(info, { member: si.member, ...pins(si, at, bad, false) });
      } else {
        bad(`${at}: needs "folder" or "member" (layout ${layout})`);
      }
      splits[split] = info;
    }
    if (source && source.md5 === undefined && source.sha256 === undefined && !source.accept) {
      const unpinned = Object.entries(splits).find(([, si]) => si.member !== undefined && si.md5 === undefined && si.sha256 === undefined);
      if (unpinned) bad(`${name}.${unpinned[0]}: neither the archive nor the member has a checksum`);
    }
    result.set(name, {
      name,
      description: d.description as string,
      labelType,
      ...(d.labelNames !== undefined ? { labelNames: [...(d.labelNames as string[])] } : {}),
      splits,
      ...(source ? { source } : {}),
      ...(fileList ? { fileList } : {}),
      ...(typeof d.license === 'string' ? { license: d.license } : {}),
      ...(typeof d.citation === 'string' ? { citation: d.citation } : {}),
      ...(typeof d.homepage === 'string' ? { homepage: d.homepage } : {}),
      layout,
    });
  }
  return result;
}

/** `bytes`, `md5`, `sha256` of an entry; `required`: a size and at least one checksum must be there (`checksum`: a checksum). */
function pins(o: Record<string, unknown>, at: string, bad: (what: string) => never, required: boolean | 'checksum'): FilePins {
  const out: FilePins = {};
  if (o.bytes !== undefined || required === true) {
    if (!Number.isSafeInteger(o.bytes) || (o.bytes as number) <= 0) bad(`${at}: "bytes" must be a positive integer`);
    out.bytes = o.bytes as number;
  }
  if (o.md5 !== undefined) out.md5 = hex(o.md5, 32, `${at}: "md5"`, bad);
  if (o.sha256 !== undefined) out.sha256 = hex(o.sha256, 64, `${at}: "sha256"`, bad);
  if (required && out.md5 === undefined && out.sha256 === undefined) bad(`${at}: needs "md5" or "sha256"`);
  return out;
}

function hex(value: unknown, digits: number, what: string, bad: (what: string) => never): string {
  if (typeof value !== 'string' || !new RegExp(`^[0-9a-f]{${digits}}$`).test(value)) bad(`${what} must be ${digits} lowercase hex digits`);
  return value as string;
}

function isPlainPath(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    value !== '' &&
    !value.startsWith('/') &&
    value.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && /^[A-Za-z0-9_.-]+$/.test(part))
  );
}

function isHttpUrl(value: unknown): boolean {
  return typeof value === 'string' && /^https?:\/\/\S+$/.test(value);
}

function isUrlList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every(isHttpUrl);
}

function isObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Every data set in the catalog (copies; changing them changes nothing). */
export function listDatasets(): DatasetInfo[] {
  return [...loadCatalog().values()].map(copyInfo);
}

export function getDatasetInfo(name: string): DatasetInfo {
  const info = loadCatalog().get(name);
  if (!info) {
    throw new DataError(`unknown data set '${name}' (known: ${[...loadCatalog().keys()].join(', ')})`);
  }
  return copyInfo(info);
}

function copyInfo(info: DatasetInfo): DatasetInfo {
  return structuredClone(info);
}

export function getSplitInfo(name: string, split: string): SplitInfo {
  const info = getDatasetInfo(name);
  const splitInfo = Object.hasOwn(info.splits, split) ? info.splits[split] : undefined;
  if (!splitInfo) {
    throw new DataError(`data set '${name}' has no split '${split}' (it has: ${Object.keys(info.splits).join(', ')})`);
  }
  return splitInfo;
}
