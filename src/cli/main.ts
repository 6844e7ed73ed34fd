/**
 * The command line: the only module that reads argv, writes stdout and chooses exit codes.
 * Commands are plain functions in ./commands, loaded on first use; each is declared here by its own
 * function (addClassify, addEval, …), the options several commands take once in ./option-groups.ts.
 * Errors are mapped to exit codes in ./exit-codes.ts.
 */
import { fstatSync } from 'node:fs';
import { Command, Option } from 'commander';
import { reportFor } from './exit-codes.js';
import type { FileIdentity, StdoutTarget } from '../io/output-sink.js';
import { inputKind, ncdThreshold, nonNegativeInt, port, pollSeconds, positiveInt, probability, seconds, seed, share } from './options.js';
import {
  columnsOption,
  dataFileOptions,
  fileColumnsOption,
  fileFormatOption,
  formatOption,
  givenFlags,
  htmlOption,
  jobsOption,
  jsonReportOption,
  kListOption,
  kOption,
  labelFieldOption,
  labelNamesOption,
  modelOption,
  repositoryOption,
  noHeaderOption,
  quietOption,
  seedOption,
  shardOption,
  testFormatOption,
  textFieldOption,
  tieOption,
  trainFormatOption,
} from './option-groups.js';
import { shardFlag } from './shards.js';
import { addModelRepositoryCommands } from './commands/model-repository.js';
import { exitOnSignal } from './signals.js';
import { LineWriter } from './line-writer.js';
import { npcVersion } from '../app/version.js';
import type { WorkerFactory } from '../app/training.js';

/** What the embedding program may put in place of npc's defaults (never read from the environment). */
export interface MainOptions {
  /**
   * How search worker threads are started (default: the built worker.js). A test entry point passes a
   * worker that fails on purpose; a program embedding npc, one of its own.
   */
  createWorker?: WorkerFactory;
}

function buildProgram(out: LineWriter, seams: MainOptions): Command {
  const { createWorker } = seams;
  const program = new Command('npc')
    .description('Parameter-free text classification: exact gzip NCD + k nearest neighbours (Jiang et al. 2023).')
    .version(npcVersion(), '-V, --version')
    .exitOverride()
    // Flags show no "(default: false)": off unless given is what a flag means.
    .configureHelp({ optionDescription: (option) => describeOption(option) })
    // Usage errors are one line too: `npc: unknown option '--bogus' (see npc --help)`.
    .configureOutput({ outputError: (str, write) => write(`npc: ${str.replace(/^error: /, '').trimEnd()} (see --help)\n`) });
  addClassify(program, out, createWorker);
  addEval(program, out, createWorker);
  addScore(program, out);
  addDrift(program, out, createWorker);
  addMerge(program);
  addData(program, out);
  addModel(program, out, createWorker);
  addServe(program, createWorker);
  return program;
}

