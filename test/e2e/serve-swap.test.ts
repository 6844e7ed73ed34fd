/**
 * `npc serve` hot swap over real HTTP: a server following `models:/news@production` while the alias is
 * moved with `npc model alias` / `rollback` (by the poll, and at once by SIGHUP with --poll 0), under a
 * bounded stream of concurrent requests; damaged and missing versions that are not switched to; SIGHUP
 * on a fixed reference; bad --poll values. Every wait is for an event (a response, a log line) with a
 * hang guard; no duration is asserted.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveModel } from '../../src/app/model-registry.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run } from '../helpers/failure-tools.js';
import { writeTestModel } from '../helpers/model-artifact.js';
import { HANG_GUARD_MS, post, type Served, startServe } from '../helpers/serve.js';

const dir = makeTmp('npc-serve-swap-');
const ROWS = SENTENCES.map(([label, text]) => ({ label, text }));
/** A third version's rows hold this word, to damage it on disk. */
const MARK = 'zeppelin';

async function model(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return run(['model', ...args]);
}

/** A fresh repository with versions 1 and 2 of `news` (same rows, other cards) and `production` at 1. */
async function freshRepository(name: string): Promise<string> {
  const repo = join(dir, name);
  for (const key of ['a', 'b']) {
    const file = join(dir, `${name}-${key}.npcm`);
    await writeTestModel(file, ROWS, { name: 'news', description: `artifact ${key}` });
    const r = await model('register', file, '--name', 'news', '--repository', repo);
    expect(r.code, r.stderr).toBe(0);
  }
  const r = await model('alias', 'news', 'production', '1', '--repository', repo);
  expect(r.code, r.stderr).toBe(0);
  return repo;
}

async function moveAlias(repo: string, ...args: string[]): Promise<void> {
  const r = await model(...args, '--repository', repo);
  expect(r.code, r.stderr).toBe(0);
}

/** The version named in an answer's "model". */
async function versionAnswering(server: Served): Promise<number | null> {
  const r = await post(`${server.url}/v1/classify`, { text: SENTENCES[0][1] });
  expect(r.status, r.text).toBe(200);
  return (r.json as { model: { name: string; version: number | null } }).model.version;
}

/** Requests sent by `concurrency` loops until stop() and at most `limit` in all: every answer's status and version, in the order sent. */
function stream(server: Served, concurrency: number, limit: number) {
  const answers: { status: number; version: number | null; sentAfter: number }[] = [];
  let sent = 0;
  let stopped = false;
  /** Bumped by the test at each event it saw: an answer records the mark current when it was sent. */
  let mark = 0;
  const loop = async (): Promise<void> => {
    while (!stopped && sent < limit) {
      const sentAfter = mark;
      sent++;
      const r = await post(`${server.url}/v1/classify`, { text: SENTENCES[sent % SENTENCES.length][1] }).catch(() => ({
        status: 0,
        json: undefined,
      }));
      const version = (r.json as { model?: { version: number | null } } | undefined)?.model?.version ?? null;
      answers.push({ status: r.status, version, sentAfter });
    }
  };
  const loops = Promise.all(Array.from({ length: concurrency }, loop));
  return {
    answers,
    /** Resolves once `n` more answers have arrived (or the limit was reached). */
    async more(n: number): Promise<void> {
      const target = answers.length + n;
      while (answers.length < target && sent < limit) await new Promise((resolve) => setTimeout(resolve, 5));
    },
    markEvent(): number {
      return ++mark;
    },
    async stop(): Promise<void> {
      stopped = true;
      await loops;
    },
  };
}

afterAll(() => cleanupTmp());

