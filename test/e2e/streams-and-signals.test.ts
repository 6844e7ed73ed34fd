/**
 * The failure matrix (docs/failure-matrix.md), rows 14 and 16: a million stdin lines into a reader that
 * pauses (backpressure), and SIGINT / SIGTERM during an evaluation.
 * Every test is named `row N: …`; "Regression (row N)" marks a test that held a fix when it was written
 * (CHANGELOG.md says what was wrong). The sentences are written for these tests; real data sets are only
 * read from ../shared/data.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mulberry32 } from '../../src/model/random.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { cleanupTmp, listTree, makeTmp, sleep, spawnNpc, waitForStall, writeJsonl } from '../helpers/failure-tools.js';

const R8_TRAIN = 'r8/train.jsonl.gz';
const R8_TEST = 'r8/test.jsonl.gz';
const haveR8 = requireSharedData(R8_TRAIN, R8_TEST);

let dir: string;
beforeAll(() => {
  dir = makeTmp('npc-fm-');
});
afterAll(() => cleanupTmp());

// ---------------------------------------------------------------------------------------------------
describe('row 14: npc classify on 1 M stdin lines into a slow reader', () => {
  /** Fails the test only when npc hangs; the whole run takes a fraction of this. */
  const HANG_GUARD_MS = 120_000;
  it(
    'row 14: 1,000,000 lines: npc stops reading stdin while the reader is paused (backpressure), then every line, in order',
    async () => {
      const WORDS = ['alpha', 'bravo', 'charlie', 'delta'];
      const LABELS = ['A', 'B', 'C', 'D'];
      const tiny = writeJsonl(
        join(dir, 'r14-train.jsonl'),
        WORDS.map((w, i) => ({ label: LABELS[i], text: `${w} ${w}` })),
      );
      const N = 1_000_000;
      const random = mulberry32(14);
      const classes = new Uint8Array(N);
      for (let i = 0; i < N; i++) classes[i] = Math.floor(random() * 4);
      const totalBytes = classes.reduce((sum, c) => sum + WORDS[c].length + 1, 0);

      const { child, done } = spawnNpc(['classify', '--train', tiny, '--input', 'text', '-k', '1', '--jobs', '2'], {
        ownStdout: true,
        timeoutMs: HANG_GUARD_MS,
      });
      // Writer: 1,000 lines per write, waiting for 'drain' like any well-behaved producer.
      let flushed = 0; // bytes the OS has accepted into the pipe
      let writerDone = false;
      const writer = (async () => {
        for (let start = 0; start < N; start += 1000) {
          let chunk = '';
          for (let i = start; i < Math.min(N, start + 1000); i++) chunk += `${WORDS[classes[i]]}\n`;
          const ok = child.stdin.write(chunk, () => {
            flushed += Buffer.byteLength(chunk);
          });
          if (!ok) await new Promise<void>((resolve) => child.stdin.once('drain', resolve));
        }
        child.stdin.end();
        writerDone = true;
      })();

      // Phase 1: nobody reads stdout. Backpressure means npc stops reading stdin: the writer ends up waiting
      // for 'drain' with most of the input unsent. Wait for that event (the bytes accepted stop changing),
      // however slow the machine; if npc kept reading instead, the writer finishes and the test fails.
      const stalled = await waitForStall(
        () => flushed,
        () => writerDone,
        HANG_GUARD_MS,
      );
      expect(stalled, 'npc read its whole input although nobody read its output (no backpressure)').toBe(true);
      const flushed1 = flushed;
      console.info(`row 14: paused reader: ${(flushed1 / 1e6).toFixed(2)} of ${(totalBytes / 1e6).toFixed(2)} MB accepted from the writer`);
      expect(writerDone).toBe(false);
      expect(flushed1).toBeLessThan(totalBytes / 4); // npc stopped reading: the writer is held back
      // ... and stays held back while the reader is still away (lines in flight, and so memory, stay bounded;
      // the peak RSS of this run is a figure of `npm run bench`, not a test).
      await sleep(1500);
      expect(flushed - flushed1).toBeLessThan(256 * 1024);
      expect(writerDone).toBe(false);

      // Phase 2: read everything.
      const chunks: Buffer[] = [];
      child.stdout.on('data', (d: Buffer) => chunks.push(d));
      const r = await done;
      await writer;
      expect(r.timedOut, `hang guard (${HANG_GUARD_MS / 1000} s, not a performance claim): npc never finished`).toBe(false);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const out = Buffer.concat(chunks).toString('utf8');
      const lines = out.split('\n');
      expect(lines.pop()).toBe('');
      expect(lines.length).toBe(N);
      let firstWrong = -1;
      for (let i = 0; i < N; i++) {
        if (lines[i] !== LABELS[classes[i]]) {
          firstWrong = i;
          break;
        }
      }
      expect(firstWrong, `line ${firstWrong + 1}: got ${lines[firstWrong]}, expected ${LABELS[classes[firstWrong]]}`).toBe(-1);
    },
    2 * HANG_GUARD_MS,
  );
});

// ---------------------------------------------------------------------------------------------------
describe.skipIf(!haveR8)('row 16: SIGINT / SIGTERM during eval', () => {
  // The evaluation checks for a signal between search batches, so the exit follows the signal without
  // finishing the run; the spawn's timeout is a hang guard, not a performance claim.
  it.each([
    ['SIGINT', '1', 130],
    ['SIGTERM', '1', 143],
    ['SIGTERM', '2', 143],
  ] as [NodeJS.Signals, string, number][])(
    'row 16: %s after ~2 s of eval (R8, --jobs %s): exit code %s, partial summary on stderr, no output files',
    async (signal, jobs, code) => {
      const out = makeTmp('npc-fm-r16-');
      const { child, done } = spawnNpc(
        [
          'eval',
          '--train',
          sharedDataPath(R8_TRAIN),
          '--test',
          sharedDataPath(R8_TEST),
          '--jobs',
          jobs,
          '--predictions',
          join(out, 'preds.jsonl'),
          '--save-neighbors',
          join(out, 'r8.nbr'),
        ],
        { stdin: 'null', timeoutMs: 60_000 },
      );
      await sleep(2000);
      child.kill(signal);
      const r = await done;
      expect(r.timedOut, 'hang guard (60 s, not a performance claim): npc did not exit after the signal').toBe(false);
      expect(r.signal).toBe(null);
      expect(r.code).toBe(code);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^npc: partial result \\(\\d+ rows? evaluated before ${signal}\\):\\n`));
      expect(r.stderr).toMatch(/^strict accuracy /m);
      expect(r.stderr).toMatch(new RegExp(`npc: interrupted by ${signal}\\n$`));
      expect(r.stderr).not.toMatch(/\n\s+at /);
      expect(listTree(out)).toEqual([]);
    },
    90_000,
  );
});