function addClassify(program: Command, out: LineWriter, createWorker: WorkerFactory | undefined): void {
  const classify = program
    .command('classify')
    .summary('print the predicted label of each text')
    .description(
      'Classify texts given as arguments, or read them from stdin (JSONL objects with a "text" field, or plain lines with --input text). Predictions stream out in input order as soon as each is known.',
    )
    .argument('[text...]', 'texts to classify; none or "-" reads stdin')
    .option('--train <path>', 'training data (JSONL, CSV or TSV, plain or .gz); default: AG News train from the cache')
    .option('--dataset <name>', 'the train split of this data set from the cache (npc data list) instead of --train')
    .addOption(modelOption('the default k, tie rule, seed and thresholds, and whether texts are stripped'))
    .addOption(repositoryOption())
    .addOption(trainFormatOption())
    .option('--strip', 'trim surrounding whitespace of the training rows and of every text classified (Python str.strip())', false)
    .addOption(kOption('neighbours that vote'))
    .addOption(tieOption('how a tie between labels with the most votes is broken (nearest|decrement|random|weighted)'))
    // No default: --seed without --tie random is refused (it would change nothing).
    .option('--seed <s>', "seed (0..4294967295) of --tie random: a text's pick depends on the seed and the text only (default: 0)", seed)
    .option('--neighbors <n>', 'attach the n nearest training rows to each prediction (JSON output)', nonNegativeInt, 0)
    .addOption(
      new Option(
        '--input <kind>',
        'stdin format (jsonl|text|csv|tsv); text: one output line per input line; csv, tsv: a header row, written back with a prediction column',
      )
        .default('jsonl')
        .argParser(inputKind),
    )
    .option('--json', 'one JSON object per line instead of bare labels (JSONL input always gives JSON)', false)
    .option('--output-field <name>', 'name of the field added to JSON output (its display name goes in <name>_name)', 'prediction')
    .option('--empty-label <text>', 'printed (plain, CSV, TSV output) for an empty text, which is not classified', '?')
    .option('--stop-on-bad-row', 'an empty text is an error (exit 1) instead of an answered row counted in a warning', false)
    .option('--abstain-above <ncd>', 'abstain (no prediction) when the nearest training row is farther than this NCD', ncdThreshold)
    .option('--min-confidence <share>', 'abstain when the predicted label has less than this share (0..1) of the k votes', share)
    .option('--abstain-label <text>', 'printed for an abstained prediction in plain output', '?')
    .option('--input-file <path>', 'read the texts from this file (JSONL, or plain lines with --input text) instead of stdin')
    .addOption(
      shardOption('with --input-file: only the lines that start in byte range I (0-based) of N; auto or auto/N: from an array job'),
    )
    .addOption(jobsOption('worker threads for stdin input'))
    .addOption(quietOption('with --model: no note on stderr of the settings used and where each came from'));
  dataFileOptions(classify)
    .addHelpText(
      'after',
      `
Examples:
  $ npc classify "Stocks fall as oil prices climb"
  $ npc classify --train my.jsonl --json "first text" "second text"
  $ cat items.jsonl | npc classify --neighbors 3 > predictions.jsonl
  $ cut -f2 titles.tsv | npc classify --input text`,
    )
    .action(async (texts: string[], opts, cmd: Command) => {
      const { classifyCommand } = await import('./commands/classify.js');
      await classifyCommand(texts, { ...opts, given: givenFlags(cmd) }, { stdin: process.stdin, out, warn, note, createWorker });
    });
}

function addEval(program: Command, out: LineWriter, createWorker: WorkerFactory | undefined): void {
  const evaluate = program
    .command('eval')
    .summary("accuracy of a test split: strict top-1 (every tie rule, every k) and the paper's lenient score")
    .description(
      "Computes the nearest neighbours of every evaluated test row once, then reports for every k the strict accuracy under each tie rule with 95% Wilson intervals, the paper's lenient score, tie-order envelopes, per-class precision/recall/F1, macro-F1 and the confusion matrix (headline: the first k and --tie).",
    )
    .option('--train <path>', 'training data; default: AG News train from the cache')
    .option('--test <path>', 'test data; default: AG News test from the cache')
    .option(
      '--dataset <name>',
      'the train and test splits of this data set from the cache (npc data list) instead of --train and --test; with --model, its test split',
    )
    .addOption(modelOption('the default k, tie rule and seed, and whether texts are stripped (needs --test or --dataset)'))
    .addOption(repositoryOption())
    .addOption(trainFormatOption())
    .addOption(testFormatOption())
    .addOption(kListOption('neighbours that vote: one k or a list such as 1,2,3,5,10 (the first is the headline)'))
    .addOption(tieOption('tie rule of the headline and --predictions (nearest|decrement|random|weighted)'))
    .option('--neighbors <m>', 'neighbours computed and saved per row (default: largest k + 10)', positiveInt)
    .option('--limit <n>', 'evaluate only the first n test rows', positiveInt)
    .option('--sample <n>', 'evaluate a stratified random sample of n test rows', positiveInt)
    .addOption(seedOption("for --sample, --shots and the random tie rule's picks"))
    .option('--strip', 'trim surrounding whitespace of every text (Python str.strip(), as the R8/R52 re-evaluation did)', false)
    .option('--shots <n>', 'few-shot: n training rows per class, drawn --trials times', positiveInt)
    .option('--trials <t>', 'few-shot draws (with --shots; default 5)', positiveInt)
    .addOption(jsonReportOption())
    .option(
      '--predictions <file>',
      'write one JSONL line per evaluated test row (headline k and tie rule); - for stdout (the report then goes to stderr)',
    )
    .option('--save-neighbors <file>', 'save the neighbours of every evaluated row for `npc score`; - for stdout')
    .addOption(quietOption())
    .addOption(jobsOption('worker threads (results are identical for every n)'))
    .addOption(
      shardOption(
        'only test slice I (0-based) of N of the selected rows, for npc merge; auto or auto/N: from a Slurm, Kubernetes or AWS Batch array job',
      ),
    )
    .option('--train-shard <J/N>', 'neighbours among training slice J of N only (global indices), for npc merge', shardFlag)
    .addOption(htmlOption(' (heat map, curves)'))
    .option('--data <path>', 'one labelled file, split by --holdout, --folds or --leave-one-out (instead of --train and --test)')
    .option('--holdout <fraction>', 'with --data: a stratified test set of this fraction of the rows (--seed)', probability)
    .option('--folds <k>', 'with --data: stratified k-fold cross-validation (--seed)', positiveInt)
    .option('--leave-one-out', 'with --data: every row against all the others', false);
  dataFileOptions(evaluate)
    .addHelpText(
      'after',
      `
Examples:
  $ npc eval --limit 500
  $ npc eval --dataset ag_news -k 1,2,3 --sample 1000
  $ npc eval --train train.jsonl.gz --test test.jsonl.gz -k 1,2,3,5,10 --json
  $ npc eval --train r8/train.jsonl.gz --test r8/test.jsonl.gz --strip -k 1,2 --save-neighbors r8.nbr
  $ npc eval --sample 1000 --seed 7 --predictions preds.jsonl
  $ npc eval --shots 5 --trials 5 --seed 1 --limit 1000`,
    )
    .action(async (opts, cmd: Command) => {
      const { evalCommand } = await import('./commands/eval.js');
      await evalCommand(
        { ...opts, given: givenFlags(cmd) },
        { out, warn, stdout: stdoutTarget(), stdinIdentity: fdIdentity(0), createWorker },
      );
    });
}

