/**
 * Opening an output path (`--predictions`, `--save-neighbors`): one mechanism for every output option.
 *
 * - `-`, or a path that is the same file as stdout (`/dev/stdout`, `/proc/self/fd/1`, or the file
 *   stdout is redirected to): written to stdout, through the stream the caller passes in.
 * - An existing character or block device, FIFO or socket, after following links (`/dev/null`,
 *   `/dev/stderr`, a named pipe, `>(gzip > x.gz)`): written directly, never renamed over.
 * - Anything else is a regular file (existing or not): links are followed to the real target, which is
 *   written through a temporary file beside it and renamed over it on commit (io/atomic-file.ts).
 *
 * The output is opened here, before any work: an output npc cannot write fails at once with
 * `cannot write PATH: reason`. `sameFile` lets callers refuse an output that is one of their inputs,
 * whatever the spelling, symlink or hard link.
 */
import { constants, createWriteStream, openSync, type Stats } from 'node:fs';
import { lstat, readlink, realpath, stat } from 'node:fs/promises';
import { createConnection, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { dirname, resolve } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { type OutputSink, createAtomicWriter, describeWriteError } from './atomic-file.js';
import { writeChunk } from './stream-write.js';

export type { OutputSink } from './atomic-file.js';

/** The process's stdout as the caller (the CLI) knows it. */
export interface StdoutTarget {
  /** Where `-` writes. */
  stream: Writable;
  /** Device and inode of stdout (fstat of fd 1), to recognise a path that names it; undefined if unknown. */
  identity?: FileIdentity;
}

export interface FileIdentity {
  dev: number;
  ino: number;
}

export function identityOf(stats: Pick<Stats, 'dev' | 'ino'>): FileIdentity {
  return { dev: Number(stats.dev), ino: Number(stats.ino) };
}

export function sameIdentity(a: FileIdentity | undefined, b: FileIdentity | undefined): boolean {
  return a !== undefined && b !== undefined && a.dev === b.dev && a.ino === b.ino;
}

/** The file a path names now (links followed), or undefined if it does not exist. */
export async function fileIdentity(path: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await stat(path));
  } catch {
    return undefined;
  }
}

/** Where an output path goes, decided without opening anything. */
export type OutputPlan =
  { kind: 'stdout' } | { kind: 'direct'; path: string; what: 'device' | 'fifo' | 'socket' } | { kind: 'file'; target: string };

/** Decides how `path` is written (see the file comment). */
export async function planOutput(path: string, stdout?: StdoutTarget): Promise<OutputPlan> {
  if (path === '-') return { kind: 'stdout' };
  let stats: Stats | undefined;
  try {
    stats = await stat(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw describeWriteError(path, err);
  }
  if (stats === undefined) return { kind: 'file', target: await danglingTarget(path) };
  if (stdout?.identity && sameIdentity(identityOf(stats), stdout.identity)) return { kind: 'stdout' };
  if (stats.isDirectory()) throw describeWriteError(path, Object.assign(new Error('is a directory'), { code: 'EISDIR' }));
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return { kind: 'direct', path, what: 'device' };
  if (stats.isFIFO()) return { kind: 'direct', path, what: 'fifo' };
  if (stats.isSocket()) return { kind: 'direct', path, what: 'socket' };
  // A regular file: replace the file the links lead to, not the links.
  return { kind: 'file', target: await realpath(path).catch(() => resolve(path)) };
}

/** A path that does not exist yet: a missing file, or a link to one (followed, so the link keeps pointing at it). */
async function danglingTarget(path: string): Promise<string> {
  let current = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let isLink: boolean;
    try {
      isLink = (await lstat(current)).isSymbolicLink();
    } catch {
      return current; // nothing there: the new file goes here
    }
    if (!isLink) return current;
    current = resolve(dirname(current), await readlink(current));
  }
  throw describeWriteError(path, Object.assign(new Error('too many links'), { code: 'ELOOP' }));
}

