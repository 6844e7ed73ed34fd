/**
 * Which model answers a server's requests, and the hot swap (docs/serving-swap.md "Hot swap").
 *
 * A holder serves one model reference: a file path, `models:/NAME/VERSION` or `models:/NAME@ALIAS`.
 * Only an alias can move: check() re-resolves it (the poll timer and SIGHUP call it), loads the version
 * it now names BESIDE the one serving, and switches atomically once that version's searcher is up. A
 * request takes a lease at its start (acquire()) and is answered entirely by the version of that lease;
 * a version that is no longer current is closed when its last lease is released, never under a request.
 * A file path or a `models:/NAME/VERSION` never switches: check() is a no-op for them and no timer runs.
 *
 * A version that cannot be served is not switched to: the version serving keeps serving and
 * onSwitchFailed says why. A version that fails to load (a damaged artifact, another engine whose C(y)
 * differ, search threads that cannot start) is not loaded again by every poll: the holder tries it again
 * only once the alias has moved elsewhere (to the serving version or another one) and comes back. An
 * alias that does not resolve (its version's artifact missing, the alias or the repository gone) costs
 * nothing to re-resolve: every check resolves it again, onSwitchFailed (version null) is told once per
 * distinct cause, and the version is switched to as soon as it resolves and loads.
 *
 * The shadow (`npc serve --shadow URI`) is a second, independent holder: the server opens one holder for
 * `--model` and one for `--shadow`, answers each request from a lease of the first, and only after the
 * response is sent takes a lease of the second, classifies the same texts with it, compares, and releases
 * it. SIGHUP and the poll call check() on both (each moves with its own alias); a dead worker is
 * restart()ed on the holder whose searcher it belonged to; close() closes both. The two holders share
 * nothing, so the shadow's loads, failures and swaps never touch the path of a served request.
 *
 * Loading reads and verifies the artifact on the calling thread (src/app/model.ts); only the searcher's
 * workers start asynchronously. Requests in flight wait while an artifact is read; none fails.
 */
import { type LoadedModel, loadModel, openModelSearcher } from '../model.js';
import { resolveModel } from '../model-registry.js';
import { UsageError } from '../../errors.js';
import { parseModelUri } from '../../io/model-repository.js';
import type { Searcher, WorkerFactory } from '../../parallel/searcher.js';

/** One loaded version and its searcher: what answers the requests that lease it. */
export interface ServedVersion {
  model: LoadedModel;
  searcher: Searcher;
  /** The repository name of a `models:/` reference, else the card's name. */
  name: string;
  /** The repository version of a `models:/` reference, else null. */
  version: number | null;
  /** `models:/NAME/VERSION` of the version (also when served by alias), or the file path as given. */
  uri: string;
}

/** A request's hold on one version: release it once the request is answered (again is harmless). */
export interface Lease {
  readonly served: ServedVersion;
  release(): void;
}

export interface ModelHolderOptions {
  /** The model repository of `models:/` references (default: resolveModelRepository()). */
  repository?: string;
  /** Search threads of each version's searcher. */
  jobs: number;
  /** How search threads are started (default: the build's worker.js). */
  createWorker?: WorkerFactory;
  /** How often an alias is re-resolved, in seconds (default 5; 0: never, only check()). Ignored for a fixed reference. */
  pollSeconds?: number;
  /** A switch happened: `to` answers every request from now on; `from` closes once its leases are released. */
  onSwitch?: (event: { from: ServedVersion; to: ServedVersion }) => void;
  /** The alias names a version that could not be served; the serving version stays. `version` is null when the alias did not resolve. */
  onSwitchFailed?: (event: { version: number | null; reason: string }) => void;
  /** Anything else worth a warning line (e.g. an artifact of another engine whose C(y) were rechecked). */
  onWarning?: (message: string) => void;
}

/** What one check() did. */
export type CheckOutcome = 'fixed' | 'unchanged' | 'switched' | 'failed' | 'closed';

export const DEFAULT_POLL_SECONDS = 5;

/** A version with the count of its leases; closed once retired and no lease remains. */
class Slot {
  leases = 0;
  retired = false;
  private closing: Promise<void> | undefined;
  constructor(readonly served: ServedVersion) {}

