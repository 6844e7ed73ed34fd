/** `npc merge PART... -o FILE`: the parts of a sharded evaluation, joined into the unsharded run's file. */
import { mergeNeighborsFiles } from '../../app/merge.js';
import { openMergeOutput } from '../../app/output-files.js';
import type { StdoutTarget } from '../../io/output-sink.js';
import { sayWaiting } from '../line-writer.js';
import { counted } from '../../errors.js';

export async function mergeCommand(
  parts: string[],
  options: { output: string; allowPartial: boolean; quiet: boolean },
  io: { warn: (message: string) => void; stdout: StdoutTarget },
): Promise<void> {
  const output = await openMergeOutput(options.output, parts, { stdout: io.stdout, onWaiting: sayWaiting });
  try {
    const result = await mergeNeighborsFiles(parts, output, { allowPartial: options.allowPartial });
    const coverage = `test shards ${result.testSlices} of ${result.testSliceCount}, ${result.rows} of ${counted(result.selected, 'row')}`;
    if (result.missing.length) io.warn(`merged a partial evaluation: ${coverage}; test shards ${result.missing.join(', ')} were left out`);
    else if (!options.quiet) process.stderr.write(`npc: merged ${parts.length} ${parts.length === 1 ? 'part' : 'parts'}: ${coverage}\n`);
  } catch (err) {
    await output.abort();
    throw err;
  }
}
