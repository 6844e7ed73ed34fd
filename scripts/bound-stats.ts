/**
 * What the length bound of assembly/bound.ts does on AG News pairs: how many Huffman trees the search
 * skips, how tight the bound is, what it costs, and what the search gains, all in one process.
 *
 *   npx tsx scripts/bound-stats.ts [--queries Q] [--train N] [--rounds R] [--ab-queries A]
 *
 * 1. Skip fractions (Q test texts x the first N train texts, rows in index order, as searchRange
 *    scans them): for M = 12 and M = 2, the share of all pairs for which the engine, given the
 *    search's limit, answered at or above it without building trees ("skipped"), the share whose
 *    bound was exact (no trees either), and the share a perfect bound would skip (exact C(xy) >=
 *    limit). Also how far the full bound (no limit) lies below C(xy), in bytes.
 * 2. The full bound's cost per pair: process CPU time of every pair with BOUND_CHECK (bound, then
 *    trees) minus with BOUND_OFF (trees only), rounds interleaved; the share of bound calls a
 *    limited pair ends at the first partial bound (entropy) is in part 1.
 * 3. The search itself (searchRange, rows prepared), exhaustive (a scanner without the bounded
 *    methods) against bounded (the engine's scanner), interleaved rounds of A queries x N rows,
 *    CPU time per pair, lists compared: medians [min, max] of the per-round ratios, M = 12 and 2.
 */
import { parseArgs } from 'node:util';
import { PREPARE_AFTER_QUERIES, type PairScanner, createEngineCompressor, createPairScanner } from '../src/compress/index.js';
import {
  BOUND_CALLS,
  BOUND_CHECK,
  BOUND_EARLY,
  BOUND_EARLY2,
  BOUND_OFF,
  BOUND_ON,
  FLUSH_AT_LIMIT,
  FLUSH_BY_BOUND,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_OPT,
  TestEngine,
} from '../test/helpers/test-engine.js';
import { NearestNeighbors } from '../src/model/neighbors.js';
import { ncdFromLengths } from '../src/model/ncd.js';
import { TrainingIndex, lengthLimit, searchRange } from '../src/model/training-index.js';
import { packQueries } from '../src/parallel/batch.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const { values } = parseArgs({
  options: {
    queries: { type: 'string', default: '20' },
    train: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '13' },
    'ab-queries': { type: 'string', default: '6' },
  },
});
const Q = Number(values.queries);
const NT = Number(values.train);
const ROUNDS = Number(values.rounds);
const AQ = Number(values['ab-queries']);

const dataDir = agNewsDir('bound-stats');
const texts = (file: string): string[] => agNewsTexts(dataDir, file);
const utf8 = new TextEncoder();
const testTexts = texts('test.jsonl.gz');
const train = texts('train.first2000.jsonl.gz').slice(0, NT);
const enc = train.map((t) => utf8.encode(t));
const { bytes: data, offsets } = packQueries(enc);

