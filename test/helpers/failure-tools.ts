/**
 * Tools for the end-to-end tests (the failure matrix's files, test/e2e/fuzz-inputs.test.ts and others):
 * spawning the built CLI with more control than `runNpc` (a file or a live pipe as stdin, another uid,
 * signals), checking npc's one-line error convention, a deliberately slow HTTP server, temporary
 * directories that are cleaned up, and small file utilities. Nothing here touches the network beyond
 * 127.0.0.1, and no data set rows are written into the repository.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { assertBuilt, childEnv, npcBin, repoRoot, type RunResult } from './run-npc.js';

export interface SpawnOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** 'pipe' (default): the caller writes to child.stdin; a path: stdin is that file; 'null': /dev/null. */
  stdin?: 'pipe' | 'null' | { file: string };
  /** Run as another user (only possible as root). */
  uid?: number;
  gid?: number;
  /** Hang guard: SIGKILL after this long (default 120 s); `timedOut` is then true. */
  timeoutMs?: number;
  /** Do not collect stdout (the caller reads child.stdout itself). */
  ownStdout?: boolean;
  /** The script to run instead of bin/npc.js (a test-only entry point such as test/helpers/npc-with-faulty-worker.mjs). */
  entry?: string;
}

export interface SpawnResult extends RunResult {
  /** True when the process had to be killed by the timeout. */
  timedOut: boolean;
  /** stdout as raw bytes (stdout is the same, decoded as UTF-8). */
  stdoutBytes: Buffer;
}

export interface Spawned {
  child: ChildProcessWithoutNullStreams;
  /** Resolves when the process has exited and its output streams are closed. */
  done: Promise<SpawnResult>;
}

/** Spawns `node bin/npc.js ...args` (or `options.entry`) and collects its output. */
export function spawnNpc(args: string[], options: SpawnOptions = {}): Spawned {
  assertBuilt();
  let stdinFd: number | undefined;
  let stdio: ('pipe' | 'ignore' | number)[] = ['pipe', 'pipe', 'pipe'];
  if (options.stdin === 'null') stdio = ['ignore', 'pipe', 'pipe'];
  else if (typeof options.stdin === 'object') {
    stdinFd = openSync(options.stdin.file, 'r');
    stdio = [stdinFd, 'pipe', 'pipe'];
  }
  const child = spawn(process.execPath, [options.entry ?? npcBin, ...args], {
    cwd: options.cwd ?? repoRoot,
    env: { ...childEnv(), ...options.env },
    stdio,
    uid: options.uid,
    gid: options.gid,
  }) as ChildProcessWithoutNullStreams;
  if (stdinFd !== undefined) closeSync(stdinFd);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  if (!options.ownStdout) child.stdout.on('data', (d: Buffer) => stdout.push(d));
  child.stderr.on('data', (d: Buffer) => stderr.push(d));
  child.stdin?.on('error', () => {});
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 120_000);
  const done = new Promise<SpawnResult>((resolve, reject) => {
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const bytes = Buffer.concat(stdout);
      resolve({
        code,
        signal,
        stdout: bytes.toString('utf8'),
        stdoutBytes: bytes,
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
    });
  });
  return { child, done };
}

/** Runs npc to completion: `input` is written to stdin (or stdin is a file / /dev/null). */
export async function run(args: string[], options: SpawnOptions & { input?: string | Buffer } = {}): Promise<SpawnResult> {
  const stdinMode = options.stdin ?? 'pipe';
  const { child, done } = spawnNpc(args, { ...options, stdin: stdinMode });
  if (stdinMode === 'pipe') {
    if (options.input !== undefined) child.stdin.end(options.input);
    else child.stdin.end();
  }
  return done;
}

/** A run through `bash -c` with pipefail (for `npc ... | head -1`). */
export function shell(
  command: string,
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<{ status: number | null; stdout: string; stderr: string; timedOut: boolean }> {
  assertBuilt();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', `set -o pipefail; ${command}`], {
      env: { ...childEnv(), ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => stdout.push(d));
    child.stderr.on('data', (d: Buffer) => stderr.push(d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout: Buffer.concat(stdout).toString('utf8'), stderr: Buffer.concat(stderr).toString('utf8'), timedOut });
    });
  });
}

/** `"node" "bin/npc.js"` quoted for a shell command line. */
export const npcShell = `"${process.execPath}" "${npcBin}"`;

