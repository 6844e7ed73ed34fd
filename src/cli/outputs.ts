/**
 * Opening the commands' output files (io/output-file.ts decides how each path is written), before any
 * work: `npc eval`'s --predictions and --save-neighbors, `npc merge`'s --output. An output that is one
 * of the inputs (same file, by device and inode: any spelling, symlink or hard link), or the same file
 * as another output, is a usage error.
 */
import { UsageError } from '../errors.js';
import { type FileIdentity, fileIdentity, openOutput, type OutputSink, planOutput, sameIdentity, type StdoutTarget } from '../io/output-file.js';
import type { StopOnSignal } from './signals.js';

export type { FileIdentity, StdoutTarget } from '../io/output-file.js';

export interface EvalOutputPaths {
  predictions?: string;
  saveNeighbors?: string;
}

export interface EvalOutputs {
  predictions?: OutputSink;
  neighbors?: OutputSink;
}

/**
 * @param inputs the files the evaluation reads (`-` for stdin, whose file is `stdinIdentity`).
 * @param stop a signal ends a wait for a FIFO's reader (Interrupted).
 */
export async function openEvalOutputs(
  paths: EvalOutputPaths,
  inputs: readonly string[],
  io: { stdout: StdoutTarget; stdinIdentity?: FileIdentity },
  stop: StopOnSignal,
): Promise<EvalOutputs> {
  const wanted = [
    ['--predictions', paths.predictions],
    ['--save-neighbors', paths.saveNeighbors],
  ].filter((e): e is [string, string] => e[1] !== undefined);
  if (wanted.length === 0) return {};
  const inputIds: (FileIdentity | undefined)[] = [];
  for (const path of inputs) inputIds.push(path === '-' ? io.stdinIdentity : await fileIdentity(path));
  const targets: string[] = [];
  for (const [flag, path] of wanted) {
    const identity = path === '-' ? undefined : await fileIdentity(path);
    if (inputIds.some((input) => sameIdentity(input, identity))) throw new UsageError(`${flag} ${path} would overwrite an input file`);
    const plan = await planOutput(path, io.stdout);
    const target = plan.kind === 'file' ? plan.target : plan.kind === 'stdout' ? '<stdout>' : identity && plan.what !== 'device' ? `${identity.dev}:${identity.ino}` : undefined;
    if (target !== undefined && targets.includes(target)) {
      throw new UsageError(target === '<stdout>' ? '--predictions and --save-neighbors cannot both write to stdout' : '--predictions and --save-neighbors must be different files');
    }
    if (target !== undefined) targets.push(target);
  }
  const opened: OutputSink[] = [];
  try {
    for (const [, path] of wanted) {
      // A FIFO without a reader makes npc wait, as `cat > fifo` would: say so, or the wait looks like a hang.
      const onWaiting = (message: string): void => void process.stderr.write(`npc: ${message}\n`);
      const sink = await stop.orStop(openOutput(path, { stdout: io.stdout, signal: stop.abortSignal, onWaiting }));
      stop.check(); // a signal while a FIFO waited for its reader
      opened.push(sink!);
    }
  } catch (err) {
    for (const sink of opened) await sink.abort();
    throw err;
  }
  const byFlag = new Map(wanted.map(([flag], i) => [flag, opened[i]]));
  return { predictions: byFlag.get('--predictions'), neighbors: byFlag.get('--save-neighbors') };
}

/** `npc merge -o FILE`: refused when it is one of the parts. */
export async function openMergeOutput(path: string, parts: readonly string[], stdout: StdoutTarget): Promise<OutputSink> {
  const target = path === '-' ? undefined : await fileIdentity(path);
  for (const part of parts) {
    if (sameIdentity(target, await fileIdentity(part))) throw new UsageError(`--output ${path} would overwrite the part ${part}`);
  }
  return openOutput(path, { stdout });
}
