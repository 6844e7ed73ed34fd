/**
 * The failure matrix (docs/failure-matrix.md), rows 13 and 15: usage errors (unknown options, bad k, bad
 * --jobs) and `npc … | head -1`.
 * Every test is named `row N: …`; "Regression (row N)" marks a test that held a fix when it was written
 * (CHANGELOG.md says what was wrong). The sentences are written for these tests; real data sets are only
 * read from ../shared/data.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupTmp,
  escapeRegExp,
  expectNpcError,
  makeTrainingDir,
  npcShell,
  q,
  run,
  shell,
  spawnNpc,
  writeIn,
  writeJsonl,
} from '../helpers/failure-tools.js';
import { SENTENCES_3_PER_CLASS as SENTENCES } from '../fixtures/sentences.js';

let dir: string;
let train: string;
beforeAll(() => ({ dir, train } = makeTrainingDir('npc-fm-', SENTENCES)));
afterAll(() => cleanupTmp());

/** A file in the shared temp dir. */
const file = (name: string, content: string | Buffer): string => writeIn(dir, name, content);

const SPORT = SENTENCES[0][1];
const MONEY = SENTENCES[3][1];
const re = escapeRegExp;

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 13: unknown option, bad k, bad --jobs → usage error, exit 2', () => {
  it.each([[['classify', '--bogus', 'x']], [['eval', '--bogus']], [['data', 'get', 'ag_news', '--bogus']]])(
    "row 13: unknown option %j → npc: unknown option '--bogus', exit 2",
    async (args) => {
      expectNpcError(await run(args), 2, "unknown option '--bogus'", { usage: true });
    },
  );

  it('row 13: an unknown command → exit 2', async () => {
    expectNpcError(await run(['bogus']), 2, "unknown command 'bogus'", { usage: true });
  });

  it.each(['0', '-1', '1.5', 'x', '', '1e3'])('row 13: bad k %j for classify and eval → exit 2 naming -k', async (k) => {
    const c = await run(['classify', '--train', train, '-k', k, 'x']);
    expectNpcError(c, 2, `option '-k, --k <n>' argument '${k}' is invalid. expected a positive integer.`, { usage: true });
    const e = await run(['eval', '--train', train, '--test', train, '-k', k]);
    expectNpcError(e, 2, new RegExp(`option '-k, --k <list>' argument '${re(k)}' is invalid\\. .+`), { usage: true });
  });

  it.each(['0', '-1', '1.5', 'x', ''])('row 13: bad --jobs %j for classify and eval → exit 2 naming --jobs', async (jobs) => {
    for (const args of [
      ['classify', '--train', train, '--jobs', jobs, 'x'],
      ['eval', '--train', train, '--test', train, '--jobs', jobs],
    ]) {
      expectNpcError(await run(args), 2, `option '-j, --jobs <n>' argument '${jobs}' is invalid. expected a positive integer.`, {
        usage: true,
      });
    }
  });

  // Regression (row 13), fixed: observed: --jobs 100000 starts one worker thread per training row (400 rows:
  // 400 threads, 3.7 GB RSS, 30 s for 5 test rows); on a real training set it exhausts memory.
  it('row 13: an absurd --jobs (100000) is a usage error or is capped: never one thread per training row', async () => {
    const rows = Array.from({ length: 150 }, (_, i) => ({ label: `c${i % 3}`, text: `row ${i} with words ${i * 7} and more ${i % 11}` }));
    const path = writeJsonl(join(dir, 'r13-150.jsonl'), rows);
    const { child, done } = spawnNpc(['eval', '--train', path, '--test', path, '--limit', '3', '--quiet', '--json', '--jobs', '100000'], {
      stdin: 'null',
      timeoutMs: 40_000,
    });
    let maxThreads = 0;
    const sampler = setInterval(() => {
      try {
        const threads = Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0);
        maxThreads = Math.max(maxThreads, threads);
      } catch {
        // exited
      }
    }, 25);
    const r = await done;
    clearInterval(sampler);
    expect(r.timedOut).toBe(false);
    if (r.code === 2) {
      expectNpcError(r, 2, /.*--jobs.*/, { usage: true });
    } else {
      expect(r.code, r.stderr).toBe(0);
      expect(maxThreads, `peak threads of npc with --jobs 100000 and 150 training rows`).toBeLessThanOrEqual(64);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 15: `npc … | head -1`', () => {
  let many: string;
  beforeAll(() => {
    many = file('r15-many.txt', Array.from({ length: 100_000 }, (_, i) => (i % 2 ? SPORT : MONEY)).join('\n'));
  });
  const cases: [string, () => string, string | RegExp][] = [
    ['classify --input text from stdin', () => `${npcShell} classify --train ${q(train)} --input text < ${q(many)} | head -1`, 'money\n'],
    [
      'classify --input text --jobs 2 (worker threads alive)',
      () => `${npcShell} classify --train ${q(train)} --input text --jobs 2 < ${q(many)} | head -1`,
      'money\n',
    ],
    [
      'classify with many arguments',
      () => `${npcShell} classify --train ${q(train)} $(printf 'match%.0s ' $(seq 1 3000)) | head -1`,
      /^\w+\n$/,
    ],
    [
      'classify, the reader leaves after a second',
      () => `${npcShell} classify --train ${q(train)} --input text < ${q(many)} | (sleep 1; head -1)`,
      'money\n',
    ],
    ['eval table', () => `${npcShell} eval --train ${q(train)} --test ${q(train)} --quiet | head -1`, /^test rows +9\n$/],
    ['eval --json, a few bytes', () => `${npcShell} eval --train ${q(train)} --test ${q(train)} --quiet --json | head -c 8`, '{"train"'],
    ['data list', () => `${npcShell} data list | head -1`, /^ag_news\t/],
    ['--help', () => `${npcShell} classify --help | head -1`, /^Usage: npc classify/],
  ];
  it.each(cases)('row 15: %s | head → exit 0, nothing on stderr, no EPIPE trace', async (_, command, expected) => {
    const r = await shell(command());
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    if (typeof expected === 'string') expect(r.stdout).toBe(expected);
    else expect(r.stdout).toMatch(expected);
  });
});
