/**
 * Differential fuzzer: src/deflate's engine (WebAssembly) against pako 2.1.0 (`pako.gzip(b, {level: 9})`).
 *
 *   npx tsx scripts/fuzz.ts [--count N] [--seed S] [--max-len L] [--case I] [--pair]
 *
 * --pair checks the pair paths instead: each case is a query x and 4 texts y; pairLength(y) after
 * setQuery(x), and the 4 texts loaded as rows (plain, then prepared), must equal pako on x ++ " " ++ y;
 * and with two random length limits each (within 30 bytes below to 10 above the exact length),
 * pairLengthBounded and pairLengthOfRowBounded must keep their contract: a result below the limit is
 * exact, one at or above it is a lower bound (and then the exact length is at least the limit).
 *
 * Case i of seed S is generated from its own PRNG seeded with mix(S, i), so `--seed S --case I`
 * replays exactly one case. Progress goes to stderr. On the first mismatch it prints the seed, the
 * case number, both lengths and the input (base64; also written to a file) and exits 1; otherwise
 * it prints a summary line and exits 0.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import pako from 'pako';
import { DeflateLengthEngine } from '../src/deflate/index.js';
import { Rng, generateCase } from '../test/helpers/deflate-generators.js';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    'max-len': { type: 'string', default: '140000' },
    case: { type: 'string' },
    pair: { type: 'boolean', default: false },
  },
});

const count = Number(values.count);
const seed = values.seed !== undefined ? Number(values.seed) >>> 0 : (Date.now() ^ (process.pid << 16)) >>> 0;
const maxLen = Number(values['max-len']);
if (!Number.isFinite(count) || count < 0 || !Number.isFinite(maxLen) || maxLen < 0) {
  console.error('usage: fuzz.ts [--count N] [--seed S] [--max-len L] [--case I]');
  process.exit(2);
}

/** Seed of case i: a 32-bit mix of the run seed and the case number. */
function caseSeed(s: number, i: number): number {
  let h = (s ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

const engine = new DeflateLengthEngine();
const first = values.case !== undefined ? Number(values.case) : 0;
const last = values.case !== undefined ? first + 1 : count;
const started = Date.now();
let bytesTotal = 0;
let lastReport = started;

console.error(`fuzz: seed ${seed}, cases ${first}..${last - 1}, max length ${maxLen}`);
const pairEngine = new DeflateLengthEngine();

/** One case: the input(s) checked and, on a mismatch, the offending input and both lengths. */
function runCase(i: number): { kind: string; bytes: Uint8Array; expected: number; got: number } | null {
  const rng = new Rng(caseSeed(seed, i));
  if (!values.pair) {
    const { kind, bytes } = generateCase(rng, maxLen);
    const expected = pako.gzip(bytes, { level: 9 }).length;
    const got = engine.gzipLength(bytes);
    bytesTotal += bytes.length;
    return got === expected ? null : { kind, bytes, expected, got };
  }
  const x = generateCase(rng, maxLen >> 1);
  pairEngine.setQuery(x.bytes);
  const ys: { kind: string; bytes: Uint8Array }[] = [];
  const want: number[] = [];
  const cat = (y: Uint8Array): Uint8Array => {
    const bytes = new Uint8Array(x.bytes.length + 1 + y.length);
    bytes.set(x.bytes);
    bytes[x.bytes.length] = 0x20;
    bytes.set(y, x.bytes.length + 1);
    return bytes;
  };
  for (let k = 0; k < 4; k++) {
    const y = rng.next() < 0.3 ? { kind: x.kind, bytes: x.bytes.subarray(rng.int(x.bytes.length + 1)) } : generateCase(rng, maxLen >> 1);
    const bytes = cat(y.bytes);
    const expected = pako.gzip(bytes, { level: 9 }).length;
    const got = pairEngine.pairLength(y.bytes);
    bytesTotal += bytes.length;
    if (got !== expected) return { kind: `pair x=${x.kind} (${x.bytes.length} bytes) y=${y.kind}`, bytes, expected, got };
    ys.push(y);
    want.push(expected);
  }
  /* the same texts as rows loaded into the engine, plain then prepared */
  const offsets = new Int32Array(ys.length + 1);
  ys.forEach((y, k) => (offsets[k + 1] = offsets[k] + y.bytes.length));
  const data = new Uint8Array(offsets[ys.length]);
  ys.forEach((y, k) => data.set(y.bytes, offsets[k]));
  pairEngine.loadRows(data, offsets, 0, ys.length);
  for (const prepared of [false, true]) {
    if (prepared) pairEngine.prepareRows();
    for (let k = 0; k < ys.length; k++) {
      const got = pairEngine.pairLengthOfRow(k);
      if (got !== want[k]) {
        return {
          kind: `row (prepared: ${prepared}) x=${x.kind} (${x.bytes.length} bytes) y=${ys[k].kind}`,
          bytes: cat(ys[k].bytes),
          expected: want[k],
          got,
        };
      }
    }
  }
  /* with a length limit (as the search gives once its list is full): a result below the limit is
   * the exact length; one at or above it is a lower bound on the exact length, which is >= limit */
  for (let k = 0; k < ys.length; k++) {
    for (let t = 0; t < 2; t++) {
      const limit = Math.max(1, want[k] - 30 + rng.int(41));
      for (const [path, got] of [
        ['plain', pairEngine.pairLengthBounded(ys[k].bytes, 0, ys[k].bytes.length, limit)],
        ['prepared row', pairEngine.pairLengthOfRowBounded(k, limit)],
      ] as const) {
        const ok = got < limit ? got === want[k] : want[k] >= limit && got <= want[k];
        if (!ok) {
          return {
            kind: `bounded ${path}, limit ${limit}: x=${x.kind} (${x.bytes.length} bytes) y=${ys[k].kind}`,
            bytes: cat(ys[k].bytes),
            expected: want[k],
            got,
          };
        }
      }
    }
  }
  return null;
}

for (let i = first; i < last; i++) {
  const bad = runCase(i);
  if (bad !== null) {
    const { kind, bytes, expected, got } = bad;
    const file = `fuzz-mismatch-${seed}-${i}.bin`;
    writeFileSync(file, bytes);
    const b64 = Buffer.from(bytes).toString('base64');
    console.log(`MISMATCH seed=${seed} case=${i} kind=${kind} length=${bytes.length}`);
    console.log(`  pako=${expected} engine=${got}`);
    console.log(`  input written to ${file}`);
    console.log(`  base64: ${b64.length > 4000 ? b64.slice(0, 4000) + '... (truncated; see file)' : b64}`);
    console.log(`  replay: npx tsx scripts/fuzz.ts --seed ${seed} --case ${i}${values.pair ? ' --pair' : ''}`);
    process.exit(1);
  }
  const now = Date.now();
  if (now - lastReport > 5000) {
    lastReport = now;
    console.error(`  ${i + 1 - first}/${last - first} ok (${(bytesTotal / 1e6).toFixed(1)} MB, ${((now - started) / 1000).toFixed(0)} s)`);
  }
}
const secs = (Date.now() - started) / 1000;
console.log(
  `fuzz ok: seed=${seed} cases=${last - first} bytes=${bytesTotal} max-len=${maxLen} time=${secs.toFixed(1)}s: ${values.pair ? 'pair paths' : 'engine'} == pako 2.1.0 on every case`,
);
