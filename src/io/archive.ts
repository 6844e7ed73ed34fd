/**
 * Reading the members of a data set archive as streams: `.tar.gz`/`.tgz`/`.tar` with tar-stream, `.zip`
 * with yauzl (never a shelled-out tar or unzip). Every member path is checked before it is used: an
 * absolute path, a `..` segment, a backslash or a drive letter is an error naming the archive and the
 * member. A truncated or corrupt archive is an error naming the archive. Members are handed out in
 * archive order; each one's body must be read (or skipped) before the next is produced.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { PassThrough, Readable } from 'node:stream';
import * as tar from 'tar-stream';
import yauzl from 'yauzl';
import { DataError } from '../errors.js';
import type { FileTree } from './data-layouts.js';

export interface ArchiveMember {
  /** The member's path inside the archive (checked: relative, no `..`), without a trailing slash. */
  path: string;
  type: 'file' | 'directory' | 'other';
  /** Size in bytes as the archive records it. */
  size: number;
  /** The member's bytes (for files; an empty stream for the others). */
  body: Readable;
}

/** The archive kinds npc reads, by file name. */
export function archiveKind(file: string): 'tar.gz' | 'tar' | 'zip' {
  if (/\.(tar\.gz|tgz)$/i.test(file)) return 'tar.gz';
  if (/\.tar$/i.test(file)) return 'tar';
  if (/\.zip$/i.test(file)) return 'zip';
  throw new DataError(`${file}: not an archive npc reads (.tar.gz, .tgz, .tar, .zip)`);
}

/** Checks a member path; returns it without `./` prefixes and a trailing slash. */
export function checkMemberPath(archive: string, raw: string): string {
  const path = raw.replace(/^(\.\/)+/, '').replace(/\/+$/, '');
  const parts = path.split('/');
  if (
    raw.startsWith('/') ||
    /^[A-Za-z]:/.test(raw) ||
    raw.includes('\\') ||
    raw.includes('\0') ||
    parts.some((p) => p === '..') ||
    path === ''
  ) {
    throw new DataError(`${archive}: member path ${JSON.stringify(raw)} escapes the archive (absolute or with "..")`);
  }
  return parts.filter((p) => p !== '.').join('/');
}

/** The members of the archive at `path` (its kind from `name`), each checked. `name` is used in errors. */
export async function* archiveMembers(path: string, name: string, kind = archiveKind(name)): AsyncGenerator<ArchiveMember> {
  if (kind === 'zip') yield* zipMembers(path, name);
  else yield* tarMembers(path, name, kind === 'tar.gz');
}

async function* tarMembers(path: string, name: string, gzip: boolean): AsyncGenerator<ArchiveMember> {
  const input = createReadStream(path);
  const extract = tar.extract();
  let failure: Error | undefined;
  const fail = (err: Error) => {
    failure ??= err;
    extract.destroy(err);
  };
  input.on('error', fail);
  if (gzip) {
    const gunzip = createGunzip();
    gunzip.on('error', fail);
    input.pipe(gunzip).pipe(extract);
  } else {
    input.pipe(extract);
  }
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const type =
        header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type === 'directory' ? 'directory' : 'other';
      const memberPath = checkMemberPath(name, header.name);
      yield { path: memberPath, type, size: header.size ?? 0, body: entry as unknown as Readable };
      entry.resume(); // whatever the caller did not read
    }
  } catch (err) {
    if (err instanceof DataError) throw err;
    const e = (failure ?? err) as NodeJS.ErrnoException;
    throw new DataError(`${name}: truncated or corrupt archive (${e.message})`);
  } finally {
    input.destroy();
  }
  if (failure) throw new DataError(`${name}: truncated or corrupt archive (${failure.message})`);
}

async function* zipMembers(path: string, name: string): AsyncGenerator<ArchiveMember> {
  const corrupt = (err: unknown) => new DataError(`${name}: truncated or corrupt archive (${(err as Error).message})`);
  let zip: yauzl.ZipFile;
  try {
    zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.open(
        path,
        { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true, strictFileNames: false },
        (err, z) => (err ? reject(err) : resolve(z)),
      ),
    );
  } catch (err) {
    throw corrupt(err);
  }
  try {
    for (;;) {
      const entry = await new Promise<yauzl.Entry | undefined>((resolve, reject) => {
        const onEntry = (e: yauzl.Entry) => {
          zip.off('end', onEnd);
          zip.off('error', onError);
          resolve(e);
        };
        const onEnd = () => {
          zip.off('entry', onEntry);
          zip.off('error', onError);
          resolve(undefined);
        };
        const onError = (err: Error) => {
          zip.off('entry', onEntry);
          zip.off('end', onEnd);
          reject(err);
        };
        zip.once('entry', onEntry);
        zip.once('end', onEnd);
        zip.once('error', onError);
        zip.readEntry();
      }).catch((err: unknown) => {
        // yauzl refuses an escaping name itself ("invalid relative path: ../x", "absolute path: /x").
        const escaping = /^(invalid relative path|absolute path): (.*)$/.exec((err as Error).message);
        if (escaping)
          throw new DataError(`${name}: member path ${JSON.stringify(escaping[2])} escapes the archive (absolute or with "..")`);
        throw corrupt(err);
      });
      if (!entry) return;
      const memberPath = checkMemberPath(name, entry.fileName);
      if (entry.fileName.endsWith('/')) {
        yield { path: memberPath, type: 'directory', size: 0, body: Readable.from([]) };
        continue;
      }
      const body = await new Promise<Readable>((resolve, reject) =>
        zip.openReadStream(entry, (err, stream) => (err ? reject(corrupt(err)) : resolve(stream))),
      );
      // Errors while the caller reads (a bad CRC, a short member) carry the archive's name.
      const checked = body.pipe(new PassThrough());
      body.on('error', (err) => checked.destroy(corrupt(err)));
      yield { path: memberPath, type: 'file', size: entry.uncompressedSize, body: checked };
      checked.resume();
      await new Promise<void>((resolve) => {
        if (checked.readableEnded || checked.destroyed) resolve();
        else {
          checked.once('end', () => resolve());
          checked.once('close', () => resolve());
        }
      });
    }
  } finally {
    zip.close();
  }
}

/** The files of `<folder>/<class>/<file>` members of an archive. */
export async function archiveFolderFiles(path: string, name: string, folder: string): Promise<FileTree> {
  const tree: FileTree = new Map();
  const prefix = `${folder}/`;
  for await (const member of archiveMembers(path, name)) {
    if (!member.path.startsWith(prefix) || member.type === 'directory') continue; // another split's, or a folder
    const rest = member.path.slice(prefix.length).split('/');
    if (member.type !== 'file' || rest.length !== 2) {
      throw new DataError(`${name}: unexpected member ${member.path} (expected ${folder}/<class>/<file>)`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of member.body) chunks.push(chunk as Buffer);
    let files = tree.get(rest[0]);
    if (!files) tree.set(rest[0], (files = new Map()));
    files.set(rest[1], Buffer.concat(chunks));
  }
  return tree;
}
