/**
 * The Prometheus metrics of `npc serve` (src/app/serve/metrics.ts), fed events as the server tells them
 * and read back from the exposition: names, types, labels, bucket counts, the model switch, the rolling
 * drift gauges; and `promtool check metrics` accepts the exposition.
 */
import { describe, expect, it } from 'vitest';
import { DISTANCE_BUCKETS, LATENCY_BUCKETS, ServeMetrics } from '../../src/app/serve/metrics.js';
import type { ServedModelInfo } from '../../src/app/serve/observer.js';
import { mulberry32 } from '../../src/model/random.js';
import { type Exposition, parseExposition, samplesOf, valueOf } from '../helpers/exposition.js';
import { promtool, requirePromtool } from '../helpers/prometheus.js';

async function read(metrics: ServeMetrics): Promise<Exposition> {
  return parseExposition((await metrics.exposition()).text);
}

/** NCD-like distances around `centre` and labels 1, 2, 3 drawn with the given weights, from a seed. */
function stream(seed: number, count: number, centre: number, weights: [number, number, number]): { distance: number; label: string }[] {
  const random = mulberry32(seed);
  const total = weights[0] + weights[1] + weights[2];
  return Array.from({ length: count }, () => {
    const distance = Math.round((centre + 0.25 * (random() - 0.5)) * 60) / 60;
    const pick = random() * total;
    return { distance, label: pick < weights[0] ? '1' : pick < weights[0] + weights[1] ? '2' : '3' };
  });
}

function model(name: string, version: number | null, withReference = true): ServedModelInfo {
  const rows = stream(1, 1000, 0.7, [3, 2, 1]);
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  return {
    name,
    version,
    sha256: `${name}`.padEnd(64, '0'),
    reference: withReference
      ? { distances: rows.map((r) => r.distance), labels: [...counts].map(([label, count]) => ({ label, count })) }
      : null,
  };
}

const NPC_METRICS: [string, string][] = [
  ['npc_requests_total', 'counter'],
  ['npc_request_duration_seconds', 'histogram'],
  ['npc_requests_in_flight', 'gauge'],
  ['npc_queue_texts', 'gauge'],
  ['npc_predictions_total', 'counter'],
  ['npc_abstentions_total', 'counter'],
  ['npc_nearest_distance', 'histogram'],
  ['npc_model_info', 'gauge'],
  ['npc_worker_restarts_total', 'counter'],
  ['npc_drift_window_size', 'gauge'],
  ['npc_drift_window_predictions', 'gauge'],
  ['npc_drift_test_level', 'gauge'],
  ['npc_drift_p_value', 'gauge'],
  ['npc_drift_statistic', 'gauge'],
  ['npc_drift_alarm', 'gauge'],
];