function addScore(program: Command, out: LineWriter): void {
  const score = program
    .command('score')
    .summary('re-score saved neighbours (from eval --save-neighbors) without compressing anything')
    .argument('<file>', 'a file written by npc eval --save-neighbors')
    .option('--train <path>', 'the training data the file was computed on (checked by the sha256 of the file or of its content)')
    .option('--test <path>', 'the test data the file was computed on (checked by the sha256 of the file or of its content)')
    .addOption(trainFormatOption())
    .addOption(testFormatOption())
    .addOption(kListOption('neighbours that vote: one k or a list (at most the saved M)'))
    .addOption(tieOption('tie rule of the headline (nearest|decrement|random|weighted)'))
    .addOption(seedOption("of the random tie rule's picks"))
    .addOption(jsonReportOption())
    .option(
      '--predictions <file>',
      'write one JSONL line per saved row, as eval --predictions does (headline k and tie rule); - for stdout (the report then goes to stderr)',
    )
    .addOption(htmlOption(' (heat map, curves)'))
    .addOption(quietOption());
  dataFileOptions(score)
    .addHelpText(
      'after',
      `
Examples:
  $ npc score r8.nbr --train r8/train.jsonl.gz --test r8/test.jsonl.gz -k 1,3,5 --tie decrement
  $ npc score all.nbr --train train.jsonl --test test.jsonl --predictions preds.jsonl --html report.html`,
    )
    .action(async (file: string, opts) => {
      const { scoreCommand } = await import('./commands/score.js');
      await scoreCommand(file, opts, { out, warn, stdout: stdoutTarget(), stdinIdentity: fdIdentity(0) });
    });
}

