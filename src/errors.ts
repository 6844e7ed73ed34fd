/**
 * Error types shared by every layer. The CLI maps them to exit codes in one place
 * (src/cli/exit-codes.ts); nothing below the CLI prints or exits.
 */

/** Something wrong with the data npc was given: a file, a line, a download. Exit code 1. */
export class InputError extends Error {
  override name = 'InputError';
  /** Where the problem is, e.g. `train.jsonl:17` or `train.jsonl`. */
  readonly where: string | undefined;
  constructor(message: string, where?: string) {
    super(message);
    this.where = where;
  }
  /** One line for stderr: `train.jsonl:17: invalid JSON (...)`. */
  describe(): string {
    return this.where ? `${this.where}: ${this.message}` : this.message;
  }
}

/** The command line itself is wrong (bad option value, conflicting options). Exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
  describe(): string {
    return this.message;
  }
}

/** A download or cache problem (network, checksum, missing cached data set). Exit code 1. */
export class DataError extends Error {
  override name = 'DataError';
  describe(): string {
    return this.message;
  }
}

/** A worker thread threw or died; the message names the worker and the cause. Exit code 1. */
export class WorkerError extends Error {
  override name = 'WorkerError';
  describe(): string {
    return this.message;
  }
}

/** Builds the `source:line` prefix used by every reader. */
export function at(source: string, line?: number): string {
  return line === undefined ? source : `${source}:${line}`;
}

/** `1 row`, `2 rows`: a count and its noun, singular for one (`counted(n, 'class', 'classes')` for other plurals). */
export function counted(n: number | bigint, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 || n === 1n ? noun : plural}`;
}