/** Shell-quotes one argument. */
export function q(arg: string): string {
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * npc's error convention: exit `code`, exactly one line on stderr, `npc: ` + a message matching
 * `message` (a RegExp source, anchored at both ends, or an exact string), no stack trace, no
 * internal error, and (unless `stdout` says otherwise) nothing on stdout.
 */
export function expectNpcError(
  r: RunResult,
  code: number,
  message: RegExp | string,
  options: { stdout?: string | RegExp; usage?: boolean } = {},
): void {
  const context = `exit ${r.code} signal ${r.signal}\nstderr: ${JSON.stringify(r.stderr)}`;
  expect(r.stderr, context).not.toMatch(/\n\s+at /);
  expect(r.stderr, context).not.toContain('internal error');
  expect(r.code, context).toBe(code);
  // Usage errors are one line too, ending in ` (see --help)`.
  const lines = r.stderr.replace(/\n$/, '').split('\n');
  expect(lines, context).toHaveLength(1);
  expect(r.stderr.endsWith('\n'), context).toBe(true);
  let line = lines[0];
  if (options.usage) {
    expect(line, context).toMatch(/ \(see --help\)$/);
    line = line.replace(/ \(see --help\)$/, '');
  }
  if (typeof message === 'string') expect(line, context).toBe(`npc: ${message}`);
  else expect(line, context).toMatch(new RegExp(`^npc: ${message.source}$`, message.flags));
  if (options.stdout === undefined) expect(r.stdout, context).toBe('');
  else if (typeof options.stdout === 'string') expect(r.stdout, context).toBe(options.stdout);
  else expect(r.stdout, context).toMatch(options.stdout);
}

const tmpDirs: string[] = [];

/** A fresh directory under the OS temp dir, removed by `cleanupTmp()`. */
export function makeTmp(prefix = 'npc-fm-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  tmpDirs.push(dir);
  return dir;
}

export function cleanupTmp(): void {
  for (const dir of tmpDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/**
 * A fresh temp folder (removed by `cleanupTmp()`) holding `train.jsonl` with one `{"label", "text"}` line per
 * `[label, text]` row: the training set most end-to-end test files start from.
 */
export function makeTrainingDir(
  prefix: string,
  rows: readonly (readonly [label: string | number, text: string])[],
): { dir: string; train: string } {
  const dir = makeTmp(prefix);
  const train = writeJsonl(
    join(dir, 'train.jsonl'),
    rows.map(([label, text]) => ({ label, text })),
  );
  return { dir, train };
}

/** Writes `content` to `dir/name` and returns the path. */
export function writeIn(dir: string, name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** Writes `{"label", "text"}` objects (or any objects) one per line. */
export function writeJsonl(path: string, rows: readonly object[], options: { finalNewline?: boolean } = {}): string {
  const body = rows.map((r) => JSON.stringify(r)).join('\n');
  writeFileSync(path, options.finalNewline === false ? body : `${body}\n`);
  return path;
}

/** Every file and directory under `dir`, relative, sorted (dot files included). */
export function listTree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      out.push(relative(dir, p));
      if (statSync(p).isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out.sort();
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/** Bytes a live process has written so far (Linux /proc/PID/io `wchar`), or undefined when it is gone. */
export function bytesWritten(pid: number): number | undefined {
  try {
    const io = readFileSync(`/proc/${pid}/io`, 'utf8');
    const n = /^wchar:\s+(\d+)$/m.exec(io)?.[1];
    return n === undefined ? undefined : Number(n);
  } catch {
    return undefined;
  }
}

/** Polls `condition` every 50 ms until it holds (true) or `ms` pass (false). */
export async function waitFor(condition: () => boolean, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (condition()) return true;
    await sleep(50);
  }
  return condition();
}

/**
 * Waits until `value()` stops changing (the same for a second) while `finished()` is false: true then;
 * false when `finished()` turns true first or `guardMs` pass (a hang guard, not a performance claim).
 */
export async function waitForStall(value: () => number, finished: () => boolean, guardMs: number): Promise<boolean> {
  const until = Date.now() + guardMs;
  let last = value();
  let since = Date.now();
  while (Date.now() < until && !finished()) {
    await sleep(100);
    const now = value();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since >= 1000) return !finished();
  }
  return false;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * How to make a file unreadable to npc. chmod 000 does nothing against root, so as root npc is run
 * as `nobody` (uid/gid 65534) instead; `reason` says why it cannot be done when it cannot.
 */
export function unreadableStrategy(): { ok: true; uid?: number; gid?: number } | { ok: false; reason: string } {
  const uid = process.getuid?.();
  if (uid === undefined) return { ok: false, reason: 'no POSIX uids on this platform' };
  if (uid !== 0) return { ok: true };
  const probe = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(npcBin)}, require('fs').constants.R_OK)`], {
    uid: 65534,
    gid: 65534,
    encoding: 'utf8',
  });
  if (probe.error) return { ok: false, reason: `running as root and cannot spawn as nobody: ${probe.error.message}` };
  if (probe.status !== 0) return { ok: false, reason: `running as root and nobody (65534) cannot read ${npcBin}: ${probe.stderr.trim()}` };
  return { ok: true, uid: 65534, gid: 65534 };
}

/** sha256 of the cached AG News test JSONL (= the shared test.jsonl.gz decompressed). */
export const AG_NEWS_TEST_JSONL_SHA256 = '896c59c12f49cf4cfdbd2c3296b5c532224be953c3b4560c8bbc114b8a1db411';

/**
 * A fresh cache (NPC_DATA_DIR) holding the AG News test split, made by `npc data get --from DIR`
 * with DIR holding a symlink to the shared test.csv.gz.
 */
export async function makeAgNewsTestCache(sharedTestCsvGz: string): Promise<{ cache: string; jsonl: string; meta: string }> {
  const mirror = makeTmp('npc-fm-mirror-');
  const cache = makeTmp('npc-fm-cache-');
  symlinkSync(sharedTestCsvGz, join(mirror, 'test.csv.gz'));
  const r = await run(['data', 'get', 'ag_news', '--split', 'test', '--from', mirror, '--quiet'], { env: { NPC_DATA_DIR: cache } });
  if (r.code !== 0) throw new Error(`npc data get --from ${mirror} failed: ${r.stderr}`);
  const jsonl = join(cache, 'ag_news', 'test.jsonl');
  return { cache, jsonl, meta: join(cache, 'ag_news', 'test.meta.json') };
}

/** Runs async tasks with at most `limit` at a time, preserving result order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  });
  await Promise.all(workers);
  return results;
}

/** Rejects after `ms` with a message naming `what` (a hang guard for library calls, not a performance claim). */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`hang guard: ${what} did not finish within ${ms} ms (not a performance claim)`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