function addDrift(program: Command, out: LineWriter, createWorker: WorkerFactory | undefined): void {
  program
    .command('drift')
    .summary('has the input changed since the training set was built? exit status 3 when it has')
    .description(
      'Classifies every row of a reference set (what the input looked like when all was well) and of a current set against the training set, then tests whether the nearest distances (two-sample KS; PSI for information), the predicted labels (chi-square, TVD) or the share of empty and whitespace-only texts changed, each test at alpha/3. Lists the current rows farthest from the training set. Labels are not needed.',
    )
    .option('--train <path>', 'training data; default: AG News train from the cache')
    .option('--dataset <name>', 'the train split of this data set from the cache (npc data list) instead of --train')
    .addOption(modelOption('k, the tie rule, whether texts are stripped, and the reference distributions (without --reference)'))
    .addOption(repositoryOption())
    .option(
      '--reference <path>',
      "rows from when the input was as expected (JSONL, CSV, TSV; - for stdin); with --model, default: the card's",
    )
    .option('--current <path>', 'the rows to check (- for stdin)')
    .addOption(formatOption())
    .addOption(fileFormatOption('train', 'the training file'))
    .addOption(fileFormatOption('reference', 'the reference file'))
    .addOption(fileFormatOption('current', 'the current file'))
    .addOption(
      textFieldOption(
        'field holding the text: a name, a dot path (meta.title), or several joined with one space (title,description)',
        'text',
      ),
    )
    .addOption(labelFieldOption('field holding the label of the training set: a name or a dot path', 'label'))
    .addOption(noHeaderOption())
    .addOption(columnsOption())
    .addOption(fileColumnsOption('train', 'the training file'))
    .addOption(fileColumnsOption('reference', 'the reference file'))
    .addOption(fileColumnsOption('current', 'the current file'))
    .addOption(labelNamesOption())
    .addOption(kOption('neighbours that vote for the predicted labels'))
    .option('--alpha <a>', 'false-alarm rate over the three tests (each at alpha/3)', probability, 0.01)
    .option('--short <n>', 'a text shorter than n characters counts as very short', positiveInt, 10)
    .option('--window <n>', 'read the current rows from stdin and print one JSON line per window of n rows (a monitor)', positiveInt)
    .addOption(jsonReportOption())
    .addOption(htmlOption())
    .addOption(quietOption())
    .addOption(jobsOption('worker threads'))
    .addHelpText(
      'after',
      `
Exit status: 0 no drift, 3 drift detected, 1 bad input, 2 usage error.
Examples:
  $ npc drift --train train.jsonl --reference last-month.jsonl --current today.jsonl
  $ tail -F incoming.jsonl | npc drift --train train.jsonl --reference last-month.jsonl --window 500`,
    )
    .action(async (opts, cmd: Command) => {
      const { driftCommand } = await import('./commands/drift.js');
      await driftCommand(
        { ...opts, given: givenFlags(cmd) },
        { stdin: process.stdin, out, warn, note, stdout: stdoutTarget(), createWorker },
      );
    });
}

function addMerge(program: Command): void {
  program
    .command('merge')
    .summary('join the parts of a sharded evaluation (eval --shard / --train-shard) into one neighbours file')
    .description(
      'Checks every part (header, checksum), refuses parts that do not belong together, overlap or are missing, and writes the file the unsharded run writes, byte for byte: test slices in row order, training slices merged as an exact top-M union.',
    )
    .argument('<part...>', 'neighbours files written by npc eval --shard/--train-shard --save-neighbors')
    .requiredOption('-o, --output <file>', 'the merged neighbours file (- for stdout)')
    .option('--allow-partial', 'merge the complete test slices and leave out the others (the file says so)', false)
    .addOption(quietOption('no summary on stderr'))
    .addHelpText(
      'after',
      `
Examples:
  $ npc merge part-*.nbr -o all.nbr
  $ npc score all.nbr --train train.jsonl --test test.jsonl -k 1,2,3`,
    )
    .action(async (parts: string[], opts) => {
      const { mergeCommand } = await import('./commands/merge.js');
      await mergeCommand(parts, opts, { warn, stdout: stdoutTarget() });
    });
}

function addData(program: Command, out: LineWriter): void {
  const data = program.command('data').description('the data catalog and the local cache');
  data
    .command('list')
    .description('list known data sets, one line per split: name, split, rows, cached or not cached, description')
    .action(async () => (await import('./commands/data.js')).dataListCommand({ out }));
  data
    .command('get')
    .description('download a data set into the cache, checking sizes and checksums')
    .argument('<name>', 'data set name (see npc data list)')
    .option('--split <split>', 'only this split (train|test)')
    .option('--from <url-or-dir>', "a mirror: base URL or local directory holding the data set's upstream files")
    .addOption(quietOption('no progress on stderr'))
    .addHelpText(
      'after',
      `
Cache: $NPC_DATA_DIR, else $XDG_CACHE_HOME/npc, else ~/.cache/npc.
Examples:
  $ npc data get ag_news
  $ npc data get ag_news --split test --from ./mirror/`,
    )
    .action(async (name: string, opts) => (await import('./commands/data.js')).dataGetCommand(name, opts, { out }));
  data
    .command('path')
    .description('print the cached JSONL path of a data set split')
    .argument('<name>', 'data set name')
    .option('--split <split>', 'only this split (train|test)')
    .action(async (name: string, opts) => (await import('./commands/data.js')).dataPathCommand(name, opts, { out }));
}

