/**
 * The shadow figures of ServeMetrics (docs/serving.md "Shadow"): comparisons, agreements, disagreements by
 * (served, shadow) label pair with abstentions as `null`, drops, and the shadow model's info series.
 */
import { describe, expect, it } from 'vitest';
import { ServeMetrics } from '../../src/app/serve/metrics.js';
import { parseExposition, samplesOf, valueOf } from '../helpers/exposition.js';

async function exposed(metrics: ServeMetrics): Promise<ReturnType<typeof parseExposition>> {
  return parseExposition((await metrics.exposition()).text);
}

describe('ServeMetrics: the shadow comparison', () => {
  it('counts every comparison once: equal JSON texts agree, others are counted by their label pair, null for an abstention', async () => {
    const metrics = new ServeMetrics();
    metrics.shadowCompared('"sports"', '"sports"');
    metrics.shadowCompared(null, null);
    metrics.shadowCompared('"sports"', '"world"');
    metrics.shadowCompared('"sports"', '"world"');
    metrics.shadowCompared('1', '"1"');
    metrics.shadowCompared('"tech"', null);
    const m = await exposed(metrics);
    expect(valueOf(m, 'npc_shadow_comparisons_total')).toBe(6);
    expect(valueOf(m, 'npc_shadow_agreements_total')).toBe(2);
    expect(valueOf(m, 'npc_shadow_disagreements_total', { served: '"sports"', shadow: '"world"' })).toBe(2);
    expect(valueOf(m, 'npc_shadow_disagreements_total', { served: '1', shadow: '"1"' })).toBe(1);
    expect(valueOf(m, 'npc_shadow_disagreements_total', { served: '"tech"', shadow: 'null' })).toBe(1);
    expect(samplesOf(m, 'npc_shadow_disagreements_total', {})).toHaveLength(3);
  });

  it('adds dropped texts, and names only the latest shadow model', async () => {
    const metrics = new ServeMetrics();
    metrics.shadowDropped(3);
    metrics.shadowDropped(0);
    metrics.shadowDropped(4);
    metrics.shadowServed({ name: 'news', version: 1, sha256: 'a'.repeat(64) });
    metrics.shadowServed({ name: 'news', version: 2, sha256: 'b'.repeat(64) });
    const m = await exposed(metrics);
    expect(valueOf(m, 'npc_shadow_dropped_total')).toBe(7);
    expect(samplesOf(m, 'npc_shadow_model_info', {}).map((s) => s.labels)).toEqual([
      { name: 'news', version: '2', sha256: 'b'.repeat(64) },
    ]);
  });

  it('exposes the counters at 0 and no shadow model series when nothing was shadowed', async () => {
    const m = await exposed(new ServeMetrics());
    expect(valueOf(m, 'npc_shadow_comparisons_total')).toBe(0);
    expect(valueOf(m, 'npc_shadow_dropped_total')).toBe(0);
    expect(samplesOf(m, 'npc_shadow_model_info', {})).toHaveLength(0);
  });
});
