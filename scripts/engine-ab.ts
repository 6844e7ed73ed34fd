/**
 * The WebAssembly engine against the TypeScript port it replaces (src/deflate/{deflate,trees,pair}.ts)
 * and pako 2.1.0, in one process, interleaved: each round times the same AG News pairs (test x
 * against the 2,000-row train head) with every engine, the order of the engines alternating from
 * round to round, and every ratio is taken within a round (the machine is shared and its speed
 * drifts between rounds). Lengths must agree (checksums).
 *
 *   npm run build && npx tsx scripts/engine-ab.ts [--rounds R] [--queries Q] [--pako-queries P]
 *
 * Paths, per pair (µs): "search" = the search's per-pair path (setQuery once per x, then every row,
 * rows prepared: own matches and own parse); "plain" = pairLength(data, start, end), rows not
 * prepared (a one-off classify); "scratch" = gzipLength of the pair's bytes from scratch.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import pako from 'pako';
// The compiled code (npm run build first), as the bench measures it.
import { DeflateLengthEngine as WasmEngine } from '../dist/deflate/engine.js';
import { DeflateLengthEngine as JsEngine } from '../dist/deflate/index.js';
import { PairLengthEngine, PreparedRows, prepareRow } from '../dist/deflate/pair.js';

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '9' },
    queries: { type: 'string', default: '10' },
    'pako-queries': { type: 'string', default: '1' },
  },
});
const ROUNDS = Number(values.rounds);
const Q = Number(values.queries);
const PQ = Number(values['pako-queries']);

const dataDir = fileURLToPath(new URL('../../shared/data/ag_news/', import.meta.url));
const utf8 = new TextEncoder();
const texts = (file: string): Uint8Array[] =>
  gunzipSync(readFileSync(dataDir + file))
    .toString('utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => utf8.encode((JSON.parse(l) as { text: string }).text));
const test = texts('test.jsonl.gz');
const train = texts('train.first2000.jsonl.gz');
const offsets = new Int32Array(train.length + 1);
train.forEach((y, i) => (offsets[i + 1] = offsets[i] + y.length));
const data = new Uint8Array(offsets[train.length]);
train.forEach((y, i) => data.set(y, offsets[i]));
const N = train.length;

const wasm = new WasmEngine();
wasm.loadRows(data, offsets, 0, N);
wasm.prepareRows();
const wasmPlain = new WasmEngine();
const jsPairs = new PairLengthEngine();
const jsSingle = new JsEngine();
const rows = new PreparedRows(offsets[N] + N);
for (let i = 0; i < N; i++) prepareRow(data, offsets[i], offsets[i + 1], rows, offsets[i] + i);

/** x + " " + y of every pair of the queries, for the from-scratch path. */
function pairBytes(qs: Uint8Array[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (const x of qs) {
    for (const y of train) {
      const b = new Uint8Array(x.length + 1 + y.length);
      b.set(x);
      b[x.length] = 0x20;
      b.set(y, x.length + 1);
      out.push(b);
    }
  }
  return out;
}

type Timed = { us: number; sum: number };
function timed(pairs: number, f: () => number): Timed {
  const t0 = process.hrtime.bigint();
  const sum = f();
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / pairs, sum };
}

