/**
 * The server's hot swap as its observer and its check() see it (src/app/serve/server.ts over
 * model-holder.ts): modelServed at load and at every switch, modelSwitchFailed for a version that cannot
 * be served, check() reporting what happened, and a lease that keeps a request on the version it
 * started on. Real artifacts in a real repository; search threads from the TypeScript sources.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { registerModel, resolveModel, setModelAlias } from '../../src/app/model-registry.js';
import type { ServedModelInfo, ServeObserver } from '../../src/app/serve/observer.js';
import { buildServer } from '../../src/server.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';

afterAll(() => cleanupTmp());

const ROWS = SENTENCES.map(([label, text]) => ({ label, text }));
const MARK = 'zeppelin';

class SwapObserver implements ServeObserver {
  readonly served: ServedModelInfo[] = [];
  readonly failed: { name: string; version: number | null; reason: string }[] = [];
  modelServed(model: ServedModelInfo): void {
    this.served.push(model);
  }
  readonly shadows: { name: string; version: number | null; sha256: string }[] = [];
  shadowServed(model: { name: string; version: number | null; sha256: string }): void {
    this.shadows.push(model);
  }
  shadowCompared(): void {}
  shadowDropped(): void {}
  modelSwitchFailed(failure: { name: string; version: number | null; reason: string }): void {
    this.failed.push(failure);
  }
  requestStarted(): void {}
  requestDone(): void {}
  queueDepth(): void {}
  prediction(): void {}
  workerRestarted(): void {}
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: 'text/plain; version=0.0.4', text: '' };
  }
}

describe('hot swap: the observer and check()', () => {
  it('modelServed at load and at the switch (name, version, sha256), modelSwitchFailed for a damaged version; check() says what it did', async () => {
    const dir = makeTmp('npc-serve-swap-observer-');
    const repo = join(dir, 'repo');
    const texts = [ROWS, ROWS, [...ROWS, { label: 'tech', text: `a ${MARK} flies over the city` }]];
    for (const [i, rows] of texts.entries()) {
      const file = join(dir, `${i}.npcm`);
      await writeTestModel(file, rows, { name: 'news', description: `artifact ${i}` });
      await registerModel(file, { repository: repo });
    }
    setModelAlias('news', 'production', 1, repo);
    const observer = new SwapObserver();
    const server = buildServer({
      model: 'models:/news@production',
      repository: repo,
      pollSeconds: 0,
      jobs: 1,
      timeout: 60,
      maxBatch: 8,
      maxBody: 10_000,
      queue: 16,
      observer,
      createWorker: () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url)),
    });
    const classify = async (): Promise<number | null> => {
      const r = await server.fastify.inject({ method: 'POST', url: '/v1/classify', payload: { text: SENTENCES[0][1] } });
      expect(r.statusCode, r.body).toBe(200);
      return (r.json() as { model: { version: number | null } }).model.version;
    };
    try {
      await server.load();
      expect(observer.served.map((m) => [m.name, m.version])).toEqual([['news', 1]]);
      expect(await server.check()).toEqual({ outcome: 'unchanged', from: 1, to: 1 });

      setModelAlias('news', 'production', 2, repo);
      expect(await server.check()).toEqual({ outcome: 'switched', from: 1, to: 2 });
      expect(observer.served.map((m) => [m.name, m.version])).toEqual([
        ['news', 1],
        ['news', 2],
      ]);
      expect(observer.served[1].sha256).toMatch(/^[0-9a-f]{64}$/);
      expect(observer.served[1].sha256).not.toBe(observer.served[0].sha256);
      expect(await classify()).toBe(2);

      setModelAlias('news', 'production', 3, repo);
      const path = resolveModel('models:/news/3', repo).path;
      const bytes = readFileSync(path);
      bytes[bytes.lastIndexOf(Buffer.from(MARK))] ^= 0x20;
      writeFileSync(path, bytes);
      const refused = await server.check();
      expect(refused).toMatchObject({ outcome: 'failed', from: 2, to: 2, failure: { version: 3 } });
      expect(refused.failure?.reason).toMatch(/texts\.bin is damaged/);
      expect(observer.failed).toEqual([{ name: 'news', version: 3, reason: refused.failure?.reason }]);
      // Not retried while the alias stays: told once, reported again by check().
      expect(await server.check()).toMatchObject({ outcome: 'failed', failure: { version: 3 } });
      expect(observer.failed).toHaveLength(1);
      expect(observer.served).toHaveLength(2);
      expect(await classify()).toBe(2);
    } finally {
      await server.drain(10);
    }
  });
});
