/**
 * A real Prometheus scrapes the serve metrics: a tiny HTTP server on 127.0.0.1 answers GET /metrics with
 * a ServeMetrics exposition (fed a few events), Prometheus (test/helpers/prometheus.ts) scrapes it, and
 * npc_requests_total is read back through Prometheus's query API. Needs Debian's `prometheus` package
 * (.ci/run installs it; without CI a missing one skips, saying so).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServeMetrics } from '../../src/app/serve/metrics.js';
import { type RunningPrometheus, requirePrometheus, startPrometheus } from '../helpers/prometheus.js';

const havePrometheus = requirePrometheus('the Prometheus scrape test');

describe.skipIf(!havePrometheus)('a real Prometheus scraping the serve metrics', () => {
  const metrics = new ServeMetrics({ driftWindow: 4 });
  let server: Server;
  let prometheus: RunningPrometheus | undefined;
  let target = '';

  beforeAll(async () => {
    metrics.modelServed({
      name: 'news',
      version: 7,
      sha256: 'a'.repeat(64),
      reference: {
        distances: [0.6, 0.7, 0.8, 0.9],
        labels: [
          { label: '1', count: 2 },
          { label: '2', count: 2 },
        ],
      },
    });
    for (const status of [200, 200, 200, 413]) {
      metrics.requestStarted('/v1/classify');
      metrics.requestDone('/v1/classify', status, 0.02);
    }
    metrics.prediction('1', 0.7, false);
    metrics.prediction('2', 0.8, false);
    server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      void metrics.exposition().then(({ contentType, text }) => response.writeHead(200, { 'content-type': contentType }).end(text));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    target = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    prometheus = await startPrometheus({ target });
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('scrapes the target and answers npc_requests_total by route and status through /api/v1/query', async () => {
    await prometheus!.waitForTargetUp();
    const result = await prometheus!.waitForQuery('npc_requests_total', (r) => r.length === 2);
    const byStatus = Object.fromEntries(result.map((r) => [r.metric.status, Number(r.value[1])]));
    expect(byStatus).toEqual({ '200': 3, '413': 1 });
    expect(result.every((r) => r.metric.route === '/v1/classify' && r.metric.job === 'npc' && r.metric.instance === target)).toBe(true);
    const info = await prometheus!.waitForQuery('npc_model_info', (r) => r.length === 1);
    expect(info[0].metric).toMatchObject({ name: 'news', version: '7', sha256: 'a'.repeat(64) });
  }, 120_000);

  it('reads a value that changed after the first scrape (the next scrape brings it)', async () => {
    metrics.requestStarted('/v1/classify');
    metrics.requestDone('/v1/classify', 200, 0.02);
    const result = await prometheus!.waitForQuery('npc_requests_total{status="200"}', (r) => r.length === 1 && Number(r[0].value[1]) === 4);
    expect(Number(result[0].value[1])).toBe(4);
  }, 120_000);
});
