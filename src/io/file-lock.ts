/**
 * A lock file that works on a shared (network) file system and survives killed processes: created by
 * link(2) of a complete temporary file (atomic and exclusive on NFS too) holding the owner's pid, host,
 * time and a token. A lock whose owner is a dead process on this host is broken at once; any other lock
 * older than LOCK_STALE_MS (by the time written in it) is broken as left by a killed process. The model
 * repository (model-repository.ts) holds one per model name, for milliseconds.
 */
import { randomBytes } from 'node:crypto';
import { linkSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { InputError } from '../errors.js';
import { describeWriteError } from './atomic-file.js';
import { writeDurably } from './durable-file.js';
import { systemReason } from './lines.js';

/** A lock older than this (by the time its owner wrote in it) is taken as left by a killed process. */
export const LOCK_STALE_MS = 30_000;
/** How long a change waits for the lock before giving up. */
export const LOCK_WAIT_MS = 120_000;

interface LockOwner {
  pid: number;
  host: string;
  time: string;
  token: string;
}

/** Takes the lock at `lock`, waiting up to LOCK_WAIT_MS (breaking a stale one); returns the token releaseLock needs. */
export function acquireLock(lock: string): string {
  const token = randomBytes(8).toString('hex');
  const owner: LockOwner = { pid: process.pid, host: hostname(), time: new Date().toISOString(), token };
  const temp = `${lock}.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    writeDurably(temp, JSON.stringify(owner) + '\n');
  } catch (err) {
    rmSync(temp, { force: true });
    throw describeWriteError(lock, err);
  }
  const started = Date.now();
  try {
    for (let attempt = 0; ; attempt++) {
      try {
        linkSync(temp, lock);
        return token;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw describeWriteError(lock, err);
      }
      const held = readLock(lock);
      if (held === undefined) continue; // released meanwhile
      if (isStale(held)) {
        breakLock(lock, held);
        continue;
      }
      if (Date.now() - started > LOCK_WAIT_MS)
        throw new InputError(
          `the repository is locked by pid ${held.owner?.pid ?? '?'} on ${held.owner?.host ?? '?'} since ${held.owner?.time ?? '?'}; gave up after ${LOCK_WAIT_MS / 1000} s`,
          lock,
        );
      sleepSync(10 + Math.min(attempt, 20) * 5 * Math.random());
    }
  } finally {
    rmSync(temp, { force: true });
  }
}

function readLock(lock: string): { owner?: LockOwner; mtimeMs: number; text: string } | undefined {
  try {
    const mtimeMs = statSync(lock).mtimeMs;
    const text = readFileSync(lock, 'utf8');
    let owner: LockOwner | undefined;
    try {
      owner = JSON.parse(text) as LockOwner;
    } catch {
      owner = undefined;
    }
    return { owner, mtimeMs, text };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new InputError(`cannot read: ${systemReason(err)}`, lock);
  }
}

function isStale(held: { owner?: LockOwner; mtimeMs: number }): boolean {
  const { owner } = held;
  if (owner && owner.host === hostname() && Number.isSafeInteger(owner.pid) && !isRunning(owner.pid)) return true;
  const since = owner ? Date.parse(owner.time) : NaN;
  return Date.now() - (Number.isNaN(since) ? held.mtimeMs : since) > LOCK_STALE_MS;
}

/** Removes a stale lock, unless another process replaced it meanwhile (then it is put back). */
function breakLock(lock: string, held: { text: string }): void {
  const aside = `${lock}.broken.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`;
  try {
    renameSync(lock, aside);
  } catch {
    return; // someone else broke or released it
  }
  let text = '';
  try {
    text = readFileSync(aside, 'utf8');
  } catch {
    // gone: nothing to put back
  }
  if (text !== held.text) {
    try {
      linkSync(aside, lock); // a fresh lock, not the stale one: give it back
    } catch {
      // its owner's version rename still never replaces a version (see register)
    }
  }
  rmSync(aside, { force: true });
}

/** Removes the lock if it is still the one `token` took. */
export function releaseLock(lock: string, token: string): void {
  const held = readLock(lock);
  if (held?.owner?.token === token) rmSync(lock, { force: true });
}

/** Whether a process of this host with this pid is alive (EPERM: alive, someone else's). */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