/**
 * Opens `path` for writing as planned (see the file comment). Throws an InputError `cannot write PATH:
 * reason` when it cannot be written. `stdout` is required for `-`.
 */
export interface OpenOutputOptions {
  /** Required for `-` and paths naming stdout. */
  stdout?: StdoutTarget;
  fsync?: boolean;
  /** Ends a wait for a FIFO's reader. */
  signal?: AbortSignal;
  /** Told once when the output is a FIFO that has no reader yet (npc waits for one, as `cat > fifo` does). */
  onWaiting?: (message: string) => void;
}

export async function openOutput(path: string, options: OpenOutputOptions = {}): Promise<OutputSink> {
  const plan = await planOutput(path, options.stdout);
  switch (plan.kind) {
    case 'stdout': {
      const stream = options.stdout?.stream;
      if (!stream) throw new Error(`openOutput(${path}): no stdout stream given`);
      return streamSink(path, 'stdout', stream, false);
    }
    case 'direct':
      return streamSink(path, 'direct', await openDirect(plan.path, plan.what, options), true);
    case 'file':
      return createAtomicWriter(plan.target, { shown: path, fsync: options.fsync });
  }
}

/**
 * Opens a device for writing, a FIFO (waiting for its reader, as `cat > fifo` does), or a socket.
 * Nothing here may block a thread-pool thread: Node joins those threads on exit, so an open() or
 * write() stuck on a FIFO would keep the process alive after an error or a signal. A FIFO is therefore
 * opened non-blocking (retried while it has no reader, until `signal` aborts) and written through a
 * libuv pipe handle (net.Socket), like a piped stdout; a socket is connected to.
 */
async function openDirect(path: string, what: 'device' | 'fifo' | 'socket', options: OpenOutputOptions): Promise<Writable> {
  if (what === 'fifo') return new Socket({ fd: await openFifoForWriting(path, options), readable: false, writable: true });
  const stream: Writable = what === 'socket' ? createConnection({ path }) : createWriteStream(path, { flags: 'w' });
  await new Promise<void>((ready, fail) => {
    const onError = (err: Error): void => fail(describeWriteError(path, err));
    stream.once('error', onError);
    stream.once(what === 'socket' ? 'connect' : 'open', () => {
      stream.off('error', onError);
      ready();
    });
  });
  // Later errors are reported by write() and commit(); this listener only keeps them from being uncaught.
  stream.on('error', () => {});
  return stream;
}

/** How often a FIFO without a reader is tried again. */
const FIFO_RETRY_MS = 50;

async function openFifoForWriting(path: string, { signal, onWaiting }: OpenOutputOptions): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    try {
      return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
    } catch (err) {
      // ENXIO: no reader yet. Anything else is a real failure.
      if ((err as NodeJS.ErrnoException).code !== 'ENXIO') throw describeWriteError(path, err);
    }
    if (attempt === 0) onWaiting?.(`waiting for a reader of the FIFO ${path}`);
    if (signal?.aborted) throw signal.reason;
    await delay(FIFO_RETRY_MS, undefined, { signal }).catch(() => {
      throw signal!.reason;
    });
  }
}

/** Output written straight to a stream: nothing to rename, nothing to take back on abort. */
function streamSink(path: string, kind: 'direct' | 'stdout', stream: Writable, ownsStream: boolean): OutputSink {
  let ended = false;
  return {
    path,
    kind,
    async write(chunk) {
      try {
        await writeChunk(stream, chunk);
      } catch (err) {
        throw describeWriteError(path, err);
      }
    },
    async commit() {
      if (ended) return;
      ended = true;
      if (!ownsStream) return; // stdout stays open for whatever the command prints next
      try {
        stream.end();
        await finished(stream, { readable: false });
      } catch (err) {
        throw describeWriteError(path, err);
      }
    },
    async abort() {
      if (ended) return;
      ended = true;
      if (ownsStream) stream.destroy();
    },
  };
}
