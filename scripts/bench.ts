/**
 * npm run bench — speed of exact gzip-kNN on AG News pairs, as ratios against baselines measured in the
 * same process (the machine is shared and noisy: every figure is a median of several runs).
 *
 *   npm run bench -- [--runs R] [--queries Q] [--pool-queries Q2] [--pako-queries P] [--classify-runs C] [--model-runs M] [--eval-runs E] [--eval-queries T] [--out FILE] [--skip-classify] [--only-model] [--only-eval]
 *
 * 1. µs per pair, one thread: pako 2.1.0 (the baseline: one gzip call per pair) vs npc's engine (the
 *    WebAssembly engine, src/deflate) through the PairScanner the search uses, on the same AG News test x
 *    train-head pairs; lengths must agree: pairLength (rows not prepared, as a one-off classify) and
 *    pairLengthOfRow (rows loaded into the engine and prepared, as a search from its third query on).
 *    Also the ratio measured back to back, query by query (steadier when the machine's speed drifts),
 *    and gzipLength of the pairs' bytes from scratch, engine vs pako, back to back.
 *    The search (searchRange keeping the EVAL_M nearest, rows prepared) with the engine's length
 *    limits (a pair proven too long by assembly/bound.ts builds no Huffman tree) and without them
 *    (exhaustive: every C(xy) exact), in the same runs; lists must agree. The share of the search's
 *    pairs whose trees were skipped at their limit or replaced by an exact bound, and the full
 *    bound's cost per pair (BOUND_CHECK - BOUND_OFF: the bound of every pair on top of its trees).
 * 2. Pairs per second through the real search path at --jobs 1 and --jobs 2 (worker threads), on
 *    Q2 other queries after a warm-up of 30.
 * 3. The projected full AG News evaluation (7,600 x 120,000 = 912 M pairs) at --jobs 2. Also the
 *    search's pairs/s at --jobs 1 and 2 against 7,600 distinct AG News texts (the 2,000 train rows and
 *    test rows 2,000..7,599, none of them a query) and the projection from that: with length limits a
 *    pair costs less the further the search has gone (its M-th distance shrinks), so a larger set is
 *    nearer what 120,000 rows cost per pair. (Only 2,000 train rows are available offline.)
 * 4. `npc classify "headline"` wall time and peak RSS against the 120,000-row stand-in of section 5
 *    (written to a temp file with an index cache of its own, warmed by an untimed first run, deleted
 *    afterwards), the peak RSS of `npc eval --jobs 2` of 8 test rows against it (every worker loads and
 *    prepares its 60,000 rows), and `npc classify --jobs 2` of the first 100 AG News test rows (JSONL on
 *    stdin) against it: wall time and peak RSS (one run), beside pako's µs per pair on a sample of the
 *    same pairs (the first P rows × every 60th stand-in row, median of three) and the ratio.
 *    Also `npc classify --jobs 2` of 1,000,000 one-word stdin lines against a 4-row training set: wall
 *    time and peak RSS (memory bounded however long the stream).
 * 5. A model artifact against the training file it holds, on the 120,000-row stand-in (the 2,000 train
 *    rows repeated 60 times, each copy made distinct by appending " [n]", n = copy number, so that no
 *    figure gains from duplicate texts; the artifact built by `npc model build --reference-rows 1`):
 *    time to first prediction of `npc classify --model M "headline"` against `npc classify --train T
 *    "headline"` with the index cache warm and cold (an empty cache each run), in the same run; and the
 *    reading alone, readModelFile (every member's sha256 checked) against readCachedIndex (CRC-32) of
 *    the same rows; and the search alone of each warm headline (the cached index, fresh workers, timed
 *    in this process), against which the warm wall time is a ratio (start-up and loading included).
 *    `--model-runs` runs of each, interleaved; medians, printed as ratios.
 *    `--only-model` runs this section alone.
 * 6. `npc eval` end to end: the wall time of the process (`npc eval -k 2 -q`, the CLI from dist/ with an
 *    empty cache, so reading the files and C(y) of every row are included), as pairs/s over T AG News
 *    test rows (default 600) × the 2,000-row train head at --jobs 1 and --jobs 2, and × the 7,600
 *    distinct rows of section 3 at --jobs 2; `--eval-runs` runs of each, interleaved; medians. Beside
 *    each, pako's µs per pair on a sample of the same pairs in the same run (the first P test rows ×
 *    the rows, every 4th of the 7,600), and the ratios (× pako; --jobs 2 / --jobs 1). The full AG News
 *    evaluation projected from the 7,600-row eval (here, and where pako takes 100 µs per pair) is a
 *    projection, labelled so. `--only-eval` runs this section alone.
 * Prints a table and writes the figures as JSON (default bench-results/bench-<date>.json).
 */
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// The compiled code (npm run bench builds it first): what users run, and worker threads that load
// plain JS (under tsx a worker would run the TypeScript through a loader, and slower).
import {
  PREPARE_AFTER_QUERIES,
  createPairScanner,
  createEngineCompressor,
  pakoCompressor,
  type Compressor,
  type PairScanner,
} from '../dist/compress/index.js';
import { ENVELOPE_MARGIN } from '../dist/app/evaluate.js';
import { NearestNeighbors } from '../dist/model/neighbors.js';
import { lengthLimit, searchRange, TrainingIndex } from '../dist/model/training-index.js';
import { LabelEncoder } from '../dist/model/labels.js';
import { ncdFromLengths } from '../dist/model/ncd.js';
import { BOUND_CHECK, BOUND_OFF, BOUND_ON, FLUSH_AT_LIMIT, FLUSH_BY_BOUND, TestEngine } from '../test/helpers/test-engine.js';
import { fitIndex } from '../dist/app/training.js';
import { createSearcher, defaultJobs } from '../dist/parallel/searcher.js';
import type { LabeledRecord } from '../dist/io/records.js';
import { packQueries } from '../dist/parallel/batch.js';
import { defaultCompressor, engineIdentity } from '../dist/compress/index.js';
import { readModelFile } from '../dist/io/model-file.js';
import { indexCacheEntry, readCachedIndex } from '../dist/io/index-cache.js';
import { sha256OfFile } from '../dist/io/file-hash.js';
import { agNewsDir, agNewsRows } from './ag-news-texts.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    queries: { type: 'string', default: '40' },
    'pool-queries': { type: 'string', default: '200' },
    'pako-queries': { type: 'string', default: '4' },
    'classify-runs': { type: 'string', default: '5' },
    out: { type: 'string' },
    'skip-classify': { type: 'boolean', default: false },
    'model-runs': { type: 'string', default: '5' },
    'only-model': { type: 'boolean', default: false },
    'eval-runs': { type: 'string', default: '3' },
    'eval-queries': { type: 'string', default: '600' },
    'only-eval': { type: 'boolean', default: false },
  },
});
const RUNS = Number(values.runs);
const QUERIES = Number(values.queries);
const POOL_QUERIES = Number(values['pool-queries']);
const PAKO_QUERIES = Number(values['pako-queries']);
const FULL_PAIRS = 7600 * 120_000;
/** Neighbours `npc eval` computes per row by default (k = 2, plus the envelope margin). */
const EVAL_M = 2 + ENVELOPE_MARGIN;

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = agNewsDir('bench');
const rows = (file: string): LabeledRecord[] => agNewsRows(dataDir, file);

