/**
 * npm run profile — where a search's time goes, by WebAssembly function: builds an engine with its
 * functions' names (asc with --debug, from assembly/test-index.ts: the shipped engine's code plus the
 * test engine's counters) into a temp folder — not the shipped engine — and runs a fixed eval-like
 * search under node's CPU profiler (node:inspector): Q AG News test rows x the first N rows of the
 * 2,000-row train head, one thread (as `npc eval --jobs 1`), keeping the M nearest with the search's
 * length limits (searchRange's loop: once the list is full, each pair gets its limit), rows loaded and
 * prepared. Prints a Markdown table of self time by function, grouped: the parse (pair.ts, deflate.ts),
 * the bound (bound.ts), zlib's trees (trees.ts) and the rest (the JavaScript loop, the query's
 * snapshot restored for each pair, garbage collection...); then how the bound settled the pairs (engine counters).
 *
 *   npm run profile -- [--queries Q] [--rows N] [--m M] [--warmup W] [--interval US] [--engine FILE]
 *
 * Defaults: Q = 300, N = 2000, M = 12, W = 20 warm-up queries (test rows after the profiled ones,
 * not profiled: the engine's functions reach the optimising tier first), sampling every 100 µs.
 * --engine FILE profiles an engine already built with names (e.g. an older one) instead of building.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DeflateLengthEngine } from '../src/deflate/engine.js';
import { NearestNeighbors } from '../src/model/neighbors.js';
import { ncdFromLengths } from '../src/model/ncd.js';
import { lengthLimit } from '../src/model/training-index.js';
import { packQueries } from '../src/parallel/batch.js';
import {
  BOUND_CALLS,
  BOUND_EARLY,
  BOUND_EARLY2,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_BY_TREES,
  type TestEngineExports,
} from '../test/helpers/test-engine.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '300' },
    rows: { type: 'string', default: '2000' },
    m: { type: 'string', default: '12' },
    warmup: { type: 'string', default: '20' },
    interval: { type: 'string', default: '100' },
    engine: { type: 'string' },
  },
});
const Q = Number(values.queries);
const N = Number(values.rows);
const M = Number(values.m);
const WARMUP = Number(values.warmup);
const INTERVAL = Number(values.interval);
for (const [name, v] of [
  ['queries', Q],
  ['rows', N],
  ['m', M],
  ['interval', INTERVAL],
] as const) {
  if (!Number.isInteger(v) || v < 1) {
    console.error(`profile: --${name} must be a positive integer`);
    process.exit(2);
  }
}
if (!Number.isInteger(WARMUP) || WARMUP < 0) {
  console.error('profile: --warmup must be a non-negative integer');
  process.exit(2);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = agNewsDir('profile');
const utf8 = new TextEncoder();
const texts = (file: string): Uint8Array[] => agNewsTexts(dataDir, file).map((t) => utf8.encode(t));
const test = texts('test.jsonl.gz');
const train = texts('train.first2000.jsonl.gz').slice(0, N);
if (Q + WARMUP > test.length) {
  console.error(`profile: --queries + --warmup must be at most ${test.length}`);
  process.exit(2);
}

/* The engine with names: built into a temp folder (never the shipped one) unless --engine. */
let wasm: Uint8Array;
if (values.engine !== undefined) {
  wasm = new Uint8Array(readFileSync(values.engine));
} else {
  const dir = mkdtempSync(join(tmpdir(), 'npc-profile-'));
  try {
    const out = join(dir, 'engine-named.wasm');
    execFileSync(
      join(root, 'node_modules', '.bin', 'asc'),
      ['assembly/test-index.ts', '-O3', '--noAssert', '--runtime', 'stub', '--debug', '--outFile', out],
      { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
    );
    wasm = new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

class NamedEngine extends DeflateLengthEngine {
  counter(i: number): number {
    return (this.ex as TestEngineExports).flush_stat(i);
  }
}
const engine = new NamedEngine(wasm);
const cy = train.map((y) => engine.gzipLength(y));
const { bytes: data, offsets } = packQueries(train);
engine.loadRows(data, offsets, 0, train.length);
engine.prepareRows();

/** searchRange's loop over every row for each query, keeping the M nearest. */
function search(qs: Uint8Array[]): void {
  for (const x of qs) {
    const cx = engine.setQuery(x);
    const out = new NearestNeighbors(M);
    for (let i = 0; i < train.length; i++) {
      const cxy = out.size < M ? engine.pairLengthOfRow(i) : engine.pairLengthOfRowBounded(i, lengthLimit(cx, cy[i], out.distances[M - 1]));
      out.offer(ncdFromLengths(cx, cy[i], cxy), i);
    }
  }
}

search(test.slice(Q, Q + WARMUP));
const counters = [FLUSH_AT_LIMIT, FLUSH_BY_BOUND, FLUSH_BY_TREES, BOUND_CALLS, BOUND_EARLY, BOUND_EARLY2];
const c0 = counters.map((i) => engine.counter(i));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
const session = new Session();
session.connect();
await session.post('Profiler.enable');
await session.post('Profiler.setSamplingInterval', { interval: INTERVAL });
await session.post('Profiler.start');
const t0 = process.hrtime.bigint();
search(test.slice(0, Q));
const wall = Number(process.hrtime.bigint() - t0) / 1e9;
const { profile } = (await session.post('Profiler.stop')) as unknown as { profile: Profile };
session.disconnect();
const c = counters.map((i, k) => engine.counter(i) - c0[k]);

/* Self time by function: each sample's time (the delta to the next sample) goes to its node. */
const byNode = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
const self = new Map<string, number>();
for (let s = 0; s < profile.samples.length; s++) {
  const node = byNode.get(profile.samples[s])!;
  const dt = s + 1 < profile.timeDeltas.length ? profile.timeDeltas[s + 1] : 0;
  const f = node.callFrame;
  const wasmFn = f.url.startsWith('wasm://');
  /* the names asc gives: assembly/<file>/<function> (a file's top-level code: ~start) */
  const name = wasmFn ? f.functionName.replace(/^\$?assembly\//, '').replace(/^~lib\//, 'lib/') : f.functionName || '(anonymous)';
  const key = wasmFn ? name : f.functionName.startsWith('(') ? name : `JS ${name}`;
  if (f.functionName === '(idle)') continue;
  self.set(key, (self.get(key) ?? 0) + dt);
}
const total = [...self.values()].reduce((a, b) => a + b, 0);
const GROUPS = ['parse', 'bound', 'trees', 'rest'] as const;
function group(name: string): (typeof GROUPS)[number] {
  if (name === 'pair/restore_snapshot') return 'rest';
  if (name.startsWith('pair/') || name.startsWith('deflate/')) return 'parse';
  if (name.startsWith('bound/')) return 'bound';
  if (name.startsWith('trees/')) return 'trees';
  return 'rest';
}
const pairs = Q * train.length;
const pct = (t: number): string => ((100 * t) / total).toFixed(1);
const load = existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a';

const lines: string[] = [];
lines.push(
  `Profile of ${Q} AG News test rows x ${train.length} train rows, M = ${M}, one thread, rows prepared; ` +
    `${wall.toFixed(2)} s wall (${((wall * 1e6) / pairs).toFixed(2)} µs per pair, under the profiler), ` +
    `sampling every ${INTERVAL} µs; Node ${process.version}; load ${load}.`,
);
lines.push('');
lines.push('| group | function | self % |');
lines.push('|---|---|---:|');
for (const g of GROUPS) {
  const fns = [...self.entries()].filter(([n]) => group(n) === g).sort((a, b) => b[1] - a[1]);
  const sum = fns.reduce((a, [, t]) => a + t, 0);
  lines.push(`| **${g}** | | **${pct(sum)}** |`);
  let other = 0;
  for (const [n, t] of fns) {
    if ((100 * t) / total >= 0.3) lines.push(`| | ${n} | ${pct(t)} |`);
    else other += t;
  }
  if (pct(other) !== '0.0') lines.push(`| | (others, each < 0.3) | ${pct(other)} |`);
}
lines.push('');
const [atLimit, byBound, byTrees, calls, early, early2] = c;
const share = (v: number): string => ((100 * v) / pairs).toFixed(1);
lines.push('| pairs (share of all) | % |');
lines.push('|---|---:|');
lines.push(`| bound called (limited pairs) | ${share(calls)} |`);
lines.push(`| settled at the first partial bound (entropy) | ${share(early)} |`);
lines.push(`| settled at the second partial bound | ${share(early2)} |`);
lines.push(`| proven at the limit, no trees (all three ways) | ${share(atLimit)} |`);
lines.push(`| bound exact, no trees | ${share(byBound)} |`);
lines.push(`| trees built | ${share(byTrees)} |`);
console.log(lines.join('\n'));
