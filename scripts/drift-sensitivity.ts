/**
 * How sensitive is `npc drift`, and how often does it cry wolf? (docs/drift.md)
 *
 *   npm run build && npx tsx scripts/drift-sensitivity.ts [--windows 10] [--splits 20] [--alpha 0.01]
 *
 * Every AG News test row and every R8 test row is classified once against the 2,000-row AG News train head
 * (a row's nearest distance and predicted label do not depend on the set it is in); the sets are then
 * seeded draws of those rows, compared exactly as `npc drift` compares them (compareSets):
 * - sensitivity: a reference of 500 AG News rows, and current windows of 500 other AG News rows with 5, 10,
 *   20 and 40 % of them replaced by R8 rows; how many windows are flagged;
 * - false alarms: disjoint 500/500 draws of AG News rows; how many are flagged (expected about alpha each).
 */
import { parseArgs } from 'node:util';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { classifyRecords } from '../dist/app/classify.js';
import { compareSets, type DriftSet } from '../dist/app/drift.js';
import { openTrainingSearcher } from '../dist/app/training.js';
import { mulberry32 } from '../dist/model/random.js';

const { values } = parseArgs({
  options: {
    windows: { type: 'string', default: '10' },
    splits: { type: 'string', default: '20' },
    alpha: { type: 'string', default: '0.01' },
  },
});
const WINDOWS = Number(values.windows);
const SPLITS = Number(values.splits);
const ALPHA = Number(values.alpha);
const DATA = new URL('../../shared/data/', import.meta.url);

function rows(path: string): { text: string; label: unknown; line: number }[] {
  return gunzipSync(readFileSync(new URL(path, DATA)))
    .toString('utf8')
    .trim()
    .split('\n')
    .map((l, i) => ({ ...(JSON.parse(l) as { text: string; label: unknown }), line: i + 1 }));
}

interface Measured {
  distance: number;
  label: string;
}

function asSet(rowsOf: Measured[], name: string): DriftSet {
  const labels = new Map<string, number>();
  for (const r of rowsOf) labels.set(r.label, (labels.get(r.label) ?? 0) + 1);
  return {
    source: name,
    rows: rowsOf.length,
    distances: rowsOf.map((r) => r.distance),
    labels,
    empty: [],
    whitespace: [],
    short: [],
    farthest: [],
  };
}

function draw<T>(items: readonly T[], count: number, random: () => number): { taken: T[]; rest: T[] } {
  const pool = items.slice();
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return { taken: pool.slice(0, count), rest: pool.slice(count) };
}

const started = Date.now();
const { searcher } = await openTrainingSearcher({ path: new URL('ag_news/train.first2000.jsonl.gz', DATA).pathname }, 2);
try {
  // Each row's nearest distance and predicted label, in one stream (as drift's measureSet gets them).
  const measureRows = async (records: ReturnType<typeof rows>): Promise<Measured[]> => {
    const out: Measured[] = [];
    const input = (async function* () {
      for (const r of records) yield { text: r.text, label: undefined, line: r.line };
    })();
    for await (const p of classifyRecords(searcher, input, { k: 2, neighbors: 0 }))
      out.push({ distance: p.distance!, label: JSON.stringify(p.prediction) });
    return out;
  };
  const ag = await measureRows(rows('ag_news/test.jsonl.gz'));
  const r8 = await measureRows(rows('r8/test.jsonl.gz'));
  console.log(`measured ${ag.length} AG News and ${r8.length} R8 test rows in ${((Date.now() - started) / 1000).toFixed(0)} s`);

  const random = mulberry32(20261205);
  console.log(
    `\nsensitivity: reference 500 AG News rows, current windows of 500 rows with a share of R8, ${WINDOWS} windows each, alpha ${ALPHA}`,
  );
  for (const share of [0, 0.05, 0.1, 0.2, 0.4]) {
    let flagged = 0;
    const reasons = new Map<string, number>();
    for (let w = 0; w < WINDOWS; w++) {
      const { taken: reference, rest } = draw(ag, 500, random);
      const foreign = Math.round(500 * share);
      const current = [...draw(rest, 500 - foreign, random).taken, ...draw(r8, foreign, random).taken];
      const report = compareSets(asSet(reference, 'reference'), asSet(current, 'current'), ALPHA);
      if (report.drift) flagged++;
      for (const reason of report.reasons) reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    }
    console.log(
      `  ${String(100 * share).padStart(3)} % R8: ${flagged}/${WINDOWS} windows flagged${reasons.size ? ` (${[...reasons].map(([r, n]) => `${r} ${n}`).join(', ')})` : ''}`,
    );
  }

  let alarms = 0;
  for (let s = 0; s < SPLITS; s++) {
    const { taken, rest } = draw(ag, 500, random);
    const report = compareSets(asSet(taken, 'a'), asSet(draw(rest, 500, random).taken, 'b'), ALPHA);
    if (report.drift) alarms++;
  }
  console.log(
    `\nfalse alarms: ${alarms}/${SPLITS} disjoint 500/500 draws of AG News test rows flagged at alpha ${ALPHA} (expected about ${(SPLITS * ALPHA).toFixed(1)})`,
  );
} finally {
  await searcher.close();
}
