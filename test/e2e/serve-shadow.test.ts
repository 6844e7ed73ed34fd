/**
 * `npc serve --shadow`: a second model classifies every answered text after its response is sent, and
 * GET /metrics counts the comparisons, agreements, disagreements by label pair and dropped texts.
 * Real HTTP on 127.0.0.1; the shadow runs after the response, so the tests wait for its counters to
 * reach the count (hang guard), never for a duration. Failure-matrix rows 167 to 172.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, expectNpcError, makeTmp, run, sleep } from '../helpers/failure-tools.js';
import { parseExposition, valueOf } from '../helpers/exposition.js';
import { repoRoot } from '../helpers/run-npc.js';
import { HANG_GUARD_MS, post, type Served, startServe } from '../helpers/serve.js';

const HEADLINES = [
  'Shares slump as the bank raises rates',
  'The striker scores a late winner',
  'New phone chip doubles battery life',
  'Leaders meet to discuss the border dispute',
  'Oil prices climb after the storm',
  'The champions lose at home',
  'Rebels agree to a ceasefire in the north',
  'The chip maker posts record profits',
];

let dir: string;
let model: string;
/** The same rows with every "business" label renamed "finance": it disagrees wherever the served model says business. */
let renamed: string;

async function build(train: string, output: string): Promise<void> {
  const built = await run(['model', 'build', '--train', train, '-o', output, '-q']);
  expect(built.code, built.stderr).toBe(0);
}

beforeAll(async () => {
  dir = makeTmp('npc-serve-shadow-');
  const train = join(repoRoot, 'examples', 'headlines.jsonl');
  model = join(dir, 'headlines.npcm');
  await build(train, model);
  const relabelled = readFileSync(train, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const row = JSON.parse(line) as { label: string; text: string };
      return JSON.stringify({ label: row.label === 'business' ? 'finance' : row.label, text: row.text });
    })
    .join('\n');
  renamed = join(dir, 'renamed.npcm');
  await build(writeIn(dir, 'renamed.jsonl', relabelled + '\n'), renamed);
}, 5 * HANG_GUARD_MS);

afterAll(() => cleanupTmp());

function writeIn(folder: string, name: string, content: string): string {
  const file = join(folder, name);
  writeFileSync(file, content);
  return file;
}