describe('hot swap under a stream of requests', () => {
  it('alias moved with npc model alias, then rolled back: no failed request, both versions answer, after each switch only the new one', async () => {
    const repo = await freshRepository('stream');
    const server = await startServe(['--model', 'models:/news@production', '--repository', repo, '--jobs', '1', '--poll', '0.2']);
    const requests = stream(server, 4, 3000);
    try {
      await requests.more(100);
      await moveAlias(repo, 'alias', 'news', 'production', '2');
      await server.line(/switched from models:\/news\/1 to models:\/news\/2/);
      const afterSwitch = requests.markEvent();
      await requests.more(100);
      // Requests sent from here on may meet either version until the rollback is seen.
      requests.markEvent();
      await moveAlias(repo, 'rollback', 'news', 'production');
      await server.line(/switched from models:\/news\/2 to models:\/news\/1/);
      const afterRollback = requests.markEvent();
      await requests.more(100);
      await requests.stop();
      const { answers } = requests;
      expect(answers.length).toBeLessThanOrEqual(3000);
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      expect(new Set(answers.map((a) => a.version))).toEqual(new Set([1, 2]));
      const between = answers.filter((a) => a.sentAfter === afterSwitch);
      expect(between.length).toBeGreaterThan(0);
      expect(new Set(between.map((a) => a.version))).toEqual(new Set([2]));
      const last = answers.filter((a) => a.sentAfter === afterRollback);
      expect(last.length).toBeGreaterThan(0);
      expect(new Set(last.map((a) => a.version))).toEqual(new Set([1]));
      // The request log names the version each request leased.
      const logged = server
        .stderr()
        .split('\n')
        .filter((l) => l.includes('"msg":"request"') && l.includes('/v1/classify'))
        .map((l) => (JSON.parse(l) as { model: { version: number } }).model.version);
      expect(new Set(logged)).toEqual(new Set([1, 2]));
    } finally {
      await requests.stop();
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('--poll 0: the alias moved is served only after SIGHUP, which says what it did', async () => {
    const repo = await freshRepository('hup');
    const server = await startServe(['--model', 'models:/news@production', '--repository', repo, '--jobs', '1', '--poll', '0']);
    try {
      server.child.kill('SIGHUP');
      await server.line(/^npc: SIGHUP: models:\/news@production still names version 1: unchanged$/);
      await moveAlias(repo, 'alias', 'news', 'production', '2');
      expect(await versionAnswering(server)).toBe(1);
      server.child.kill('SIGHUP');
      await server.line(/^npc: SIGHUP: models:\/news@production moved: switched from version 1 to version 2$/);
      expect(await versionAnswering(server)).toBe(2);
      const model = await fetch(`${server.url}/v1/model`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
      expect(((await model.json()) as { description: string }).description).toBe('artifact b');
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('a version that cannot be served is not switched to', () => {
  it('a damaged new version: the old one keeps answering, a warning and a log line say why', async () => {
    const repo = await freshRepository('damaged');
    const file = join(dir, 'damaged-c.npcm');
    await writeTestModel(file, [...ROWS, { label: 'tech', text: `a ${MARK} flies over the city` }], {
      name: 'news',
      description: 'artifact c',
    });
    await moveAlias(repo, 'register', file, '--name', 'news');
    const server = await startServe(['--model', 'models:/news@production', '--repository', repo, '--jobs', '1', '--poll', '0']);
    try {
      // Moved while sound, then damaged on disk (as a disk or a copy could).
      await moveAlias(repo, 'alias', 'news', 'production', '3');
      const path = resolveModel('models:/news/3', repo).path;
      const bytes = readFileSync(path);
      bytes[bytes.lastIndexOf(Buffer.from(MARK))] ^= 0x20;
      writeFileSync(path, bytes);
      server.child.kill('SIGHUP');
      await server.line(/^npc: warning: SIGHUP: not switched to version 3: .*texts\.bin is damaged.*; version 1 keeps serving$/);
      const logged = JSON.parse(await server.line(/"msg":"not switched to version 3/)) as { level: number; version: number; cause: string };
      expect(logged).toMatchObject({ version: 3, cause: expect.stringMatching(/texts\.bin is damaged/) });
      expect(await versionAnswering(server)).toBe(1);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });

  it('an alias to a missing version: not switched, the old one keeps answering, a warning says it is missing', async () => {
    const repo = await freshRepository('missing');
    const server = await startServe(['--model', 'models:/news@production', '--repository', repo, '--jobs', '1', '--poll', '0']);
    try {
      await moveAlias(repo, 'alias', 'news', 'production', '2');
      unlinkSync(resolveModel('models:/news/2', repo).path);
      server.child.kill('SIGHUP');
      await server.line(
        /^npc: warning: SIGHUP: not switched to models:\/news@production: .*points at version 2, which is missing.*; version 1 keeps serving$/,
      );
      expect(await versionAnswering(server)).toBe(1);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});

describe('rows 159–166: --poll', () => {
  const file = join(dir, 'fixed.npcm');
  beforeAll(async () => {
    await writeTestModel(file, ROWS, { name: 'news' });
  });

  it.each([
    [159, '-1'],
    [160, 'abc'],
    [161, ''],
    [162, '86401'],
    [163, '1e3'],
    [164, 'Infinity'],
  ])('row %i: --poll %j → usage error naming the accepted range, exit 2', async (_row, value) => {
    const r = await run(['serve', '--model', file, '--port', '0', '--poll', value]);
    expectNpcError(
      r,
      2,
      `option '--poll <s>' argument '${value}' is invalid. expected a number of seconds, 0 (only SIGHUP) or more, at most 86400.`,
      { usage: true },
    );
  });

  it('row 165: --poll with a fixed reference (a file, models:/NAME/VERSION) → usage error: nothing is polled, exit 2', async () => {
    const r = await run(['serve', '--model', file, '--port', '0', '--poll', '5']);
    expectNpcError(
      r,
      2,
      new RegExp(
        `--poll 5: --model ${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} names one artifact, which never moves; only a models:/NAME@ALIAS model is polled`,
      ),
    );
    const repo = await freshRepository('fixed-version');
    const v = await run(['serve', '--model', 'models:/news/1', '--repository', repo, '--port', '0', '--poll', '5']);
    expectNpcError(
      v,
      2,
      /--poll 5: --model models:\/news\/1 names one artifact, which never moves; only a models:\/NAME@ALIAS model is polled/,
    );
  });

  it('row 166: SIGHUP with a fixed reference: a line says nothing can move, the server keeps serving', async () => {
    const server = await startServe(['--model', file, '--jobs', '1']);
    try {
      server.child.kill('SIGHUP');
      await server.line(/^npc: SIGHUP: --model .*fixed\.npcm names one artifact: nothing can move/);
      expect(await versionAnswering(server)).toBe(null);
    } finally {
      expect((await server.stop()).code).toBe(0);
    }
  });
});