describe('the serve metrics', () => {
  it('expose every npc metric with its type and help, and the default process metrics, in the Prometheus text format', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed(model('news', 3));
    const { contentType, text } = await metrics.exposition();
    expect(contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const e = parseExposition(text);
    for (const [name, type] of NPC_METRICS) {
      expect(e.types.get(name), name).toBe(type);
      expect(e.help.get(name)?.length, name).toBeGreaterThan(10);
    }
    expect(e.types.get('process_cpu_seconds_total')).toBe('counter');
    expect(e.types.get('process_resident_memory_bytes')).toBe('gauge');
    expect(e.types.get('nodejs_heap_size_used_bytes')).toBe('gauge');
    // Every metric of npc's own is prefixed npc_; the default ones keep their standard names.
    expect([...e.types.keys()].filter((n) => !/^(npc|process|nodejs)_/.test(n))).toEqual([]);
  });

  it('count requests by route and status, time them in 1 ms to 10 s buckets, and follow the in-flight requests and the queue', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed(model('news', 3));
    metrics.requestStarted('/v1/classify');
    metrics.requestStarted('/v1/classify');
    metrics.requestStarted('/healthz');
    metrics.queueDepth(7);
    let e = await read(metrics);
    expect(valueOf(e, 'npc_requests_in_flight')).toBe(3);
    expect(valueOf(e, 'npc_queue_texts')).toBe(7);
    metrics.requestDone('/v1/classify', 200, 0.0004);
    metrics.requestDone('/v1/classify', 503, 0.03);
    metrics.requestDone('/healthz', 200, 20);
    metrics.queueDepth(0);
    e = await read(metrics);
    expect(valueOf(e, 'npc_requests_in_flight')).toBe(0);
    expect(valueOf(e, 'npc_queue_texts')).toBe(0);
    expect(valueOf(e, 'npc_requests_total', { route: '/v1/classify', status: '200' })).toBe(1);
    expect(valueOf(e, 'npc_requests_total', { route: '/v1/classify', status: '503' })).toBe(1);
    expect(valueOf(e, 'npc_requests_total', { route: '/healthz', status: '200' })).toBe(1);
    const buckets = samplesOf(e, 'npc_request_duration_seconds_bucket', { route: '/v1/classify' });
    expect(buckets.map((b) => b.labels.le)).toEqual([...LATENCY_BUCKETS.map(String), '+Inf']);
    expect(LATENCY_BUCKETS[0]).toBe(0.001);
    expect(LATENCY_BUCKETS.at(-1)).toBe(10);
    const le = (route: string, bound: string): number => valueOf(e, 'npc_request_duration_seconds_bucket', { route, le: bound });
    expect([le('/v1/classify', '0.001'), le('/v1/classify', '0.025'), le('/v1/classify', '0.05'), le('/v1/classify', '+Inf')]).toEqual([
      1, 1, 2, 2,
    ]);
    expect([le('/healthz', '10'), le('/healthz', '+Inf')]).toEqual([0, 1]);
    expect(valueOf(e, 'npc_request_duration_seconds_count', { route: '/v1/classify' })).toBe(2);
    expect(valueOf(e, 'npc_request_duration_seconds_sum', { route: '/v1/classify' })).toBeCloseTo(0.0304, 12);
  });

  it('count predictions by label and abstentions apart, and put every nearest distance in the NCD buckets', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed(model('news', 3));
    metrics.prediction('1', 0.42, false);
    metrics.prediction('1', 0.66, false);
    metrics.prediction('"sports"', 0.8, false);
    metrics.prediction(null, 1.04, true);
    const e = await read(metrics);
    expect(valueOf(e, 'npc_predictions_total', { label: '1' })).toBe(2);
    expect(valueOf(e, 'npc_predictions_total', { label: '"sports"' })).toBe(1);
    expect(samplesOf(e, 'npc_predictions_total')).toHaveLength(2);
    expect(valueOf(e, 'npc_abstentions_total')).toBe(1);
    expect(samplesOf(e, 'npc_nearest_distance_bucket').map((b) => b.labels.le)).toEqual([...DISTANCE_BUCKETS.map(String), '+Inf']);
    const le = (bound: string): number => valueOf(e, 'npc_nearest_distance_bucket', { le: bound });
    expect([le('0.4'), le('0.5'), le('0.7'), le('0.8'), le('1'), le('1.05'), le('+Inf')]).toEqual([0, 1, 2, 3, 3, 4, 4]);
    expect(valueOf(e, 'npc_nearest_distance_count')).toBe(4);
  });

  it('after a model switch, npc_model_info holds only the served model (name, version, sha256), and worker restarts are counted', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed(model('news', 3));
    let e = await read(metrics);
    expect(samplesOf(e, 'npc_model_info')).toEqual([
      { name: 'npc_model_info', labels: { name: 'news', version: '3', sha256: 'news'.padEnd(64, '0') }, value: 1 },
    ]);
    metrics.modelServed(model('local', null));
    metrics.workerRestarted();
    metrics.workerRestarted();
    e = await read(metrics);
    expect(samplesOf(e, 'npc_model_info')).toEqual([
      { name: 'npc_model_info', labels: { name: 'local', version: '', sha256: 'local'.padEnd(64, '0') }, value: 1 },
    ]);
    expect(valueOf(e, 'npc_worker_restarts_total')).toBe(2);
  });

  it('count the switches refused by model name, the model served unchanged', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed(model('news', 3));
    metrics.modelSwitchFailed({ name: 'news', version: 4, reason: 'member texts.bin is damaged' });
    metrics.modelSwitchFailed({ name: 'news', version: null, reason: 'alias points at a missing version' });
    const e = await read(metrics);
    expect(valueOf(e, 'npc_model_switch_failures_total', { name: 'news' })).toBe(2);
    expect(samplesOf(e, 'npc_model_info').map((s) => s.labels.version)).toEqual(['3']);
  });

  it('raise npc_drift_alarm on a shifted stream and not on a stream from the reference distribution (fixed seeds)', async () => {
    const same = new ServeMetrics({ driftWindow: 300 });
    const shifted = new ServeMetrics({ driftWindow: 300 });
    same.modelServed(model('news', 3));
    shifted.modelServed(model('news', 3));
    for (const r of stream(2, 450, 0.7, [3, 2, 1])) same.prediction(r.label, r.distance, false);
    for (const r of stream(3, 450, 0.78, [1, 1, 3])) shifted.prediction(r.label, r.distance, false);
    const calm = await read(same);
    expect(valueOf(calm, 'npc_drift_window_predictions')).toBe(300);
    expect(valueOf(calm, 'npc_drift_alarm')).toBe(0);
    expect(valueOf(calm, 'npc_drift_p_value', { test: 'nearest_distance' })).toBeGreaterThan(0.01 / 3);
    expect(valueOf(calm, 'npc_drift_p_value', { test: 'predicted_labels' })).toBeGreaterThan(0.01 / 3);
    const alarmed = await read(shifted);
    expect(valueOf(alarmed, 'npc_drift_alarm')).toBe(1);
    expect(valueOf(alarmed, 'npc_drift_p_value', { test: 'nearest_distance' })).toBeLessThan(0.01 / 3);
    expect(valueOf(alarmed, 'npc_drift_p_value', { test: 'predicted_labels' })).toBeLessThan(0.01 / 3);
    expect(valueOf(alarmed, 'npc_drift_statistic', { test: 'nearest_distance' })).toBeGreaterThan(0);
    expect(valueOf(alarmed, 'npc_drift_statistic', { test: 'predicted_labels' })).toBeGreaterThan(0);
    expect(valueOf(alarmed, 'npc_drift_test_level')).toBeCloseTo(0.01 / 3, 15);
    expect(valueOf(alarmed, 'npc_drift_window_size')).toBe(300);
  });

  it('before the drift window is full: its fill, alarm 0 and no p-values; a model switch empties it', async () => {
    const metrics = new ServeMetrics({ driftWindow: 50 });
    metrics.modelServed(model('news', 3));
    for (let i = 0; i < 49; i++) metrics.prediction('3', 1.1, false);
    let e = await read(metrics);
    expect(valueOf(e, 'npc_drift_window_predictions')).toBe(49);
    expect(valueOf(e, 'npc_drift_alarm')).toBe(0);
    expect(samplesOf(e, 'npc_drift_p_value')).toEqual([]);
    expect(samplesOf(e, 'npc_drift_statistic')).toEqual([]);
    metrics.prediction('3', 1.1, false);
    e = await read(metrics);
    expect(valueOf(e, 'npc_drift_alarm')).toBe(1);
    metrics.modelServed(model('news', 4));
    e = await read(metrics);
    expect(valueOf(e, 'npc_drift_window_predictions')).toBe(0);
    expect(valueOf(e, 'npc_drift_alarm')).toBe(0);
  });

  it('a model without reference distributions has no drift metrics; switching to one with them brings them back', async () => {
    const metrics = new ServeMetrics({ driftWindow: 5 });
    metrics.modelServed(model('bare', 1, false));
    for (let i = 0; i < 10; i++) metrics.prediction('1', 0.9, false);
    let e = await read(metrics);
    expect([...e.types.keys()].filter((n) => n.startsWith('npc_drift_'))).toEqual([]);
    expect(valueOf(e, 'npc_predictions_total', { label: '1' })).toBe(10);
    metrics.modelServed(model('news', 2));
    e = await read(metrics);
    expect(valueOf(e, 'npc_drift_window_predictions')).toBe(0);
    expect(valueOf(e, 'npc_drift_alarm')).toBe(0);
  });

  it('two observers keep their figures apart (each has its own registry)', async () => {
    const a = new ServeMetrics();
    const b = new ServeMetrics();
    a.modelServed(model('a', 1));
    b.modelServed(model('b', 1));
    a.workerRestarted();
    expect(valueOf(await read(a), 'npc_worker_restarts_total')).toBe(1);
    expect(valueOf(await read(b), 'npc_worker_restarts_total')).toBe(0);
    expect(samplesOf(await read(b), 'npc_model_info')[0].labels.name).toBe('b');
  });

  it('refuse bad drift options with a RangeError naming the option', () => {
    expect(() => new ServeMetrics({ driftWindow: -1 })).toThrow(new RangeError('driftWindow must be a positive integer, not -1'));
    expect(() => new ServeMetrics({ alpha: 2 })).toThrow(new RangeError('alpha must be between 0 and 1 (exclusive), not 2'));
  });

  it('promtool check metrics accepts the exposition: before traffic, with every series, and without drift metrics', async (ctx) => {
    if (!requirePromtool('the exposition check')) return ctx.skip();
    const idle = new ServeMetrics();
    const busy = new ServeMetrics({ driftWindow: 20 });
    const bare = new ServeMetrics();
    idle.modelServed(model('news', 3));
    busy.modelServed(model('news', 3));
    bare.modelServed(model('bare', null, false));
    for (const m of [busy, bare]) {
      m.requestStarted('/v1/classify');
      m.requestDone('/v1/classify', 200, 0.012);
      m.queueDepth(2);
      m.workerRestarted();
      for (const r of stream(4, 30, 0.7, [3, 2, 1])) m.prediction(r.label, r.distance, false);
      m.prediction(null, 1.02, true);
      m.prediction('"label with \\"quotes\\" and \\n"', 0.5, false);
    }
    for (const m of [idle, busy, bare]) {
      const { text } = await m.exposition();
      const check = promtool(['check', 'metrics'], text);
      expect(check.output).toBe('');
      expect(check.status).toBe(0);
    }
    expect(valueOf(await read(busy), 'npc_drift_p_value', { test: 'nearest_distance' })).toBeGreaterThan(0);
  });
});
