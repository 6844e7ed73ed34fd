/**
 * Byte-level line reading shared by the JSONL and plain-text readers: opens a path or stdin,
 * gunzips when the data starts with the gzip magic bytes, splits on LF (a CR before it belongs to the
 * line's end, not its text), strips a UTF-8 BOM at the start, and decodes each line as strict UTF-8 so
 * that invalid bytes are reported with their line instead of being silently replaced (C() is defined on bytes).
 */
import { createReadStream, statSync } from 'node:fs';
import { createGunzip, type Gunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import { basename } from 'node:path';
import { InputError, at } from '../errors.js';

export interface OpenedInput {
  /** Decompressed bytes. */
  stream: Readable;
  /** Name for error messages: the path as given, or `<stdin>`. */
  source: string;
  /**
   * After a reader failed on this input: whether the gzip data itself is corrupt (read to its end and
   * its CRC checked), as an InputError to report instead; undefined when it is not gzip or is intact.
   * Corrupt gzip data can decompress to garbage well before zlib notices, so a "bad line" in a gzipped
   * input must be checked against this before it is reported.
   */
  gzipProblem(): Promise<InputError | undefined>;
}

/** Opens a path (or `-` for stdin), failing early with a one-line InputError for missing files and folders. */
export function openInput(path: string, stdin: Readable = process.stdin): OpenedInput {
  if (path === '-') return gunzipIfNeeded(stdin, '<stdin>');
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (err) {
    throw new InputError(`cannot read: ${systemReason(err)}`, path);
  }
  if (isDirectory) throw new InputError('is a directory, expected a file', path);
  return gunzipIfNeeded(createReadStream(path), path);
}

/** `ENOENT: no such file or directory, open 'x'` → `no such file or directory`. */
export function systemReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e.code === 'string') {
    const reasons: Record<string, string> = {
      ENOENT: 'no such file or directory',
      EACCES: 'permission denied',
      EISDIR: 'is a directory',
      ENOTDIR: 'a path component is not a directory',
      EMFILE: 'too many open files',
    };
    return reasons[e.code] ?? e.message.split('\n')[0];
  }
  return e instanceof Error ? e.message.split('\n')[0] : String(err);
}

/** Peeks at the first two bytes; pipes through gunzip when they are the gzip magic 1f 8b. */
function gunzipIfNeeded(input: Readable, source: string): OpenedInput {
  const out = new PassThrough();
  let decided = false;
  let head: Buffer[] = [];
  let headLength = 0;
  let gunzip: Gunzip | undefined;
  let gzipError: InputError | undefined;
  let gzipEnded = false;
  const decide = (): void => {
    decided = true;
    const first = Buffer.concat(head, headLength);
    head = [];
    input.removeListener('data', onData);
    input.removeListener('end', onEnd);
    input.pause();
    const isGzip = first.length >= 2 && first[0] === 0x1f && first[1] === 0x8b;
    if (isGzip) {
      gunzip = createGunzip();
      gunzip.on('error', (err) => {
        gzipError ??= new InputError(`corrupt gzip data (${err.message.split('\n')[0]})`, source);
        out.destroy(gzipError);
      });
      gunzip.on('end', () => {
        gzipEnded = true;
      });
      gunzip.pipe(out);
      if (first.length) gunzip.write(first);
      input.pipe(gunzip);
    } else {
      if (first.length) out.write(first);
      input.pipe(out);
    }
    input.resume();
  };
  const onData = (chunk: Buffer): void => {
    head.push(chunk);
    headLength += chunk.length;
    if (headLength >= 2) decide();
  };
  const onEnd = (): void => {
    if (!decided) {
      decide();
      out.end();
    }
  };
  input.on('data', onData);
  input.on('end', onEnd);
  input.on('error', (err) => out.destroy(new InputError(`cannot read: ${systemReason(err)}`, source)));

  const gzipProblem = async (): Promise<InputError | undefined> => {
    const g = gunzip;
    if (g === undefined || gzipError !== undefined || gzipEnded) return gzipError;
    // The reader has stopped: read the rest of the gzip stream to its end (and its CRC) without keeping it.
    g.unpipe(out);
    await new Promise<void>((done) => {
      if (gzipEnded || gzipError) return done();
      g.on('data', () => {});
      g.once('end', () => done());
      g.once('error', () => done());
      g.once('close', () => done());
      g.resume();
    });
    return gzipError;
  };
  return { stream: out, source, gzipProblem };
}

export interface Line {
  /** The line without its line end (and without the BOM of the first line). */
  text: string;
  /** 1-based. */
  number: number;
  /** The line end as written: `\n`, `\r\n`, or for a last line without LF, `\r` or ''. */
  end: string;
}

const utf8Strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Yields every line (blank ones included, so callers decide) with its 1-based number.
 * Lines may be arbitrarily long; chunks are joined only when a line spans them.
 */
export async function* readLines(stream: AsyncIterable<Buffer | string>, source: string): AsyncGenerator<Line> {
  let pending: Buffer[] = [];
  let pendingLength = 0;
  let number = 0;
  /** The line (its LF already cut off) and its line end. */
  const lineOf = (bytes: Buffer, lf: boolean): Line => {
    const cr = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d;
    const text = decode(bytes, cr);
    return { text, number, end: (cr ? '\r' : '') + (lf ? '\n' : '') };
  };
  const decode = (bytes: Buffer, cr: boolean): string => {
    number++;
    let end = bytes.length;
    if (cr) end--;
    let start = 0;
    if (number === 1 && end >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) start = 3;
    try {
      return utf8Strict.decode(bytes.subarray(start, end));
    } catch {
      throw new InputError('invalid UTF-8', at(source, number));
    }
  };
  for await (const raw of stream) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw, 'utf8') : raw;
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, from);
      if (nl < 0) break;
      let line: Buffer;
      if (pendingLength > 0) {
        pending.push(chunk.subarray(from, nl));
        line = Buffer.concat(pending, pendingLength + (nl - from));
        pending = [];
        pendingLength = 0;
      } else {
        line = chunk.subarray(from, nl);
      }
      yield lineOf(line, true);
      from = nl + 1;
    }
    if (from < chunk.length) {
      pending.push(chunk.subarray(from));
      pendingLength += chunk.length - from;
    }
  }
  if (pendingLength > 0) yield lineOf(Buffer.concat(pending, pendingLength), false);
}

/**
 * A data file's format. `jsonl`, `csv` and `tsv` are what the extensions `.jsonl` `.ndjson` `.json`, `.csv`
 * and `.tsv` name (after a `.gz`); `ag_news` is the AG News CSV layout (no header; class,title,description),
 * only when asked for.
 */
export type FileFormat = 'jsonl' | 'csv' | 'tsv' | 'ag_news';

/** A file's extension without `.gz`, lower case, with its dot (`train.jsonl.gz` → `.jsonl`); '' when it has none. */
export function extensionOf(path: string): string {
  const name = basename(path).toLowerCase().replace(/\.gz$/, '');
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot) : '';
}

/** `train.jsonl.gz` → `jsonl`; undefined when the extension names no format npc reads (or there is none). */
export function formatFromPath(path: string): FileFormat | undefined {
  switch (extensionOf(path)) {
    case '.jsonl':
    case '.ndjson':
    case '.json':
      return 'jsonl';
    case '.csv':
      return 'csv';
    case '.tsv':
    case '.tab':
      return 'tsv';
    default:
      return undefined;
  }
}
