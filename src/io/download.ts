/**
 * Fetching one data set file (from its URL, a mirror, or a local file, gzip-compressed or not) into a
 * scratch file while counting and hashing its bytes, then checking size, MD5 and SHA-256 against the data catalog.
 * Every failure is a one-line `DataError` naming the URL (or path) and what was wrong; the scratch file
 * is removed on failure.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, unlink } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { DataError } from '../errors.js';

/** Where a split's CSV comes from. */
export type FileSource = { kind: 'url'; url: string } | { kind: 'file'; path: string; gzip: boolean };

/** What a file must be: its size (when known) and its MD5 and/or SHA-256 (when known). */
export interface ExpectedFile {
  bytes?: number;
  md5?: string;
  sha256?: string;
}

/** What a fetched file was. */
export interface FetchedFile {
  bytes: number;
  md5: string;
  sha256: string;
}

export interface FetchOptions {
  /** Prefix of progress messages, e.g. `ag_news test`. */
  label: string;
  onProgress?: (message: string) => void;
  fetchImpl?: typeof fetch;
  /** Give up when no data arrives for this long (default 60 s). */
  idleTimeoutMs?: number;
}

/** Minimum time between two progress messages. */
const PROGRESS_INTERVAL_MS = 250;

export function describeSource(source: FileSource): string {
  return source.kind === 'url' ? source.url : source.path;
}

/**
 * Copies `source` to `destPath` (created, must not exist) and checks it against `expected`.
 * On any failure `destPath` is removed and a `DataError` thrown.
 */
export async function fetchVerifiedFile(
  source: FileSource,
  destPath: string,
  expected: ExpectedFile,
  options: FetchOptions,
): Promise<FetchedFile> {
  const name = describeSource(source);
  const out = await open(destPath, 'wx');
  let ok = false;
  try {
    const md5 = createHash('md5');
    const sha256 = createHash('sha256');
    let bytes = 0;
    const progress = progressReporter(options, expected.bytes);
    options.onProgress?.(`${options.label}: ${source.kind === 'url' ? 'downloading' : 'reading'} ${name}`);
    for await (const chunk of sourceChunks(source, options)) {
      bytes += chunk.length;
      if (expected.bytes !== undefined && bytes > expected.bytes) {
        throw new DataError(`size mismatch for ${name}: expected ${expected.bytes} bytes, got more (wrong file?)`);
      }
      md5.update(chunk);
      sha256.update(chunk);
      for (let offset = 0; offset < chunk.length;) {
        offset += (await out.write(chunk, offset)).bytesWritten;
      }
      progress(bytes, false);
    }
    progress(bytes, true);
    if (expected.bytes !== undefined && bytes !== expected.bytes) {
      throw new DataError(`size mismatch for ${name}: expected ${expected.bytes} bytes, got ${bytes} (truncated?)`);
    }
    const got = { bytes, md5: md5.digest('hex'), sha256: sha256.digest('hex') };
    checkSums(name, expected, got);
    ok = true;
    return got;
  } finally {
    await out.close();
    if (!ok) await unlink(destPath).catch(() => undefined);
  }
}

/** A `checksum mismatch for NAME: expected md5 X, got Y` DataError when a pinned sum differs. */
export function checkSums(name: string, expected: ExpectedFile, got: { md5: string; sha256: string }): void {
  if (expected.md5 !== undefined && got.md5 !== expected.md5) {
    throw new DataError(`checksum mismatch for ${name}: expected md5 ${expected.md5}, got ${got.md5}`);
  }
  if (expected.sha256 !== undefined && got.sha256 !== expected.sha256) {
    throw new DataError(`checksum mismatch for ${name}: expected sha256 ${expected.sha256}, got ${got.sha256}`);
  }
}