  close(): Promise<void> {
    this.closing ??= this.served.searcher.close();
    return this.closing;
  }
}

export class ModelHolder {
  private current: Slot;
  /** Every slot whose searcher is not closed yet (the current one and retired ones still leased). */
  private readonly live = new Set<Slot>();
  private readonly closings: Promise<void>[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  /** Operations that load (check, restart) run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private pendingCheck: Promise<CheckOutcome> | undefined;
  private pendingRestart: Promise<boolean> | undefined;
  /** The cause of the last failed check (a version, or a message when the alias did not resolve); not retried while it stays. */
  private failedKey: string | undefined;
  private closed = false;

  private constructor(
    /** The reference as given. */
    readonly ref: string,
    /** True for `models:/NAME@ALIAS`: the only reference that can move. */
    readonly movable: boolean,
    private readonly options: ModelHolderOptions,
    first: Slot,
  ) {
    this.current = first;
    this.live.add(first);
    const poll = options.pollSeconds ?? DEFAULT_POLL_SECONDS;
    if (movable && poll > 0) {
      this.timer = setInterval(() => {
        this.check().catch((err: unknown) => this.options.onWarning?.(`${this.ref}: ${(err as Error).message}`));
      }, poll * 1000);
      // The timer alone does not keep the process alive: the server's socket does.
      this.timer.unref();
    }
  }

  /**
   * Loads `ref` (a path, `models:/NAME/VERSION` or `models:/NAME@ALIAS`) and opens its searcher; throws
   * what loading throws (InputError naming the reference) when it cannot be served.
   */
  static async open(ref: string, options: ModelHolderOptions): Promise<ModelHolder> {
    if (!Number.isInteger(options.jobs) || options.jobs < 1) throw new UsageError(`jobs must be a positive integer, not ${options.jobs}`);
    const poll = options.pollSeconds ?? DEFAULT_POLL_SECONDS;
    if (!Number.isFinite(poll) || poll < 0) throw new UsageError(`the poll interval must be 0 or more seconds, not ${poll}`);
    const movable = parseModelUri(ref)?.alias !== undefined;
    const first = await loadVersion(ref, options);
    return new ModelHolder(ref, movable, options, new Slot(first));
  }

  /** The version answering new requests. */
  get served(): ServedVersion {
    return this.current.served;
  }

  /** A lease on the current version: the request it is taken for is answered entirely by that version. */
  acquire(): Lease {
    if (this.closed) throw new Error(`${this.ref}: the model holder is closed`);
    const slot = this.current;
    slot.leases++;
    let released = false;
    return {
      served: slot.served,
      release: () => {
        if (released) return;
        released = true;
        slot.leases--;
        if (slot.retired && slot.leases === 0) this.closeSlot(slot);
      },
    };
  }

  /**
   * Re-resolves the alias; when it names another version, loads that version beside the current one and
   * switches to it. Resolves to what happened; a version that cannot be served is 'failed' (told to
   * onSwitchFailed once), never a rejection. Calls made while one is pending share it.
   */
  check(): Promise<CheckOutcome> {
    if (!this.movable) return Promise.resolve('fixed');
    if (this.closed) return Promise.resolve('closed');
    this.pendingCheck ??= this.serially(() => this.runCheck()).finally(() => {
      this.pendingCheck = undefined;
    });
    return this.pendingCheck;
  }

  /**
   * Replaces the current version's searcher with a new one over the same model (after a worker thread
   * died). Leases holding the old searcher keep it (its requests fail as the dead pool fails them); new
   * leases get the new one; the old one is closed when its last lease is released. With `dead` given,
   * nothing happens unless it is still the current searcher (a switch or another restart replaced it):
   * resolves to whether a new searcher was opened. Rejects when the new searcher cannot start.
   */
  restart(dead?: Searcher): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    this.pendingRestart ??= this.serially(async () => {
      if (this.closed || (dead !== undefined && this.current.served.searcher !== dead)) return false;
      const { served } = this.current;
      const searcher = await openModelSearcher(served.model, this.options.jobs, { createWorker: this.options.createWorker });
      if (this.closed) {
        await searcher.close();
        return false;
      }
      this.install(new Slot({ ...served, searcher }));
      return true;
    }).finally(() => {
      this.pendingRestart = undefined;
    });
    return this.pendingRestart;
  }

