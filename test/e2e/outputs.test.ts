/**
 * Failure-matrix rows 23, 24 and 27 (docs/failure-matrix.md): where output options write, outputs npc
 * cannot write, signals while an output blocks, and a cache folder that cannot be created. Every path here is the test's own (a link of ours to /proc/self/fd/1, not
 * /dev/stdout), so a regression cannot damage the machine.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
  constants,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bytesWritten,
  cleanupTmp,
  expectNpcError,
  makeTmp,
  npcShell,
  q,
  run,
  shell,
  sleep,
  spawnNpc,
  unreadableStrategy,
  waitFor,
  writeJsonl,
} from '../helpers/failure-tools.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { requirePrerequisite } from '../helpers/prerequisites.js';

let dir: string;
let train: string;

beforeAll(() => {
  dir = makeTmp('npc-out-');
  chmodSync(dir, 0o755); // readable by `nobody` in the permission tests
  train = writeJsonl(
    join(dir, 'train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text })),
  );
  chmodSync(train, 0o644);
});
afterAll(() => cleanupTmp());

const evalArgs = (...more: string[]): string[] => ['eval', '--train', train, '--test', train, '-k', '1', '--quiet', ...more];
const predictionLines = (text: string): { index: number; prediction: string }[] =>
  text
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));

function mkfifo(path: string): void {
  const r = spawnSync('mkfifo', [path]);
  if (r.status !== 0) throw new Error(`mkfifo ${path} failed: ${r.stderr}`);
}

describe.concurrent('row 23: output paths that are stdout, devices, FIFOs and links', () => {
  it('row 23: --predictions - writes the predictions to stdout and the report to stderr', async () => {
    const r = await run(evalArgs('--predictions', '-'));
    expect(r.code).toBe(0);
    expect(predictionLines(r.stdout).map((p) => p.index)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(r.stderr).toMatch(/^test rows +6\n/);
    expect(existsSync(join(dir, '-'))).toBe(false);
  });

  it('row 23: a path naming stdout (our link to /proc/self/fd/1, /dev/fd/1) is stdout; the link stays a link', async () => {
    const link = join(makeTmp('npc-out-fd1-'), 'stdout.link');
    symlinkSync('/proc/self/fd/1', link);
    for (const path of [link, '/dev/fd/1']) {
      const r = await run(evalArgs('--predictions', path));
      expect(r.code, r.stderr).toBe(0);
      expect(predictionLines(r.stdout)).toHaveLength(6);
      expect(r.stderr).toMatch(/^test rows +6\n/);
    }
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
  });

  it('row 23: stdout redirected to the output file itself: predictions only in the file, the report on stderr', async () => {
    const out = join(makeTmp('npc-out-same-'), 'out.jsonl');
    const r = await shell(`${npcShell} ${evalArgs('--predictions', out).map(q).join(' ')} > ${q(out)}`);
    expect(r.status, r.stderr).toBe(0);
    expect(predictionLines(readFileSync(out, 'utf8'))).toHaveLength(6);
    expect(r.stderr).toMatch(/^test rows +6\n/);
  });

  it('row 23: a link to /dev/null is written through; the link stays a link to /dev/null', async () => {
    const link = join(makeTmp('npc-out-null-'), 'null.link');
    symlinkSync('/dev/null', link);
    for (const flag of ['--predictions', '--save-neighbors']) {
      const r = await run(evalArgs(flag, link));
      expect(r.code, r.stderr).toBe(0);
      expect(lstatSync(link).isSymbolicLink()).toBe(true);
      expect(readdirSync(join(link, '..'))).toEqual(['null.link']);
    }
  });

  it('row 23: a FIFO is written directly and its reader gets every line; it stays a FIFO', async () => {
    const fifo = join(makeTmp('npc-out-fifo-'), 'preds.fifo');
    mkfifo(fifo);
    const reader = shell(`cat ${q(fifo)}`);
    const r = await run(evalArgs('--predictions', fifo));
    expect(r.code, r.stderr).toBe(0);
    const read = await reader;
    expect(predictionLines(read.stdout)).toHaveLength(6);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
  });

  it('row 23: --save-neighbors - writes the binary file to stdout; both on stdout is a usage error', async () => {
    const r = await run(evalArgs('--save-neighbors', '-'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdoutBytes.subarray(0, 8).toString('latin1')).toBe('NPCNBR1\n');
    const both = await run(evalArgs('--save-neighbors', '-', '--predictions', '-'));
    expectNpcError(both, 2, '--predictions and --save-neighbors cannot both write to stdout');
  });

  it('row 23: a link to a regular file: the file it points to is replaced, the link kept', async () => {
    const sub = makeTmp('npc-out-link-');
    const real = join(sub, 'real.jsonl');
    writeFileSync(real, 'old\n');
    symlinkSync('real.jsonl', join(sub, 'link.jsonl'));
    symlinkSync('later.jsonl', join(sub, 'dangling.jsonl'));
    expect((await run(evalArgs('--predictions', join(sub, 'link.jsonl')))).code).toBe(0);
    expect((await run(evalArgs('--predictions', join(sub, 'dangling.jsonl')))).code).toBe(0);
    expect(lstatSync(join(sub, 'link.jsonl')).isSymbolicLink()).toBe(true);
    expect(lstatSync(join(sub, 'dangling.jsonl')).isSymbolicLink()).toBe(true);
    expect(predictionLines(readFileSync(real, 'utf8'))).toHaveLength(6);
    expect(predictionLines(readFileSync(join(sub, 'later.jsonl'), 'utf8'))).toHaveLength(6);
    expect(readdirSync(sub).sort()).toEqual(['dangling.jsonl', 'later.jsonl', 'link.jsonl', 'real.jsonl']);
  });

  it('row 23: a link (symbolic or hard) to an input is refused: the input is never replaced', async () => {
    const sub = makeTmp('npc-out-input-');
    const input = join(sub, 'test.jsonl');
    writeFileSync(input, readFileSync(train));
    symlinkSync(input, join(sub, 'sym.jsonl'));
    linkSync(input, join(sub, 'hard.jsonl'));
    for (const name of ['sym.jsonl', 'hard.jsonl']) {
      const path = join(sub, name);
      const r = await run(['eval', '--train', train, '--test', input, '--quiet', '--predictions', path]);
      expectNpcError(r, 2, `--predictions ${path} would overwrite an input file`);
    }
    expect(readFileSync(input, 'utf8')).toBe(readFileSync(train, 'utf8'));
  });
});

describe.concurrent('row 24: an output npc cannot write fails before any work, and never hangs', () => {
  it('row 24: into a folder npc may not write (as nobody): cannot write PATH: permission denied, exit 1, no hang, with 1 and 2 jobs', async (ctx) => {
    const how = unreadableStrategy();
    if (!how.ok || how.uid === undefined) {
      // As a non-root user the folder below would be ours; as root it must be run as nobody. Never pass silently.
      requirePrerequisite('row 24 (permission denied)', 'to run npc as nobody', how.ok ? 'not running as root' : how.reason);
      return ctx.skip();
    }
    const locked = join(dir, 'root-only');
    mkdirSync(locked, { mode: 0o755 });
    for (const [flag, name] of [
      ['--predictions', 'p.jsonl'],
      ['--save-neighbors', 'p.nbr'],
    ]) {
      for (const jobs of ['1', '2']) {
        const target = join(locked, name);
        const r = await run(evalArgs(flag, target, '--jobs', jobs), { uid: how.uid, gid: how.gid, timeoutMs: 30_000 });
        expect(r.timedOut, 'hang guard (30 s, not a performance claim): npc hung').toBe(false);
        expectNpcError(r, 1, `cannot write ${target}: permission denied`);
      }
    }
    expect(readdirSync(locked)).toEqual([]);
  });

  it('row 24: an existing file npc may not write (mode 444, as nobody) is refused, not replaced', async (ctx) => {
    const how = unreadableStrategy();
    if (!how.ok || how.uid === undefined) {
      requirePrerequisite('row 24 (read-only file)', 'to run npc as nobody', how.ok ? 'not running as root' : how.reason);
      return ctx.skip();
    }
    const folder = join(dir, 'nobody-owned');
    mkdirSync(folder, { mode: 0o755 });
    chownSync(folder, how.uid, how.gid!);
    const target = join(folder, 'p.jsonl');
    writeFileSync(target, 'keep me\n');
    chownSync(target, how.uid, how.gid!);
    chmodSync(target, 0o444);
    const r = await run(evalArgs('--predictions', target), { uid: how.uid, gid: how.gid });
    expectNpcError(r, 1, `cannot write ${target}: permission denied`);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
  });

  it('row 24: a file under /sys (a file system that takes no new files) → cannot write, exit 1, no hang', async (ctx) => {
    if (!requirePrerequisite('row 24 (/sys)', '/sys', existsSync('/sys/kernel') ? undefined : 'not on this machine')) return ctx.skip();
    const target = `/sys/npc-test-${process.pid}.jsonl`;
    const r = await run(evalArgs('--predictions', target, '--jobs', '2'), { timeoutMs: 30_000 });
    expect(r.timedOut, 'hang guard (30 s, not a performance claim): npc hung').toBe(false);
    expectNpcError(r, 1, new RegExp(`cannot write ${target}: (permission denied|read-only file system|no such file or directory)`));
  });

  it('row 24: SIGTERM while a write waits on a FIFO nobody reads: exit 143, partial report, nothing left', async () => {
    const sub = makeTmp('npc-out-stuck-');
    const test = writeJsonl(
      join(sub, 'test.jsonl'),
      Array.from({ length: 3000 }, (_, i) => ({ label: SENTENCES[i % 6][0], text: `${SENTENCES[i % 6][1]} ${i}` })),
    );
    const fifo = join(sub, 'p.fifo');
    mkfifo(fifo);
    // A reader that opens the FIFO and never reads: the pipe fills (64 KiB) and npc's writes wait.
    const fd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      const { child, done } = spawnNpc(['eval', '--train', train, '--test', test, '--quiet', '--jobs', '2', '--predictions', fifo], {
        stdin: 'null',
        timeoutMs: 60_000,
      });
      // Ready when it has filled the pipe (its signal handlers are in place long before), however slow the machine.
      // Full means within one line of 64 KiB: a write of at most PIPE_BUF (4,096) bytes is atomic, so a line
      // that does not fit waits whole and the pipe stops a few hundred bytes short (65,316-65,420 seen).
      const filled = await waitFor(() => (bytesWritten(child.pid!) ?? 0) >= 65536 - 4096, 40_000);
      expect(filled, 'npc never filled the pipe').toBe(true);
      await sleep(500);
      expect(child.exitCode, 'npc finished although nobody read its output').toBe(null);
      child.kill('SIGTERM');
      const r = await done;
      expect(r.timedOut, 'hang guard (60 s, not a performance claim): npc ignored SIGTERM').toBe(false);
      expect(r.code).toBe(143);
      expect(r.stderr).toMatch(/^npc: partial result \(\d+ rows? evaluated before SIGTERM\):\n/);
      expect(r.stderr).toMatch(/\nnpc: interrupted by SIGTERM\n$/);
    } finally {
      closeSync(fd);
    }
    expect(readdirSync(sub).sort()).toEqual(['p.fifo', 'test.jsonl']);
  });

  it('row 24: SIGINT while opening a FIFO that has no reader yet: exit 130, no hang', async () => {
    const fifo = join(makeTmp('npc-out-noreader-'), 'p.fifo');
    mkfifo(fifo);
    const { child, done } = spawnNpc(evalArgs('--predictions', fifo, '--jobs', '2'), { stdin: 'null', timeoutMs: 60_000 });
    // npc says it is waiting (so the wait does not look like a hang); then it is ready for the signal.
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    expect(await waitFor(() => stderr.includes('waiting for a reader'), 40_000), 'npc never said it was waiting').toBe(true);
    child.kill('SIGINT');
    const r = await done;
    expect(r.timedOut, 'hang guard (60 s, not a performance claim): npc ignored SIGINT').toBe(false);
    expect(r.code).toBe(130);
    expect(r.stderr).toBe(`npc: waiting for a reader of the FIFO ${fifo}\nnpc: interrupted by SIGINT\n`);
  });
});

describe('row 27: a cache folder that cannot be created', () => {
  it('row 27: NPC_DATA_DIR under /proc with a 20,000-row training file: one try, one warning, the prediction, no hang', async (ctx) => {
    if (!requirePrerequisite('row 27', '/proc', existsSync('/proc/self') ? undefined : 'not on this machine')) return ctx.skip();
    const big = writeJsonl(
      join(makeTmp('npc-out-big-'), 'big.jsonl'),
      Array.from({ length: 20_000 }, (_, i) => ({ label: SENTENCES[i % 6][0], text: `${SENTENCES[i % 6][1]} (${i})` })),
    );
    const cache = `/proc/npc-test-${process.pid}`;
    const r = await run(['classify', '--train', big, '--jobs', '2', SENTENCES[3][1]], { env: { NPC_DATA_DIR: cache }, timeoutMs: 60_000 });
    expect(r.timedOut, 'hang guard (60 s, not a performance claim): npc hung').toBe(false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('money\n');
    expect(r.stderr).toBe(
      `npc: warning: cannot cache the prepared training set in ${cache}/index (no such file or directory); the next run will prepare it again\n`,
    );
  });
});
