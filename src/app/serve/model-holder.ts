/**
 * Which model answers a server's requests, and the hot swap (docs/serving.md "Hot swap").
 *
 * A holder serves one model reference: a file path, `models:/NAME/VERSION` or `models:/NAME@ALIAS`.
 * Only an alias can move: check() re-resolves it (the poll timer and SIGHUP call it), loads the version
 * it now names BESIDE the one serving, and switches atomically once that version's searcher is up. A
 * request takes a lease at its start (acquire()) and is answered entirely by the version of that lease;
 * a version that is no longer current is closed when its last lease is released, never under a request.
 * A file path or a `models:/NAME/VERSION` never switches: check() is a no-op for them and no timer runs.
 *
 * What answers a version's requests is the caller's: options.open opens it for a loaded version (the
 * server: a SearchScheduler, its own queue and search threads) and the holder closes it when the version
 * is retired and its last lease is released.
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
 * it. SIGHUP and the poll call check() on both (each moves with its own alias); close() closes both. The two holders share
 * nothing, so the shadow's loads, failures and swaps never touch the path of a served request.
 *
 * Loading reads and verifies the artifact on the calling thread (src/app/model.ts); only what open()
 * starts (search threads) starts asynchronously. Requests in flight wait while an artifact is read; none fails.
 */
import { type LoadedModel, loadModel } from '../model.js';
import { resolveModel } from '../model-registry.js';
import { UsageError } from '../../errors.js';
import { parseModelUri } from '../../io/model-repository.js';

/** What a holder's open() gets: one loaded version. */
export interface LoadedVersion {
  model: LoadedModel;
  /** The repository name of a `models:/` reference, else the card's name. */
  name: string;
  /** The repository version of a `models:/` reference, else null. */
  version: number | null;
  /** `models:/NAME/VERSION` of the version (also when served by alias), or the file path as given. */
  uri: string;
}

/** What answers one version's requests (e.g. its search threads); closed when the version is retired and unleased. */
export interface Closable {
  close(): Promise<void>;
}

/** One loaded version and what open() made of it: what answers the requests that lease it. */
export interface ServedVersion<T extends Closable> extends LoadedVersion {
  runner: T;
}

/** A request's hold on one version: release it once the request is answered (again is harmless). */
export interface Lease<T extends Closable> {
  readonly served: ServedVersion<T>;
  release(): void;
}

export interface ModelHolderOptions<T extends Closable> {
  /** The model repository of `models:/` references (default: resolveModelRepository()). */
  repository?: string;
  /** Opens what answers a loaded version's requests; a rejection means the version cannot be served. */
  open: (version: LoadedVersion) => Promise<T>;
  /** How often an alias is re-resolved, in seconds (default 5; 0: never, only check()). Ignored for a fixed reference. */
  pollSeconds?: number;
  /** A switch happened: `to` answers every request from now on; `from` closes once its leases are released. */
  onSwitch?: (event: { from: ServedVersion<T>; to: ServedVersion<T> }) => void;
  /** The alias names a version that could not be served; the serving version stays. `version` is null when the alias did not resolve. */
  onSwitchFailed?: (event: { version: number | null; reason: string }) => void;
  /** Anything else worth a warning line (e.g. an artifact of another engine whose C(y) were rechecked). */
  onWarning?: (message: string) => void;
}

/** What one check() did. */
export type CheckOutcome = 'fixed' | 'unchanged' | 'switched' | 'failed' | 'closed';

export const DEFAULT_POLL_SECONDS = 5;

/** Whether `ref` is a `models:/NAME@ALIAS` reference: the only one that can move (be polled, switched). */
export function followsAlias(ref: string): boolean {
  return parseModelUri(ref)?.alias !== undefined;
}

/** A version with the count of its leases; closed once retired and no lease remains. */
class Slot<T extends Closable> {
  leases = 0;
  retired = false;
  private closing: Promise<void> | undefined;
  constructor(readonly served: ServedVersion<T>) {}

  close(): Promise<void> {
    this.closing ??= this.served.runner.close();
    return this.closing;
  }
}

export class ModelHolder<T extends Closable> {
  private current: Slot<T>;
  /** Every slot whose runner is not closed yet (the current one and retired ones still leased). */
  private readonly live = new Set<Slot<T>>();
  private readonly closings: Promise<void>[] = [];
  private readonly timer: NodeJS.Timeout | undefined;
  /** Checks (which load) run one at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  private pendingCheck: Promise<CheckOutcome> | undefined;
  /** The cause of the last failed check (a version, or a message when the alias did not resolve); not retried while it stays. */
  private failedKey: string | undefined;
  private closed = false;

  private constructor(
    /** The reference as given. */
    readonly ref: string,
    /** True for `models:/NAME@ALIAS`: the only reference that can move. */
    readonly movable: boolean,
    private readonly options: ModelHolderOptions<T>,
    first: Slot<T>,
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
   * Loads `ref` (a path, `models:/NAME/VERSION` or `models:/NAME@ALIAS`) and opens it (options.open);
   * throws what loading throws (InputError naming the reference) when it cannot be served.
   */
  static async open<T extends Closable>(ref: string, options: ModelHolderOptions<T>): Promise<ModelHolder<T>> {
    const poll = options.pollSeconds ?? DEFAULT_POLL_SECONDS;
    if (!Number.isFinite(poll) || poll < 0) throw new UsageError(`the poll interval must be 0 or more seconds, not ${poll}`);
    const movable = followsAlias(ref);
    const first = await loadVersion(ref, options);
    return new ModelHolder(ref, movable, options, new Slot(first));
  }

  /** The version answering new requests. */
  get served(): ServedVersion<T> {
    return this.current.served;
  }

  /** A lease on the current version: the request it is taken for is answered entirely by that version. */
  acquire(): Lease<T> {
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
   * Stops the poll timer and closes every version's runner once its leases are released; with `now`,
   * closes them at once: a search still running on a closed pool never completes, so the caller answers
   * the requests still holding a lease itself (the server's `--grace`). Resolves when every runner is closed.
   */
  async close(options: { now?: boolean } = {}): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closed = true;
    // A load under way finishes (and closes what it opened, seeing `closed`) before the holder's runners close.
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

  private closeSlot(slot: Slot<T>): void {
    if (!this.live.delete(slot)) return;
    this.closings.push(
      slot.close().catch((err: unknown) => this.options.onWarning?.(`${slot.served.uri}: closing it: ${(err as Error).message}`)),
    );
    if (this.live.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }

  /** Makes `slot` current and retires the previous one (closed now if nothing leases it). */
  private install(slot: Slot<T>): Slot<T> {
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
    let next: ServedVersion<T>;
    try {
      next = await loadVersion(this.ref, this.options, resolved);
    } catch (err) {
      return this.failed(resolved.version, describe(err));
    }
    if (this.closed) {
      await next.runner.close();
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
 * now) and opens it.
 */
async function loadVersion<T extends Closable>(
  ref: string,
  options: ModelHolderOptions<T>,
  resolved?: { version: number; path: string; name: string },
): Promise<ServedVersion<T>> {
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
  const loaded: LoadedVersion = { model, name, version, uri: shown };
  return { ...loaded, runner: await options.open(loaded) };
}

/** An error as one line: an InputError with where it is. */
function describe(err: unknown): string {
  if (err && typeof err === 'object' && 'describe' in err && typeof err.describe === 'function') return String(err.describe());
  return err instanceof Error ? err.message : String(err);
}
