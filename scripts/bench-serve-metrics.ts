/**
 * The cost of the serve metrics per prediction (docs/performance.md "The serve metrics"): the rolling drift
 * window alone, the window and its tests run after every prediction (the most a scrape could ask for), the
 * whole ServeMetrics.prediction, and one exposition (what GET /metrics costs). A 1,000-row window (the
 * default) against a 1,000-row reference of NCD-like distances and three labels, from a fixed seed.
 *
 *   npx tsx scripts/bench-serve-metrics.ts [--window N] [--rounds R]
 */
import { parseArgs } from 'node:util';
import { ServeMetrics } from '../src/app/serve/metrics.js';
import { RollingDrift } from '../src/app/serve/rolling-drift.js';
import { mulberry32 } from '../src/model/random.js';

const { values } = parseArgs({ options: { window: { type: 'string', default: '1000' }, rounds: { type: 'string', default: '3' } } });
const window = Number(values.window);
const rounds = Number(values.rounds);
const random = mulberry32(1);
const ncd = (): number => Math.round((0.55 + 0.25 * random()) * 60) / 60;
const reference = {
  distances: Array.from({ length: 1000 }, ncd),
  labels: [
    { label: '1', count: 500 },
    { label: '2', count: 300 },
    { label: '3', count: 200 },
  ],
};
const N = 200_000;
const distances = Array.from({ length: N }, ncd);
const labels = Array.from({ length: N }, () => String(1 + Math.floor(random() * 3)));

function nsPer(count: number, run: () => void): number {
  const start = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - start) / count;
}

console.log(`window ${window}, reference 1000, ${N} predictions per round (ns per prediction; exposition in ms)`);
for (let round = 1; round <= rounds; round++) {
  const drift = new RollingDrift({ driftWindow: window });
  drift.reset(reference);
  for (let i = 0; i < window; i++) drift.add(distances[i], labels[i]);
  const add = nsPer(N, () => {
    for (let i = 0; i < N; i++) drift.add(distances[i], labels[i]);
  });
  const tested = nsPer(5000, () => {
    for (let i = 0; i < 5000; i++) {
      drift.add(distances[i], labels[i]);
      drift.result();
    }
  });
  const metrics = new ServeMetrics({ driftWindow: window });
  metrics.modelServed({ name: 'bench', version: 1, sha256: '0'.repeat(64), reference });
  const prediction = nsPer(N, () => {
    for (let i = 0; i < N; i++) metrics.prediction(labels[i], distances[i], false);
  });
  const start = process.hrtime.bigint();
  for (let i = 0; i < 50; i++) await metrics.exposition();
  const exposition = Number(process.hrtime.bigint() - start) / 50 / 1e6;
  console.log(
    `round ${round}: window add ${add.toFixed(0)} ns; add + tests ${tested.toFixed(0)} ns; ServeMetrics.prediction ${prediction.toFixed(0)} ns; exposition ${exposition.toFixed(2)} ms`,
  );
}
