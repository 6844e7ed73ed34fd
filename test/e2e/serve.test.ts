/**
 * `npc serve` over real HTTP (Node's fetch against 127.0.0.1): every route, every error answered before
 * a response starts, the NDJSON stream, the request log, and the flags' bad values.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';
import { HANG_GUARD_MS, post, type Served, startServe } from '../helpers/serve.js';

const dir = makeTmp('npc-serve-');
const modelPath = join(dir, 'sentences.npcm');
let server: Served;

beforeAll(async () => {
  await writeTestModel(
    modelPath,
    SENTENCES.map(([label, text]) => ({ label, text })),
    { name: 'sentences' },
  );
  server = await startServe(['--model', modelPath, '--jobs', '2', '--max-batch', '4', '--max-body', '2000']);
}, HANG_GUARD_MS);

afterAll(async () => {
  await server?.stop();
  cleanupTmp();
});

const classify = (body: unknown, contentType?: string) => post(`${server.url}/v1/classify`, body, contentType);

describe('row 131: the routes', () => {
  it('row 131: {"text"} → the prediction with confidence, distance, abstained and the model; neighbors: n → the n nearest rows', async () => {
    const [label, text] = SENTENCES[2];
    const r = await classify({ text, neighbors: 2 });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ prediction: label, confidence: 1, distance: expect.any(Number), abstained: false });
    const body = r.json as { model: unknown; neighbors: { index: number; label: string; distance: number }[] };
    expect(body.model).toEqual({ name: 'sentences', version: null });
    expect(body.neighbors).toHaveLength(2);
    expect(body.neighbors[0]).toMatchObject({ index: 2, label });
    expect(body.neighbors[0].distance).toBeLessThanOrEqual(body.neighbors[1].distance);
  });

  it('row 131: {"texts": [...]} → {"predictions": [...]} in the order of the texts, as npc classify --json predicts them', async () => {
    const texts = [SENTENCES[4][1], SENTENCES[0][1], SENTENCES[3][1]];
    const r = await classify({ texts });
    expect(r.status).toBe(200);
    const { predictions } = r.json as { predictions: { prediction: string; distance: number }[] };
    expect(predictions.map((p) => p.prediction)).toEqual(['tech', 'sport', 'money']);
    const cli = await run(['classify', '--model', modelPath, '--json', '-q', ...texts], { timeoutMs: HANG_GUARD_MS });
    expect(cli.code).toBe(0);
    const lines = cli.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { prediction: string; distance: number; confidence: number });
    expect(predictions).toEqual(
      lines.map((l) => ({ prediction: l.prediction, confidence: l.confidence, distance: l.distance, abstained: false })),
    );
  });

  it('row 131: GET /v1/model is the card; /healthz and /readyz say ok and ready; /openapi.json documents every route', async () => {
    const card = (await (await fetch(`${server.url}/v1/model`)).json()) as { name: string; defaults: { k: number } };
    expect(card.name).toBe('sentences');
    expect(card.defaults.k).toBe(1);
    const health = await fetch(`${server.url}/healthz`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const ready = await fetch(`${server.url}/readyz`);
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    const doc = (await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string; paths: Record<string, object> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths).sort()).toEqual(['/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/classify', '/v1/model']);
    expect(Object.keys(doc.paths['/v1/classify'])).toEqual(['post']);
  });

  it('row 131: GET /metrics answers the Prometheus text format (what it counts: test/e2e/serve-metrics.test.ts)', async () => {
    const r = await fetch(`${server.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await r.text()).toMatch(/^# HELP npc_requests_total /m);
  });
});

describe('rows 132–137: errors before a response starts are JSON, never a stack trace', () => {
  it('row 132: malformed JSON → 400 bad_json naming the position', async () => {
    const r = await classify('{"text": "a",}');
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { code: 'bad_json', message: expect.stringMatching(/^malformed JSON: .*position 13/) } });
  });

  it('row 133: a content type other than JSON or NDJSON → 415', async () => {
    const r = await classify('text=a', 'application/x-www-form-urlencoded');
    expect(r.status).toBe(415);
    expect(r.json).toEqual({ error: { code: 'unsupported_media_type', message: 'send application/json or application/x-ndjson' } });
  });

  it('row 134: a body larger than --max-body → 413', async () => {
    const r = await classify({ text: 'a'.repeat(3000) });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: { code: 'too_large', message: 'the body is larger than --max-body' } });
  });

  it('row 135: more texts than --max-batch → 413 naming the count', async () => {
    const r = await classify({ texts: ['a', 'b', 'c', 'd', 'e'] });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({ error: { code: 'too_large', message: 'texts: 5 texts, more than --max-batch 4' } });
  });

  it.each([
    [{}, 'text: missing (give "text" or "texts")'],
    [{ text: '' }, 'text: is empty'],
    [{ text: 3 }, 'text: must be a string, not number'],
    [{ texts: ['a', 'b', 'c', null] }, 'texts[3]: must be a string, not null'],
    [{ texts: ['a', ''] }, 'texts[1]: is empty'],
    [{ texts: 'a' }, 'texts: must be an array of strings'],
    [{ text: 'a', neighbors: -1 }, 'neighbors: must be an integer ≥ 0'],
    [{ text: 'a', neighbors: 7 }, "neighbors: 7 is more than the model's 6 rows"],
    [['a'], 'the body must be a JSON object with "text" or "texts"'],
  ])('row 136: %j → 400 naming the field', async (body, message) => {
    const r = await classify(body);
    expect(r.status).toBe(400);
    expect(r.json).toEqual({ error: { code: 'bad_request', message } });
  });

  it('row 137: an unknown route → 404 JSON', async () => {
    const r = await fetch(`${server.url}/v2/classify`, { method: 'POST' });
    expect(r.status).toBe(404);
    expect(await r.json()).toEqual({ error: { code: 'not_found', message: 'no route POST /v2/classify' } });
  });
});

describe('row 138: an NDJSON body streams JSON lines back', () => {
  it('row 138: each line answered as npc classify --json answers it: fields passed through, an empty text answered in its place', async () => {
    const input = `{"text":${JSON.stringify(SENTENCES[1][1])},"id":7}\n{"id":8,"text":""}\r\n{"text":${JSON.stringify(SENTENCES[5][1])}}`;
    const r = await classify(input, 'application/x-ndjson');
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    const cli = await run(['classify', '--model', modelPath, '-q'], { input, timeoutMs: HANG_GUARD_MS });
    expect(cli.code).toBe(0);
    expect(r.text).toBe(cli.stdout);
    expect(r.text.split('\n')[0]).toMatch(/^\{"text":".*","id":7,"prediction":"sport",/);
  });

  it('row 138: a bad line is answered in its own line after the good ones before it, and ends the stream (as npc classify stops there)', async () => {
    const r = await classify(`{"text":"a"}\n{bad\n{"text":"b"}\n`, 'application/x-ndjson');
    expect(r.status).toBe(200);
    const lines = r.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ text: 'a', prediction: expect.any(String) });
    expect(lines[1]).toEqual({ error: { code: 'bad_line', message: expect.stringMatching(/^line 2: invalid JSON/) } });
  });

  it('row 138: a bad first line is a 400 JSON error, a line longer than --max-body a 413', async () => {
    const bad = await classify('{bad\n', 'application/x-ndjson');
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ error: { code: 'bad_line', message: expect.stringMatching(/^line 1: invalid JSON/) } });
    const long = await classify(`{"text":"${'a'.repeat(2500)}"}\n`, 'application/x-ndjson');
    expect(long.status).toBe(413);
    expect(long.json).toEqual({ error: { code: 'too_large', message: 'line 1: longer than --max-body 2000 bytes' } });
  });
});

describe('row 148: the request log', () => {
  it('row 148: one JSON line per request on stderr: id, route, status, latency, model, rows scanned', async () => {
    const r = await classify({ texts: ['a', 'b'] });
    expect(r.status).toBe(200);
    const line = await server.line(/"route":"\/v1\/classify".*"rows_scanned":12\b/);
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({
      id: expect.any(String),
      route: '/v1/classify',
      status: 200,
      latency_ms: expect.any(Number),
      model: { name: 'sentences', version: null },
      rows_scanned: 12,
      msg: 'request',
    });
  });
});

describe('rows 145–147: flags and the model', () => {
  it('row 146: bad flag values are usage errors (exit 2)', async () => {
    const runs = await Promise.all([
      run(['serve', '--model', modelPath, '--port', '70000'], { timeoutMs: HANG_GUARD_MS }),
      run(['serve', '--model', modelPath, '--timeout', '0'], { timeoutMs: HANG_GUARD_MS }),
      run(['serve', '--model', modelPath, '--log-level', 'loud'], { timeoutMs: HANG_GUARD_MS }),
      run(['serve', '--port', '0'], { timeoutMs: HANG_GUARD_MS }),
    ]);
    expectNpcError(runs[0], 2, /.*--port <n>.*expected a port from 0 \(any free port\) to 65535.*/);
    expectNpcError(runs[1], 2, /.*--timeout <s>.*expected a number of seconds above 0.*/);
    expectNpcError(runs[2], 2, /.*--log-level <level>.*Allowed choices are fatal, error, warn, info, debug, trace, silent.*/);
    expectNpcError(runs[3], 2, /.*required option '--model <path\|uri>' not specified.*/);
  });

  it('row 147: a model that cannot be loaded → npc: error after listening, exit 1', async () => {
    const r = await run(['serve', '--model', join(dir, 'missing.npcm'), '--port', '0'], { timeoutMs: HANG_GUARD_MS });
    expect(r.stderr).toMatch(/^npc: serving .*missing\.npcm on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(r.code).toBe(1);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^npc: .*missing\.npcm.*/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('row 145: a non-loopback --host is warned about (no authentication, no TLS); a loopback one is not', async () => {
    expect(server.stderr()).not.toMatch(/warning/);
    const open = await startServe(['--model', modelPath, '--jobs', '1', '--host', '0.0.0.0']);
    try {
      expect(open.stderr()).toMatch(/^npc: warning: --host 0\.0\.0\.0: npc serve has no authentication and no TLS/m);
    } finally {
      const done = await open.stop();
      expect(done.code).toBe(0);
    }
  });
});
