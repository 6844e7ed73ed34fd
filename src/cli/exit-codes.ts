/**
 * The one place that turns an error into a line on stderr and an exit code.
 *   0 success · 1 bad input, data or download problem · 2 usage error · 3 drift detected (npc drift)
 *   130 interrupted (SIGINT) · 143 terminated (SIGTERM) · 70 internal error (a bug in npc)
 */
import { CommanderError } from 'commander';
import { DataError, InputError, UsageError, WorkerError } from '../errors.js';
import { npcVersion } from '../app/version.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_INTERNAL = 70;

/** Thrown by a command that stopped on a signal, after it has reported what it had. */
export class Interrupted extends Error {
  override name = 'Interrupted';
  readonly signal: NodeJS.Signals;
  constructor(signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.signal = signal;
  }
}

/**
 * Not an error: a command's finding that scripts act on through the exit status (`npc drift`: 3 when
 * drift is detected). Its report has been printed; nothing more is said.
 */
export class ExitStatus extends Error {
  override name = 'ExitStatus';
  readonly code: number;
  constructor(code: number, why: string) {
    super(why);
    this.code = code;
  }
}

/** `npc drift` found drift. */
export const EXIT_DRIFT = 3;

export interface ErrorReport {
  code: number;
  /** The full stderr line, `npc: ...`, or undefined when nothing should be printed. */
  line: string | undefined;
}

export function reportFor(err: unknown): ErrorReport {
  if (err instanceof CommanderError) {
    // Help and version "errors" are successful exits; commander has already printed them.
    if (err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help') {
      return { code: EXIT_OK, line: undefined };
    }
    return { code: EXIT_USAGE, line: undefined };
  }
  if (err instanceof ExitStatus) return { code: err.code, line: undefined };
  if (err instanceof UsageError) return { code: EXIT_USAGE, line: `npc: ${err.describe()}` };
  if (err instanceof InputError || err instanceof DataError || err instanceof WorkerError)
    return { code: EXIT_FAILURE, line: `npc: ${err.describe()}` };
  if (err instanceof Interrupted) return { code: err.signal === 'SIGTERM' ? 143 : 130, line: `npc: ${err.message}` };
  const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
  if (process.env.NPC_DEBUG) return { code: EXIT_INTERNAL, line: `npc: internal error: ${message}` };
  // A bug in npc: say so, and what a useful report holds.
  const how = `npc ${npcVersion()}, Node ${process.version}, ${process.platform}-${process.arch}; please report it with the command that caused it (NPC_DEBUG=1 adds the stack)`;
  return { code: EXIT_INTERNAL, line: `npc: internal error: ${message.split('\n')[0]} (${how})` };
}