const train = rows('train.first2000.jsonl.gz');
const test = rows('test.jsonl.gz');
/* Distinct real texts disjoint from every query below (the queries are test rows 0..299). */
const wideTrain = [...train, ...test.slice(2000)];
const utf8 = new TextEncoder();
const queries = test.slice(0, QUERIES).map((r) => utf8.encode(r.text));
/* The pools get more queries: a short run is dominated by the workers' JIT warm-up. */
const poolQueries = test.slice(100, 100 + POOL_QUERIES).map((r) => utf8.encode(r.text));
const warmQueries = test.slice(50, 80).map((r) => utf8.encode(r.text));

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * µs per exact pair over `qs` x all training rows, through the PairScanner the search uses (rows
 * prepared as the search prepares them, no limit: every C(xy) computed in full).
 */
function scanMicros(compressor: Compressor, qs: Uint8Array[], byRow = false): { micros: number; checksum: number } {
  const index = fitIndex(train, compressor);
  const scanner = createPairScanner(compressor);
  // The engine prepares the rows from its PREPARE_AFTER_QUERIES-th query on, as in a search.
  for (let q = 0; q < PREPARE_AFTER_QUERIES; q++) scanner.setQuery(qs[q % qs.length]);
  const prepared = scanner.prepare?.(index.data, index.offsets, 0, index.size) === true;
  if (byRow && !prepared) throw new Error('bench: the engine did not prepare the rows');
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (const q of qs) {
    checksum += scanner.setQuery(q);
    if (byRow) for (let i = 0; i < index.size; i++) checksum += scanner.pairLengthOfRow!(i);
    else for (let i = 0; i < index.size; i++) checksum += scanner.pairLength(index.data, index.offsets[i], index.offsets[i + 1]);
  }
  const elapsed = Number(process.hrtime.bigint() - t0) / 1000;
  return { micros: elapsed / (qs.length * index.size), checksum };
}

/**
 * pako / engine time on the same pairs, measured back to back query by query: one ratio per query,
 * so a change of machine speed between the two measurements (other tenants) moves few of them.
 */
function pairedRatios(qs: Uint8Array[]): number[] {
  const index = fitIndex(train, engine);
  const pakoScanner = createPairScanner(pakoCompressor);
  const engineScanner = createPairScanner(engine);
  for (let q = 0; q < PREPARE_AFTER_QUERIES; q++) engineScanner.setQuery(qs[q % qs.length]);
  engineScanner.prepare?.(index.data, index.offsets, 0, index.size);
  const time = (scanner: PairScanner, q: Uint8Array): number => {
    const t0 = process.hrtime.bigint();
    scanner.setQuery(q);
    for (let i = 0; i < index.size; i++) scanner.pairLength(index.data, index.offsets[i], index.offsets[i + 1]);
    return Number(process.hrtime.bigint() - t0);
  };
  return qs.map((q) => time(pakoScanner, q) / time(engineScanner, q));
}

/**
 * pako / engine time of gzipLength from scratch on the bytes of the same pairs, back to back per query
 * (the engine without its pair path: every pair compressed in full, as for C(x) and C(y)).
 */
function scratchRatios(qs: Uint8Array[]): { ratios: number[]; engineMicros: number[]; checksumsAgree: boolean } {
  const ratios: number[] = [];
  const engineMicros: number[] = [];
  let agree = true;
  for (const x of qs) {
    const bytes = train.map((r) => {
      const y = utf8.encode(r.text);
      const b = new Uint8Array(x.length + 1 + y.length);
      b.set(x);
      b[x.length] = 0x20;
      b.set(y, x.length + 1);
      return b;
    });
    const time = (c: Compressor): [number, number] => {
      let sum = 0;
      const t0 = process.hrtime.bigint();
      for (const b of bytes) sum += c.gzipLength(b);
      return [Number(process.hrtime.bigint() - t0), sum];
    };
    const [tp, sp] = time(pakoCompressor);
    const [te, se] = time(engine);
    agree &&= sp === se;
    ratios.push(tp / te);
    engineMicros.push(te / 1000 / bytes.length);
  }
  return { ratios, engineMicros, checksumsAgree: agree };
}

