/**
 * The schemas GET /openapi.json publishes agree with what the handlers do: a table of request bodies is
 * checked against the published request schema (Ajv) and sent to the server; the schema accepts a body
 * exactly when the server answers it 200, and every answer (200 or error) matches the response schema
 * published for its status.
 */
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer, type NpcServer } from '../../src/server.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';

const HANG_GUARD_MS = 60_000;
const MAX_BATCH = 3;
const text = SENTENCES[0][1];

let server: NpcServer;
/** The same rows with a distance threshold of 0: every answer is an abstention (prediction null). */
let abstaining: NpcServer;
let doc: { openapi: string; paths: Record<string, Record<string, OpenApiOperation>> };

interface OpenApiOperation {
  requestBody?: { content: Record<string, { schema: object }> };
  responses: Record<string, { content: Record<string, { schema: object }> }>;
}

async function serve(path: string): Promise<NpcServer> {
  const built = buildServer({
    model: path,
    jobs: 1,
    timeout: 60,
    maxBatch: MAX_BATCH,
    maxBody: 100_000,
    queue: 16,
    createWorker: () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url)),
  });
  await built.load();
  return built;
}

beforeAll(async () => {
  const dir = makeTmp('npc-serve-schemas-');
  const rows = SENTENCES.map(([label, t]) => ({ label, text: t }));
  await writeTestModel(join(dir, 'm.npcm'), rows, { name: 'schemas' });
  await writeTestModel(join(dir, 'abstaining.npcm'), rows, { name: 'abstaining', defaults: { abstain_above: 0 } });
  server = await serve(join(dir, 'm.npcm'));
  abstaining = await serve(join(dir, 'abstaining.npcm'));
  doc = (await server.fastify.inject({ method: 'GET', url: '/openapi.json' })).json();
}, HANG_GUARD_MS);

afterAll(async () => {
  await server?.drain(0);
  await abstaining?.drain(0);
  cleanupTmp();
});

/** Ajv in strict mode, but for `oneOf: [{required: [...]}]` naming properties defined beside it (the usual idiom). */
function schemaChecker(): Ajv {
  return new Ajv({ strict: true, strictRequired: false, allErrors: true });
}

/** Bodies of POST /v1/classify: the ones the server answers 200 and the ones it refuses. */
const bodies: [string, unknown][] = [
  ['one text', { text }],
  ['one text with neighbors 0', { text, neighbors: 0 }],
  ['one text with neighbors 2', { text, neighbors: 2 }],
  ['a batch', { texts: [text, SENTENCES[4][1]] }],
  ['a batch of --max-batch texts', { texts: Array.from({ length: MAX_BATCH }, () => text) }],
  ['a batch with neighbors', { texts: [text], neighbors: 1 }],
  ['a field the server does not use beside "text"', { text, id: 'a-17' }],
  ['an array', [text]],
  ['a string', text],
  ['a number', 5],
  ['null', null],
  ['an empty object', {}],
  ['an empty text', { text: '' }],
  ['a number as text', { text: 5 }],
  ['null as text', { text: null }],
  ['"text" and "texts"', { text, texts: [text] }],
  ['texts not an array', { texts: text }],
  ['an empty batch', { texts: [] }],
  ['a number in the batch', { texts: [text, 3] }],
  ['an empty text in the batch', { texts: [text, ''] }],
  ['one text more than --max-batch', { texts: Array.from({ length: MAX_BATCH + 1 }, () => text) }],
  ['negative neighbors', { text, neighbors: -1 }],
  ['fractional neighbors', { text, neighbors: 1.5 }],
  ['neighbors as a string', { text, neighbors: '2' }],
];

describe('the published schemas and the handlers agree', () => {
  it('the document is OpenAPI 3.1 with a request schema for POST /v1/classify that says --max-batch', () => {
    expect(doc.openapi).toBe('3.1.0');
    const body = doc.paths['/v1/classify'].post.requestBody!.content['application/json'].schema as {
      properties: { texts: { maxItems: number } };
    };
    expect(body.properties.texts.maxItems).toBe(MAX_BATCH);
  });

  it.each(bodies)(
    '%s: the request schema accepts it exactly when the server answers 200, and the answer matches the schema of its status',
    async (_name, body) => {
      const ajv = schemaChecker();
      const operation = doc.paths['/v1/classify'].post;
      const valid = ajv.validate(operation.requestBody!.content['application/json'].schema, body);
      const answer = await server.fastify.inject({
        method: 'POST',
        url: '/v1/classify',
        headers: { 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      expect({ status: answer.statusCode, schemaAccepts: valid }).toEqual({
        status: valid ? 200 : expect.any(Number),
        schemaAccepts: valid,
      });
      if (!valid) expect([400, 413]).toContain(answer.statusCode);
      const published = operation.responses[String(answer.statusCode)];
      expect(published, `a response schema for ${answer.statusCode}`).toBeDefined();
      const matches = ajv.validate(published.content['application/json'].schema, answer.json());
      expect({ matches, errors: ajv.errors ?? null }).toEqual({ matches: true, errors: null });
    },
  );

  it('an abstention (prediction null, abstained true) matches the response schema; an object as prediction does not', async () => {
    const ajv = schemaChecker();
    const answer = await abstaining.fastify.inject({ method: 'POST', url: '/v1/classify', payload: { text } });
    expect(answer.statusCode).toBe(200);
    const json = answer.json() as { prediction: unknown; abstained: boolean };
    expect([json.prediction, json.abstained]).toEqual([null, true]);
    const schema = doc.paths['/v1/classify'].post.responses['200'].content['application/json'].schema;
    expect(ajv.validate(schema, json)).toBe(true);
    expect(ajv.validate(schema, { ...json, prediction: { label: 1 } })).toBe(false);
  });

  it.each(['/healthz', '/readyz', '/v1/model', '/openapi.json'])('GET %s: the answer matches its published 200 schema', async (url) => {
    const ajv = schemaChecker();
    const answer = await server.fastify.inject({ method: 'GET', url });
    expect(answer.statusCode).toBe(200);
    const schema = doc.paths[url].get.responses['200'].content['application/json'].schema;
    expect(ajv.validate(schema, answer.json())).toBe(true);
  });
});
