/**
 * Opening the jobs' output files (io/output-sink.ts decides how each path is written), before any
 * work: `npc eval`'s --predictions and --save-neighbors, `npc merge`'s --output. An output that is one
 * of the inputs (same file, by device and inode: any spelling, symlink or hard link), or the same file
 * as another output, is a usage error.
 */
import type { Writable } from 'node:stream';
import { UsageError } from '../errors.js';
import { describeWriteError } from '../io/atomic-file.js';
import {
  type FileIdentity,
  fileIdentity,
  openOutput,
  type OutputSink,
  planOutput,
  sameIdentity,
  type StdoutTarget,
} from '../io/output-sink.js';
import { writeChunk } from '../io/stream-write.js';

/**
 * A signal while the outputs are opened: `abortSignal` and `orStop` end a wait for a FIFO's reader, then
 * `check` throws Interrupted (the CLI's StopOnSignal is one).
 */
export interface OpeningInterruption {
  readonly abortSignal: AbortSignal;
  orStop<T>(promise: Promise<T>): Promise<T | undefined>;
  check(): void;
}

/**
 * Where the outputs are written and what is said while opening them: `stdout` is where `-` writes,
 * `stdinIdentity` the file behind stdin (an output may not be it), `onWaiting` hears that npc waits for
 * a FIFO's reader, as `cat > fifo` would (said, or the wait looks like a hang).
 */
export interface OutputContext {
  stdout: StdoutTarget;
  stdinIdentity?: FileIdentity;
  onWaiting: (message: string) => void;
}

export interface OutputPaths {
  predictions?: string;
  saveNeighbors?: string;
  html?: string;
}

export interface OutputFiles {
  predictions?: OutputSink;
  neighbors?: OutputSink;
  html?: OutputSink;
}

/**
 * @param inputs the files the evaluation reads (`-` for stdin, whose file is `stdinIdentity`).
 * @param stop a signal ends a wait for a FIFO's reader (Interrupted).
 */
export async function openOutputFiles(
  paths: OutputPaths,
  inputs: readonly string[],
  io: OutputContext,
  stop: OpeningInterruption,
): Promise<OutputFiles> {
  const wanted = [
    ['--predictions', paths.predictions],
    ['--save-neighbors', paths.saveNeighbors],
    ['--html', paths.html],
  ].filter((e): e is [string, string] => e[1] !== undefined);
  if (wanted.length === 0) return {};
  const inputIds: (FileIdentity | undefined)[] = [];
  for (const path of inputs) inputIds.push(path === '-' ? io.stdinIdentity : await fileIdentity(path));
  const targets = new Map<string, string>();
  for (const [flag, path] of wanted) {
    const identity = path === '-' ? undefined : await fileIdentity(path);
    if (inputIds.some((input) => sameIdentity(input, identity))) throw new UsageError(`${flag} ${path} would overwrite an input file`);
    const plan = await planOutput(path, io.stdout);
    const target =
      plan.kind === 'file'
        ? plan.target
        : plan.kind === 'stdout'
          ? '<stdout>'
          : identity && plan.what !== 'device'
            ? `${identity.dev}:${identity.ino}`
            : undefined;
    const other = target === undefined ? undefined : targets.get(target);
    if (other !== undefined) {
      throw new UsageError(
        target === '<stdout>' ? `${other} and ${flag} cannot both write to stdout` : `${other} and ${flag} must be different files`,
      );
    }
    if (target !== undefined) targets.set(target, flag);
  }
  const opened: OutputSink[] = [];
  try {
    for (const [, path] of wanted) {
      const sink = await stop.orStop(openOutput(path, { stdout: io.stdout, signal: stop.abortSignal, onWaiting: io.onWaiting }));
      stop.check(); // a signal while a FIFO waited for its reader
      opened.push(sink!);
    }
  } catch (err) {
    for (const sink of opened) await sink.abort();
    throw err;
  }
  const byFlag = new Map(wanted.map(([flag], i) => [flag, opened[i]]));
  return { predictions: byFlag.get('--predictions'), neighbors: byFlag.get('--save-neighbors'), html: byFlag.get('--html') };
}

/** True when an output writes data to stdout (the report then goes to stderr: it is a message for people). */
export function writesToStdout(outputs: OutputFiles): boolean {
  return [outputs.predictions, outputs.neighbors, outputs.html].some((sink) => sink?.kind === 'stdout');
}

/** `npc merge -o FILE`: refused when it is one of the parts. */
export async function openMergeOutput(
  path: string,
  parts: readonly string[],
  io: Omit<OutputContext, 'stdinIdentity'>,
): Promise<OutputSink> {
  const target = path === '-' ? undefined : await fileIdentity(path);
  for (const part of parts) {
    if (sameIdentity(target, await fileIdentity(part))) throw new UsageError(`--output ${path} would overwrite the part ${part}`);
  }
  return openOutput(path, { stdout: io.stdout, onWaiting: io.onWaiting });
}

/**
 * Writes `text` to a stream with backpressure: resolves once the stream can take more (a slow reader
 * slows npc down instead of growing its memory). A failure is `cannot write NAME: reason` (InputError).
 */
export async function writeToStream(stream: Writable, text: string, name: string): Promise<void> {
  try {
    await writeChunk(stream, text);
  } catch (err) {
    throw describeWriteError(name, err);
  }
}