/**
 * µs per pair of the search itself on one thread (searchRange keeping the EVAL_M nearest rows, as
 * `npc eval` does by default, rows prepared from the third query on). Returns the neighbour lists
 * too, which must equal pako's.
 */
function searchMicros(compressor: Compressor, qs: Uint8Array[], exhaustive = false): { micros: number; lists: string } {
  const index = fitIndex(train, compressor);
  const inner = createPairScanner(compressor);
  /* without the bounded methods, searchRange computes every C(xy) exactly */
  const scanner: PairScanner = exhaustive
    ? {
        setQuery: (x) => inner.setQuery(x),
        prepare: inner.prepare ? (d, o, f, t) => inner.prepare!(d, o, f, t) : undefined,
        pairLength: (d, a, b) => inner.pairLength(d, a, b),
        pairLengthOfRow: inner.pairLengthOfRow ? (row) => inner.pairLengthOfRow!(row) : undefined,
      }
    : inner;
  const nearest = new NearestNeighbors(EVAL_M);
  for (let q = 0; q < PREPARE_AFTER_QUERIES; q++) scanner.setQuery(qs[q % qs.length]);
  const lists: string[] = [];
  const t0 = process.hrtime.bigint();
  for (const q of qs) {
    searchRange(index, scanner, q, 0, index.size, nearest);
    lists.push(
      nearest
        .toList()
        .map((n) => `${n.index}:${n.distance}`)
        .join(','),
    );
  }
  const elapsed = Number(process.hrtime.bigint() - t0) / 1000;
  return { micros: elapsed / (qs.length * index.size), lists: lists.join(';') };
}

/**
 * The length bound on the search's pairs (one engine, rows prepared, searchRange's loop with the
 * EVAL_M nearest): shares of pairs whose trees were skipped at their limit and whose bound was exact
 * (no trees either); and the full bound's cost per pair, from BOUND_CHECK (bound + trees) minus
 * BOUND_OFF (trees) on the same pairs, in rounds alternating the order.
 */
function boundFigures(qs: Uint8Array[], rounds: number): { skipped: number; exact: number; boundMicros: number } {
  const engine = new TestEngine();
  const enc = train.map((r) => utf8.encode(r.text));
  const { bytes: data, offsets } = packQueries(enc);
  const cy = enc.map((y) => engine.gzipLength(y));
  engine.loadRows(data, offsets, 0, enc.length);
  engine.prepareRows();
  const s0 = engine.flushStat(FLUSH_AT_LIMIT);
  const e0 = engine.flushStat(FLUSH_BY_BOUND);
  for (const x of qs) {
    const cx = engine.setQuery(x);
    const out = new NearestNeighbors(EVAL_M);
    for (let i = 0; i < enc.length; i++) {
      const cxy =
        out.size < EVAL_M ? engine.pairLengthOfRow(i) : engine.pairLengthOfRowBounded(i, lengthLimit(cx, cy[i], out.distances[EVAL_M - 1]));
      out.offer(ncdFromLengths(cx, cy[i], cxy), i);
    }
  }
  const pairs = qs.length * enc.length;
  const skipped = (engine.flushStat(FLUSH_AT_LIMIT) - s0) / pairs;
  const exact = (engine.flushStat(FLUSH_BY_BOUND) - e0) / pairs;
  const costs: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t: Record<number, number> = {};
    for (const mode of r % 2 ? [BOUND_CHECK, BOUND_OFF] : [BOUND_OFF, BOUND_CHECK]) {
      engine.setBoundMode(mode);
      const t0 = process.hrtime.bigint();
      for (const x of qs.slice(0, 10)) {
        engine.setQuery(x);
        for (let i = 0; i < enc.length; i++) engine.pairLengthOfRow(i);
      }
      t[mode] = Number(process.hrtime.bigint() - t0) / 1000 / (Math.min(10, qs.length) * enc.length);
    }
    costs.push(t[BOUND_CHECK] - t[BOUND_OFF]);
  }
  engine.setBoundMode(BOUND_ON);
  return { skipped, exact, boundMicros: median(costs) };
}

async function pairsPerSecond(jobs: number, rowsSet: LabeledRecord[] = train): Promise<number> {
  const searcher = await createSearcher(fitIndex(rowsSet, undefined, { deferLengths: jobs > 1 }), jobs);
  try {
    // Warm-up: fresh workers start with cold JIT; give them the same head start the main thread has.
    await searcher.search(warmQueries, EVAL_M);
    const t0 = process.hrtime.bigint();
    await searcher.search(poolQueries, EVAL_M);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    return (poolQueries.length * rowsSet.length) / seconds;
  } finally {
    await searcher.close();
  }
}

/**
 * The 120,000-row stand-in for AG News train: the 2,000 train rows 60 times, each copy made distinct by
 * appending " [n]" (n = copy number), so that no figure gains from duplicate texts.
 */
function standInRows(): LabeledRecord[] {
  const standIn: LabeledRecord[] = [];
  for (let n = 1; n <= 60; n++) for (const r of train) standIn.push({ text: `${r.text} [${n}]`, label: r.label, line: standIn.length + 1 });
  return standIn;
}

/** Records as JSONL lines `{"label", "text"}`, each ending in a newline. */
function jsonlOf(records: LabeledRecord[]): string {
  return records.map((r) => JSON.stringify({ label: r.label, text: r.text }) + '\n').join('');
}

/** Runs `npc ARGS` (stdin from `stdinFile`, else none; stdout discarded) under /usr/bin/time: wall seconds and peak RSS. */
function timedNpc(args: string[], stdinFile?: string, env: NodeJS.ProcessEnv = {}): { seconds: number; rssMB: number } {
  const stdin = stdinFile === undefined ? 'ignore' : openSync(stdinFile, 'r');
  try {
    const res = spawnSync('/usr/bin/time', ['-f', '%e %M', process.execPath, join(root, 'bin', 'npc.js'), ...args], {
      encoding: 'utf8',
      stdio: [stdin, 'ignore', 'pipe'],
      env: { ...process.env, ...env },
    });
    if (res.status !== 0) throw new Error(`npc ${args[0]} failed: ${res.stderr}`);
    const [seconds, kb] = res.stderr.trim().split('\n').pop()!.split(' ').map(Number);
    return { seconds, rssMB: kb / 1024 };
  } finally {
    if (typeof stdin === 'number') closeSync(stdin);
  }
}