/** `npc model …`: artifacts (./commands/model.ts) and the model repository (./commands/model-repository.ts). */
function addModel(program: Command, out: LineWriter, createWorker: WorkerFactory | undefined): void {
  const model = program
    .command('model')
    .summary('model artifacts (one .npcm file with its card) and the model repository (versions, aliases, rollback)');
  const build = model
    .command('build')
    .summary('one .npcm file: every training row, their C(y), the defaults and the card')
    .description(
      'Reads --train as npc eval --train does and writes one artifact holding every row (texts and labels as read), the C(y) of each, the label classes, the default k, tie rule and thresholds, and the card: where the rows came from, the evaluation asked for (--folds, --holdout or --test: the report npc eval --json prints for the same split) and the reference distributions npc drift compares against. The file is written atomically.',
    )
    .option('--train <path>', 'the training data (JSONL, CSV or TSV, plain or .gz; - for stdin); this or --dataset')
    .option(
      '--dataset <name>',
      'the train split of this data set from the cache (npc data list) instead of --train, evaluated on its test split unless --folds or --holdout',
    )
    .requiredOption('-o, --output <file>', 'the artifact to write (.npcm)')
    .option('--name <name>', "the model's name (default: the output's file name without .npcm)")
    .option('--description <text>', 'what the model is for, in words (the card shows it)')
    .addOption(trainFormatOption())
    .addOption(testFormatOption())
    .addOption(kOption('default neighbours that vote'))
    .addOption(tieOption('default tie rule (nearest|decrement|random|weighted)'))
    .addOption(seedOption('of the random tie rule, the --folds/--holdout split and the reference sample'))
    .option('--abstain-above <ncd>', 'default: abstain when the nearest training row is farther than this NCD', ncdThreshold)
    .option('--min-confidence <share>', 'default: abstain when the predicted label has less than this share (0..1) of the k votes', share)
    .option('--folds <k>', 'evaluate by stratified k-fold cross-validation of --train (as npc eval --data --folds)', positiveInt)
    .option('--holdout <fraction>', 'evaluate on a stratified held-out fraction of --train (as npc eval --data --holdout)', probability)
    .option('--test <path>', 'evaluate on this test file (as npc eval --train --test)')
    .option('--reference-rows <n>', 'training rows sampled for the reference distributions (all when fewer)', positiveInt, 1000)
    .option('--strip', 'trim surrounding whitespace of every text (Python str.strip())', false)
    .option('--json', 'print what was written as one JSON line', false)
    .addOption(quietOption())
    .addOption(jobsOption('worker threads'));
  dataFileOptions(build)
    .addHelpText(
      'after',
      `
Examples:
  $ npc model build --train news.jsonl -o news.npcm --description "news topics" --folds 5
  $ npc model build --train r8/train.jsonl.gz --test r8/test.jsonl.gz --strip -o r8.npcm
  $ npc model build --dataset ag_news -o ag_news.npcm`,
    )
    .action(async (opts, cmd: Command) => {
      const { modelBuildCommand } = await import('./commands/model.js');
      await modelBuildCommand(
        { ...opts, given: givenFlags(cmd) },
        { out, warn, stdin: process.stdin, createWorker, npcVersion: npcVersion() },
      );
    });
  model
    .command('show')
    .description("print a model's card: its MODEL_CARD.md, or card.json with --json")
    .argument('<model>', 'a .npcm file, or models:/NAME/VERSION, models:/NAME@ALIAS')
    .option('--json', 'print card.json', false)
    .addOption(repositoryOption())
    .action(async (file: string, opts) => {
      const { modelShowCommand } = await import('./commands/model.js');
      await modelShowCommand(file, opts, { out, warn, npcVersion: npcVersion() });
    });
  model
    .command('verify')
    .description(
      "make every check loading makes (tar layout, every member's sha256, the card, the engine); exit 0 with one OK line, else 1",
    )
    .argument('<model>', 'a .npcm file, or models:/NAME/VERSION, models:/NAME@ALIAS')
    .addOption(repositoryOption())
    .action(async (file: string, opts) => {
      const { modelVerifyCommand } = await import('./commands/model.js');
      await modelVerifyCommand(file, opts, { out, warn, npcVersion: npcVersion() });
    });
  addModelRepositoryCommands(model, { out, warn });
}

