/**
 * `npc serve` under load and faults, over real HTTP: the bounded queue (503 with Retry-After), the
 * per-request deadline (504, the rest of its search cancelled), a search worker that dies (500, replaced,
 * the server keeps serving), and the drain on SIGTERM/SIGINT. Every wait is for an event (a response, a
 * log line, the exit) with a hang guard; no duration is asserted.
 */
import { request } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';
import { HANG_GUARD_MS, post, startServe, writeLargeServeModel } from '../helpers/serve.js';

const dir = makeTmp('npc-serve-load-');
const small = join(dir, 'small.npcm');
/** Enough rows and long enough texts that a batch of 64 texts takes a while to search. */
const large = join(dir, 'large.npcm');
const faultEntry = fileURLToPath(new URL('../helpers/npc-with-faulty-worker.mjs', import.meta.url));
const texts = (n: number): string[] => Array.from({ length: n }, (_, i) => `${SENTENCES[i % 6][1]} and then some more words ${i}`);

beforeAll(async () => {
  await writeTestModel(
    small,
    SENTENCES.map(([label, text]) => ({ label, text })),
    { name: 'small' },
  );
  await writeLargeServeModel(large);
}, HANG_GUARD_MS);

afterAll(() => cleanupTmp());

describe('row 139: the bounded queue', () => {
  it('row 139: a request with more texts than --queue has room for → 503 queue_full with Retry-After; one that fits is answered', async () => {
    const server = await startServe(['--model', small, '--jobs', '1', '--queue', '2']);
    try {
      const full = await post(`${server.url}/v1/classify`, { texts: texts(3) });
      expect(full.status).toBe(503);
      expect(full.headers.get('retry-after')).toBe('1');
      expect(full.json).toEqual({ error: { code: 'queue_full', message: 'the queue is full (--queue): try again later' } });
      const fits = await post(`${server.url}/v1/classify`, { texts: texts(2) });
      expect(fits.status).toBe(200);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('row 140: the per-request deadline', () => {
  it('row 140: a request not answered within --timeout → 504, and its waiting texts leave the queue (the next request is not refused as full)', async () => {
    const server = await startServe(['--model', large, '--jobs', '2', '--timeout', '0.001', '--queue', '64', '--max-batch', '64']);
    try {
      for (let i = 0; i < 2; i++) {
        const r = await post(`${server.url}/v1/classify`, { texts: texts(64) });
        expect(r.status).toBe(504);
        expect(r.json).toEqual({ error: { code: 'timeout', message: 'not answered within --timeout 0.001 s' } });
      }
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('row 140: the deadline of an NDJSON stream', () => {
  it('row 140: a stream whose body stops arriving gets its answers so far, then a timeout line, and ends', async () => {
    const server = await startServe(['--model', small, '--jobs', '1', '--timeout', '5']);
    try {
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(`${server.url}/v1/classify`, { method: 'POST', headers: { 'content-type': 'application/x-ndjson' } }, (res) => {
          let text = '';
          res.on('data', (d: Buffer) => (text += d.toString()));
          res.on('end', () => resolve(text));
          res.on('error', reject);
        });
        req.on('error', reject);
        req.write(`{"text":${JSON.stringify(SENTENCES[0][1])}}\n`);
        // The body is never ended: only the deadline ends this request.
      });
      const lines = body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Record<string, unknown>);
      expect(lines).toEqual([
        expect.objectContaining({ prediction: 'sport' }),
        { error: { code: 'timeout', message: 'not answered within --timeout 5 s' } },
      ]);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('row 141: a search worker that dies', () => {
  it('row 141: the requests it held get 500, the workers are started again, and the server keeps serving', async () => {
    const server = await startServe(['--model', small, '--jobs', '2'], { entry: faultEntry, env: { NPC_FAULT: 'exit-once' } });
    try {
      const failed = await post(`${server.url}/v1/classify`, { text: SENTENCES[0][1] });
      expect(failed.status).toBe(500);
      expect(failed.json).toEqual({
        error: {
          code: 'worker_failed',
          message: expect.stringMatching(
            /^search worker \d+ exited unexpectedly \(exit code 3\); the search workers were started again: retry$/,
          ),
        },
      });
      await server.line(/"msg":"a search worker died; the workers were started again"/);
      const ok = await post(`${server.url}/v1/classify`, { text: SENTENCES[0][1] });
      expect(ok.status).toBe(200);
      expect(ok.json).toMatchObject({ prediction: 'sport' });
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('rows 142–144: SIGTERM and SIGINT', () => {
  const started = (server: { line: (p: RegExp) => Promise<string> }) =>
    server.line(/"msg":"request received".*"route":"\/v1\/classify"|"route":"\/v1\/classify".*"msg":"request received"/);

  it.each(['SIGTERM', 'SIGINT'] as const)('row 142: %s → stop accepting, answer the accepted request (200), exit 0', async (signal) => {
    const server = await startServe(['--model', large, '--jobs', '2', '--max-batch', '64', '--log-level', 'debug']);
    const answer = post(`${server.url}/v1/classify`, { texts: texts(64) });
    await started(server);
    server.child.kill(signal);
    await server.line(new RegExp(`^npc: ${signal}: stopping`));
    const r = await answer;
    expect(r.status).toBe(200);
    expect((r.json as { predictions: unknown[] }).predictions).toHaveLength(64);
    const done = await server.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/^npc: stopped$/m);
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('row 143: a request still running after --grace → 503 stopping, a warning, exit 0', async () => {
    const server = await startServe(['--model', large, '--jobs', '1', '--max-batch', '64', '--grace', '0.001', '--log-level', 'debug']);
    const answer = post(`${server.url}/v1/classify`, { texts: texts(64) });
    await started(server);
    server.child.kill('SIGTERM');
    const r = await answer;
    expect(r.status).toBe(503);
    expect(r.json).toEqual({ error: { code: 'stopping', message: 'the server stopped: not answered within --grace 0.001 s' } });
    const done = await server.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/^npc: warning: 1 request was still running after --grace 0\.001 s and got 503$/m);
  });

  it('row 144: a second signal while draining exits at once', async () => {
    const server = await startServe(['--model', large, '--jobs', '1', '--max-batch', '64', '--log-level', 'debug']);
    const answer = post(`${server.url}/v1/classify`, { texts: texts(64) }).catch((err: Error) => err);
    await started(server);
    server.child.kill('SIGTERM');
    await server.line(/^npc: SIGTERM: stopping/);
    server.child.kill('SIGTERM');
    const done = await server.done;
    expect(done.code).toBe(143);
    expect(done.stderr).toMatch(/^npc: interrupted by SIGTERM$/m);
    expect(await answer).toBeInstanceOf(Error);
  });
});
