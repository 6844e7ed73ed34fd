/**
 * The server's model holder (src/app/serve/model-holder.ts): which version answers, the hot swap when an
 * alias moves, leases that keep a request on its version, refused versions, rollback, the poll, fixed
 * references and a clean close. Real artifacts in a real repository; search threads from the
 * TypeScript sources (test/helpers/ts-worker.mjs), counted to see which ones end.
 */
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type CheckOutcome, ModelHolder, type ModelHolderOptions, type ServedVersion } from '../../src/app/serve/model-holder.js';
import { registerModel, resolveModel, rollbackModelAlias, setModelAlias } from '../../src/app/model-registry.js';
import { utf8Bytes } from '../../src/compress/index.js';
import { readModelFile, writeModelFile } from '../../src/io/model-file.js';
import { LocalSearcher, type NeighborLists, type Searcher, type WorkerFactory } from '../../src/parallel/searcher.js';
import { loadModel, openModelSearcher } from '../../src/app/model.js';
import { writeTestModel } from '../helpers/model-artifact.js';

const V1 = [
  { text: 'stocks fall as oil prices climb', label: 'business' },
  { text: 'the team wins the cup final', label: 'sports' },
  { text: 'central bank raises interest rates', label: 'business' },
  { text: 'striker scores twice in derby', label: 'sports' },
  { text: 'quarterly profits beat forecasts', label: 'business' },
  { text: 'coach sacked after losing streak', label: 'sports' },
];
/** Version 2: other rows, so that a search says which version answered. */
const V2 = [
  { text: 'new phone chip doubles battery life', label: 'tech' },
  { text: 'markets rally on trade deal hopes', label: 'business' },
  { text: 'open source browser adds privacy mode', label: 'tech' },
  { text: 'champions league draw pits rivals', label: 'sports' },
  { text: 'satellite launch delayed by weather', label: 'tech' },
];
const QUERY = [utf8Bytes('oil prices and interest rates')];
/** A generous hang guard for events (never a duration assertion). */
const HANG_GUARD_MS = 60_000;

let dir: string;
let repo: string;
let expected: { v1: NeighborLists; v2: NeighborLists };

/** The nearest rows of QUERY in a version, searched on this thread. */
async function nearest(uri: string): Promise<NeighborLists> {
  return new LocalSearcher(loadModel(uri, { repository: repo }).index).search(QUERY, 3);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'npc-holder-'));
  repo = join(dir, 'repo');
  for (const [key, rows] of [
    ['a', V1],
    ['b', V2],
  ] as const) {
    const file = join(dir, `${key}.npcm`);
    await writeTestModel(file, rows, { name: 'news', description: key });
    await registerModel(file, { repository: repo });
  }
  expected = { v1: await nearest('models:/news/1'), v2: await nearest('models:/news/2') };
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Search threads started from the sources, each remembered with whether it has exited. */
class Threads {
  readonly started: Worker[] = [];
  readonly exited = new Set<Worker>();
  readonly create = (): Worker => {
    const worker = new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));
    this.started.push(worker);
    worker.on('exit', () => this.exited.add(worker));
    return worker;
  };
  /** Resolves once every thread in `workers` has exited. */
  async allExited(workers: readonly Worker[]): Promise<void> {
    const running = workers.filter((w) => !this.exited.has(w));
    await Promise.all(running.map((w) => new Promise<void>((resolve) => w.once('exit', () => resolve()))));
  }
}

