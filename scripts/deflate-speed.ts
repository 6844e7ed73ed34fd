/**
 * µs per AG News pair (UTF-8 of x + " " + y, x from the test split, y from the train head) for the
 * length-only engine (src/deflate) and for pako 2.1.0, single thread.
 *
 *   npx tsx scripts/deflate-speed.ts [--pairs N] [--runs R] [--pako-pairs M] [--no-pako]
 *
 * Each run times the same N pairs; the median and min over R runs are printed (the machine is
 * shared and noisy). The engine and pako lengths are also compared on the pako sample.
 * PairLengthEngine is timed the way it is used: setQuery(x) once (included in the time), then
 * pairLength(y) for every y of the train head (2,000), for N / 2000 queries x.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
import { DeflateLengthEngine } from '../src/deflate/index.js';
import { PairLengthEngine, prepareText } from '../src/deflate/pair.js';

const { values } = parseArgs({
  options: {
    pairs: { type: 'string', default: '20000' },
    runs: { type: 'string', default: '7' },
    'pako-pairs': { type: 'string', default: '2000' },
    'no-pako': { type: 'boolean', default: false },
  },
});
const N = Number(values.pairs);
const RUNS = Number(values.runs);
const PAKO_N = Number(values['pako-pairs']);

const dataDir = fileURLToPath(new URL('../../shared/data/ag_news/', import.meta.url));
function texts(file: string): string[] {
  return gunzipSync(readFileSync(dataDir + file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => (JSON.parse(l) as { text: string }).text);
}
const xs = texts('test.jsonl.gz');
const ys = texts('train.first2000.jsonl.gz');
const utf8 = new TextEncoder();
const pairs: Uint8Array[] = [];
for (let i = 0; i < N; i++) pairs.push(utf8.encode(xs[i % xs.length] + ' ' + ys[(i * 7919) % ys.length]));
const meanBytes = pairs.reduce((a, b) => a + b.length, 0) / pairs.length;

function median(v: number[]): number {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** CPU time of this process per item, in µs, for each timed call (less sensitive than wall time to
 * other jobs taking the CPU, though not to their sharing caches and cores). */
const cpu: Map<string, number[]> = new Map();
function recordCpu(key: string, c0: NodeJS.CpuUsage, items: number): void {
  const d = process.cpuUsage(c0);
  const list = cpu.get(key) ?? [];
  list.push((d.user + d.system) / items);
  cpu.set(key, list);
}

function time(fn: (b: Uint8Array) => number, list: Uint8Array[], key = ''): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const b of list) sink += fn(b);
  const t1 = process.hrtime.bigint();
  if (key) recordCpu(key, c0, list.length);
  if (sink === -1) console.log(sink);
  return Number(t1 - t0) / 1000 / list.length;
}

const engine = new DeflateLengthEngine();
const eng = (b: Uint8Array) => engine.gzipLength(b);
const pk = (b: Uint8Array) => pako.gzip(b, { level: 9 }).length;

// Correctness on the pako sample, and warm-up.
const sample = pairs.slice(0, Math.min(PAKO_N, pairs.length));
for (const b of sample) if (eng(b) !== pk(b)) throw new Error(`mismatch on a pair of ${b.length} bytes`);
time(eng, pairs);

// PairLengthEngine: queries x (test) against every y of the train head.
const pairEngine = new PairLengthEngine();
const yBytes = ys.map((y) => utf8.encode(y));
const queries = Math.max(1, Math.round(N / yBytes.length));
const xBytes = Array.from({ length: queries }, (_, q) => utf8.encode(xs[(q * 37) % xs.length]));
function timePairs(key = ''): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const x of xBytes) {
    pairEngine.setQuery(x);
    for (const y of yBytes) sink += pairEngine.pairLength(y);
  }
  const t1 = process.hrtime.bigint();
  if (key) recordCpu(key, c0, xBytes.length * yBytes.length);
  if (sink === -1) console.log(sink);
  return Number(t1 - t0) / 1000 / (xBytes.length * yBytes.length);
}
// The same with every y prepared once (prepareText, outside the timing: a caller keeps it per text).
const yPrepared = yBytes.map((y) => prepareText(y));
function timePrepared(key = ''): number {
  let sink = 0;
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (const x of xBytes) {
    pairEngine.setQuery(x);
    for (const y of yPrepared) sink += pairEngine.pairLengthPrepared(y);
  }
  const t1 = process.hrtime.bigint();
  if (key) recordCpu(key, c0, xBytes.length * yPrepared.length);
  if (sink === -1) console.log(sink);
  return Number(t1 - t0) / 1000 / (xBytes.length * yPrepared.length);
}
for (let q = 0; q < 3; q++) {
  pairEngine.setQuery(xBytes[q]);
  for (let i = 0; i < 300; i++) {
    const cat = utf8.encode(xs[(q * 37) % xs.length] + ' ' + ys[i]);
    if (pairEngine.pairLength(yBytes[i]) !== engine.gzipLength(cat)) throw new Error('PairLengthEngine mismatch');
    if (pairEngine.pairLengthPrepared(yPrepared[i]) !== engine.gzipLength(cat)) throw new Error('pairLengthPrepared mismatch');
  }
}
timePairs();
timePrepared();

const e: number[] = [];
const p: number[] = [];
const pe: number[] = [];
const pp: number[] = [];
for (let r = 0; r < RUNS; r++) {
  e.push(time(eng, pairs, 'engine'));
  pe.push(timePairs('pair'));
  pp.push(timePrepared('pairprep'));
  if (!values['no-pako']) p.push(time(pk, sample, 'pako'));
}
const fmt = (v: number[]) => `median ${median(v).toFixed(2)} µs, min ${Math.min(...v).toFixed(2)} µs`;
const load = (await import('node:os')).loadavg().map((x) => x.toFixed(2)).join(' ');
console.log(
  `${new Date().toISOString()} node ${process.version}; ${N} AG News pairs, mean ${meanBytes.toFixed(0)} bytes; ${RUNS} runs; load average ${load}`,
);
console.log('wall time:');
console.log(`engine: ${fmt(e)} per pair   [runs: ${e.map((x) => x.toFixed(2)).join(' ')}]`);
console.log(
  `pair engine: ${fmt(pe)} per pair (${xBytes.length} queries x ${yBytes.length} train texts, setQuery included)   [runs: ${pe.map((x) => x.toFixed(2)).join(' ')}]`,
);
console.log(`pair engine, prepared y: ${fmt(pp)} per pair (pairLengthPrepared)   [runs: ${pp.map((x) => x.toFixed(2)).join(' ')}]`);
if (p.length) {
  console.log(`pako:   ${fmt(p)} per pair (${sample.length} pairs)   [runs: ${p.map((x) => x.toFixed(1)).join(' ')}]`);
  console.log(`speed-up vs pako (medians): engine ${(median(p) / median(e)).toFixed(1)}x, pair engine ${(median(p) / median(pe)).toFixed(1)}x`);
}
console.log('CPU time of this process:');
for (const [key, v] of cpu) console.log(`${key.padEnd(7)} ${fmt(v)} per pair`);
