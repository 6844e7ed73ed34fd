/**
 * SIGINT / SIGTERM. A command with something to report when stopped (eval, score) holds a StopOnSignal
 * while it works; any other moment (drift, merge, data get, classify, or a command before and after its
 * own handling) is covered by the fallback of `exitOnSignal`: `npc: interrupted by SIGINT`, then exit
 * 130 (143 for SIGTERM) through process.exit, whose exit hook (io/atomic-file.ts) removes the temporary
 * files of outputs not yet committed, so nothing half-written is left.
 *
 * During a long command, the first signal asks the command to stop: `stopped` turns
 * true, `aborted` resolves, and every wait raced with `orStop()` (a write to a slow output, a FIFO
 * waiting for its reader) returns at once, so the command can report what it has and exit 130 / 143
 * promptly wherever it was waiting. A second signal exits at once, with the same status; temporary
 * files are removed by the exit hook of io/atomic-file.ts.
 */
import { Interrupted } from './exit-codes.js';

/** StopOnSignal objects not yet disposed: while there is one, the fallback leaves the signal to it. */
let holders = 0;
let fallbackInstalled = false;

/** Installs the fallback (once): a signal that no StopOnSignal handles ends the process at once, cleanly. */
export function exitOnSignal(): void {
  if (fallbackInstalled) return;
  fallbackInstalled = true;
  for (const name of ['SIGINT', 'SIGTERM'] as const) {
    process.on(name, () => {
      if (holders > 0) return;
      process.stderr.write(`npc: interrupted by ${name}\n`);
      process.exit(name === 'SIGTERM' ? 143 : 130);
    });
  }
}

export class StopOnSignal {
  /** The first signal received, if any. */
  signal: NodeJS.Signals | undefined;
  private readonly handlers: [NodeJS.Signals, () => void][] = [];
  private wake: (() => void) | undefined;
  /** Resolves when the first signal arrives. */
  readonly aborted: Promise<void>;
  private readonly controller = new AbortController();
  /** Aborted at the first signal (its reason an Interrupted), for APIs that take an AbortSignal. */
  readonly abortSignal: AbortSignal = this.controller.signal;

  constructor() {
    holders++;
    this.aborted = new Promise((resolve) => {
      this.wake = resolve;
    });
    for (const name of ['SIGINT', 'SIGTERM'] as const) {
      const handler = (): void => {
        if (this.signal !== undefined) {
          process.stderr.write(`npc: interrupted by ${name}\n`);
          process.exit(name === 'SIGTERM' ? 143 : 130);
        }
        this.signal = name;
        this.controller.abort(new Interrupted(name));
        this.wake?.();
      };
      process.on(name, handler);
      this.handlers.push([name, handler]);
    }
  }

  get stopped(): boolean {
    return this.signal !== undefined;
  }

  /** `promise`, or undefined as soon as a signal arrives (a wait that would otherwise not end). */
  orStop<T>(promise: Promise<T>): Promise<T | undefined> {
    promise.catch(() => {}); // a rejection after the stop is of no interest
    return Promise.race([promise, this.aborted.then(() => undefined)]);
  }

  /** Throws Interrupted when a signal has arrived. */
  check(): void {
    if (this.signal !== undefined) throw new Interrupted(this.signal);
  }

  dispose(): void {
    if (this.handlers.length) holders--;
    for (const [name, handler] of this.handlers) process.off(name, handler);
    this.handlers.length = 0;
  }
}
