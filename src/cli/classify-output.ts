/**
 * `npc classify` output. JSON (`--json` and JSONL input): the fields npc adds to each object. An input
 * line passes through byte for byte, the new fields appended after its last member (numbers are not
 * re-read, key order and spacing stay), and ends as it ended (LF or CRLF); a new object is built for texts
 * given as arguments or plain lines. Plain, CSV and TSV output: the values that one line per row can hold.
 */
import { InputError, UsageError } from '../errors.js';

export { type AddedFields, addedFields, jsonLine, lineEnd } from '../app/classify-lines.js';

/** Output that is one line per input row: bare labels, or CSV / TSV rows with a column appended. */
export type LineOutput = 'plain' | 'csv' | 'tsv';

const LINE_OUTPUT: Record<LineOutput, string> = {
  plain: 'plain output (one line per input)',
  csv: 'CSV output (one line per input row)',
  tsv: 'TSV output (one line per input row, tab-separated)',
};

/**
 * Refuses, before anything is classified, every value that plain, CSV or TSV output could write and one
 * line per row cannot hold: a line end (CR or LF) in any training label as displayed (any text may be
 * given any label) or in a placeholder, and a tab too in TSV. A training label is bad input (exit 1,
 * naming the training file); a flag's value is a usage error. JSON output carries any label.
 */
export function checkLineOutput<L extends string | number | bigint>(
  output: LineOutput,
  classes: readonly L[],
  show: (label: L) => string,
  options: { labelNames?: readonly string[]; emptyLabel: string; abstainLabel: string; outputField: string; trainSource: string },
): void {
  const problem = (value: string): string | undefined =>
    /[\r\n]/.test(value) ? 'a line end' : output === 'tsv' && value.includes('\t') ? 'a tab' : undefined;
  const cannot = `which ${LINE_OUTPUT[output]} cannot hold`;
  for (const label of classes) {
    const shown = show(label);
    const bad = problem(shown);
    if (bad === undefined) continue;
    if (options.labelNames?.includes(shown))
      throw new UsageError(`--label-names: the name ${JSON.stringify(shown)} holds ${bad}, ${cannot}`);
    const remedy =
      output === 'plain' ? 'add --json (JSON output carries any label)' : 'classify JSONL input instead (JSON output carries any label)';
    throw new InputError(
      `the label ${JSON.stringify(String(label))} holds ${bad}, ${cannot}; ${remedy}, or change the label`,
      options.trainSource === '-' ? '<stdin>' : options.trainSource,
    );
  }
  const flags: [string, string][] = [
    ['--empty-label', options.emptyLabel],
    ['--abstain-label', options.abstainLabel],
  ];
  if (output !== 'plain') flags.push(['--output-field', options.outputField]);
  for (const [flag, value] of flags) {
    const bad = problem(value);
    if (bad !== undefined) throw new UsageError(`${flag} ${JSON.stringify(value)} holds ${bad}, ${cannot}`);
  }
}
