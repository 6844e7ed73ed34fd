/**
 * How a search's cost per pair falls as it goes: one engine, rows prepared, a search keeping the M
 * nearest with length limits (searchRange's loop), over a training set of AG News texts, timed and
 * counted in 10 equal slices of the rows. Prints per slice the share of pairs whose Huffman trees
 * were skipped (at their limit, or by an exact bound) and the µs per pair.
 *
 *   npx tsx scripts/limit-position.ts [M] [queries] [rows]
 *
 * rows <= 2,000: the AG News train head; up to 7,600: then AG News test rows 2,000.. (never a query:
 * the queries are test rows 2, 3, ...; the first two warm up and are not counted).
 */
import { FLUSH_AT_LIMIT, FLUSH_BY_BOUND, TestEngine } from '../test/helpers/test-engine.js';
import { NearestNeighbors } from '../src/model/neighbors.js';
import { ncdFromLengths } from '../src/model/ncd.js';
import { lengthLimit } from '../src/model/training-index.js';
import { packQueries } from '../src/parallel/batch.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const M = Number(process.argv[2] ?? 12);
const Q = Number(process.argv[3] ?? 30);
const ROWS = Number(process.argv[4] ?? 2000);
const dataDir = agNewsDir('limit-position');
const utf8 = new TextEncoder();
const texts = (file: string): Uint8Array[] => agNewsTexts(dataDir, file).map((t) => utf8.encode(t));
const test = texts('test.jsonl.gz');
const train = [...texts('train.first2000.jsonl.gz'), ...test.slice(2000)].slice(0, ROWS);
const { bytes: data, offsets } = packQueries(train);
const engine = new TestEngine();
const cy = train.map((y) => engine.gzipLength(y));
engine.loadRows(data, offsets, 0, train.length);
engine.prepareRows();

const SLICES = 10;
const size = Math.ceil(train.length / SLICES);
const skipped = new Array<number>(SLICES).fill(0);
const micros = new Array<number>(SLICES).fill(0);
const pairs = new Array<number>(SLICES).fill(0);
for (let q = 0; q < Q + 2; q++) {
  const cx = engine.setQuery(test[q]);
  const out = new NearestNeighbors(M);
  for (let s = 0; s < SLICES; s++) {
    const from = s * size;
    const to = Math.min(train.length, from + size);
    const s0 = engine.flushStat(FLUSH_AT_LIMIT) + engine.flushStat(FLUSH_BY_BOUND);
    const t0 = process.hrtime.bigint();
    for (let i = from; i < to; i++) {
      const cxy = out.size < M ? engine.pairLengthOfRow(i) : engine.pairLengthOfRowBounded(i, lengthLimit(cx, cy[i], out.distances[M - 1]));
      out.offer(ncdFromLengths(cx, cy[i], cxy), i);
    }
    if (q < 2) continue;
    micros[s] += Number(process.hrtime.bigint() - t0) / 1000;
    skipped[s] += engine.flushStat(FLUSH_AT_LIMIT) + engine.flushStat(FLUSH_BY_BOUND) - s0;
    pairs[s] += to - from;
  }
}
console.log(`M = ${M}, ${train.length} rows, ${Q} queries`);
for (let s = 0; s < SLICES; s++) {
  console.log(
    `rows ${s * size}..: trees skipped ${((100 * skipped[s]) / pairs[s]).toFixed(1)} %, ${(micros[s] / pairs[s]).toFixed(2)} µs per pair`,
  );
}
const all = pairs.reduce((a, b) => a + b);
console.log(`all: ${(micros.reduce((a, b) => a + b) / all).toFixed(2)} µs per pair`);
