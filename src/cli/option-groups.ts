/**
 * The options more than one command takes, each declared once: its flag, parser and default here, and the
 * groups the commands add together (`dataFileOptions`). Where commands describe a shared option in their
 * own words (what `-k` counts, what `--tie` decides), the command passes the description; the flag,
 * parser and default stay the same everywhere.
 */
import { availableParallelism } from 'node:os';
import { type Command, Option } from 'commander';
import { columnNames, dataFormat, kList, labelFieldSpec, labelNames, positiveInt, seed, textFieldSpec, tieRule } from './options.js';
import { shardFlag } from './shards.js';

const FORMATS = '(jsonl|csv|tsv|ag_news)';

/** `--format`: the format of data files whose extension does not say. */
export function formatOption(): Option {
  return new Option('--format <fmt>', `format of data files whose extension does not say ${FORMATS}`).argParser(dataFormat);
}

/** `--train-format`, `--test-format`, …: the format of one file. `file` says which (`the training file, whatever its extension`). */
export function fileFormatOption(role: string, file: string): Option {
  return new Option(`--${role}-format <fmt>`, `format of ${file} ${FORMATS}`).argParser(dataFormat);
}

/** classify's, eval's and score's `--train-format`: it holds whatever the file's extension. */
export function trainFormatOption(): Option {
  return fileFormatOption('train', 'the training file, whatever its extension');
}

/** eval's and score's `--test-format`. */
export function testFormatOption(): Option {
  return fileFormatOption('test', 'the test file, whatever its extension');
}

export function textFieldOption(description: string, defaultValue?: string): Option {
  const option = new Option('--text-field <spec>', description).argParser(textFieldSpec);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

export function labelFieldOption(description: string, defaultValue?: string): Option {
  const option = new Option('--label-field <spec>', description).argParser(labelFieldSpec);
  return defaultValue === undefined ? option : option.default(defaultValue);
}

export function noHeaderOption(): Option {
  return new Option('--no-header', 'CSV and TSV files have no header row: name their columns with --columns');
}

export function columnsOption(): Option {
  return new Option('--columns <names>', 'the columns of every CSV or TSV file without a header, in order (label,text)').argParser(
    columnNames,
  );
}

/** `--train-columns`, `--test-columns`, …: the columns of one headerless file; `note` follows `only` (`(classify: of --input csv|tsv)`). */
export function fileColumnsOption(role: string, file: string, note = ''): Option {
  return new Option(`--${role}-columns <names>`, `the columns of ${file} only${note}, which then has no header`).argParser(columnNames);
}

export function labelNamesOption(): Option {
  return new Option(
    '--label-names <names>',
    'display names for labels 0,1,2,… (integers, or their digits in a CSV; comma-separated)',
  ).argParser(labelNames);
}

/**
 * The layout of the data files of classify, eval and score: format, text and label fields (for every file
 * or for one side), headerless CSV/TSV columns, and display names for labels.
 */
export function dataFileOptions(cmd: Command): Command {
  return cmd
    .addOption(formatOption())
    .addOption(
      textFieldOption(
        'field holding the text in every file: a name, a dot path into nested JSON (meta.title), or several joined with one space (title,description) (default: text)',
      ),
    )
    .addOption(labelFieldOption('field holding the label in every file: a name or a dot path (meta.topic) (default: label)'))
    .option('--train-text-field <spec>', 'the text field of the training file only', textFieldSpec)
    .option('--train-label-field <spec>', 'the label field of the training file only', labelFieldSpec)
    .option('--test-text-field <spec>', 'the text field of the test file only (classify: of the input)', textFieldSpec)
    .option('--test-label-field <spec>', 'the label field of the test file only (classify: of the input)', labelFieldSpec)
    .addOption(noHeaderOption())
    .addOption(columnsOption())
    .addOption(fileColumnsOption('train', 'the training file'))
    .addOption(fileColumnsOption('test', 'the test file', ' (classify: of --input csv|tsv)'))
    .addOption(labelNamesOption());
}

/** `-k` with one k (classify, drift). */
export function kOption(description: string): Option {
  return new Option('-k, --k <n>', description).argParser(positiveInt).default(2);
}

/** `-k` with a list of ks, the first the headline (eval, score). */
export function kListOption(description: string): Option {
  return new Option('-k, --k <list>', description).argParser(kList).default([2]);
}

export function tieOption(description: string): Option {
  return new Option('--tie <rule>', description).default('nearest').argParser(tieRule);
}

/** `--seed`; `uses` says what it seeds (`for --sample, --shots and the random tie rule's picks`). */
export function seedOption(uses: string): Option {
  return new Option('--seed <s>', `seed (0..4294967295) ${uses}`).argParser(seed).default(0);
}

export function jsonReportOption(): Option {
  return new Option('--json', 'print one JSON object instead of tables').default(false);
}

/** `--html`; `contents` follows `page` (` (heat map, curves)`). */
export function htmlOption(contents = ''): Option {
  return new Option('--html <file>', `also write the report as one self-contained HTML page${contents}`);
}

export function quietOption(description = 'no progress line on stderr'): Option {
  return new Option('-q, --quiet', description).default(false);
}

/** `-j`: worker threads, by default one per available CPU. */
export function jobsOption(description: string): Option {
  return new Option('-j, --jobs <n>', description).argParser(positiveInt).default(availableParallelism());
}

export function shardOption(description: string): Option {
  return new Option('--shard <I/N>', description).argParser(shardFlag);
}

/** `--repository DIR`: the model repository (`models:/` URIs, `npc model register` …). */
export function repositoryOption(): Option {
  return new Option(
    '--repository <dir>',
    'the model repository (default: $NPC_MODEL_REPOSITORY, else $XDG_DATA_HOME/npc/models, else ~/.local/share/npc/models)',
  );
}

/** `--model`: a model artifact in place of `--train` (classify, eval, drift). `uses` says what its card gives the command. */
export function modelOption(uses: string): Option {
  return new Option(
    '--model <path|uri>',
    `a model artifact (.npcm file or models:/NAME/VERSION, models:/NAME@ALIAS): its rows are the training side; its card gives ${uses}`,
  );
}

/** The flags (`--k`, `--tie`, `--no-header`, …) of the options given on the command line, not left at their defaults. */
export function givenFlags(cmd: Command): Set<string> {
  return new Set(
    cmd.options.filter((o) => o.long !== undefined && cmd.getOptionValueSource(o.attributeName()) === 'cli').map((o) => o.long!),
  );
}
