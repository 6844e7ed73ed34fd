/**
 * Two test builds of the engine (engine-test.wasm, assembly/test-index.ts) against each other on the
 * length bound (assembly/bound.ts): for a change to the bound that must keep its values, e.g. one that
 * only makes it cheaper. Q AG News test texts (from test row --from on) x the 2,000-row train head,
 * rows prepared, both builds in BOUND_CHECK mode (the bound of every block, then zlib's trees,
 * compared); each pair without a limit (the full bound) and with limits of the exact length - 3, - 1,
 * + 0, + 1, + 4 (the partial bounds a limited pair may stop at). For every call the two builds must give
 * the same result, the same bound, the same exact flag and the same opt_len from the trees; and
 * neither may count a failed check (a bound above zlib's opt_len, a wrong exact claim).
 *
 *   npx tsx scripts/bound-compare.ts A-test.wasm B-test.wasm [--queries Q] [--from F]
 *
 * e.g. A = `git show main:test/helpers/engine-test.wasm > /tmp/a-test.wasm`, B =
 * test/helpers/engine-test.wasm. Exit 1 if any call differs or a check failed.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DeflateLengthEngine } from '../src/deflate/engine.js';
import { packQueries } from '../src/parallel/batch.js';
import {
  BOUND_CHECK,
  FLUSH_CHECK_BOUND,
  FLUSH_CHECK_EXACT,
  FLUSH_CHECK_FAILED,
  FLUSH_CHECK_OPT,
  type TestEngineExports,
} from '../test/helpers/test-engine.js';
import { agNewsDir, agNewsTexts } from './ag-news-texts.js';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    queries: { type: 'string', default: '20' },
    from: { type: 'string', default: '1000' },
  },
});
if (positionals.length !== 2) {
  console.error('usage: npx tsx scripts/bound-compare.ts A-test.wasm B-test.wasm [--queries Q] [--from F]');
  process.exit(2);
}
const Q = Number(values.queries);
const FROM = Number(values.from);

const dataDir = agNewsDir('bound-compare');
const utf8 = new TextEncoder();
const texts = (file: string): Uint8Array[] => agNewsTexts(dataDir, file).map((t) => utf8.encode(t));
const test = texts('test.jsonl.gz').slice(FROM, FROM + Q);
const train = texts('train.first2000.jsonl.gz');

class Build extends DeflateLengthEngine {
  get raw(): TestEngineExports {
    return this.ex as TestEngineExports;
  }
}
const builds = positionals.map((f) => new Build(new Uint8Array(readFileSync(f))));
const { bytes, offsets } = packQueries(train);
for (const b of builds) {
  b.loadRows(bytes, offsets, 0, train.length);
  b.prepareRows();
  b.raw.set_bound_mode(BOUND_CHECK);
}

/* offsets of the limits from the exact length (undefined: no limit) */
const LIMITS = [undefined, -3, -1, 0, 1, 4];
let calls = 0;
let differing = 0;
for (const x of test) {
  for (const b of builds) b.setQuery(x);
  for (let i = 0; i < train.length; i++) {
    let exact = 0;
    for (const d of LIMITS) {
      const got = builds.map((b) => {
        const len = d === undefined ? b.pairLengthOfRow(i) : b.pairLengthOfRowBounded(i, exact + d);
        return [len, b.raw.flush_stat(FLUSH_CHECK_BOUND), b.raw.flush_stat(FLUSH_CHECK_EXACT), b.raw.flush_stat(FLUSH_CHECK_OPT)].join(' ');
      });
      if (d === undefined) exact = Number(got[0].split(' ')[0]);
      calls++;
      if (got[0] !== got[1]) {
        differing++;
        if (differing <= 5)
          console.log(
            `row ${i}, limit ${d === undefined ? 'none' : `exact ${d >= 0 ? '+' : '-'} ${Math.abs(d)}`}: A ${got[0]}, B ${got[1]} (length, bound, exact, opt_len)`,
          );
      }
    }
  }
}
const failed = builds.map((b) => b.raw.flush_stat(FLUSH_CHECK_FAILED));
console.log(
  `${calls.toLocaleString('en-US')} calls (${test.length} queries x ${train.length} rows x ${LIMITS.length} limits): ` +
    `${differing} differ; failed checks A ${failed[0]}, B ${failed[1]}`,
);
process.exit(differing === 0 && failed[0] === 0 && failed[1] === 0 ? 0 : 1);