/** Events a holder told, and a way to wait for the next one. */
class Events {
  readonly switches: { from: ServedVersion<Searcher>; to: ServedVersion<Searcher> }[] = [];
  readonly failures: { version: number | null; reason: string }[] = [];
  readonly warnings: string[] = [];
  private waiters: (() => void)[] = [];
  readonly callbacks = {
    onSwitch: (e: { from: ServedVersion<Searcher>; to: ServedVersion<Searcher> }) => this.push(() => this.switches.push(e)),
    onSwitchFailed: (e: { version: number | null; reason: string }) => this.push(() => this.failures.push(e)),
    onWarning: (m: string) => this.push(() => this.warnings.push(m)),
  };
  private push(add: () => void): void {
    add();
    for (const wake of this.waiters.splice(0)) wake();
  }
  /** Resolves when `done()` holds, or rejects after the hang guard. */
  async until(done: () => boolean, what: string): Promise<void> {
    const guard = Date.now() + HANG_GUARD_MS;
    while (!done()) {
      if (Date.now() > guard) throw new Error(`hang guard: no ${what}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 200).unref();
      });
    }
  }
}

/** Holder options whose open() starts a searcher of `jobs` threads over the version (as the server starts its scheduler). */
function searching(
  options: Partial<ModelHolderOptions<Searcher>> & { jobs?: number; createWorker?: WorkerFactory } = {},
): ModelHolderOptions<Searcher> {
  const { jobs = 1, createWorker, ...rest } = options;
  return { repository: repo, pollSeconds: 0, open: (v) => openModelSearcher(v.model, jobs, { createWorker }), ...rest };
}

const holders: ModelHolder<Searcher>[] = [];
async function open(ref: string, options: Parameters<typeof searching>[0] = {}): Promise<ModelHolder<Searcher>> {
  const holder = await ModelHolder.open(ref, searching(options));
  holders.push(holder);
  return holder;
}
afterEach(async () => {
  await Promise.all(holders.splice(0).map((h) => h.close({ now: true })));
  setModelAlias('news', 'production', 1, repo);
});

/** The repository's artifact of `version` (to damage it as a disk or a copy could). */
function artifactOf(version: number): string {
  return resolveModel(`models:/news/${version}`, repo).path;
}

describe('serving an alias', () => {
  it('check() after the alias moved loads the new version, switches to it and tells onSwitch from and to', async () => {
    setModelAlias('news', 'production', 1, repo);
    const events = new Events();
    const holder = await open('models:/news@production', events.callbacks);
    expect(holder.served).toMatchObject({ name: 'news', version: 1, uri: 'models:/news/1' });
    expect(await holder.check()).toBe<CheckOutcome>('unchanged');
    setModelAlias('news', 'production', 2, repo);
    expect(await holder.check()).toBe<CheckOutcome>('switched');
    expect(events.switches.map((e) => [e.from.version, e.to.version])).toEqual([[1, 2]]);
    const lease = holder.acquire();
    expect(lease.served.version).toBe(2);
    expect(lease.served.model.card.description).toBe('b');
    expect(await lease.served.runner.search(QUERY, 3)).toEqual(expected.v2);
    lease.release();
  });

  it('a lease taken before the switch still searches the old version, whose threads end only after its release', async () => {
    setModelAlias('news', 'production', 1, repo);
    const threads = new Threads();
    const holder = await open('models:/news@production', { jobs: 2, createWorker: threads.create });
    const oldThreads = threads.started.slice();
    expect(oldThreads).toHaveLength(2);
    const before = holder.acquire();
    setModelAlias('news', 'production', 2, repo);
    expect(await holder.check()).toBe('switched');
    const after = holder.acquire();
    expect([before.served.version, after.served.version]).toEqual([1, 2]);
    // Both versions resident and searching: the old lease answers with version 1, the new with version 2.
    expect(await before.served.runner.search(QUERY, 3)).toEqual(expected.v1);
    expect(await after.served.runner.search(QUERY, 3)).toEqual(expected.v2);
    expect(oldThreads.some((w) => threads.exited.has(w))).toBe(false);
    before.release();
    await threads.allExited(oldThreads);
    expect(threads.started.slice(2).some((w) => threads.exited.has(w))).toBe(false);
    after.release();
  });

  it('two check() calls at once load the new version once', async () => {
    setModelAlias('news', 'production', 1, repo);
    const threads = new Threads();
    const events = new Events();
    const holder = await open('models:/news@production', { jobs: 2, createWorker: threads.create, ...events.callbacks });
    setModelAlias('news', 'production', 2, repo);
    expect(await Promise.all([holder.check(), holder.check()])).toEqual(['switched', 'switched']);
    expect(threads.started).toHaveLength(4);
    expect(events.switches).toHaveLength(1);
  });

  it('rollback of the alias switches back to the previous version', async () => {
    setModelAlias('news', 'production', 1, repo);
    const events = new Events();
    const holder = await open('models:/news@production', events.callbacks);
    setModelAlias('news', 'production', 2, repo);
    expect(await holder.check()).toBe('switched');
    rollbackModelAlias('news', 'production', repo);
    expect(await holder.check()).toBe('switched');
    expect(events.switches.map((e) => [e.from.version, e.to.version])).toEqual([
      [1, 2],
      [2, 1],
    ]);
    const lease = holder.acquire();
    expect(await lease.served.runner.search(QUERY, 3)).toEqual(expected.v1);
    lease.release();
  });

  it('the poll timer finds the alias moved without a check() call', async () => {
    setModelAlias('news', 'production', 1, repo);
    const events = new Events();
    const holder = await open('models:/news@production', { pollSeconds: 0.05, ...events.callbacks });
    setModelAlias('news', 'production', 2, repo);
    await events.until(() => events.switches.length > 0, 'switch found by the poll');
    expect(events.switches[0].to.version).toBe(2);
    expect(holder.served.version).toBe(2);
  });
});

describe('a version that cannot be served is not switched to', () => {
  /** Registers a third version, damages it with `damage`, moves the alias to it, and restores it afterwards. */
  async function withBadVersion(damage: (path: string) => Promise<void> | void, run: (version: number) => Promise<void>): Promise<void> {
    const file = join(dir, 'c.npcm');
    await writeTestModel(file, [...V1, ...V2], { name: 'news', description: 'c' });
    const { version } = await registerModel(file, { repository: repo });
    const path = artifactOf(version);
    const saved = readFileSync(path);
    try {
      await damage(path);
      await run(version);
    } finally {
      writeFileSync(path, saved);
    }
  }

  async function refuses(version: number, reason: RegExp): Promise<void> {
    setModelAlias('news', 'production', 1, repo);
    const events = new Events();
    const holder = await open('models:/news@production', events.callbacks);
    setModelAlias('news', 'production', version, repo);
    expect(await holder.check()).toBe('failed');
    expect(events.failures).toHaveLength(1);
    expect(events.failures[0].version).toBe(version);
    expect(events.failures[0].reason).toMatch(reason);
    expect(events.switches).toEqual([]);
    // The old version keeps answering, and the same failure is not retried (nor told) by the next check.
    const lease = holder.acquire();
    expect(lease.served.version).toBe(1);
    expect(await lease.served.runner.search(QUERY, 3)).toEqual(expected.v1);
    lease.release();
    expect(await holder.check()).toBe('failed');
    expect(events.failures).toHaveLength(1);
  }

  it('a damaged artifact: onSwitchFailed names the damaged member, version 1 keeps answering', async () => {
    await withBadVersion(
      (path) => {
        const bytes = readFileSync(path);
        const at = bytes.lastIndexOf(Buffer.from('satellite'));
        bytes[at] ^= 0x20;
        writeFileSync(path, bytes);
      },
      (version) => refuses(version, /texts\.bin is damaged/),
    );
  });

  it('an artifact of another engine whose C(y) differ: onSwitchFailed says to rebuild it', async () => {
    await withBadVersion(
      async (path) => {
        const { card, cardMarkdown, arrays } = readModelFile(path);
        arrays.compressedLengths[0] += 1;
        await writeModelFile(path, { card: { ...card, engine: `sha256:${'0'.repeat(64)}` }, cardMarkdown, arrays });
      },
      (version) => refuses(version, /built by another engine.*rebuild it/),
    );
  });

  it('a missing artifact: onSwitchFailed says so once while it stays missing; back in place, it is switched to', async () => {
    await withBadVersion(
      () => undefined,
      async (version) => {
        setModelAlias('news', 'production', 1, repo);
        const events = new Events();
        const holder = await open('models:/news@production', events.callbacks);
        // The repository refuses an alias to a missing version: the artifact goes missing after the move.
        setModelAlias('news', 'production', version, repo);
        const path = artifactOf(version);
        const saved = readFileSync(path);
        unlinkSync(path);
        expect(await holder.check()).toBe('failed');
        expect(events.failures[0].reason).toMatch(new RegExp(`points at version ${version}, which is missing`));
        expect(holder.served.version).toBe(1);
        // Still missing: re-resolved by each check, told once.
        expect(await holder.check()).toBe('failed');
        expect(events.failures).toHaveLength(1);
        // Back: resolving is cheap and repeated, so the version is served as soon as it is there again.
        writeFileSync(path, saved);
        expect(await holder.check()).toBe('switched');
        expect(holder.served.version).toBe(version);
        expect(events.failures).toHaveLength(1);
      },
    );
  });
});

describe('fixed references and closing', () => {
  it.each(['models:/news/1', 'file'])('%s never switches: check() is a no-op when the alias moves', async (kind) => {
    const ref = kind === 'file' ? join(dir, 'a.npcm') : kind;
    setModelAlias('news', 'production', 1, repo);
    const events = new Events();
    const holder = await open(ref, { pollSeconds: 0.05, ...events.callbacks });
    setModelAlias('news', 'production', 2, repo);
    expect(await holder.check()).toBe<CheckOutcome>('fixed');
    expect(holder.served.model.card.description).toBe('a');
    expect(holder.served.version).toBe(kind === 'file' ? null : 1);
    expect(events.switches).toEqual([]);
  });

  it('close() with jobs 2 leaves no search thread, also of a version retired by a switch', async () => {
    setModelAlias('news', 'production', 1, repo);
    const threads = new Threads();
    const holder = await ModelHolder.open(
      'models:/news@production',
      searching({ jobs: 2, pollSeconds: 0.05, createWorker: threads.create }),
    );
    const lease = holder.acquire();
    setModelAlias('news', 'production', 2, repo);
    expect(await holder.check()).toBe('switched');
    expect(threads.started).toHaveLength(4);
    const closed = holder.close();
    // The old version's lease still holds its threads: close() waits for it.
    lease.release();
    await closed;
    expect(threads.started.every((w) => threads.exited.has(w))).toBe(true);
    expect(() => holder.acquire()).toThrow(/closed/);
    expect(await holder.check()).toBe('closed');
  });

  it('close({ now: true }) ends every search thread at once, though a lease is still held', async () => {
    const threads = new Threads();
    const holder = await ModelHolder.open('models:/news/1', searching({ jobs: 2, createWorker: threads.create }));
    const lease = holder.acquire();
    await holder.close({ now: true });
    expect(threads.started).toHaveLength(2);
    expect(threads.started.every((w) => threads.exited.has(w))).toBe(true);
    lease.release();
  });
});