const paths = {
  search: {
    wasm: (qs: Uint8Array[]) =>
      timed(qs.length * N, () => {
        let s = 0;
        for (const x of qs) {
          s += wasm.setQuery(x);
          for (let i = 0; i < N; i++) s += wasm.pairLengthOfRow(i);
        }
        return s;
      }),
    js: (qs: Uint8Array[]) =>
      timed(qs.length * N, () => {
        let s = 0;
        for (const x of qs) {
          jsPairs.setQuery(x);
          s += jsSingle.gzipLength(x);
          for (let i = 0; i < N; i++) s += jsPairs.pairLengthCoded(data, offsets[i], offsets[i + 1], rows, offsets[i] + i);
        }
        return s;
      }),
  },
  plain: {
    wasm: (qs: Uint8Array[]) =>
      timed(qs.length * N, () => {
        let s = 0;
        for (const x of qs) {
          s += wasmPlain.setQuery(x);
          for (let i = 0; i < N; i++) s += wasmPlain.pairLength(data, offsets[i], offsets[i + 1]);
        }
        return s;
      }),
    js: (qs: Uint8Array[]) =>
      timed(qs.length * N, () => {
        let s = 0;
        for (const x of qs) {
          jsPairs.setQuery(x);
          s += jsSingle.gzipLength(x);
          for (let i = 0; i < N; i++) s += jsPairs.pairLength(data, offsets[i], offsets[i + 1]);
        }
        return s;
      }),
  },
  scratch: {
    wasm: (bs: Uint8Array[]) =>
      timed(bs.length, () => {
        let s = 0;
        for (const b of bs) s += wasmPlain.gzipLength(b);
        return s;
      }),
    js: (bs: Uint8Array[]) =>
      timed(bs.length, () => {
        let s = 0;
        for (const b of bs) s += jsSingle.gzipLength(b);
        return s;
      }),
    pako: (bs: Uint8Array[]) =>
      timed(bs.length, () => {
        let s = 0;
        for (const b of bs) s += pako.gzip(b, { level: 9 }).length;
        return s;
      }),
  },
};

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmt = (v: number[], d = 2) => `${median(v).toFixed(d)} [${Math.min(...v).toFixed(d)}, ${Math.max(...v).toFixed(d)}]`;

const us: Record<string, number[]> = {};
const ratio: Record<string, number[]> = {};
const push = (m: Record<string, number[]>, k: string, v: number) => (m[k] ??= []).push(v);

/* warm-up: JIT and tier-up of both engines on queries not measured */
const warm = test.slice(7000, 7000 + Q);
for (const p of ['search', 'plain'] as const) {
  paths[p].wasm(warm);
  paths[p].js(warm);
}
paths.scratch.wasm(pairBytes(warm.slice(0, 1)));
paths.scratch.js(pairBytes(warm.slice(0, 1)));
paths.scratch.pako(pairBytes(warm.slice(0, 1)));

for (let r = 0; r < ROUNDS; r++) {
  const qs = test.slice(r * Q, (r + 1) * Q);
  const flip = r % 2 === 1;
  for (const p of ['search', 'plain'] as const) {
    const a = flip ? paths[p].js(qs) : paths[p].wasm(qs);
    const b = flip ? paths[p].wasm(qs) : paths[p].js(qs);
    const [w, j] = flip ? [b, a] : [a, b];
    if (w.sum !== j.sum) throw new Error(`${p}: the engines' lengths differ`);
    push(us, `${p} wasm`, w.us);
    push(us, `${p} js`, j.us);
    push(ratio, `${p} js/wasm`, j.us / w.us);
  }
  const bs = pairBytes(qs);
  const order = flip ? (['pako', 'js', 'wasm'] as const) : (['wasm', 'js', 'pako'] as const);
  const res: Partial<Record<'wasm' | 'js' | 'pako', Timed>> = {};
  for (const e of order) res[e] = paths.scratch[e](e === 'pako' ? bs.slice(0, PQ * N) : bs);
  if (res.wasm!.sum !== res.js!.sum) throw new Error('scratch: the engines differ');
  push(us, 'scratch wasm', res.wasm!.us);
  push(us, 'scratch js', res.js!.us);
  push(us, 'scratch pako', res.pako!.us);
  push(ratio, 'scratch js/wasm', res.js!.us / res.wasm!.us);
  push(ratio, 'scratch pako/wasm', res.pako!.us / res.wasm!.us);
  push(ratio, 'search pako/wasm', res.pako!.us / us['search wasm'][r]);
  process.stderr.write(`round ${r + 1}/${ROUNDS}\n`);
}

console.log(`engine-ab: ${ROUNDS} rounds x ${Q} AG News queries x ${N} rows (pako: ${PQ} query per round); median [min, max]`);
for (const [k, v] of Object.entries(us)) console.log(`  ${k.padEnd(14)} ${fmt(v)} µs per pair`);
for (const [k, v] of Object.entries(ratio)) console.log(`  ${k.padEnd(18)} ${fmt(v, 3)}`);
