/**
 * How a search pool shares a batch among its threads, measured: AG News test rows against the 2,000-row
 * train head (or the 7,600 distinct rows with --wide), M = 12 (`npc eval`'s default), in batches of
 * queriesPerBatch(rows) × --batch-scale queries (as `npc eval` sends them), on real worker threads that
 * run the product's batch loops (dist/parallel/batch.js) with a scanner that counts the pairs answered
 * at their length limit (trees skipped). Three ways, interleaved round by round in one process:
 *   rows      each thread scans its slice of the rows for every query, alone (no shared limit);
 *   shared    the same with the shared limit (RowLimits: each thread reads the others' worst NCD);
 *   queries   the pool's rule (wholeQueries): a batch of at least as many queries as threads taken
 *             whole (searchClaimed: a thread takes one query at a time and scans all rows for it);
 *   evenly    only the queries that go round the threads evenly taken whole, the rest split by rows
 *             with the shared limit (a rule the pool does not use: no faster here).
 * Every way's lists must equal one thread's. Prints pairs/s (median over rounds, and every round's) and
 * the share of pairs whose trees were skipped (whole queries: the same pairs as one thread's search).
 *
 *   npm run build && npx tsx scripts/worker-split.ts [--jobs J] [--queries Q] [--rounds R] [--batch-scale S] [--wide]
 */
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import { fitIndex } from '../dist/app/training.js';
import { ENVELOPE_MARGIN } from '../dist/app/evaluate.js';
import { type NeighborLists, packQueries, queriesPerBatch, RowLimits } from '../dist/parallel/batch.js';
import { LocalSearcher, wholeQueries } from '../dist/parallel/searcher.js';
import type { TrainingArrays } from '../dist/model/training-index.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const { values } = parseArgs({
  options: {
    jobs: { type: 'string', default: '2' },
    queries: { type: 'string', default: '200' },
    rounds: { type: 'string', default: '3' },
    'batch-scale': { type: 'string', default: '1' },
    wide: { type: 'boolean', default: false },
  },
});
const JOBS = Number(values.jobs);
const M = 2 + ENVELOPE_MARGIN;
const dataDir = agNewsDir('worker-split');
const texts = (file: string): string[] => agNewsTexts(dataDir, file);

const head = texts('train.first2000.jsonl.gz');
const test = texts('test.jsonl.gz');
const trainTexts = values.wide ? [...head, ...test.slice(2000)] : head;
const index = fitIndex(trainTexts.map((text, i) => ({ text, label: 0, line: i + 1 })));
const utf8 = new TextEncoder();
const queries = test.slice(0, Number(values.queries)).map((t) => utf8.encode(t));
const perBatch = queriesPerBatch(index.size) * Number(values['batch-scale']);

/* The worker: the product's batch loops over a counting scanner (the product's worker.ts, plus counts). */
const workerCode = `
const { parentPort } = require('node:worker_threads');
(async () => {
  const c = await import(${JSON.stringify(new URL('../dist/compress/index.js', import.meta.url).href)});
  const b = await import(${JSON.stringify(new URL('../dist/parallel/batch.js', import.meta.url).href)});
  let setup, scanner, pairs = 0, atLimit = 0;
  parentPort.on('message', (msg) => {
    if (msg.type === 'setup') {
      setup = msg;
      const inner = c.createPairScanner(c.createEngineCompressor());
      const count = (r, limit) => { pairs++; if (limit > 0 && r >= limit) atLimit++; return r; };
      scanner = {
        setQuery: (x) => inner.setQuery(x),
        prepare: (d, o, f, t) => inner.prepare(d, o, f, t),
        pairLength: (d, s, e) => count(inner.pairLength(d, s, e), 0),
        pairLengthBounded: (d, s, e, l) => count(inner.pairLengthBounded(d, s, e, l), l),
        pairLengthOfRow: (r) => count(inner.pairLengthOfRow(r), 0),
        pairLengthOfRowBounded: (r, l) => count(inner.pairLengthOfRowBounded(r, l), l),
      };
      return;
    }
    const { arrays, from, to, thread, threads } = setup;
    const { queries: bytes, queryOffsets: offsets, m, whole } = msg;
    const size = arrays.offsets.length - 1;
    const lists = b.emptyLists(offsets.length - 1, m);
    if (whole > 0) b.copyLists(b.searchClaimed(arrays, scanner, { bytes, offsets: offsets.subarray(0, whole + 1) }, m, new Int32Array(msg.claim, 0, 1)), lists, 0);
    if (whole < offsets.length - 1) {
      const limits = msg.share ? new b.RowLimits(msg.limits, threads, thread) : undefined;
      b.copyLists(b.searchBatch(arrays, scanner, { bytes, offsets: offsets.subarray(whole) }, from, to, m, { prepareFrom: 0, prepareTo: size, limits }), lists, whole);
    }
    parentPort.postMessage({ ...lists, pairs, atLimit });
  });
})();
`;

