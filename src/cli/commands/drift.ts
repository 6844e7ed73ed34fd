/**
 * `npc drift --train T --reference R --current C`: has the input changed since the training set was
 * built? Prints the report (app/drift.ts) and exits 3 when drift is detected, so cron or CI can alert.
 * `--window N` reads the current rows from stdin and prints one JSON line per window of N rows.
 */
import type { Readable } from 'node:stream';
import { compareSets, type DriftOptions, measureSet, measureWindows } from '../../app/drift.js';
import { type FileFormat, inputPaths, inputRecords, labelNameMap, openTrainingSearcher } from '../../app/training.js';
import { counted, InputError, UsageError } from '../../errors.js';
import { EXIT_DRIFT, ExitStatus } from '../exit-codes.js';
import { checkLabelNames, chooseFormat, formatHint } from '../options.js';
import { type LineWriter, ProgressLine } from '../output.js';
import { driftJsonLine, driftText } from '../drift-report.js';
import { driftHtml } from '../html.js';
import { openOutputFiles, type OutputSink, type StdoutTarget } from '../outputs.js';
import { StopOnSignal } from '../signals.js';

export interface DriftCommandOptions {
  train?: string;
  reference: string;
  current?: string;
  format?: FileFormat;
  trainFormat?: FileFormat;
  referenceFormat?: FileFormat;
  currentFormat?: FileFormat;
  textField: string;
  labelField: string;
  k: number;
  alpha: number;
  short: number;
  window?: number;
  json: boolean;
  html?: string;
  jobs: number;
  labelNames?: string[];
  quiet: boolean;
}

export async function driftCommand(
  options: DriftCommandOptions,
  io: { stdin: Readable; out: LineWriter; warn: (message: string) => void; stdout: StdoutTarget },
): Promise<void> {
  if (options.window !== undefined) {
    if (options.current !== undefined && options.current !== '-')
      throw new UsageError('--window reads the current rows from stdin: leave out --current (or give --current -)');
    if (options.html !== undefined) throw new UsageError('--html cannot be combined with --window (one page per run, not per window)');
  } else if (options.current === undefined) {
    throw new UsageError('npc drift needs --current FILE (or --window N to read windows of it from stdin)');
  }
  if (options.reference === '-' && (options.window !== undefined || options.current === '-'))
    throw new UsageError('--reference and the current rows cannot both be stdin');
  if (options.current !== undefined && options.current === options.reference)
    io.warn(`--reference and --current are the same file (${options.reference}): expect no drift`);
  const fields = { textField: options.textField, labelField: options.labelField };
  const set = (path: string, own: FileFormat | undefined, flag: string) =>
    inputRecords(path, { format: chooseFormat(path, own, options.format, flag), formatHint: formatHint(flag), ...fields, stdin: io.stdin });
  const stop = new StopOnSignal();
  const inputs = [options.train ?? inputPaths(undefined, undefined)[0], options.reference, options.current ?? '-'];
  let html: OutputSink | undefined;
  try {
    if (options.html) html = (await openOutputFiles({ html: options.html }, inputs, { stdout: io.stdout }, stop)).html;
  } finally {
    stop.dispose();
  }
  // A signal while the page was opened: from here on, signals end npc at once (cli/signals.ts).
  if (stop.stopped) {
    await html?.abort();
    stop.check();
  }
  const { searcher, labelNames } = await openTrainingSearcher(
    {
      path: options.train,
      format: chooseFormat(options.train, options.trainFormat, options.format, '--train-format'),
      formatHint: formatHint('--train-format'),
      ...fields,
    },
    options.jobs,
    { onWarning: io.warn },
  );
  const progress = new ProgressLine(!options.quiet);
  try {
    checkLabelNames(options.labelNames, searcher.index.encoder.classes);
    const names = labelNameMap(options.labelNames) ?? labelNames;
    const drift: DriftOptions = { k: options.k, short: options.short, farthest: 10 };
    const reference = await measureSet(
      searcher,
      options.reference === '-' ? '<stdin>' : options.reference,
      set(options.reference, options.referenceFormat, '--reference-format'),
      { ...drift, farthest: 0, onRow: (rows) => progress.update(rows, undefined, searcher.index.size) },
    ).finally(() => progress.clear());
    if (reference.rows === 0) throw new InputError('no rows in the reference set', reference.source);
    if (options.window === undefined) {
      const current = await measureSet(
        searcher,
        options.current === '-' ? '<stdin>' : options.current!,
        set(options.current!, options.currentFormat, '--current-format'),
        { ...drift, onRow: (rows) => progress.update(rows, undefined, searcher.index.size) },
      ).finally(() => progress.clear());
      if (current.rows === 0) throw new InputError('no rows in the current set', current.source);
      const report = compareSets(reference, current, options.alpha);
      const text = options.json ? driftJsonLine(report, {}, names) : driftText(report, names);
      for (const line of text.split('\n')) await io.out.writeLine(line);
      if (html) {
        await html.write(driftHtml(report, reference, current, names));
        await html.commit();
      }
      if (report.drift) throw new ExitStatus(EXIT_DRIFT, 'drift detected');
      return;
    }
    let drifted = 0;
    let window = 0;
    for await (const current of measureWindows(searcher, set('-', options.currentFormat, '--current-format'), options.window, drift)) {
      const report = compareSets(reference, current.set, options.alpha);
      if (report.drift) drifted++;
      await io.out.writeLine(
        driftJsonLine(
          report,
          {
            window: window++,
            first_line: current.firstLine,
            last_line: current.lastLine,
            partial: current.set.rows < options.window,
          },
          names,
        ),
      );
    }
    if (drifted) throw new ExitStatus(EXIT_DRIFT, `drift in ${counted(drifted, 'window')}`);
  } catch (err) {
    await html?.abort();
    throw err;
  } finally {
    await searcher.close();
  }
}
