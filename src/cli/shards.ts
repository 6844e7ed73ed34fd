/**
 * `--shard I/N`, `--train-shard J/N` and `--shard auto[/N]`: which slice of the work this process does.
 * `auto` takes the index (and the count when the scheduler gives it) from the environment of an array
 * job: Slurm (SLURM_ARRAY_TASK_ID, _MIN, _STEP, _COUNT), Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX;
 * the count as auto/N) or AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX; the count as auto/N).
 */
import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';

export type ShardFlag = { index: number; count: number } | { auto: true; count?: number };

/** Parses `I/N` (0 <= I < N) or `auto` / `auto/N`. */
export function shardFlag(value: string): ShardFlag {
  const auto = /^auto(?:\/(\d+))?$/.exec(value.trim());
  if (auto) {
    const count = auto[1] === undefined ? undefined : Number(auto[1]);
    if (count !== undefined && !(Number.isSafeInteger(count) && count >= 1))
      throw new InvalidArgumentError('expected auto/N with N a positive integer.');
    return { auto: true, count };
  }
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = m ? Number(m[1]) : NaN;
  const count = m ? Number(m[2]) : NaN;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1) {
    throw new InvalidArgumentError('expected I/N (slice I, 0-based, of N), auto or auto/N.');
  }
  if (index >= count)
    throw new InvalidArgumentError(`expected I/N with I from 0 to N − 1 (the slices are 0-based), got ${index}/${count}.`);
  return { index, count };
}

/** An array job's own index in the environment, per scheduler (undefined values: not set). */
function schedulerIndices(env: NodeJS.ProcessEnv): { name: string; index: number; count?: number }[] {
  const found: { name: string; index: number; count?: number }[] = [];
  const int = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d+$/.test(v)) throw new UsageError(`--shard auto: ${name}=${JSON.stringify(v)} is not a non-negative integer`);
    return Number(v);
  };
  const slurmId = int('SLURM_ARRAY_TASK_ID');
  if (slurmId !== undefined) {
    const min = int('SLURM_ARRAY_TASK_MIN') ?? 0;
    const step = int('SLURM_ARRAY_TASK_STEP') ?? 1;
    const count = int('SLURM_ARRAY_TASK_COUNT');
    if (step < 1 || slurmId < min || (slurmId - min) % step !== 0) {
      throw new UsageError(
        `--shard auto: SLURM_ARRAY_TASK_ID=${slurmId} is not in the array ${min}, ${min + step}, … (SLURM_ARRAY_TASK_MIN, _STEP)`,
      );
    }
    found.push({ name: 'Slurm (SLURM_ARRAY_TASK_ID)', index: (slurmId - min) / step, count });
  }
  const k8s = int('JOB_COMPLETION_INDEX');
  if (k8s !== undefined) found.push({ name: 'Kubernetes (JOB_COMPLETION_INDEX)', index: k8s });
  const aws = int('AWS_BATCH_JOB_ARRAY_INDEX');
  if (aws !== undefined) found.push({ name: 'AWS Batch (AWS_BATCH_JOB_ARRAY_INDEX)', index: aws });
  return found;
}

/** The slice this process does: `I/N` as given, or `auto` resolved from the scheduler's environment. */
export function resolveShard(flag: ShardFlag, option: string, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  if (!('auto' in flag)) return flag;
  const found = schedulerIndices(env);
  if (found.length === 0) {
    throw new UsageError(
      `${option} auto: no array job index in the environment (SLURM_ARRAY_TASK_ID, JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX); give ${option} I/N`,
    );
  }
  if (new Set(found.map((f) => f.index)).size > 1) {
    throw new UsageError(`${option} auto: the schedulers disagree: ${found.map((f) => `${f.name} says ${f.index}`).join(', ')}`);
  }
  const counts = [flag.count, ...found.map((f) => f.count)].filter((c): c is number => c !== undefined);
  if (counts.length === 0) throw new UsageError(`${option} auto: ${found[0].name} gives no count: give it as ${option} auto/N`);
  if (new Set(counts).size > 1)
    throw new UsageError(
      `${option} auto/${flag.count}: ${found[0].name} has ${found.find((f) => f.count !== undefined)?.count} array tasks`,
    );
  const index = found[0].index;
  const count = counts[0];
  if (index >= count)
    throw new UsageError(`${option} auto: ${found[0].name} is ${index}, but there are only ${count} shards (0..${count - 1})`);
  return { index, count };
}