/** `npc serve`: the model behind HTTP (./commands/serve.ts, which alone loads the server's modules). */
function addServe(program: Command, createWorker: WorkerFactory | undefined): void {
  program
    .command('serve')
    .summary('the model behind HTTP: POST /v1/classify, GET /v1/model, /healthz, /readyz, /openapi.json')
    .description(
      "Serves a model artifact over HTTP/1.1 with the card's k, tie rule, seed and thresholds. Listens first, then loads the model (/readyz answers 503 until it is loaded and the search workers are up). One JSON log line per request on stderr. A model served by alias follows it: the alias is checked every --poll seconds and on SIGHUP, and a version it moves to is loaded beside the serving one and switched to (hot swap). SIGTERM or SIGINT: stop accepting, answer every accepted request, exit 0; a second signal exits at once. There is no authentication and no TLS (see docs/serving.md).",
    )
    .addOption(
      new Option('--model <path|uri>', 'the model artifact (.npcm file or models:/NAME/VERSION, models:/NAME@ALIAS)').makeOptionMandatory(),
    )
    .option(
      '--shadow <path|uri>',
      'a second model (.npcm file or models:/ URI, followed like --model) that classifies every answered text after its response; agreement in GET /metrics',
    )
    .addOption(repositoryOption())
    .option('--host <address>', 'the address to listen on (a non-loopback one is warned about: no authentication, no TLS)', '127.0.0.1')
    .option('--port <n>', 'the TCP port (0: any free port, printed when listening)', port, 8080)
    .addOption(jobsOption("search worker threads: each text's search is spread over all of them"))
    .option('--timeout <s>', 'per-request deadline in seconds: 504 after it, and the rest of its search is cancelled', seconds, 30)
    .option('--grace <s>', 'on SIGTERM/SIGINT, seconds the accepted requests get before they are answered 503', seconds, 10)
    .option(
      '--poll <s>',
      'with --model models:/NAME@ALIAS: how often, in seconds, the alias is checked (it moved: hot swap; default 5); 0: only on SIGHUP',
      pollSeconds,
    )
    .option('--max-batch <n>', 'most texts in one {"texts": [...]} request (more: 413)', positiveInt, 64)
    .option('--max-body <bytes>', 'most bytes of a JSON body, and of one line of an NDJSON body (more: 413)', positiveInt, 1_048_576)
    .option(
      '--queue <n>',
      'most texts waiting for the search workers; a request that does not fit gets 503 with Retry-After',
      positiveInt,
      1024,
    )
    .option(
      '--drift-window <n>',
      "the rolling drift check of GET /metrics compares the last n classified texts with the card's reference distributions",
      positiveInt,
      1000,
    )
    .option(
      '--alpha <a>',
      "the drift check's false-alarm rate over its tests, as npc drift's --alpha (each test at alpha/3)",
      probability,
      0.01,
    )
    .addOption(
      new Option('--log-level <level>', 'log lines on stderr from this level on (info: one line per request)')
        .choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
        .default('info'),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ npc serve --model news.npcm --port 8080
  $ curl -s localhost:8080/v1/classify -H 'content-type: application/json' -d '{"text": "Stocks fall as oil climbs"}'
  $ npc serve --model models:/news@production --host 0.0.0.0 --jobs 4`,
    )
    .action(async (opts) => {
      const { serveCommand } = await import('./commands/serve.js');
      await serveCommand(opts, { warn, note, createWorker });
    });
}

/** commander's option description, without the noise of a false default. */
function describeOption(option: Option): string {
  const extra: string[] = [];
  if (option.argChoices) extra.push(`choices: ${option.argChoices.map((c) => JSON.stringify(c)).join(', ')}`);
  if (option.defaultValue !== undefined && option.defaultValue !== false) {
    extra.push(`default: ${option.defaultValueDescription ?? JSON.stringify(option.defaultValue)}`);
  }
  return extra.length ? `${option.description} (${extra.join(', ')})` : option.description;
}

/** A note for people: one line on stderr, `npc: …` (stdout stays data only). */
function note(message: string): void {
  process.stderr.write(`npc: ${message}\n`);
}

/** A warning: one line on stderr, `npc: warning: …` (stdout stays data only). */
function warn(message: string): void {
  process.stderr.write(`npc: warning: ${message}\n`);
}

/** The file behind a descriptor (stdin, stdout), to recognise a path that names it. */
function fdIdentity(fd: number): FileIdentity | undefined {
  try {
    const stats = fstatSync(fd);
    return { dev: Number(stats.dev), ino: Number(stats.ino) };
  } catch {
    return undefined;
  }
}

function stdoutTarget(): StdoutTarget {
  return { stream: process.stdout, identity: fdIdentity(1) };
}

/** Runs npc with `argv` (process.argv layout) and returns the exit code. */
export async function main(argv: string[], options: MainOptions = {}): Promise<number> {
  exitOnSignal();
  const out = new LineWriter(process.stdout);
  const program = buildProgram(out, options);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    const report = reportFor(err);
    if (report.line) process.stderr.write(report.line + '\n');
    return report.code;
  }
}
