/**
 * What the server tells its observer (src/app/serve/observer.ts), with a recording observer: the model
 * served, every request's start and end, the queue depth, each prediction, a worker restart, and
 * GET /metrics from its exposition. Also /readyz before and after load().
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/server.js';
import type { ServedModelInfo, ServeObserver } from '../../src/app/serve/observer.js';
import type { WorkerFactory } from '../../src/parallel/searcher.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp, waitFor } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';

afterAll(() => cleanupTmp());

const HANG_GUARD_MS = 60_000;

class RecordingObserver implements ServeObserver {
  calls: [string, ...unknown[]][] = [];
  modelServed(model: ServedModelInfo): void {
    this.calls.push(['modelServed', model]);
  }
  requestStarted(route: string): void {
    this.calls.push(['requestStarted', route]);
  }
  requestDone(route: string, status: number, seconds: number): void {
    this.calls.push(['requestDone', route, status, seconds]);
  }
  queueDepth(texts: number): void {
    this.calls.push(['queueDepth', texts]);
  }
  prediction(label: string | null, distance: number, abstained: boolean): void {
    this.calls.push(['prediction', label, distance, abstained]);
  }
  shadowServed(model: { name: string; version: number | null; sha256: string }): void {
    this.calls.push(['shadowServed', model]);
  }
  shadowCompared(served: string | null, shadow: string | null): void {
    this.calls.push(['shadowCompared', served, shadow]);
  }
  shadowDropped(texts: number): void {
    this.calls.push(['shadowDropped', texts]);
  }
  modelSwitchFailed(failure: { name: string; version: number | null; reason: string }): void {
    this.calls.push(['modelSwitchFailed', failure.name]);
  }

  workerRestarted(): void {
    this.calls.push(['workerRestarted']);
  }
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: 'text/plain; version=0.0.4', text: 'npc_test_metric 1\n' };
  }
  named(name: string): unknown[][] {
    return this.calls.filter((c) => c[0] === name).map((c) => c.slice(1));
  }
}

/** The first worker exits at its first request (test/helpers/faulty-worker.mjs), every later one is real. */
function workersFailingOnce(): WorkerFactory {
  let started = 0;
  return () =>
    started++ === 0
      ? new Worker(new URL('../helpers/faulty-worker.mjs', import.meta.url), { env: { ...process.env, NPC_FAULT: 'exit' } })
      : new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));
}

describe('the server and its observer', () => {
  it(
    'modelServed at load, requestStarted/requestDone per route, queueDepth back to 0, one prediction per text, workerRestarted, /metrics from exposition()',
    async () => {
      const path = join(makeTmp('npc-serve-observer-'), 'm.npcm');
      await writeTestModel(
        path,
        SENTENCES.map(([label, text]) => ({ label, text })),
        { name: 'observed' },
      );
      const observer = new RecordingObserver();
      const server = buildServer({
        model: path,
        jobs: 2,
        timeout: 60,
        maxBatch: 8,
        maxBody: 10_000,
        queue: 16,
        observer,
        createWorker: workersFailingOnce(),
      });
      try {
        const before = await server.fastify.inject({ method: 'GET', url: '/readyz' });
        expect([before.statusCode, before.json()]).toEqual([503, { error: { code: 'not_ready', message: 'the model is loading' } }]);
        const early = await server.fastify.inject({ method: 'POST', url: '/v1/classify', payload: { text: 'a' } });
        expect(early.statusCode).toBe(503);
        await server.load();
        expect(observer.named('modelServed')).toEqual([
          [{ name: 'observed', version: null, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), reference: null }],
        ]);

        const failed = await server.fastify.inject({ method: 'POST', url: '/v1/classify', payload: { text: SENTENCES[0][1] } });
        expect(failed.statusCode).toBe(500);
        expect(await waitFor(() => observer.named('workerRestarted').length === 1, HANG_GUARD_MS)).toBe(true);
        expect(observer.named('prediction')).toEqual([]);

        const ok = await server.fastify.inject({
          method: 'POST',
          url: '/v1/classify',
          payload: { texts: [SENTENCES[0][1], SENTENCES[4][1]] },
        });
        expect(ok.statusCode).toBe(200);
        expect(observer.named('prediction')).toEqual([
          ['"sport"', expect.any(Number), false],
          ['"tech"', expect.any(Number), false],
        ]);
        const depths = observer.named('queueDepth').map(([d]) => d as number);
        expect(depths.length).toBeGreaterThan(0);
        expect(depths.at(-1)).toBe(0);
        expect(Math.max(...depths)).toBeLessThanOrEqual(16);

        const metrics = await server.fastify.inject({ method: 'GET', url: '/metrics' });
        expect(metrics.statusCode).toBe(200);
        expect(metrics.headers['content-type']).toBe('text/plain; version=0.0.4');
        expect(metrics.body).toBe('npc_test_metric 1\n');

        const done = observer.named('requestDone').map(([route, status]) => [route, status]);
        expect(done).toEqual([
          ['/readyz', 503],
          ['/v1/classify', 503],
          ['/v1/classify', 500],
          ['/v1/classify', 200],
          ['/metrics', 200],
        ]);
        expect(observer.named('requestStarted').map(([route]) => route)).toEqual(done.map(([route]) => route));
        for (const [, , seconds] of observer.named('requestDone')) expect(seconds).toBeGreaterThanOrEqual(0);
      } finally {
        await server.drain(1);
      }
    },
    HANG_GUARD_MS,
  );
});
