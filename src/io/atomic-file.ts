/**
 * Writing a regular file so that readers see either the old content or the whole new content, never a
 * part: the data goes to a temporary file `.<name>.<pid>.<random>.tmp` in the target's directory (same
 * file system, so the final rename is atomic), which is renamed over the target on commit and removed
 * on abort. The temporary file is created when the writer is created, synchronously, so a folder npc
 * cannot write is reported at once, before any work, never after it. Temporary files still open when
 * the process exits (a second Ctrl-C, a closed stdout) are removed by an exit hook.
 *
 * Only for regular files: devices, FIFOs, sockets and stdout are written directly (io/output-sink.ts
 * decides which is which).
 */
import { randomBytes } from 'node:crypto';
import { accessSync, constants, createWriteStream, fchmodSync, openSync, rmSync, statSync, type WriteStream } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.js';
import { writeChunk } from './stream-write.js';

export interface AtomicWriteOptions {
  /** fsync the file (and then its directory) before and after the rename. Default false. */
  fsync?: boolean;
}

/** Something output goes to: a regular file (atomic), a device or FIFO, or stdout. */
export interface OutputSink {
  /** The path as given (for messages). */
  readonly path: string;
  /** How it is written: through a temporary file and a rename, directly, or to stdout. */
  readonly kind: 'file' | 'direct' | 'stdout';
  /** Writes a chunk, resolving once the destination can take more; rejects with an InputError on a write error. */
  write(chunk: string | Uint8Array): Promise<void>;
  /** Finishes the output (a regular file is renamed into place). */
  commit(): Promise<void>;
  /** Discards what can be discarded (a regular file's temporary file). Safe to call more than once. */
  abort(): Promise<void>;
}

export interface AtomicWriter extends OutputSink {
  /** The file that will be replaced (the target path, links already followed by the caller). */
  readonly target: string;
  /** The temporary file being written. */
  readonly tempPath: string;
  /** The stream behind write(); do not end it yourself (commit does). */
  readonly stream: WriteStream;
}

/** Temporary file name next to `path`. */
export function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Temporary files of this process not yet committed or aborted, and scratch directories (a download's
 * files): removed, a directory with everything in it, if the process exits first.
 */
const liveTempFiles = new Set<string>();
let exitHookInstalled = false;

function trackTempFile(path: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', () => {
      for (const temp of liveTempFiles) {
        try {
          rmSync(temp, { recursive: true, force: true });
        } catch {
          // already gone, or not ours to remove
        }
      }
    });
  }
  liveTempFiles.add(path);
}

/**
 * Has the exit hook remove `path`, a temporary file written by other means (a download) or a scratch
 * directory with everything in it, if the process exits (a signal) before the caller removes it; the
 * returned function forgets it again.
 */
export function removeAtExit(path: string): () => void {
  trackTempFile(path);
  return () => void liveTempFiles.delete(path);
}

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

/**
 * Checks that `target` can be replaced: its directory exists, it is not a directory, and an existing
 * file is writable (replacing a file we may not write would bypass its permissions). Returns the mode
 * of an existing target, to give the new file the same.
 */
function checkTarget(target: string, shown: string): number | undefined {
  const dir = dirname(target);
  let isDirectory: boolean;
  try {
    isDirectory = statSync(dir).isDirectory();
  } catch (err) {
    throw describeWriteError(shown, err);
  }
  if (!isDirectory) throw new InputError(`cannot write ${shown}: ${dir} is not a directory`);
  let existing: ReturnType<typeof statSync> | undefined;
  try {
    existing = statSync(target);
  } catch {
    existing = undefined;
  }
  if (existing?.isDirectory()) throw new InputError(`cannot write ${shown}: it is a directory`);
  if (existing) {
    try {
      accessSync(target, constants.W_OK);
    } catch (err) {
      throw describeWriteError(shown, err);
    }
  }
  return existing ? Number(existing.mode) & 0o7777 : undefined;
}

const WRITE_REASONS: Record<string, string> = {
  ENOENT: 'directory does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EISDIR: 'it is a directory',
  ENOTDIR: 'a parent is not a directory',
  ENXIO: 'no reader on the other end (device or socket not available)',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  EPIPE: 'the reader closed it',
  EIO: 'input/output error',
  EFBIG: 'file too large',
};

/** One-line `InputError` for a failed open, write or rename: `cannot write PATH: reason`. */
export function describeWriteError(path: string, err: unknown): InputError {
  if (err instanceof InputError) return err;
  const e = err as NodeJS.ErrnoException;
  const reason = (e?.code && WRITE_REASONS[e.code]) ?? (e?.message?.split('\n')[0] || String(err));
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

/** Writes `data` to `path` atomically (a regular file; links are not followed: the link itself is replaced). */
export async function writeFileAtomic(path: string, data: string | Uint8Array, options: AtomicWriteOptions = {}): Promise<void> {
  const writer = createAtomicWriter(path, options);
  try {
    await writer.write(data);
    await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/**
 * Starts an atomic write of the regular file `target` (`shown`: the path to name in messages, default
 * `target`). The temporary file is created here; an unwritable folder throws an InputError at once.
 * Write with `write()` (or `stream`, respecting backpressure), then `commit()`, or `abort()` on failure.
 */
export function createAtomicWriter(target: string, options: AtomicWriteOptions & { shown?: string } = {}): AtomicWriter {
  const shown = options.shown ?? target;
  const mode = checkTarget(target, shown);
  const tempPath = tempPathFor(target);
  let fd: number;
  try {
    fd = openSync(tempPath, 'wx', 0o666);
  } catch (err) {
    throw describeWriteError(shown, err);
  }
  trackTempFile(tempPath);
  try {
    if (mode !== undefined) fchmodSync(fd, mode);
  } catch {
    // Keeping the old mode is a courtesy; the umask's default is fine too.
  }
  const stream = createWriteStream('', { fd, flush: options.fsync === true });
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
    liveTempFiles.delete(tempPath);
  }

  async function write(chunk: string | Uint8Array): Promise<void> {
    if (state !== 'open') throw new Error(`atomic write of ${shown} already ${state}`);
    try {
      await writeChunk(stream, chunk);
    } catch (err) {
      throw describeWriteError(shown, err);
    }
  }

  async function commit(): Promise<void> {
    if (state !== 'open') throw new Error(`atomic write of ${shown} already ${state === 'aborted' ? 'aborted' : 'committed'}`);
    state = 'committing';
    try {
      const done = closed();
      if (!stream.destroyed) stream.end();
      await done; // 'close' comes after 'error', so streamError is known now
      if (streamError !== undefined) throw streamError;
      if (stream.writableFinished !== true) throw new Error('the stream was destroyed before commit');
      await rename(tempPath, target);
      liveTempFiles.delete(tempPath);
    } catch (err) {
      state = 'open';
      await abort();
      throw describeWriteError(shown, err);
    }
    state = 'committed';
    if (options.fsync) await fsyncDirectory(dirname(target));
  }

  return { path: shown, target, kind: 'file', tempPath, stream, write, commit, abort };
}
