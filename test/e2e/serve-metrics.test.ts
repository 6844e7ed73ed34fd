/**
 * GET /metrics of a real `npc serve`: what it counts, the rolling drift check's flags, `promtool check
 * metrics` on the body it serves, and a real Prometheus (test/helpers/prometheus.ts) scraping it and
 * answering npc_requests_total through its query API. Failure-matrix rows 151 and 152. Needs Debian's
 * `prometheus` package (.ci/run installs it; without CI a missing one skips, saying so).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, expectNpcError, makeTmp, run } from '../helpers/failure-tools.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { promtool, requirePrometheus, requirePromtool, type RunningPrometheus, startPrometheus } from '../helpers/prometheus.js';
import { repoRoot } from '../helpers/run-npc.js';
import { HANG_GUARD_MS, post, type Served, startServe } from '../helpers/serve.js';

const havePromtool = requirePromtool('the serve metrics test');
const havePrometheus = requirePrometheus('the serve metrics test');

const HEADLINES = [
  'Shares slump as the bank raises rates',
  'The striker scores a late winner',
  'New phone chip doubles battery life',
  'Leaders meet to discuss the border dispute',
  'Oil prices climb after the storm',
  'The champions lose at home',
];

let dir: string;
let model: string;
let served: Served | undefined;

beforeAll(async () => {
  dir = makeTmp('npc-serve-metrics-');
  model = join(dir, 'headlines.npcm');
  const built = await run([
    'model',
    'build',
    '--train',
    join(repoRoot, 'examples', 'headlines.jsonl'),
    '--reference-rows',
    '64',
    '-o',
    model,
    '-q',
  ]);
  expect(built.code, built.stderr).toBe(0);
  served = await startServe(['--model', model, '--drift-window', '5', '--alpha', '0.05', '--jobs', '1']);
  for (const text of HEADLINES) expect((await post(`${served.url}/v1/classify`, { text })).status).toBe(200);
  expect((await post(`${served.url}/v1/classify`, { text: '' })).status).toBe(400);
}, 5 * HANG_GUARD_MS);

afterAll(async () => {
  await served?.stop();
  cleanupTmp();
});

async function metricsText(): Promise<string> {
  const response = await fetch(`${served!.url}/metrics`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.text();
}

describe('npc serve: GET /metrics', () => {
  it('counts the requests by route and status, the predictions by label, and names the model served', async () => {
    const metrics = parseExposition(await metricsText());
    expect(valueOf(metrics, 'npc_requests_total', { route: '/v1/classify', status: '200' })).toBe(HEADLINES.length);
    expect(valueOf(metrics, 'npc_requests_total', { route: '/v1/classify', status: '400' })).toBe(1);
    expect(valueOf(metrics, 'npc_request_duration_seconds_count', { route: '/v1/classify' })).toBe(HEADLINES.length + 1);
    const predictions = metrics.samples.filter((s) => s.name === 'npc_predictions_total').reduce((sum, s) => sum + s.value, 0);
    expect(predictions).toBe(HEADLINES.length);
    expect(valueOf(metrics, 'npc_nearest_distance_count')).toBe(HEADLINES.length);
    expect(metrics.samples.find((s) => s.name === 'npc_model_info')?.labels).toMatchObject({ name: 'headlines', version: '' });
  });

  it('--drift-window and --alpha set the rolling drift check: a window of 5 is full after 6 texts, each test at alpha/3', async () => {
    const metrics = parseExposition(await metricsText());
    expect(valueOf(metrics, 'npc_drift_window_size')).toBe(5);
    expect(valueOf(metrics, 'npc_drift_window_predictions')).toBe(5);
    expect(valueOf(metrics, 'npc_drift_test_level')).toBeCloseTo(0.05 / 3, 12);
    expect([0, 1]).toContain(valueOf(metrics, 'npc_drift_alarm'));
    expect(valueOf(metrics, 'npc_drift_p_value', { test: 'nearest_distance' })).toBeGreaterThanOrEqual(0);
  });

  it('serves a body promtool check metrics accepts', async (ctx) => {
    if (!havePromtool) return ctx.skip();
    const checked = promtool(['check', 'metrics'], await metricsText());
    expect(checked.output).toBe('');
    expect(checked.status).toBe(0);
  });
});

describe.skipIf(!havePrometheus)('a real Prometheus scraping npc serve', () => {
  let prometheus: RunningPrometheus | undefined;
  afterAll(async () => prometheus?.stop());

  it(
    'reads npc_requests_total back through the query API, and the next scrape brings a new request',
    async () => {
      prometheus = await startPrometheus({ target: new URL(served!.url).host });
      await prometheus.waitForTargetUp();
      const first = await prometheus.waitForQuery('npc_requests_total{route="/v1/classify",status="200"}', (r) => r.length === 1);
      expect(first[0].metric.job).toBe('npc');
      const seen = Number(first[0].value[1]);
      expect(seen).toBeGreaterThanOrEqual(HEADLINES.length);
      expect((await post(`${served!.url}/v1/classify`, { text: 'Markets rally on strong earnings' })).status).toBe(200);
      const next = await prometheus.waitForQuery(
        'npc_requests_total{route="/v1/classify",status="200"}',
        (r) => r.length === 1 && Number(r[0].value[1]) === seen + 1,
      );
      expect(Number(next[0].value[1])).toBe(seen + 1);
    },
    5 * HANG_GUARD_MS,
  );
});

describe('npc serve: the drift check flags', () => {
  it('row 151: --drift-window 0, 1.5 or x is a usage error (exit 2), before anything is served', async () => {
    for (const value of ['0', '1.5', 'x']) {
      const r = await run(['serve', '--model', model, '--port', '0', '--drift-window', value]);
      expectNpcError(r, 2, `option '--drift-window <n>' argument '${value}' is invalid. expected a positive integer.`, { usage: true });
    }
  });

  it('row 152: --alpha 0, 1 or x is a usage error (exit 2), before anything is served', async () => {
    for (const value of ['0', '1', 'x']) {
      const r = await run(['serve', '--model', model, '--port', '0', '--alpha', value]);
      expectNpcError(
        r,
        2,
        `option '--alpha <a>' argument '${value}' is invalid. expected a probability between 0 and 1 (exclusive), such as 0.01.`,
        {
          usage: true,
        },
      );
    }
  });
});
