/**
 * Writing a file so that readers see either the old content or the whole new content, never a part:
 * the data goes to a temporary file `.<name>.<pid>.<random>.tmp` in the target's directory (same file
 * system, so the final rename is atomic), which is renamed over the target on commit and removed on abort.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream, statSync, type WriteStream } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { InputError } from '../errors.js';

export interface AtomicWriteOptions {
  /** fsync the file (and then its directory) before and after the rename. Default false. */
  fsync?: boolean;
}

export interface AtomicWriter {
  /** The target path. */
  readonly path: string;
  /** The temporary file being written. */
  readonly tempPath: string;
  /** Write the content here; do not end it yourself (commit does). */
  readonly stream: Writable;
  /** Ends the stream, waits for the data to reach the file, renames it over the target. */
  commit(): Promise<void>;
  /** Discards everything written: closes and removes the temporary file. Safe to call more than once. */
  abort(): Promise<void>;
}

/** Temporary file name next to `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Removes temporary files left in `dir` by processes that no longer run (killed mid-write). Files of
 * live processes, including this one, are left alone. Returns the names removed.
 */
export async function removeStaleTempFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (!pid || pid === process.pid || isRunning(pid)) continue;
    await unlinkQuietly(join(dir, name));
    removed.push(name);
  }
  return removed;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

/** Throws a clear `InputError` when `path`'s directory is missing or not a directory. */
function checkDirectory(path: string): void {
  const dir = dirname(path);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(`cannot write ${path}: directory does not exist`);
    }
    throw describeWriteError(path, err);
  }
  if (!isDirectory) throw new InputError(`cannot write ${path}: ${dir} is not a directory`);
  // The final rename would fail on a directory only after all the work: refuse it now.
  let target: ReturnType<typeof statSync> | undefined;
  try {
    target = statSync(path);
  } catch {
    target = undefined;
  }
  if (target?.isDirectory()) throw new InputError(`cannot write ${path}: it is a directory`);
}

/** One-line `InputError` for a failed write, rename or open. */
function describeWriteError(path: string, err: unknown): Error {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  const reasons: Record<string, string> = {
    ENOENT: 'directory does not exist',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EISDIR: 'it is a directory',
    ENOTDIR: 'a parent is not a directory',
  };
  const reason = (e.code && reasons[e.code]) ?? (e.message || String(err));
  return new InputError(`cannot write ${path}: ${reason}`);
}

async function fsyncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms and file systems cannot fsync a directory; the rename itself has happened.
  }
}

async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch {
    // Already gone (or never created).
  }
}

/** Writes `data` to `path` atomically. */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  checkDirectory(path);
  const temp = tempPathFor(path);
  try {
    const handle = await open(temp, 'wx');
    try {
      await handle.writeFile(data);
      if (options.fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (err) {
    await unlinkQuietly(temp);
    throw describeWriteError(path, err);
  }
  if (options.fsync) await fsyncDirectory(dirname(path));
}

/**
 * Starts an atomic write of `path` through a stream. The caller writes to `stream` (respecting
 * backpressure) and then calls `commit()`, or `abort()` on any failure. A stream error is reported by
 * `commit()` (and the temporary file removed), so no 'error' listener is needed.
 */
export function createAtomicWriter(path: string, options: AtomicWriteOptions = {}): AtomicWriter {
  checkDirectory(path);
  const tempPath = tempPathFor(path);
  const stream: WriteStream = createWriteStream(tempPath, { flags: 'wx', flush: options.fsync === true });
  let streamError: unknown;
  stream.on('error', (err) => {
    streamError ??= err;
  });
  let state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';

  const closed = (): Promise<void> =>
    new Promise((resolve) => {
      if (stream.closed) resolve();
      else stream.once('close', () => resolve());
    });

  async function abort(): Promise<void> {
    if (state === 'committed' || state === 'aborted') return;
    state = 'aborted';
    if (!stream.closed) {
      const done = closed();
      stream.destroy();
      await done;
    }
    await unlinkQuietly(tempPath);
  }

  async function commit(): Promise<void> {
    if (state !== 'open') throw new Error(`atomic write of ${path} already ${state === 'aborted' ? 'aborted' : 'committed'}`);
    state = 'committing';
    try {
      const done = closed();
      if (!stream.destroyed) stream.end();
      await done; // 'close' comes after 'error', so streamError is known now
      if (streamError !== undefined) throw streamError;
      if (stream.writableFinished !== true) throw new Error('the stream was destroyed before commit');
      await rename(tempPath, path);
    } catch (err) {
      state = 'open';
      await abort();
      throw describeWriteError(path, err);
    }
    state = 'committed';
    if (options.fsync) await fsyncDirectory(dirname(path));
  }

  return { path, tempPath, stream, commit, abort };
}