/** The bytes of `source`, with network and file errors turned into `DataError`s. */
async function* sourceChunks(source: FileSource, options: FetchOptions): AsyncGenerator<Uint8Array> {
  if (source.kind === 'file') {
    yield* fileChunks(source.path, source.gzip);
    return;
  }
  const url = source.url;
  const fetchImpl = options.fetchImpl ?? globalThis.fetch;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  const controller = new AbortController();
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, idleMs);
  };
  let bytes = 0;
  try {
    arm();
    let response: Response;
    try {
      response = await fetchImpl(url, { signal: controller.signal, redirect: 'follow' });
    } catch (err) {
      throw timedOut
        ? new DataError(`cannot download ${url}: no answer within ${Math.round(idleMs / 1000)} s; ${FROM_HINT}`)
        : connectError(url, err);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = `${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
      throw new DataError(`download failed for ${url}: HTTP ${status}`);
    }
    const type = response.headers.get('content-type') ?? '';
    if (/\bhtml\b/i.test(type)) {
      await response.body?.cancel().catch(() => undefined);
      throw new DataError(`download failed for ${url}: the server sent an HTML page (Content-Type ${type}) instead of the data file`);
    }
    if (response.body === null) throw new DataError(`download failed for ${url}: empty response`);
    let first = true;
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        arm();
        if (first && chunk.length > 0) {
          first = false;
          if (looksLikeHtml(chunk)) {
            throw new DataError(`download failed for ${url}: the server sent an HTML page instead of the data file`);
          }
        }
        bytes += chunk.length;
        yield chunk;
      }
    } catch (err) {
      if (err instanceof DataError) throw err;
      const why = timedOut ? `no data for ${Math.round(idleMs / 1000)} s` : networkReason(err);
      throw new DataError(`download of ${url} was interrupted after ${bytes} bytes: ${why}`);
    }
  } finally {
    clearTimeout(timer);
    controller.abort(); // releases the connection when we stop early
  }
}

async function* fileChunks(path: string, gzip: boolean): AsyncGenerator<Uint8Array> {
  const input = createReadStream(path);
  const stream = gzip ? input.pipe(createGunzip()) : input;
  if (gzip) input.on('error', (err) => stream.destroy(err));
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) yield chunk;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const what = e.code?.startsWith('Z_') ? `not a valid gzip file (${e.message})` : e.code === 'ENOENT' ? 'no such file' : e.message;
    throw new DataError(`cannot read ${path}: ${what}`);
  } finally {
    input.destroy();
    stream.destroy();
  }
}

/** First bytes of an HTML document (`<!DOCTYPE html`, `<html`, `<head`, ...), after optional whitespace or BOM. */
function looksLikeHtml(chunk: Uint8Array): boolean {
  const head = Buffer.from(chunk.subarray(0, 512))
    .toString('latin1')
    .replace(/^(\xEF\xBB\xBF)?\s*/, '')
    .toLowerCase();
  return /^<(!doctype|html|head|body|\?xml|!--)/.test(head);
}

const FROM_HINT =
  "to use a copy made elsewhere, pass --from DIR (a directory holding the data set's upstream files, plain or .gz) or --from URL (a mirror base URL)";

/** Error codes that mean the host could not be reached at all. */
const UNREACHABLE = new Set([
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_NONAME',
  'ECONNREFUSED',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
]);

function errorCode(err: unknown): string | undefined {
  let e = err as { code?: unknown; cause?: unknown; errors?: unknown[] } | undefined;
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.code === 'string') return e.code;
    if (Array.isArray(e.errors) && e.errors.length > 0) {
      const code = errorCode(e.errors[0]);
      if (code) return code;
    }
    e = e.cause as typeof e;
  }
  return undefined;
}

function connectError(url: string, err: unknown): DataError {
  const code = errorCode(err);
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the whole URL
  }
  if (code && UNREACHABLE.has(code)) {
    return new DataError(`cannot download ${url}: the network could not be reached (${host}: ${code}); ${FROM_HINT}`);
  }
  return new DataError(`cannot download ${url}: ${networkReason(err)}; ${FROM_HINT}`);
}

function networkReason(err: unknown): string {
  const code = errorCode(err);
  if (code === 'ECONNRESET') return 'connection reset by the server (ECONNRESET)';
  if (code === 'UND_ERR_SOCKET') return 'the connection was closed before the whole file arrived';
  let e = err as { message?: unknown; cause?: unknown } | undefined;
  let message = '';
  for (let depth = 0; e && depth < 5; depth++) {
    if (typeof e.message === 'string' && e.message !== '' && e.message !== 'fetch failed' && e.message !== 'terminated') {
      message = e.message;
    }
    e = e.cause as typeof e;
  }
  const text = message || (err instanceof Error ? err.message : String(err));
  return `${text.split('\n')[0]}${code ? ` (${code})` : ''}`;
}

/** Progress messages `label: 1.2 of 29.5 MB (4%)`, at most one per PROGRESS_INTERVAL_MS plus the last. */
function progressReporter(options: FetchOptions, total: number | undefined): (bytes: number, final: boolean) => void {
  const report = options.onProgress;
  if (!report) return () => undefined;
  let last = Date.now();
  const mb = (n: number) => (n / 1e6).toFixed(1);
  return (bytes, final) => {
    const now = Date.now();
    if (!final && now - last < PROGRESS_INTERVAL_MS) return;
    last = now;
    if (total === undefined) return report(`${options.label}: ${mb(bytes)} MB`);
    const pct = total > 0 ? Math.floor((100 * bytes) / total) : 0;
    report(`${options.label}: ${mb(bytes)} of ${mb(total)} MB (${pct}%)`);
  };
}