  /**
   * Stops the poll timer and closes every version's searcher once its leases are released; with `now`,
   * closes them at once: a search still running on a closed pool never completes, so the caller answers
   * the requests still holding a lease itself (the server's `--grace`). Resolves when every searcher is closed.
   */
  async close(options: { now?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    // A load under way finishes (and closes what it opened, seeing `closed`) before the holder's searchers close.
    await this.queue.catch(() => undefined);
    this.current.retired = true;
    for (const slot of this.live) if (options.now || slot.leases === 0) this.closeSlot(slot);
    await this.allClosed();
  }

  private async allClosed(): Promise<void> {
    // A slot closes when its last lease goes: wait until none is left.
    while (this.live.size > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    await Promise.all(this.closings);
  }

  private readonly idleWaiters: (() => void)[] = [];

  private closeSlot(slot: Slot): void {
    if (!this.live.delete(slot)) return;
    this.closings.push(
      slot.close().catch((err: unknown) => this.options.onWarning?.(`${slot.served.uri}: closing its searcher: ${(err as Error).message}`)),
    );
    if (this.live.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Makes `slot` current and retires the previous one (closed now if nothing leases it). */
  private install(slot: Slot): Slot {
    const previous = this.current;
    this.current = slot;
    this.live.add(slot);
    previous.retired = true;
    if (previous.leases === 0) this.closeSlot(previous);
    return previous;
  }

  private serially<T>(run: () => Promise<T>): Promise<T> {
    const next = this.queue.catch(() => undefined).then(run);
    this.queue = next;
    return next;
  }

  private async runCheck(): Promise<CheckOutcome> {
    if (this.closed) return 'closed';
    let resolved: { version: number; path: string; name: string };
    try {
      resolved = resolveModel(this.ref, this.options.repository);
    } catch (err) {
      return this.failed(null, describe(err));
    }
    const serving = this.current.served;
    if (resolved.version === serving.version) {
      this.failedKey = undefined;
      return 'unchanged';
    }
    if (this.failedKey === `version ${resolved.version}`) return 'failed';
    let next: ServedVersion;
    try {
      next = await loadVersion(this.ref, this.options, resolved);
    } catch (err) {
      return this.failed(resolved.version, describe(err));
    }
    if (this.closed) {
      await next.searcher.close();
      return 'closed';
    }
    this.failedKey = undefined;
    const from = this.install(new Slot(next));
    this.options.onSwitch?.({ from: from.served, to: next });
    return 'switched';
  }

  private failed(version: number | null, reason: string): CheckOutcome {
    const key = version === null ? `unresolved ${reason}` : `version ${version}`;
    if (this.failedKey !== key) {
      this.failedKey = key;
      this.options.onSwitchFailed?.({ version, reason });
    }
    return 'failed';
  }
}

/**
 * Loads the artifact `ref` names (for a `models:/` reference, the version `resolved` says, or resolved
 * now) and opens its searcher.
 */
async function loadVersion(
  ref: string,
  options: ModelHolderOptions,
  resolved?: { version: number; path: string; name: string },
): Promise<ServedVersion> {
  const uri = parseModelUri(ref);
  let model: LoadedModel;
  let name: string;
  let version: number | null = null;
  let shown = ref;
  if (uri === undefined) {
    model = loadModel(ref, { onWarning: options.onWarning });
    name = model.card.name;
  } else {
    // The path of one version, so that an alias moving meanwhile cannot mix two versions.
    const at = resolved ?? resolveModel(ref, options.repository);
    name = at.name;
    version = at.version;
    shown = `models:/${at.name}/${at.version}`;
    model = loadModel(at.path, { shown, onWarning: options.onWarning });
  }
  const searcher = await openModelSearcher(model, options.jobs, { createWorker: options.createWorker });
  return { model, searcher, name, version, uri: shown };
}

/** An error as one line: an InputError with where it is. */
function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'describe' in err && typeof err.describe === 'function') return String(err.describe());
  return err instanceof Error ? err.message : String(err);
}
