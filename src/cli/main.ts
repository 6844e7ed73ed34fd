/**
 * The command line: the only module that reads argv, writes stdout and chooses exit codes.
 * Commands are plain functions in ./commands; errors are mapped to exit codes in ./exit-codes.ts.
 */
import { readFileSync } from 'node:fs';
import { Command, Option } from 'commander';
import { classifyCommand } from './commands/classify.js';
import { dataGetCommand, dataListCommand, dataPathCommand } from './commands/data.js';
import { evalCommand } from './commands/eval.js';
import { reportFor } from './exit-codes.js';
import { dataFormat, inputKind, labelNames, nonNegativeInt, positiveInt } from './options.js';
import { LineWriter } from './output.js';
import { defaultJobs } from '../parallel/searcher.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

function buildProgram(out: LineWriter): Command {
  const program = new Command('npc')
    .description('Parameter-free text classification: exact gzip NCD + k nearest neighbours (Jiang et al. 2023).')
    .version(version(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(`npc: ${str.replace(/^error: /, '')}`) });

  const dataOptions = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--format <fmt>', 'data file format when the extension does not say (jsonl|csv)').argParser(dataFormat))
      .option('--text-field <name>', 'JSONL field / CSV column holding the text', 'text')
      .option('--label-field <name>', 'JSONL field / CSV column holding the label', 'label')
      .addOption(new Option('--label-names <names>', 'display names for integer labels 0,1,2,… (comma-separated)').argParser(labelNames));

  dataOptions(
    program
      .command('classify')
      .summary('print the predicted label of each text')
      .description(
        'Classify texts given as arguments, or read them from stdin (JSONL objects with a "text" field, or\n' +
          'plain lines with --input text). Predictions stream out in input order as soon as each is known.',
      )
      .argument('[text...]', 'texts to classify; none or "-" reads stdin')
      .option('--train <path>', 'training data (JSONL or CSV, plain or .gz); default: AG News train from the cache')
      .option('-k, --k <n>', 'neighbours that vote', positiveInt, 2)
      .option('--neighbors <n>', 'attach the n nearest training rows to each prediction', nonNegativeInt, 0)
      .addOption(new Option('--input <kind>', 'stdin format (jsonl|text)').default('jsonl').argParser(inputKind))
      .option('--json', 'one JSON object per line instead of bare labels', false)
      .option('-j, --jobs <n>', 'worker threads for stdin input', positiveInt, defaultJobs()),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npc classify "Stocks fall as oil prices climb"
  $ npc classify --train my.jsonl --json "first text" "second text"
  $ cat items.jsonl | npc classify --neighbors 3 > predictions.jsonl
  $ cut -f2 titles.tsv | npc classify --input text`,
    )
    .action(async (texts: string[], opts) => {
      await classifyCommand(texts, opts, { stdin: process.stdin, out });
    });

  dataOptions(
    program
      .command('eval')
      .summary('accuracy of a test split: strict top-1 and the paper\'s lenient score')
      .option('--train <path>', 'training data; default: AG News train from the cache')
      .option('--test <path>', 'test data; default: AG News test from the cache')
      .option('-k, --k <n>', 'neighbours that vote', positiveInt, 2)
      .option('--limit <n>', 'evaluate only the first n test rows', positiveInt)
      .option('--sample <n>', 'evaluate a stratified random sample of n test rows', positiveInt)
      .option('--seed <s>', 'seed for --sample', nonNegativeInt, 0)
      .option('--json', 'print one JSON object instead of a table', false)
      .option('--predictions <file>', 'write one JSONL line per evaluated test row')
      .option('--neighbors <n>', 'neighbours listed per row in --predictions (default k)', positiveInt)
      .option('-q, --quiet', 'no progress line on stderr', false)
      .option('-j, --jobs <n>', 'worker threads (results are identical for every n)', positiveInt, defaultJobs()),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ npc eval --limit 500
  $ npc eval --train train.jsonl.gz --test test.jsonl.gz -k 3 --json
  $ npc eval --sample 1000 --seed 7 --predictions preds.jsonl`,
    )
    .action(async (opts) => {
      await evalCommand(opts, { out });
    });

  const data = program.command('data').description('the data set registry and the local cache');
  data
    .command('list')
    .description('list known data sets and whether they are cached')
    .action(async () => dataListCommand({ out }));
  data
    .command('get')
    .description('download a data set into the cache, checking size and MD5')
    .argument('<name>', 'data set name (see npc data list)')
    .option('--split <split>', 'only this split (train|test)')
    .option('--from <url-or-dir>', 'a mirror: base URL or local directory holding the CSV files')
    .option('-q, --quiet', 'no progress on stderr', false)
    .addHelpText(
      'after',
      `
Cache: $NPC_DATA_DIR, else $XDG_CACHE_HOME/npc, else ~/.cache/npc.
Examples:
  $ npc data get ag_news
  $ npc data get ag_news --split test --from ./mirror/`,
    )
    .action(async (name: string, opts) => dataGetCommand(name, opts, { out }));
  data
    .command('path')
    .description('print the cached JSONL path of a data set split')
    .argument('<name>', 'data set name')
    .option('--split <split>', 'only this split (train|test)')
    .action(async (name: string, opts) => dataPathCommand(name, opts, { out }));

  return program;
}

/** Runs npc with `argv` (process.argv layout) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const out = new LineWriter(process.stdout);
  const program = buildProgram(out);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const report = reportFor(err);
    if (report.line) process.stderr.write(report.line + '\n');
    return report.code;
  }
}
