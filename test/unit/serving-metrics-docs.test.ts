/**
 * The serving docs' "Metrics" section against the code and against Prometheus's own checker: every npc
 * metric the server exposes is in its table and every metric in the table is exposed; the scrape config
 * passes `promtool check config`; the alerting rules pass `promtool check rules`, and `promtool test rules`
 * shows the drift alert firing on a drifted series and not before its `for:` period.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServeMetrics } from '../../src/app/serve/metrics.js';
import { parseExposition } from '../helpers/exposition.js';
import { promtool, requirePromtool } from '../helpers/prometheus.js';
import { repoRoot } from '../helpers/shared-data.js';

/** Where the section lives (the docs page it is part of). */
const DOC = 'docs/serving.md';
const text = readFileSync(path.join(repoRoot, DOC), 'utf8');
const start = text.indexOf('## Metrics');
const next = text.indexOf('\n## ', start + 1);
const section = text.slice(start, next < 0 ? undefined : next);
const yamlBlocks = [...section.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]);
const dir = mkdtempSync(path.join(tmpdir(), 'npc-metrics-docs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the Metrics section of the serving docs', () => {
  it('lists every npc metric the server exposes, and only those', async () => {
    const metrics = new ServeMetrics();
    metrics.modelServed({
      name: 'm',
      version: 1,
      sha256: '0'.repeat(64),
      reference: { distances: [0.5], labels: [{ label: '1', count: 1 }] },
    });
    const exposed = [...parseExposition((await metrics.exposition()).text).types.keys()].filter((n) => n.startsWith('npc_')).sort();
    const table = [...section.matchAll(/^\| `(npc_[a-z_]+)`/gm)].map((m) => m[1]).sort();
    expect(table).toEqual(exposed);
    expect(exposed.length).toBeGreaterThan(10);
  });

  it('has a scrape config that promtool check config accepts', (ctx) => {
    if (!requirePromtool('the scrape config check')) return ctx.skip();
    const config = yamlBlocks.find((b) => b.includes('scrape_configs:'));
    expect(config).toBeDefined();
    writeFileSync(path.join(dir, 'prometheus.yml'), config!);
    const check = promtool(['check', 'config', path.join(dir, 'prometheus.yml')]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it('has alerting rules on npc_drift_alarm that promtool check rules accepts, and the drift alert fires after its for: period', (ctx) => {
    if (!requirePromtool('the alerting rules check')) return ctx.skip();
    const rules = yamlBlocks.find((b) => b.includes('alert: NpcInputDrift'));
    expect(rules).toBeDefined();
    expect(rules).toContain('expr: npc_drift_alarm == 1');
    const file = path.join(dir, 'npc-rules.yml');
    writeFileSync(file, rules!);
    const check = promtool(['check', 'rules', file]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
    // The alarm goes to 1 at minute 5 and stays: pending until the rule's 15m have passed, firing after.
    const series = '{instance="a:8080",job="npc"}';
    writeFileSync(
      path.join(dir, 'rules-test.yml'),
      [
        'rule_files: [npc-rules.yml]',
        'evaluation_interval: 1m',
        'tests:',
        '  - interval: 1m',
        '    input_series:',
        `      - series: 'npc_drift_alarm${series}'`,
        "        values: '0x4 1x40'",
        `      - series: 'npc_drift_window_size${series}'`,
        "        values: '1000x45'",
        `      - series: 'npc_model_info{instance="a:8080",job="npc",name="m",version="1",sha256="0"}'`,
        "        values: '1x45'",
        '    alert_rule_test:',
        '      - eval_time: 4m',
        '        alertname: NpcInputDrift',
        '        exp_alerts: []',
        '      - eval_time: 15m',
        '        alertname: NpcInputDrift',
        '        exp_alerts: []',
        '      - eval_time: 25m',
        '        alertname: NpcInputDrift',
        '        exp_alerts:',
        '          - exp_labels: { severity: warning, instance: "a:8080", job: npc }',
        '            exp_annotations:',
        "              summary: 'npc a:8080: the input has drifted from the model reference'",
        "              description: 'A drift test over the last npc_drift_window_size predictions is below its level; npc_drift_p_value says which.'",
        '      - eval_time: 25m',
        '        alertname: NpcNoDriftCheck',
        '        exp_alerts: []',
        '',
      ].join('\n'),
    );
    const test = promtool(['test', 'rules', path.join(dir, 'rules-test.yml')]);
    expect(test.output).toContain('SUCCESS');
    expect(test.status).toBe(0);
  });
});