const median = (v: number[]): number => {
  const s = [...v].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (a: number, b: number): string => `${((100 * a) / b).toFixed(1)} %`;

/* ---- 1. skip fractions and tightness ---- */
const engine = new TestEngine();
const cy = enc.map((y) => engine.gzipLength(y));
engine.loadRows(data, offsets, 0, enc.length);
engine.prepareRows();
const queries = testTexts.slice(0, Q).map((t) => utf8.encode(t));
const slack: number[] = [];
for (const M of [12, 2]) {
  let pairs = 0;
  let perfect = 0;
  const before = [FLUSH_BY_BOUND, BOUND_CALLS, BOUND_EARLY, FLUSH_AT_LIMIT, BOUND_EARLY2].map((i) => engine.flushStat(i));
  for (const x of queries) {
    const cx = engine.setQuery(x);
    const out = new NearestNeighbors(M);
    for (let i = 0; i < enc.length; i++) {
      engine.setBoundMode(BOUND_OFF);
      const exact = engine.pairLengthOfRow(i);
      if (M === 12) {
        engine.setBoundMode(BOUND_CHECK);
        engine.pairLengthOfRow(i);
        slack.push((engine.flushStat(FLUSH_CHECK_OPT) - engine.flushStat(FLUSH_CHECK_BOUND)) / 8);
      }
      engine.setBoundMode(BOUND_ON);
      if (out.size === M) {
        const limit = lengthLimit(cx, cy[i], out.distances[M - 1]);
        const r = engine.pairLengthOfRowBounded(i, limit);
        if (r < limit ? r !== exact : r > exact) throw new Error('a bounded length breaks its contract');
        if (exact >= limit) perfect++;
      }
      out.offer(ncdFromLengths(cx, cy[i], exact), i);
      pairs++;
    }
  }
  const exactByBound = engine.flushStat(FLUSH_BY_BOUND) - before[0];
  const skipped = engine.flushStat(FLUSH_AT_LIMIT) - before[3];
  const early2 = engine.flushStat(BOUND_EARLY2) - before[4];
  const calls = engine.flushStat(BOUND_CALLS) - before[1];
  const early = engine.flushStat(BOUND_EARLY) - before[2];
  console.log(
    `M = ${M}: ${pairs} pairs (${Q} queries x ${enc.length} rows); trees skipped at the limit ${pct(skipped, pairs)}, ` +
      `bound exact (no trees) ${pct(exactByBound, pairs)}, trees built ${pct(pairs - skipped - exactByBound, pairs)}; ` +
      `a perfect bound would skip ${pct(perfect, pairs)}; bound calls ended by the first partial bound ${pct(early, calls)}, ` +
      `by the second ${pct(early2, calls)}`,
  );
}
slack.sort((a, b) => a - b);
const q = (p: number): number => slack[Math.min(slack.length - 1, Math.floor(p * slack.length))];
const mean = slack.reduce((a, b) => a + b, 0) / slack.length;
console.log(
  `full bound below zlib's opt_len (bytes, ${slack.length} pairs): mean ${mean.toFixed(2)}, median ${q(0.5)}, ` +
    `p90 ${q(0.9)}, p99 ${q(0.99)}, max ${slack[slack.length - 1]}; exact ${pct(slack.filter((s) => s === 0).length, slack.length)}`,
);

/* ---- 2. the full bound's cost per pair ---- */
{
  const cost: number[] = [];
  const offUs: number[] = [];
  let next = 300;
  for (let r = 0; r < ROUNDS; r++) {
    const qs = testTexts.slice(next, next + 5).map((t) => utf8.encode(t));
    next += 5;
    const t: Record<number, number> = {};
    for (const mode of r % 2 ? [BOUND_CHECK, BOUND_OFF] : [BOUND_OFF, BOUND_CHECK]) {
      engine.setBoundMode(mode);
      const c0 = process.cpuUsage();
      for (const x of qs) {
        engine.setQuery(x);
        for (let i = 0; i < enc.length; i++) engine.pairLengthOfRow(i);
      }
      const c = process.cpuUsage(c0);
      t[mode] = (c.user + c.system) / (qs.length * enc.length);
    }
    if (r === 0) continue;
    cost.push(t[BOUND_CHECK] - t[BOUND_OFF]);
    offUs.push(t[BOUND_OFF]);
  }
  engine.setBoundMode(BOUND_ON);
  console.log(
    `full bound: ${median(cost).toFixed(3)} µs per pair [${Math.min(...cost).toFixed(3)}, ${Math.max(...cost).toFixed(3)}] ` +
      `(BOUND_CHECK - BOUND_OFF), against ${median(offUs).toFixed(3)} µs per pair with trees only`,
  );
}

/* ---- 3. the search, exhaustive vs bounded ---- */
{
  const comp = createEngineCompressor();
  const index = TrainingIndex.fromTexts(
    train,
    train.map(() => 0),
    comp,
  );
  const inner = createPairScanner(comp);
  const exhaustive: PairScanner = {
    setQuery: (x) => inner.setQuery(x),
    prepare: (d, o, f, t) => inner.prepare?.(d, o, f, t) === true,
    pairLength: (d, s, e) => inner.pairLength(d, s, e),
    pairLengthOfRow: (row) => inner.pairLengthOfRow!(row),
  };
  for (let k = 0; k < PREPARE_AFTER_QUERIES; k++) inner.setQuery(utf8.encode(testTexts[k]));
  for (const M of [12, 2]) {
    const out = new NearestNeighbors(M);
    const times: Record<string, number[]> = { exhaustive: [], bounded: [] };
    const ratios: number[] = [];
    let next = 1000 + (M === 2 ? 500 : 0);
    for (let r = 0; r < ROUNDS; r++) {
      const qs = testTexts.slice(next, next + AQ).map((t) => utf8.encode(t));
      next += AQ;
      const t: Record<string, number> = {};
      const lists: Record<string, string> = {};
      for (const [name, sc] of (r % 2
        ? [
            ['bounded', inner],
            ['exhaustive', exhaustive],
          ]
        : [
            ['exhaustive', exhaustive],
            ['bounded', inner],
          ]) as [string, PairScanner][]) {
        const l: string[] = [];
        const c0 = process.cpuUsage();
        for (const x of qs)
          l.push(
            searchRange(index, sc, x, 0, index.size, out)
              .toList()
              .map((n) => `${n.index}:${n.distance}`)
              .join(','),
          );
        const c = process.cpuUsage(c0);
        t[name] = (c.user + c.system) / (qs.length * index.size);
        lists[name] = l.join(';');
      }
      if (lists.exhaustive !== lists.bounded) throw new Error('the bounded search found other neighbours');
      if (r === 0) continue;
      times.exhaustive.push(t.exhaustive);
      times.bounded.push(t.bounded);
      ratios.push(t.exhaustive / t.bounded);
    }
    console.log(
      `search M = ${M}: exhaustive ${median(times.exhaustive).toFixed(3)} µs/pair, bounded ${median(times.bounded).toFixed(3)} µs/pair; ` +
        `exhaustive/bounded ${median(ratios).toFixed(3)} [${Math.min(...ratios).toFixed(3)}, ${Math.max(...ratios).toFixed(3)}] ` +
        `over ${ratios.length} rounds of ${AQ} queries x ${index.size} rows (CPU time, lists identical)`,
    );
  }
}
