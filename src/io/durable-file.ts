/**
 * Files that survive a crash once written: created exclusively and fsynced, and renames made durable by
 * syncing their directory (the model repository's versions and history).
 */
import { closeSync, fsyncSync, openSync, writeFileSync } from 'node:fs';

/** Creates `path` (it must not exist) holding `text`, synced to disk. */
export function writeDurably(path: string, text: string): void {
  const fd = openSync(path, 'wx', 0o666);
  try {
    writeFileSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Syncs a file already written to disk. */
export function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename in `dir` durable; some file systems cannot fsync a directory, and the rename has happened anyway. */
export function syncDirectory(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // not supported here
  }
}