type Split = 'rows' | 'shared' | 'queries' | 'evenly';
interface Reply extends NeighborLists {
  pairs: number;
  atLimit: number;
}

const arrays: TrainingArrays = index.arrays();
const workers = Array.from({ length: JOBS }, (_, w) => {
  const worker = new Worker(workerCode, { eval: true });
  worker.postMessage({
    type: 'setup',
    arrays,
    from: Math.floor((w * index.size) / JOBS),
    to: Math.floor(((w + 1) * index.size) / JOBS),
    thread: w,
    threads: JOBS,
  });
  return worker;
});

function ask(worker: Worker, msg: object): Promise<Reply> {
  return new Promise((res) => {
    worker.once('message', res);
    worker.postMessage(msg);
  });
}

/** One batch the way `split` shares it; the lists as `q:index:distance` strings, and the counts. */
async function batch(split: Split, qs: Uint8Array[]): Promise<{ lists: string[]; pairs: number; atLimit: number }> {
  const { bytes, offsets } = packQueries(qs);
  const whole =
    split === 'evenly' ? qs.length - (qs.length % JOBS) : split === 'queries' ? wholeQueries(qs.length, JOBS, index.data.length) : 0;
  const message = {
    queries: bytes,
    queryOffsets: offsets,
    m: M,
    whole,
    share: split !== 'rows',
    claim: new SharedArrayBuffer(4),
    limits: RowLimits.buffer(qs.length - whole, JOBS),
  };
  const replies = await Promise.all(workers.map((w) => ask(w, message)));
  const lists: string[] = [];
  for (let q = 0; q < qs.length; q++) {
    const entries: [number, number][] = [];
    for (const r of replies) for (let i = 0; i < r.sizes[q]; i++) entries.push([r.distances[q * M + i], r.indices[q * M + i]]);
    entries.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
    lists.push(
      entries
        .slice(0, M)
        .map(([d, i]) => `${i}:${d}`)
        .join(' '),
    );
  }
  return { lists, pairs: 0, atLimit: 0 };
}

async function counts(): Promise<{ pairs: number; atLimit: number }> {
  const message = {
    queries: new Uint8Array(0),
    queryOffsets: new Int32Array(1),
    m: M,
    whole: 0,
    claim: new SharedArrayBuffer(4),
    limits: RowLimits.buffer(0, JOBS),
  };
  const replies = await Promise.all(workers.map((w) => ask(w, message)));
  return { pairs: replies.reduce((s, r) => s + r.pairs, 0), atLimit: replies.reduce((s, r) => s + r.atLimit, 0) };
}

const local = new LocalSearcher(index);
const want: string[] = [];
for (let s = 0; s < queries.length; s += perBatch) {
  const l = await local.search(queries.slice(s, s + perBatch), M);
  for (let q = 0; q < l.sizes.length; q++)
    want.push(Array.from({ length: l.sizes[q] }, (_, i) => `${l.indices[q * M + i]}:${l.distances[q * M + i]}`).join(' '));
}

// Warm-up (JIT, and every worker prepares all rows once).
for (const split of ['evenly', 'queries', 'shared', 'rows'] as Split[]) await batch(split, queries.slice(0, 20));

const splits: Split[] = ['rows', 'shared', 'queries', 'evenly'];
const rates: Record<Split, number[]> = { rows: [], shared: [], queries: [], evenly: [] };
const skipped: Record<Split, number> = { rows: 0, shared: 0, queries: 0, evenly: 0 };
for (let round = 0; round < Number(values.rounds); round++) {
  for (const split of round % 2 ? [...splits].reverse() : splits) {
    const before = await counts();
    const t0 = process.hrtime.bigint();
    const got: string[] = [];
    for (let s = 0; s < queries.length; s += perBatch) got.push(...(await batch(split, queries.slice(s, s + perBatch))).lists);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const after = await counts();
    if (got.join('\n') !== want.join('\n')) throw new Error(`${split}: lists differ from one thread's`);
    rates[split].push((queries.length * index.size) / seconds);
    skipped[split] = (after.atLimit - before.atLimit) / (after.pairs - before.pairs);
  }
}
await Promise.all(workers.map((w) => w.terminate()));

const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1];
console.log(
  `${queries.length} AG News test rows x ${index.size} rows, M = ${M}, --jobs ${JOBS}, ${perBatch} queries per batch, ${values.rounds} rounds (lists identical to one thread's)`,
);
for (const split of splits)
  console.log(
    `${split.padEnd(8)} ${median(rates[split]).toFixed(0).padStart(8)} pairs/s   trees skipped ${(100 * skipped[split]).toFixed(1)} %   [${rates[split].map((r) => r.toFixed(0)).join(', ')}]`,
  );
