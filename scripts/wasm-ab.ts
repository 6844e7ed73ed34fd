/**
 * Two builds of engine.wasm in one process, interleaved: each round times the same AG News pairs
 * (test texts x the 2,000-row train head, rows loaded and prepared, as a search from its third query
 * on) with both builds, alternating query by query (A B, B A, ...); a ratio is taken within each
 * round (the machine is shared and its speed drifts), on process CPU time. The
 * lengths must agree. Without --bounded, no length limit: every pair exact (the builds' trees always
 * run). With --bounded M, the pairs are those of a search keeping the M nearest (searchRange's
 * loop: once the list is full, each pair gets its length limit, pairLengthOfRowBounded), and the
 * neighbour lists must agree.
 *
 *   npx tsx scripts/wasm-ab.ts A.wasm B.wasm [--rounds R] [--queries Q] [--bounded M]
 *
 * e.g. A = `git show HEAD~1:src/deflate/engine.wasm > /tmp/a.wasm`, B = src/deflate/engine.wasm.
 * Prints µs per pair of each (median over rounds, the first round dropped: JIT warm-up) and A/B
 * (median [min, max] over rounds): above 1, B is faster.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeflateLengthEngine } from '../src/deflate/index.js';
import { NearestNeighbors } from '../src/model/neighbors.js';
import { ncdFromLengths } from '../src/model/ncd.js';
import { lengthLimit } from '../src/model/training-index.js';
import { packQueries } from '../src/parallel/batch.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '12' },
    queries: { type: 'string', default: '5' },
    bounded: { type: 'string', default: '0' },
  },
});
if (positionals.length !== 2) {
  console.error('usage: npx tsx scripts/wasm-ab.ts A.wasm B.wasm [--rounds R] [--queries Q]');
  process.exit(2);
}
const ROUNDS = Number(values.rounds);
const Q = Number(values.queries);
const M = Number(values.bounded);

const dataDir = agNewsDir('wasm-ab');
const utf8 = new TextEncoder();
const texts = (file: string): Uint8Array[] => agNewsTexts(dataDir, file).map((t) => utf8.encode(t));
const test = texts('test.jsonl.gz');
const train = texts('train.first2000.jsonl.gz');
const { bytes: data, offsets } = packQueries(train);

const cy = train.map((y) => new DeflateLengthEngine().gzipLength(y));
const engines = positionals.map((f) => {
  const e = new DeflateLengthEngine(new Uint8Array(readFileSync(f)));
  e.loadRows(data, offsets, 0, train.length);
  e.prepareRows();
  return e;
});

/* One query of one build: CPU time per pair (µs) and a checksum of its lengths or its list. */
function run(k: number, x: Uint8Array): [number, number] {
  const e = engines[k];
  let sum = 0;
  const c0 = process.cpuUsage();
  const cx = e.setQuery(x);
  sum += cx;
  if (M > 0) {
    const out = new NearestNeighbors(M);
    for (let i = 0; i < train.length; i++) {
      const cxy = out.size < M ? e.pairLengthOfRow(i) : e.pairLengthOfRowBounded(i, lengthLimit(cx, cy[i], out.distances[M - 1]));
      out.offer(ncdFromLengths(cx, cy[i], cxy), i);
    }
    for (let j = 0; j < out.size; j++) sum += out.indices[j] * 1e-3 + out.distances[j];
  } else {
    for (let i = 0; i < train.length; i++) sum += e.pairLengthOfRow(i);
  }
  const c = process.cpuUsage(c0);
  return [(c.user + c.system) / train.length, sum];
}

/* Rounds of Q queries; within a round the builds alternate query by query (A B, then B A), so both
 * see nearly the same machine; the ratio of a round is that of its summed times. */
const micros: number[][] = [[], []];
const ratios: number[] = [];
let next = 300;
for (let r = 0; r < ROUNDS; r++) {
  const t = [0, 0];
  for (let k = 0; k < Q; k++) {
    const x = test[next++];
    const order = (r + k) % 2 === 0 ? [0, 1] : [1, 0];
    const sums = [0, 0];
    for (const b of order) {
      const [us, sum] = run(b, x);
      t[b] += us / Q;
      sums[b] = sum;
    }
    if (sums[0] !== sums[1]) throw new Error(`query ${next - 1}: the builds' lengths (or neighbour lists) differ`);
  }
  if (r === 0) continue;
  micros[0].push(t[0]);
  micros[1].push(t[1]);
  ratios.push(t[0] / t[1]);
}
const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const f = (x: number): string => x.toFixed(3);
console.log(
  `A ${f(median(micros[0]))} µs/pair, B ${f(median(micros[1]))} µs/pair; A/B ${f(median(ratios))} ` +
    `[${f(Math.min(...ratios))}, ${f(Math.max(...ratios))}] over ${ratios.length} rounds of ${Q} queries x ${train.length} rows` +
    (M > 0 ? ` (search, M = ${M})` : ' (every pair exact)'),
);