async function metrics(server: Served): Promise<ReturnType<typeof parseExposition>> {
  const response = await fetch(`${server.url}/metrics`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
  expect(response.status).toBe(200);
  return parseExposition(await response.text());
}

/** Waits until the shadow has compared or dropped `texts` texts (it runs after the responses); the figures then. */
async function settled(server: Served, texts: number): Promise<ReturnType<typeof parseExposition>> {
  const until = Date.now() + HANG_GUARD_MS;
  for (;;) {
    const m = await metrics(server);
    if (valueOf(m, 'npc_shadow_comparisons_total') + valueOf(m, 'npc_shadow_dropped_total') >= texts) return m;
    if (Date.now() > until) throw new Error(`the shadow did not account for ${texts} texts (hang guard)`);
    await sleep(50);
  }
}

/** The label `npc classify --model` predicts for each text, as JSON text (null: abstained). */
async function classified(file: string, texts: readonly string[]): Promise<(string | null)[]> {
  const r = await run(['classify', '--model', file, '--jobs', '1'], {
    input: texts.map((text) => JSON.stringify({ text })).join('\n') + '\n',
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .trim()
    .split('\n')
    .map((line) => {
      const p = (JSON.parse(line) as { prediction: unknown }).prediction;
      return p === null ? null : JSON.stringify(p);
    });
}

function disagreements(m: ReturnType<typeof parseExposition>): Map<string, number> {
  const pairs = new Map<string, number>();
  for (const s of m.samples.filter((x) => x.name === 'npc_shadow_disagreements_total'))
    pairs.set(`${s.labels.served} -> ${s.labels.shadow}`, s.value);
  return pairs;
}

describe('npc serve --shadow', () => {
  it('row 167: the same model as shadow → every text answered is compared and every comparison agrees; the shadow model is named', async () => {
    const server = await startServe(['--model', model, '--shadow', model, '--jobs', '1']);
    try {
      expect(server.stderr()).toMatch(/^npc: ready: .*; shadow headlines, 64 rows, k 2 \(compared after each response\)$/m);
      for (const text of HEADLINES.slice(0, 4)) expect((await post(`${server.url}/v1/classify`, { text })).status).toBe(200);
      expect((await post(`${server.url}/v1/classify`, { texts: HEADLINES.slice(4) })).status).toBe(200);
      const m = await settled(server, HEADLINES.length);
      expect(valueOf(m, 'npc_shadow_comparisons_total')).toBe(HEADLINES.length);
      expect(valueOf(m, 'npc_shadow_agreements_total')).toBe(HEADLINES.length);
      expect(disagreements(m).size).toBe(0);
      expect(valueOf(m, 'npc_shadow_dropped_total')).toBe(0);
      const info = m.samples.find((s) => s.name === 'npc_shadow_model_info');
      expect(info?.labels).toMatchObject({ name: 'headlines', version: '' });
      expect(info?.labels.sha256).toBe(m.samples.find((s) => s.name === 'npc_model_info')?.labels.sha256);
      expect((await fetch(`${server.url}/readyz`, { signal: AbortSignal.timeout(HANG_GUARD_MS) })).status).toBe(200);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('row 168: a different shadow model → disagreements counted by (served, shadow) label pair, as npc classify predicts with each model; the totals equal the texts', async () => {
    const [servedLabels, shadowLabels] = await Promise.all([classified(model, HEADLINES), classified(renamed, HEADLINES)]);
    const expected = new Map<string, number>();
    let agree = 0;
    servedLabels.forEach((s, i) => {
      const t = shadowLabels[i];
      if (s === t) agree++;
      else expected.set(`${s ?? 'null'} -> ${t ?? 'null'}`, (expected.get(`${s ?? 'null'} -> ${t ?? 'null'}`) ?? 0) + 1);
    });
    expect(expected.get('"business" -> "finance"') ?? 0).toBeGreaterThan(0);
    const server = await startServe(['--model', model, '--shadow', renamed, '--jobs', '1']);
    try {
      // Single texts, a batch and an NDJSON stream are all compared.
      for (const text of HEADLINES.slice(0, 3)) expect((await post(`${server.url}/v1/classify`, { text })).status).toBe(200);
      expect((await post(`${server.url}/v1/classify`, { texts: HEADLINES.slice(3, 6) })).status).toBe(200);
      const ndjson = HEADLINES.slice(6)
        .map((text) => JSON.stringify({ text }))
        .join('\n');
      expect((await post(`${server.url}/v1/classify`, ndjson + '\n', 'application/x-ndjson')).status).toBe(200);
      const m = await settled(server, HEADLINES.length);
      expect(valueOf(m, 'npc_shadow_comparisons_total')).toBe(HEADLINES.length);
      expect(valueOf(m, 'npc_shadow_agreements_total')).toBe(agree);
      expect(disagreements(m)).toEqual(expected);
      expect(valueOf(m, 'npc_shadow_dropped_total')).toBe(0);
      expect(m.samples.find((s) => s.name === 'npc_shadow_model_info')?.labels).toMatchObject({ name: 'renamed' });
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('row 169: the response bodies are byte-identical with and without --shadow (single, batch, NDJSON)', async () => {
    const [plain, shadowed] = await Promise.all([
      startServe(['--model', model, '--jobs', '1']),
      startServe(['--model', model, '--shadow', renamed, '--jobs', '1']),
    ]);
    try {
      const ndjson = HEADLINES.map((text, i) => JSON.stringify({ id: i, text })).join('\n') + '\n';
      const requests: [unknown, string?][] = [
        [{ text: HEADLINES[0] }],
        [{ texts: HEADLINES, neighbors: 2 }],
        [ndjson, 'application/x-ndjson'],
      ];
      for (const [body, type] of requests) {
        const a = await post(`${plain.url}/v1/classify`, body, type);
        const b = await post(`${shadowed.url}/v1/classify`, body, type);
        expect(a.status).toBe(200);
        expect(b.status).toBe(a.status);
        expect(b.text).toBe(a.text);
        expect(b.headers.get('content-type')).toBe(a.headers.get('content-type'));
      }
      // The shadow did compare them (after the answers): 1 + 8 + 8 texts.
      expect(valueOf(await settled(shadowed, 1 + 2 * HEADLINES.length), 'npc_shadow_comparisons_total')).toBe(1 + 2 * HEADLINES.length);
    } finally {
      expect((await plain.stop()).code).toBe(0);
      expect((await shadowed.stop()).code).toBe(0);
    }
  });

  it('row 170: a --shadow file that does not exist → the server refuses to start: one error line naming it and --shadow, exit 1', async () => {
    const missing = join(dir, 'missing-shadow.npcm');
    const r = await run(['serve', '--model', model, '--shadow', missing, '--port', '0', '--jobs', '1'], { timeoutMs: HANG_GUARD_MS });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: serving .* on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(r.stderr).not.toMatch(/^npc: ready:/m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^npc: .*missing-shadow\.npcm.*\(--shadow\)$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('row 171: a damaged --shadow artifact → the server refuses to start: one error line naming it and --shadow, exit 1', async () => {
    const bytes = readFileSync(renamed);
    const damaged = join(dir, 'damaged-shadow.npcm');
    const copy = Buffer.from(bytes);
    // A byte in the middle of the artifact changes: its checksums no longer hold.
    copy[Math.floor(copy.length / 2)] ^= 0xff;
    writeFileSync(damaged, copy);
    const r = await run(['serve', '--model', model, '--shadow', damaged, '--port', '0', '--jobs', '1'], { timeoutMs: HANG_GUARD_MS });
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/^npc: ready:/m);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toMatch(/^npc: .*damaged-shadow\.npcm.*\(--shadow\)$/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('row 172: --poll with a fixed --model and a fixed --shadow → usage error naming both, exit 2', async () => {
    const r = await run(['serve', '--model', model, '--shadow', renamed, '--port', '0', '--poll', '5']);
    expectNpcError(
      r,
      2,
      /--poll 5: --model .*headlines\.npcm and --shadow .*renamed\.npcm name one artifact, which never moves; only a models:\/NAME@ALIAS model is polled/,
    );
  });

  it('a shadow served by alias follows it: SIGHUP switches the shadow, a line says so, and npc_shadow_model_info names the new version', async () => {
    const repo = join(dir, 'repository');
    for (const file of [model, renamed]) {
      const r = await run(['model', 'register', file, '--name', 'cand', '--repository', repo]);
      expect(r.code, r.stderr).toBe(0);
    }
    const aliased = await run(['model', 'alias', 'cand', 'next', '1', '--repository', repo]);
    expect(aliased.code, aliased.stderr).toBe(0);
    const server = await startServe([
      '--model',
      model,
      '--shadow',
      'models:/cand@next',
      '--repository',
      repo,
      '--poll',
      '0',
      '--jobs',
      '1',
    ]);
    try {
      const info = async (): Promise<Record<string, string> | undefined> =>
        (await metrics(server)).samples.find((s) => s.name === 'npc_shadow_model_info')?.labels;
      expect(await info()).toMatchObject({ name: 'cand', version: '1' });
      const moved = await run(['model', 'alias', 'cand', 'next', '2', '--repository', repo]);
      expect(moved.code, moved.stderr).toBe(0);
      server.child.kill('SIGHUP');
      await server.line(/^npc: SIGHUP: shadow models:\/cand@next moved: switched from version 1 to version 2$/);
      expect(await info()).toMatchObject({ name: 'cand', version: '2' });
      // The served model did not move; the shadow's new version compares.
      expect(server.stderr()).toMatch(/^npc: SIGHUP: --model .*headlines\.npcm names one artifact: nothing can move/m);
      expect((await post(`${server.url}/v1/classify`, { text: HEADLINES[0] })).status).toBe(200);
      expect(valueOf(await settled(server, 1), 'npc_shadow_comparisons_total')).toBe(1);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('texts beyond what the shadow queue holds are dropped and counted, never waited for; the answers are all given', async () => {
    // 300 lines in one NDJSON stream: the shadow queue holds 256 texts, the other 44 are dropped at once.
    const texts = Array.from({ length: 300 }, (_, i) => `${HEADLINES[i % HEADLINES.length]} ${i}`);
    const server = await startServe(['--model', model, '--shadow', model, '--jobs', '1']);
    try {
      const answer = await post(
        `${server.url}/v1/classify`,
        texts.map((text) => JSON.stringify({ text })).join('\n') + '\n',
        'application/x-ndjson',
      );
      expect(answer.status).toBe(200);
      expect(answer.text.trim().split('\n')).toHaveLength(300);
      const m = await settled(server, 300);
      expect(valueOf(m, 'npc_shadow_dropped_total')).toBe(44);
      expect(valueOf(m, 'npc_shadow_comparisons_total')).toBe(256);
      expect(valueOf(m, 'npc_shadow_agreements_total')).toBe(256);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});
