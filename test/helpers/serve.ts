/**
 * `npc serve` for the end-to-end tests: spawned on 127.0.0.1 with --port 0, waited for by its lines on
 * stderr (never by a duration), stopped by a signal. Every wait has a generous hang guard.
 */
import { spawnNpc, type SpawnOptions, type SpawnResult } from './failure-tools.js';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { SENTENCES } from '../fixtures/sentences.js';
import { writeTestModel } from './model-artifact.js';

/** A run that needs this long has hung: the tests wait for events, not for a duration. */
export const HANG_GUARD_MS = 60_000;

export interface Served {
  url: string;
  child: ChildProcessWithoutNullStreams;
  done: Promise<SpawnResult>;
  /** Everything written to stderr so far. */
  stderr(): string;
  /** Resolves with the first stderr line matching `pattern` (rejects after the hang guard or at exit). */
  line(pattern: RegExp): Promise<string>;
  /** SIGTERM, then the exit. */
  stop(): Promise<SpawnResult>;
}

/** Starts `npc serve --host 127.0.0.1 --port 0 ...args` and waits until it says it is ready. */
export async function startServe(args: string[], options: SpawnOptions & { waitFor?: RegExp } = {}): Promise<Served> {
  const { child, done } = spawnNpc(['serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdin: 'null',
    timeoutMs: 5 * HANG_GUARD_MS,
    ...options,
  });
  let text = '';
  let exited = false;
  const waiters: (() => void)[] = [];
  child.stderr.on('data', (d: Buffer) => {
    text += d.toString('utf8');
    for (const w of [...waiters]) w();
  });
  void done.then(() => {
    exited = true;
    for (const w of [...waiters]) w();
  });
  const line = (pattern: RegExp): Promise<string> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        const found = text.split('\n').find((l) => pattern.test(l));
        if (found !== undefined) finish(() => resolve(found));
        else if (exited) finish(() => reject(new Error(`npc serve exited before a line matching ${pattern}:\n${text}`)));
      };
      const guard = setTimeout(() => finish(() => reject(new Error(`no line matching ${pattern} (hang guard):\n${text}`))), HANG_GUARD_MS);
      const finish = (then: () => void): void => {
        clearTimeout(guard);
        waiters.splice(waiters.indexOf(check), 1);
        then();
      };
      waiters.push(check);
      check();
    });
  const serving = await line(/^npc: serving .* on http:\/\//);
  const url = /(http:\/\/\S+)$/.exec(serving)![1];
  await line(options.waitFor ?? /^npc: ready: /);
  return {
    url,
    child,
    done,
    stderr: () => text,
    line,
    stop: async () => {
      child.kill('SIGTERM');
      return done;
    },
  };
}

/** POSTs `body` (an object: JSON) to `url`; gives the status, headers and parsed or raw body. */
export async function post(
  url: string,
  body: unknown,
  contentType = 'application/json',
): Promise<{ status: number; headers: Headers; json: unknown; text: string }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(HANG_GUARD_MS),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}

/**
 * Writes a model of 3,000 rows of long texts (`large` in the tests): enough that a batch of 64 texts takes
 * a while to search, so a signal or a deadline can land while a request runs.
 */
export async function writeLargeServeModel(path: string): Promise<void> {
  const rows = Array.from({ length: 3000 }, (_, i) => {
    const [label, text] = SENTENCES[i % 6];
    return { label, text: `${text} ${text.split(' ').reverse().join(' ')} copy ${i}` };
  });
  await writeTestModel(path, rows, { name: 'large' });
}