function classifyLatency(runs: number):
  | {
      wall: number[];
      rssMB: number[];
      evalWall: number;
      evalRssMB: number;
      classify100Wall: number;
      classify100RssMB: number;
      classify100Pako: number;
      streamWall: number;
      streamRssMB: number;
    }
  | undefined {
  if (!existsSync('/usr/bin/time')) {
    console.error('bench: /usr/bin/time not found; skipping the classify latency (it measures peak RSS)');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'npc-bench-'));
  try {
    const standIn = standInRows();
    const file = join(dir, 'train120k.jsonl');
    writeFileSync(file, jsonlOf(standIn));
    const wall: number[] = [];
    const rssMB: number[] = [];
    // A cache of its own, warmed by one untimed run that prepares the index and caches it.
    const cache = { NPC_DATA_DIR: join(dir, 'cache') };
    timedNpc(['classify', '--train', file, test[0].text], undefined, cache);
    for (let r = 0; r < runs; r++) {
      const one = timedNpc(['classify', '--train', file, test[1 + r].text], undefined, cache);
      wall.push(one.seconds);
      rssMB.push(one.rssMB);
    }
    const test8 = join(dir, 'test8.jsonl');
    writeFileSync(test8, jsonlOf(test.slice(0, 8)));
    const evalRun = timedNpc(['eval', '--train', file, '--test', test8, '--jobs', '2', '-q'], undefined, cache);
    const test100 = join(dir, 'test100.jsonl');
    writeFileSync(test100, jsonlOf(test.slice(0, 100)));
    const c100 = timedNpc(['classify', '--jobs', '2', '--train', file], test100, cache);
    // pako on a sample of the same pairs (the first P of the 100 rows × every 60th stand-in row, as many
    // pairs as section 6's head sample), in this run: the median of three timings.
    const sample = test.slice(0, PAKO_QUERIES).map((r) => utf8.encode(r.text));
    const classify100Pako = median([0, 1, 2].map(() => pakoMicros(sample, standIn, 60)));
    // A stream of 1,000,000 one-word lines through a 4-row training set: memory stays bounded however
    // long the input (the failure matrix's row 14 tests the backpressure; this is its figure).
    const words = ['alpha', 'bravo', 'charlie', 'delta'];
    const tiny = join(dir, 'tiny.jsonl');
    writeFileSync(tiny, words.map((w, i) => JSON.stringify({ label: 'ABCD'[i], text: `${w} ${w}` }) + '\n').join(''));
    const million = join(dir, 'million.txt');
    writeFileSync(million, Array.from({ length: 1_000_000 }, (_, i) => words[i % 4]).join('\n') + '\n');
    const stream = timedNpc(['classify', '--train', tiny, '--input', 'text', '-k', '1', '--jobs', '2'], million);
    return {
      wall,
      rssMB,
      evalWall: evalRun.seconds,
      evalRssMB: evalRun.rssMB,
      classify100Wall: c100.seconds,
      classify100RssMB: c100.rssMB,
      classify100Pako,
      streamWall: stream.seconds,
      streamRssMB: stream.rssMB,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Wall seconds of `npc ARGS` (stdout discarded), with `env` added to this process's. */
function wallOf(args: string[], env: NodeJS.ProcessEnv = {}): number {
  const started = performance.now();
  const res = spawnSync(process.execPath, [join(root, 'bin', 'npc.js'), ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, ...env },
  });
  const seconds = (performance.now() - started) / 1000;
  if (res.status !== 0) throw new Error(`npc ${args.join(' ')} failed: ${res.stderr}`);
  return seconds;
}

/** Section 5: a model artifact against its training file, on the 120,000-row stand-in. */
async function modelFigures(runs: number): Promise<{
  rows: number;
  artifactBytes: number;
  buildWall: number;
  modelWall: number[];
  trainWarmWall: number[];
  trainColdWall: number[];
  readModelMs: number[];
  readCachedIndexMs: number[];
  headlineSearchMs: number[];
}> {
  const dir = mkdtempSync(join(tmpdir(), 'npc-bench-model-'));
  try {
    const standIn = standInRows();
    const file = join(dir, 'standin120k.jsonl');
    writeFileSync(file, jsonlOf(standIn));
    const model = join(dir, 'standin120k.npcm');
    // Built by the product; one reference row, so that the build is the rows' preparation and the
    // write (the default 1,000-row reference sample is a search of 120 M pairs, not what is measured here).
    const buildWall = wallOf(['model', 'build', '--train', file, '-o', model, '--reference-rows', '1', '-q'], {});
    const warmCache = join(dir, 'warm-cache');
    // The first --train run prepares the index and caches it: from then on the cache is warm.
    wallOf(['classify', '--train', file, test[0].text], { NPC_DATA_DIR: warmCache });
    const modelWall: number[] = [];
    const trainWarmWall: number[] = [];
    const trainColdWall: number[] = [];
    for (let r = 0; r < runs; r++) {
      const headline = test[1 + r].text;
      modelWall.push(wallOf(['classify', '--model', model, '-q', headline], { NPC_DATA_DIR: warmCache }));
      trainWarmWall.push(wallOf(['classify', '--train', file, headline], { NPC_DATA_DIR: warmCache }));
      const cold = join(dir, `cold-cache-${r}`);
      trainColdWall.push(wallOf(['classify', '--train', file, headline], { NPC_DATA_DIR: cold }));
      rmSync(cold, { recursive: true, force: true });
      process.stderr.write(`bench: model run ${r + 1}/${runs}\n`);
    }
    const entry = indexCacheEntry(warmCache, await sha256OfFile(file), {
      compressor: defaultCompressor().name,
      engine: engineIdentity(),
      format: 'jsonl',
      textField: 'text',
      labelField: 'label',
      strip: false,
    });
    if (!readCachedIndex(entry)) throw new Error('bench: the warm index cache holds no entry for the stand-in');
    // The search alone that each warm `classify --train T "headline"` above made: the same index read
    // from the same cache, the same query, m = k = 2, on fresh worker threads (booted, their search code
    // cold, as in a new process; --jobs defaults to the cores), timed from the call to the lists.
    const headlineSearchMs: number[] = [];
    for (let r = 0; r < runs; r++) {
      const cachedIndex = readCachedIndex(entry)!;
      const index = new TrainingIndex(cachedIndex.arrays, new LabelEncoder(cachedIndex.classes), defaultCompressor(), true);
      const searcher = await createSearcher(index, defaultJobs());
      try {
        // An empty batch first: the threads have booted and taken their rows (the CLI boots them while
        // it reads the index), and no search code has run yet.
        await searcher.search([], 2);
        const started = performance.now();
        await searcher.search([utf8.encode(test[1 + r].text)], 2);
        headlineSearchMs.push(performance.now() - started);
      } finally {
        await searcher.close();
      }
    }
    // Reading the artifact (every member's sha256 checked) against reading the index cache (its CRC-32
    // checked): the same arrays, ready for a TrainingIndex. Interleaved, several rounds per run.
    const readModelMs: number[] = [];
    const readCachedIndexMs: number[] = [];
    for (let r = 0; r < 5 * runs; r++) {
      for (const first of r % 2 ? ['cache', 'model'] : ['model', 'cache']) {
        const started = performance.now();
        if (first === 'model') readModelFile(model);
        else readCachedIndex(entry);
        (first === 'model' ? readModelMs : readCachedIndexMs).push(performance.now() - started);
      }
    }
    return {
      rows: standIn.length,
      artifactBytes: statSync(model).size,
      buildWall,
      modelWall,
      trainWarmWall,
      trainColdWall,
      readModelMs,
      readCachedIndexMs,
      headlineSearchMs,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (values['only-eval']) {
  const e = e2eSummary(evalEndToEnd(Number(values['eval-runs']), Number(values['eval-queries'])));
  const f = (x: number, d = 2) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  console.log(e2eTable(e, f).join('\n'));
  console.log(JSON.stringify(e));
  process.exit(0);
}

if (values['only-model']) {
  const m = await modelFigures(Number(values['model-runs']));
  const f = (x: number, d = 2) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  console.log(modelTable(m, f).join('\n'));
  process.exit(0);
}

/** Section 5's rows of the table. */
function modelTable(m: Awaited<ReturnType<typeof modelFigures>>, f: (x: number, d?: number) => string): string[] {
  const model = median(m.modelWall);
  const load = median(m.readModelMs);
  const cached = median(m.readCachedIndexMs);
  return [
    `| npc model build --reference-rows 1 of the ${m.rows.toLocaleString('en-US')}-row stand-in (one run) | ${f(m.buildWall, 1)} s |`,
    `| npc classify --model M "headline" (${m.rows.toLocaleString('en-US')}-row stand-in, artifact ${f(m.artifactBytes / 1e6, 1)} MB): time to first prediction | ${f(model)} s |`,
    `| npc classify --train T "headline", index cache warm: time; --model / --train warm | ${f(median(m.trainWarmWall))} s; ${f(model / median(m.trainWarmWall))}× |`,
    `| the same search alone (in this process, fresh workers): time; npc classify --train T warm / its search (target ≤ 2×) | ${f(median(m.headlineSearchMs) / 1000)} s; ${f(median(m.trainWarmWall) / (median(m.headlineSearchMs) / 1000))}× |`,
    `| npc classify --train T "headline", index cache cold: time; --model / --train cold | ${f(median(m.trainColdWall))} s; ${f(model / median(m.trainColdWall))}× |`,
    `| reading alone: readModelFile, readCachedIndex (ms); readModelFile / readCachedIndex (target ≤ 1.2×) | ${f(load, 0)}, ${f(cached, 0)}; ${f(load / cached)}× |`,
  ];
}

/** pako's µs per pair over `qs` × every `step`-th row of `rowsSet` (x + " " + y, one gzip call per pair, as scanMicros). */
function pakoMicros(qs: Uint8Array[], rowsSet: LabeledRecord[], step: number): number {
  const ys = rowsSet.filter((_, i) => i % step === 0).map((r) => utf8.encode(r.text));
  let checksum = 0;
  const t0 = process.hrtime.bigint();
  for (const x of qs)
    for (const y of ys) {
      const pair = new Uint8Array(x.length + 1 + y.length);
      pair.set(x);
      pair[x.length] = 0x20;
      pair.set(y, x.length + 1);
      checksum += pakoCompressor.gzipLength(pair);
    }
  const micros = Number(process.hrtime.bigint() - t0) / 1e3 / (qs.length * ys.length);
  if (!(checksum > 0)) throw new Error('bench: pako computed nothing');
  return micros;
}

/** Section 6: `npc eval` end to end (process wall time), head and 7,600 distinct rows, with pako on samples of the same pairs. */
function evalEndToEnd(
  runs: number,
  count: number,
): { queries: number; headJobs1: number[]; headJobs2: number[]; wideJobs2: number[]; pakoHead: number[]; pakoWide: number[] } {
  const dir = mkdtempSync(join(tmpdir(), 'npc-bench-eval-'));
  try {
    const headFile = join(dir, 'head.jsonl');
    const wideFile = join(dir, 'wide.jsonl');
    const testFile = join(dir, 'test.jsonl');
    writeFileSync(headFile, jsonlOf(train));
    writeFileSync(wideFile, jsonlOf(wideTrain));
    // Test rows 0..count-1: none of them is a row of either training set (the wide set has test rows from 2,000 on).
    writeFileSync(testFile, jsonlOf(test.slice(0, count)));
    const sample = test.slice(0, PAKO_QUERIES).map((r) => utf8.encode(r.text));
    const out = {
      queries: count,
      headJobs1: [] as number[],
      headJobs2: [] as number[],
      wideJobs2: [] as number[],
      pakoHead: [] as number[],
      pakoWide: [] as number[],
    };
    const cases: [number[], string, number, number][] = [
      [out.headJobs1, headFile, train.length, 1],
      [out.headJobs2, headFile, train.length, 2],
      [out.wideJobs2, wideFile, wideTrain.length, 2],
    ];
    for (let r = 0; r < runs; r++) {
      for (const [into, file, rowsCount, jobs] of r % 2 ? [...cases].reverse() : cases) {
        // An empty cache of its own: nothing is read from an earlier run.
        const seconds = wallOf(['eval', '--train', file, '--test', testFile, '-k', '2', '--jobs', String(jobs), '-q'], {
          NPC_DATA_DIR: join(dir, `cache-${r}-${jobs}-${rowsCount}`),
        });
        into.push((count * rowsCount) / seconds);
      }
      out.pakoHead.push(pakoMicros(sample, train, 1));
      out.pakoWide.push(pakoMicros(sample, wideTrain, 4));
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function e2eSummary(e2e: ReturnType<typeof evalEndToEnd>) {
  return {
    queries: e2e.queries,
    head_rows: train.length,
    wide_rows: wideTrain.length,
    pako_us_per_pair_head_sample: median(e2e.pakoHead),
    pako_us_per_pair_wide_sample: median(e2e.pakoWide),
    head_jobs1_pairs_per_second: median(e2e.headJobs1),
    head_jobs2_pairs_per_second: median(e2e.headJobs2),
    wide_jobs2_pairs_per_second: median(e2e.wideJobs2),
    head_jobs1_over_pako: (median(e2e.pakoHead) * median(e2e.headJobs1)) / 1e6,
    head_jobs2_over_pako: (median(e2e.pakoHead) * median(e2e.headJobs2)) / 1e6,
    head_jobs2_over_jobs1: median(e2e.headJobs2) / median(e2e.headJobs1),
    wide_jobs2_over_pako: (median(e2e.pakoWide) * median(e2e.wideJobs2)) / 1e6,
    projected_full_ag_news_minutes_jobs2: FULL_PAIRS / median(e2e.wideJobs2) / 60,
    projected_full_ag_news_minutes_jobs2_at_pako_100us: (FULL_PAIRS / median(e2e.wideJobs2) / 60) * (100 / median(e2e.pakoWide)),
  };
}

function e2eTable(e: ReturnType<typeof e2eSummary>, f: (x: number, d?: number) => string): string[] {
  const us = (pairsPerSecond: number) => f(1e6 / pairsPerSecond);
  const head = `${e.queries} AG News test rows × the ${e.head_rows.toLocaleString('en-US')}-row head`;
  return [
    `| npc eval end to end (process wall time, reading and C(y) included), ${head}, --jobs 1: pairs/s (µs per pair); pako µs per pair on a sample of the same pairs; × pako | ${f(e.head_jobs1_pairs_per_second, 0)} (${us(e.head_jobs1_pairs_per_second)}); ${f(e.pako_us_per_pair_head_sample, 1)}; ${f(e.head_jobs1_over_pako, 1)}× |`,
    `| npc eval end to end, ${head}, --jobs 2: pairs/s (µs per pair); × pako; --jobs 2 / --jobs 1 | ${f(e.head_jobs2_pairs_per_second, 0)} (${us(e.head_jobs2_pairs_per_second)}); ${f(e.head_jobs2_over_pako, 1)}×; ${f(e.head_jobs2_over_jobs1)}× |`,
    `| npc eval end to end, ${e.queries} test rows × ${e.wide_rows.toLocaleString('en-US')} distinct rows, --jobs 2: pairs/s (µs per pair); pako µs per pair on a sample of the same pairs; × pako | ${f(e.wide_jobs2_pairs_per_second, 0)} (${us(e.wide_jobs2_pairs_per_second)}); ${f(e.pako_us_per_pair_wide_sample, 1)}; ${f(e.wide_jobs2_over_pako, 1)}× |`,
    `| projection (not measured): full AG News eval (912 M pairs) at --jobs 2 from the ${e.wide_rows.toLocaleString('en-US')}-row eval, here; where pako takes 100 µs per pair | ${f(e.projected_full_ag_news_minutes_jobs2, 1)} min; ${f(e.projected_full_ag_news_minutes_jobs2_at_pako_100us, 1)} min |`,
  ];
}

const engine = createEngineCompressor();
// Correctness first: the engine and pako agree on every pair of the pako sample.
const check = queries.slice(0, PAKO_QUERIES);
if (scanMicros(engine, check).checksum !== scanMicros(pakoCompressor, check).checksum) {
  console.error('bench: engine and pako lengths differ on the benchmark pairs');
  process.exit(1);
}
if (searchMicros(engine, check).lists !== searchMicros(pakoCompressor, check).lists) {
  console.error('bench: the search with the engine and with pako found different neighbours');
  process.exit(1);
}
if (scanMicros(engine, check, true).checksum !== scanMicros(pakoCompressor, check).checksum) {
  console.error('bench: engine (prepared rows) and pako lengths differ on the benchmark pairs');
  process.exit(1);
}
const pakoRuns: number[] = [];
const engineRuns: number[] = [];
const engineRowRuns: number[] = [];
const searchRuns: number[] = [];
const exhaustiveRuns: number[] = [];
const searchRatios: number[] = [];
const paired: number[] = [];
const scratch: number[] = [];
const scratchMicros: number[] = [];
const jobs1: number[] = [];
const jobs2: number[] = [];
const jobs1Wide: number[] = [];
const jobs2Wide: number[] = [];
for (let r = 0; r < RUNS; r++) {
  pakoRuns.push(scanMicros(pakoCompressor, check).micros);
  paired.push(...pairedRatios(check));
  const sr = scratchRatios(check);
  if (!sr.checksumsAgree) {
    console.error('bench: engine and pako lengths differ (from scratch)');
    process.exit(1);
  }
  scratch.push(...sr.ratios);
  scratchMicros.push(...sr.engineMicros);
  engineRuns.push(scanMicros(engine, queries).micros);
  engineRowRuns.push(scanMicros(engine, queries, true).micros);
  {
    const order = r % 2 ? [false, true] : [true, false];
    const got: Record<string, { micros: number; lists: string }> = {};
    for (const ex of order) got[String(ex)] = searchMicros(engine, queries, ex);
    if (got.true.lists !== got.false.lists) {
      console.error('bench: the search with length limits found other neighbours than the exhaustive one');
      process.exit(1);
    }
    searchRuns.push(got.false.micros);
    exhaustiveRuns.push(got.true.micros);
    searchRatios.push(got.true.micros / got.false.micros);
  }
  jobs1.push(await pairsPerSecond(1));
  jobs2.push(await pairsPerSecond(2));
  jobs1Wide.push(await pairsPerSecond(1, wideTrain));
  jobs2Wide.push(await pairsPerSecond(2, wideTrain));
  process.stderr.write(`bench: run ${r + 1}/${RUNS}\n`);
}
const bound = boundFigures(queries, RUNS);
const classify = values['skip-classify'] ? undefined : classifyLatency(Number(values['classify-runs']));
const modelRun = await modelFigures(Number(values['model-runs']));
const e2e = evalEndToEnd(Number(values['eval-runs']), Number(values['eval-queries']));
const e2eFigures = e2eSummary(e2e);

const result = {
  date: new Date().toISOString(),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  pairs_measured: { pako: check.length * train.length, engine: queries.length * train.length, runs: RUNS },
  pako_us_per_pair: median(pakoRuns),
  engine_us_per_pair: median(engineRuns),
  speedup_vs_pako: median(pakoRuns) / median(engineRuns),
  speedup_vs_pako_paired: median(paired),
  engine_prepared_us_per_pair: median(engineRowRuns),
  prepared_speedup_vs_pako: median(pakoRuns) / median(engineRowRuns),
  engine_scratch_us_per_pair: median(scratchMicros),
  scratch_speedup_vs_pako_paired: median(scratch),
  search_us_per_pair: median(searchRuns),
  search_speedup_vs_pako: median(pakoRuns) / median(searchRuns),
  search_m: EVAL_M,
  search_exhaustive_us_per_pair: median(exhaustiveRuns),
  search_exhaustive_over_bounded: median(searchRatios),
  search_trees_skipped_at_limit: bound.skipped,
  search_bound_exact: bound.exact,
  bound_full_us_per_pair: bound.boundMicros,
  pairs_per_second_jobs1: median(jobs1),
  pairs_per_second_jobs2: median(jobs2),
  jobs2_scaling: median(jobs2) / median(jobs1),
  projected_full_ag_news_minutes_jobs2: FULL_PAIRS / median(jobs2) / 60,
  wide_train_rows: wideTrain.length,
  wide_pairs_per_second_jobs1: median(jobs1Wide),
  wide_us_per_pair_jobs1: 1e6 / median(jobs1Wide),
  wide_pairs_per_second_jobs2: median(jobs2Wide),
  wide_projected_full_ag_news_minutes_jobs2: FULL_PAIRS / median(jobs2Wide) / 60,
  classify_120k_wall_s: classify ? median(classify.wall) : null,
  classify_120k_peak_rss_mb: classify ? median(classify.rssMB) : null,
  eval_jobs2_120k_wall_s: classify ? classify.evalWall : null,
  eval_jobs2_120k_peak_rss_mb: classify ? classify.evalRssMB : null,
  classify100_jobs2_120k_wall_s: classify ? classify.classify100Wall : null,
  classify100_jobs2_120k_peak_rss_mb: classify ? classify.classify100RssMB : null,
  classify100_pako_us_per_pair_sample: classify ? classify.classify100Pako : null,
  classify100_over_pako: classify ? (classify.classify100Pako * 100 * 120_000) / 1e6 / classify.classify100Wall : null,
  classify_1m_stdin_lines_wall_s: classify ? classify.streamWall : null,
  classify_1m_stdin_lines_peak_rss_mb: classify ? classify.streamRssMB : null,
  model_standin_rows: modelRun.rows,
  model_artifact_bytes: modelRun.artifactBytes,
  classify_model_120k_wall_s: median(modelRun.modelWall),
  classify_train_warm_120k_wall_s: median(modelRun.trainWarmWall),
  classify_train_cold_120k_wall_s: median(modelRun.trainColdWall),
  model_over_train_warm: median(modelRun.modelWall) / median(modelRun.trainWarmWall),
  model_over_train_cold: median(modelRun.modelWall) / median(modelRun.trainColdWall),
  model_build_120k_wall_s: modelRun.buildWall,
  read_model_file_ms: median(modelRun.readModelMs),
  read_cached_index_ms: median(modelRun.readCachedIndexMs),
  classify_train_warm_headline_search_s: median(modelRun.headlineSearchMs) / 1000,
  classify_train_warm_over_its_search: median(modelRun.trainWarmWall) / (median(modelRun.headlineSearchMs) / 1000),
  read_model_file_over_cached_index: median(modelRun.readModelMs) / median(modelRun.readCachedIndexMs),
  eval_end_to_end: e2eFigures,
  runs: {
    evalEndToEnd: e2e,
    model: modelRun,
    pako: pakoRuns,
    engine: engineRuns,
    engineRows: engineRowRuns,
    search: searchRuns,
    exhaustive: exhaustiveRuns,
    searchRatios,
    paired,
    scratch,
    scratchMicros,
    jobs1,
    jobs2,
    jobs1Wide,
    jobs2Wide,
    classify,
  },
};

const f = (x: number, d = 2) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const table = [
  `npc bench — ${result.date.slice(0, 10)}, node ${result.node}, ${result.cores} cores (${result.cpu}); medians of ${RUNS} runs`,
  '',
  '| measure | value |',
  '|---|---:|',
  `| pako 2.1.0, µs per AG News pair (1 thread) | ${f(result.pako_us_per_pair)} |`,
  `| npc engine, µs per AG News pair (1 thread) | ${f(result.engine_us_per_pair)} |`,
  `| engine speed-up over pako (ratio of the medians) | ${f(result.speedup_vs_pako, 1)}× |`,
  `| engine speed-up over pako (median of ${paired.length} back-to-back per-query ratios) | ${f(result.speedup_vs_pako_paired, 1)}× |`,
  `| npc engine, prepared rows (pairLengthOfRow), µs per pair (1 thread) | ${f(result.engine_prepared_us_per_pair)} (${f(result.prepared_speedup_vs_pako, 1)}× pako) |`,
  `| npc engine from scratch (gzipLength of the pair), µs per pair; speed-up over pako (median of ${scratch.length} back-to-back per-query ratios) | ${f(result.engine_scratch_us_per_pair)}; ${f(result.scratch_speedup_vs_pako_paired, 1)}× |`,
  `| search (${EVAL_M} nearest, searchRange), µs per pair (1 thread) | ${f(result.search_us_per_pair)} (${f(result.search_speedup_vs_pako, 1)}× pako) |`,
  `| the same search without length limits (every C(xy) exact), µs per pair; exhaustive / bounded (median of ${searchRatios.length} back-to-back ratios) | ${f(result.search_exhaustive_us_per_pair)}; ${f(result.search_exhaustive_over_bounded, 3)}× |`,
  `| search's pairs whose Huffman trees were skipped at their limit; whose bound was exact (no trees) | ${f(100 * result.search_trees_skipped_at_limit, 1)} %; ${f(100 * result.search_bound_exact, 1)} % |`,
  `| full length bound, µs per pair (bound + trees minus trees, median of ${RUNS}) | ${f(result.bound_full_us_per_pair)} |`,
  `| search (${EVAL_M} nearest), pairs/s at --jobs 1 | ${f(result.pairs_per_second_jobs1, 0)} |`,
  `| search, pairs/s at --jobs 2 | ${f(result.pairs_per_second_jobs2, 0)} (${f(result.jobs2_scaling)}×) |`,
  `| projected full AG News eval (912 M pairs), --jobs 2 | ${f(result.projected_full_ag_news_minutes_jobs2, 1)} min |`,
  `| search against ${result.wide_train_rows.toLocaleString('en-US')} distinct AG News texts: pairs/s at --jobs 1 (µs per pair); at --jobs 2 | ${f(result.wide_pairs_per_second_jobs1, 0)} (${f(result.wide_us_per_pair_jobs1)}); ${f(result.wide_pairs_per_second_jobs2, 0)} |`,
  `| projected full AG News eval from the ${result.wide_train_rows.toLocaleString('en-US')}-row search, --jobs 2 | ${f(result.wide_projected_full_ag_news_minutes_jobs2, 1)} min |`,
  classify
    ? `| npc classify "headline" vs 120,000 rows: wall, peak RSS | ${f(result.classify_120k_wall_s!)} s, ${f(result.classify_120k_peak_rss_mb!, 0)} MB |`
    : '| npc classify vs 120,000 rows | skipped |',
  classify
    ? `| npc eval --jobs 2 (8 test rows) vs 120,000 rows: wall, peak RSS (one run) | ${f(result.eval_jobs2_120k_wall_s!)} s, ${f(result.eval_jobs2_120k_peak_rss_mb!, 0)} MB |`
    : '| npc eval --jobs 2 vs 120,000 rows | skipped |',
  classify
    ? `| npc classify --jobs 2 of 100 test rows (stdin) vs 120,000 rows: wall, peak RSS (one run); pako µs per pair on a sample of the same pairs; × pako (wall time over its pairs) | ${f(result.classify100_jobs2_120k_wall_s!)} s, ${f(result.classify100_jobs2_120k_peak_rss_mb!, 0)} MB; ${f(result.classify100_pako_us_per_pair_sample!, 1)}; ${f(result.classify100_over_pako!, 1)}× |`
    : '| npc classify --jobs 2 of 100 rows vs 120,000 rows | skipped |',
  classify
    ? `| npc classify --jobs 2 of 1,000,000 stdin lines vs 4 rows: wall, peak RSS (one run) | ${f(result.classify_1m_stdin_lines_wall_s!)} s, ${f(result.classify_1m_stdin_lines_peak_rss_mb!, 0)} MB |`
    : '| npc classify --jobs 2 of 1,000,000 stdin lines | skipped |',
  ...modelTable(modelRun, f),
  ...e2eTable(e2eFigures, f),
].join('\n');
console.log(table);
const out = values.out ?? join(root, 'bench-results', `bench-${result.date.slice(0, 10)}.json`);
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
console.error(`bench: wrote ${out}`);
