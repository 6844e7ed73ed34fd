/**
 * `npc drift --train T --reference R --current C`: has the input changed since the training set was
 * built? Prints the report (app/drift.ts) and exits 3 when drift is detected, so cron or CI can alert.
 * `--window N` reads the current rows from stdin and prints one JSON line per window of N rows.
 */
import type { Readable } from 'node:stream';
import { compareSets, type DriftOptions, measureSet, measureWindows } from '../../app/drift.js';
import { type FileFormat, inputPaths, inputRecords, openTrainingSearcher } from '../../app/training.js';
import { InputError, UsageError } from '../../errors.js';
import { EXIT_DRIFT, ExitStatus } from '../exit-codes.js';
import { chooseFormat, formatHint } from '../options.js';
import type { LineWriter } from '../output.js';
import { driftJsonLine, driftText } from '../drift-report.js';
import { driftHtml } from '../html.js';
import { openOutputFiles, type StdoutTarget } from '../outputs.js';
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
  /** `--columns`: the columns of every CSV or TSV file without a header; `--no-header` (false) says each needs them. */
  columns?: string[];
  header?: boolean;
  k: number;
  alpha: number;
  short: number;
  window?: number;
  json: boolean;
  html?: string;
  jobs: number;
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
  const formatOf = (path: string | undefined, own: FileFormat | undefined, flag: string) => chooseFormat(path, own, options.format, flag);
  const formats = [
    formatOf(options.train, options.trainFormat, '--train-format'),
    formatOf(options.reference, options.referenceFormat, '--reference-format'),
    formatOf(options.current ?? '-', options.currentFormat, '--current-format'),
  ];
  const table = (format: FileFormat | undefined): boolean => format === 'csv' || format === 'tsv';
  if ((options.columns !== undefined || options.header === false) && !formats.some(table))
    throw new UsageError(
      `${options.columns !== undefined ? '--columns' : '--no-header'} applies to CSV and TSV files, but no file here is CSV or TSV`,
    );
  if (options.header === false && options.columns === undefined)
    throw new UsageError('--no-header: name the columns of the CSV and TSV files with --columns NAMES');
  // The columns apply to the CSV and TSV files; the hints name drift's flags.
  const fields = (format: FileFormat | undefined, flag: string) => ({
    textField: options.textField,
    labelField: options.labelField,
    columns: table(format) ? options.columns : undefined,
    flags: { format: flag, columns: '--columns' },
  });
  const set = (path: string, own: FileFormat | undefined, flag: string) => {
    const format = formatOf(path, own, flag);
    return inputRecords(path, { format, formatHint: formatHint(flag), ...fields(format, flag), stdin: io.stdin });
  };
  const stop = new StopOnSignal();
  const inputs = [options.train ?? inputPaths(undefined, undefined)[0], options.reference, options.current ?? '-'];
  const { html } = options.html ? await openOutputFiles({ html: options.html }, inputs, { stdout: io.stdout }, stop) : { html: undefined };
  stop.dispose();
  const { searcher } = await openTrainingSearcher(
    {
      path: options.train,
      format: formats[0],
      formatHint: formatHint('--train-format'),
      ...fields(formats[0], '--train-format'),
    },
    options.jobs,
    { onWarning: io.warn },
  );
  try {
    const drift: DriftOptions = { k: options.k, short: options.short, farthest: 10 };
    const reference = await measureSet(
      searcher,
      options.reference === '-' ? '<stdin>' : options.reference,
      set(options.reference, options.referenceFormat, '--reference-format'),
      { ...drift, farthest: 0 },
    );
    if (reference.rows === 0) throw new InputError('no rows in the reference set', reference.source);
    if (options.window === undefined) {
      const current = await measureSet(
        searcher,
        options.current === '-' ? '<stdin>' : options.current!,
        set(options.current!, options.currentFormat, '--current-format'),
        drift,
      );
      if (current.rows === 0) throw new InputError('no rows in the current set', current.source);
      const report = compareSets(reference, current, options.alpha);
      const text = options.json ? driftJsonLine(report) : driftText(report);
      for (const line of text.split('\n')) await io.out.writeLine(line);
      if (html) {
        await html.write(driftHtml(report, reference, current));
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
        driftJsonLine(report, {
          window: window++,
          first_line: current.firstLine,
          last_line: current.lastLine,
          partial: current.set.rows < options.window,
        }),
      );
    }
    if (drifted) throw new ExitStatus(EXIT_DRIFT, `drift in ${drifted} windows`);
  } catch (err) {
    await html?.abort();
    throw err;
  } finally {
    await searcher.close();
  }
}
