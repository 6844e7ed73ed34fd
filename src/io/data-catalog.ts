/**
 * The data catalog (data/datasets.json): which data sets `npc data get` knows, where each split is
 * published, and the size, MD5 and row count it must have. Read once, validated, handed out as copies.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DataError } from '../errors.js';

export interface SplitInfo {
  /** Where the original file is published. */
  url: string;
  /** Its file name: appended to a `from` mirror URL, looked up (or `<file>.gz`) in a `from` directory. */
  file: string;
  bytes: number;
  md5: string;
  rows: number;
}

/** How CSV rows become records. `ag_news`: class,title,description, no header (see csv.ts). */
export type CsvLayout = 'ag_news';

export interface DatasetInfo {
  name: string;
  description: string;
  labelNames?: string[];
  splits: Record<string, SplitInfo>;
  /** Licence and provenance note. */
  license?: string;
  homepage?: string;
  layout: CsvLayout;
}

/** What `<split>.meta.json` holds next to a cached `<split>.jsonl`. */
const CATALOG_URL = new URL('../../data/datasets.json', import.meta.url);
const LAYOUTS: readonly CsvLayout[] = ['ag_news'];

let catalog: Map<string, DatasetInfo> | undefined;

function loadCatalog(): Map<string, DatasetInfo> {
  if (catalog) return catalog;
  const where = fileURLToPath(CATALOG_URL);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(CATALOG_URL, 'utf8'));
  } catch (err) {
    throw new DataError(`cannot read the data catalog ${where}: ${(err as Error).message}`);
  }
  const bad = (what: string): never => {
    throw new DataError(`invalid data catalog ${where}: ${what}`);
  };
  const datasets = (parsed as { datasets?: unknown })?.datasets;
  if (!isObject(datasets)) bad('no "datasets" object');
  const result = new Map<string, DatasetInfo>();
  for (const [name, raw] of Object.entries(datasets as Record<string, unknown>)) {
    if (!/^[a-z0-9][a-z0-9_.-]*$/.test(name)) bad(`bad data set name ${JSON.stringify(name)}`);
    if (!isObject(raw)) bad(`${name} is not an object`);
    const d = raw as Record<string, unknown>;
    if (typeof d.description !== 'string') bad(`${name}: "description" must be a string`);
    if (!LAYOUTS.includes(d.layout as CsvLayout)) bad(`${name}: "layout" must be one of ${LAYOUTS.join(', ')}`);
    if (d.labelNames !== undefined && !(Array.isArray(d.labelNames) && d.labelNames.every((l) => typeof l === 'string'))) {
      bad(`${name}: "labelNames" must be a list of strings`);
    }
    if (!isObject(d.splits) || Object.keys(d.splits as object).length === 0) bad(`${name}: "splits" must be a non-empty object`);
    const splits: Record<string, SplitInfo> = {};
    for (const [split, s] of Object.entries(d.splits as Record<string, unknown>)) {
      const where = `${name}.${split}`;
      if (!/^[a-z0-9][a-z0-9_-]*$/.test(split)) bad(`bad split name ${JSON.stringify(where)}`);
      const si = s as Record<string, unknown>;
      if (!isObject(s) || typeof si.url !== 'string' || typeof si.file !== 'string' || typeof si.md5 !== 'string') {
        bad(`${where}: needs "url", "file" and "md5" strings`);
      }
      if (!/^[A-Za-z0-9_.-]+$/.test(si.file as string)) bad(`${where}: "file" must be a plain file name`);
      if (!/^[0-9a-f]{32}$/.test(si.md5 as string)) bad(`${where}: "md5" must be 32 lowercase hex digits`);
      for (const key of ['bytes', 'rows'] as const) {
        if (!Number.isSafeInteger(si[key]) || (si[key] as number) <= 0) bad(`${where}: "${key}" must be a positive integer`);
      }
      splits[split] = {
        url: si.url as string,
        file: si.file as string,
        bytes: si.bytes as number,
        md5: si.md5 as string,
        rows: si.rows as number,
      };
    }
    result.set(name, {
      name,
      description: d.description as string,
      ...(d.labelNames !== undefined ? { labelNames: [...(d.labelNames as string[])] } : {}),
      splits,
      ...(typeof d.license === 'string' ? { license: d.license } : {}),
      ...(typeof d.homepage === 'string' ? { homepage: d.homepage } : {}),
      layout: d.layout as CsvLayout,
    });
  }
  catalog = result;
  return result;
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
  const splits = Object.fromEntries(Object.entries(info.splits).map(([k, v]) => [k, { ...v }]));
  return { ...info, splits, ...(info.labelNames ? { labelNames: [...info.labelNames] } : {}) };
}

export function getSplitInfo(name: string, split: string): SplitInfo {
  const info = getDatasetInfo(name);
  const splitInfo = Object.hasOwn(info.splits, split) ? info.splits[split] : undefined;
  if (!splitInfo) {
    throw new DataError(`data set '${name}' has no split '${split}' (it has: ${Object.keys(info.splits).join(', ')})`);
  }
  return splitInfo;
}
