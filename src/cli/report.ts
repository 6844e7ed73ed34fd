/**
 * The reports, as tables for people and as one JSON object each: the evaluation report shared by
 * `npc eval` and `npc score` (so both print exactly the same numbers for the same neighbours), and the
 * few-shot summary. The warnings about the data go to stderr first (and into the JSON).
 */
import type { EvaluationReport } from '../app/evaluate.js';
import type { CrossValidationResult } from '../app/cross-validate.js';
import { type FewShotResult, type MeanStd, meanStd } from '../app/few-shot.js';
import type { Score } from '../app/classification-metrics.js';
import type { Scores } from '../app/row-scorer.js';
import { toJson } from '../json-text.js';
import { counted } from '../errors.js';
import type { EnvelopeSummary } from '../model/envelope.js';
import type { Label } from '../model/labels.js';
import { forDisplay } from './display-label.js';
import { labelFormatter } from './options.js';
import type { LineWriter } from './line-writer.js';

/**
 * An evaluation report with the display names of the labels, if any, and, for a run stopped by a
 * signal, how many of its rows were done (`verb`: evaluated, scored).
 */
export type ReportContext = Omit<EvaluationReport, 'scores'> & {
  names?: ReadonlyMap<Label, string>;
  partial?: { done: number; total: number; verb: string };
};

/**
 * What a run stopped by `signal` prints on stderr before it exits: the report of the `done` rows of
 * `total`, saying so.
 */
export function partialReportText(
  report: EvaluationReport,
  partial: { done: number; total: number; verb: string },
  signal: string,
  names?: ReadonlyMap<Label, string>,
): string {
  const { scores, ...ctx } = report;
  return `npc: partial result (${counted(partial.done, 'row')} ${partial.verb} before ${signal}):\n${reportText(scores, { ...ctx, names, partial })}\n`;
}

export interface PrintOptions {
  json: boolean;
  names?: ReadonlyMap<Label, string>;
  out: LineWriter;
  warn: (message: string) => void;
}

/** Prints the warnings about the data on stderr, then the report (a table, or one JSON line that carries them too). */
export async function printReport(report: EvaluationReport, options: PrintOptions): Promise<void> {
  const { scores, ...rest } = report;
  const ctx: ReportContext = { ...rest, names: options.names };
  const { json, warnings } = evaluationReportJson(report, options.names);
  for (const warning of warnings) options.warn(warning);
  const text = options.json ? toJson(json) : reportText(scores, ctx);
  for (const line of text.split('\n')) await options.out.writeLine(line);
}

/** What `npc eval --json` prints for a test split, and the warnings it prints on stderr first. */
export function evaluationReportJson(
  report: EvaluationReport,
  names?: ReadonlyMap<Label, string>,
): { json: Record<string, unknown>; warnings: string[] } {
  const { scores, ...rest } = report;
  const warnings = [...selectionWarnings(report), ...reportWarnings(scores)];
  return { json: reportJson(scores, { ...rest, names }, warnings), warnings };
}

/** The few-shot summary: mean ± sample sd over the trials, for every k (warnings first, and in the JSON). */
export async function printFewShot(result: FewShotResult, options: Omit<PrintOptions, 'names'>): Promise<void> {
  const { interrupted, labelsMatchedByText, shortfall, ...json } = result;
  void interrupted;
  const warnings = selectionWarnings({ labelsMatchedByText, shortfall });
  for (const warning of warnings) options.warn(warning);
  const lines = options.json
    ? [toJson({ ...json, warnings })]
    : [
        `few-shot: ${counted(result.shots, 'training row')} per class, ${counted(result.trials, 'trial')} (seed ${result.seed}), ${counted(result.n, 'test row')}, tie rule '${result.tie}'`,
        '  k  strict mean ± sd      lenient mean ± sd',
        ...result.ks.map(
          (r) =>
            `  ${String(r.k).padEnd(2)} ${r.strict.mean.toFixed(4)} ± ${r.strict.std.toFixed(4)}     ${r.lenient.mean.toFixed(4)} ± ${r.lenient.std.toFixed(4)}`,
        ),
      ];
  for (const line of lines) await options.out.writeLine(line);
}

const f4 = (x: number): string => x.toFixed(4);
const withCi = (s: Score): string => `${f4(s.accuracy)} [${f4(s.low)}, ${f4(s.high)}]`;
const envelope = (e: EnvelopeSummary): string =>
  `[${f4(e.low)}, ${f4(e.high)}]${e.exact ? '' : `  (widened on ${counted(e.inexact, 'row')} whose tie group runs past the saved neighbours)`}`;

const showLabel = (label: Label): string => (typeof label === 'string' ? JSON.stringify(label) : String(label));
const rowCount = (n: number): string => `${n} ${n === 1 ? 'row' : 'rows'}`;

/**
 * Warnings about what was evaluated, known before any score: test labels taken for the training label
 * of the same text (a CSV's "1" for a JSONL's 1), and --sample or --limit beyond the test rows.
 */
export function selectionWarnings(report: Pick<EvaluationReport, 'labelsMatchedByText' | 'shortfall'>): string[] {
  const warnings: string[] = [];
  const matched = report.labelsMatchedByText ?? [];
  if (matched.length) {
    const items = matched.map((m) => `${showLabel(m.test)} as ${showLabel(m.train)} (${rowCount(m.rows)})`);
    warnings.push(
      `${matched.length === 1 ? 'a test label has the text of a training label of another type and is taken for it' : `${matched.length} test labels have the text of a training label of another type and are taken for it`} (CSV and TSV labels are always strings): ${items.join(', ')}`,
    );
  }
  const short = report.shortfall;
  if (short)
    warnings.push(
      `${short.flag} ${short.asked} asks for more rows than the test set has (${short.available}): all ${short.available} are evaluated`,
    );
  return warnings;
}

/** Warnings about the data behind a report: test labels that no training row has, whose rows can never be predicted right. */
export function reportWarnings(scores: Scores): string[] {
  if (scores.unseen.length === 0) return [];
  const items = scores.unseen.map((u) => `${showLabel(u.label)} (${rowCount(u.rows)})`);
  const total = scores.unseen.reduce((sum, u) => sum + u.rows, 0);
  return [
    `${scores.unseen.length === 1 ? 'a test label' : `${scores.unseen.length} test labels`} that no training row has, so ${total} test ${total === 1 ? 'row is' : 'rows are'} always wrong: ${items.join(', ')}`,
  ];
}

export function reportJson(
  scores: Scores,
  ctx: ReportContext,
  warnings: readonly string[] = reportWarnings(scores),
): Record<string, unknown> {
  const { result, perClass, confusionLabels } = scores;
  const head = result.ks[0];
  const headRule = head.rules.find((r) => r.rule === ctx.tie)!;
  const named = (label: Label): Record<string, unknown> => (ctx.names?.has(label) ? { label, name: ctx.names.get(label) } : { label });
  const score = (s: Score) => ({ accuracy: s.accuracy, correct: s.correct, low: s.low, high: s.high });
  return {
    train: ctx.trainSource,
    test: ctx.testSource,
    evaluated: ctx.evaluated,
    n: result.n,
    train_size: ctx.trainSize,
    k: head.effectiveK,
    tie: ctx.tie,
    strip: ctx.strip,
    neighbors_m: ctx.m,
    ...(ctx.model ? { model: ctx.model } : {}),
    strict: headRule.accuracy,
    strict_ci: [headRule.low, headRule.high],
    strict_correct: headRule.correct,
    lenient: head.lenient.accuracy,
    lenient_ci: [head.lenient.low, head.lenient.high],
    lenient_correct: head.lenient.correct,
    macro_f1: head.headline.macroF1,
    per_class: perClass.map((c) => ({
      ...named(c.label),
      n: c.n,
      precision: c.precision,
      recall: c.recall,
      f1: c.f1,
      strict: c.strict,
      lenient: c.lenient,
    })),
    confusion: { rows: confusionLabels.rows, columns: confusionLabels.columns, counts: head.headline.confusion.counts },
    ks: result.ks.map((kr) => ({
      k: kr.effectiveK,
      strict: Object.fromEntries(kr.rules.map((r) => [r.rule, score(r)])),
      lenient: score(kr.lenient),
      macro_f1: kr.headline.macroF1,
      envelopes: kr.envelopes,
    })),
    envelopes: { top1: result.envelopes.top1, lenient_top2: result.envelopes.lenientTop2 },
    risk_coverage: {
      points: scores.riskCoverage.points.map((p) => ({
        quantile: p.quantile,
        distance: p.distance,
        kept: p.kept,
        coverage: p.coverage,
        accuracy: p.accuracy,
        low: p.interval.low,
        high: p.interval.high,
      })),
      aurc: scores.riskCoverage.aurc,
      risk: scores.riskCoverage.risk,
      by_decile: scores.riskCoverage.bins.map((b) => ({
        from: b.from,
        to: b.to,
        n: b.n,
        accuracy: b.accuracy,
        low: b.interval.low,
        high: b.interval.high,
      })),
    },
    unseen_test_labels: scores.unseen.map((u) => ({ label: u.label, rows: u.rows })),
    warnings,
    ...(ctx.timing
      ? {
          elapsed_s: ctx.timing.elapsed_s,
          pairs: ctx.timing.pairs,
          pairs_per_second: ctx.timing.pairs_per_second,
        }
      : {}),
  };
}

export function reportText(scores: Scores, ctx: ReportContext): string {
  const { result, perClass, confusionLabels } = scores;
  const head = result.ks[0];
  const headRule = head.rules.find((r) => r.rule === ctx.tie)!;
  const show = forDisplay(labelFormatter([...confusionLabels.rows, ...confusionLabels.columns], ctx.names));
  const lines: string[] = [];
  if (ctx.partial) {
    const selection = ctx.evaluated === 'all' ? '' : `; selected: ${ctx.evaluated} of ${ctx.testSize}`;
    lines.push(
      `test rows        ${ctx.partial.done} of ${ctx.partial.total} ${ctx.partial.verb}, interrupted (${ctx.testSource}${selection})`,
    );
  } else {
    const evaluated = result.n === ctx.testSize ? '' : ` (${ctx.evaluated} of ${ctx.testSize} in ${ctx.testSource})`;
    lines.push(`test rows        ${result.n}${evaluated}`);
  }
  lines.push(`train rows       ${ctx.trainSize}${ctx.strip ? '  (texts stripped)' : ''}`);
  if (ctx.model) {
    const used = Object.entries(ctx.model.settings).map(([name, s]) => `${name} ${s.value ?? 'none'} (${s.from})`);
    lines.push(`model            ${ctx.model.file} (${ctx.model.name}): ${used.join(', ')}`);
  }
  lines.push(`k                ${head.effectiveK}`);
  lines.push(
    `strict accuracy  ${f4(headRule.accuracy)}  (${fmtCount(headRule.correct)}/${result.n}; top-1 vote, tie rule '${ctx.tie}'; 95% CI ${f4(headRule.low)}-${f4(headRule.high)})`,
  );
  lines.push(
    `lenient accuracy ${f4(head.lenient.accuracy)}  (${head.lenient.correct}/${result.n}; the paper's rule: right if the true label is among the tied top votes)`,
  );
  lines.push(`macro-F1         ${f4(head.headline.macroF1)}`);

  lines.push('', `strict accuracy by k and tie rule, [95% Wilson interval]; lenient = the paper's score`);
  const rules = head.rules.map((r) => r.rule);
  const cell = 26;
  lines.push(['  k'.padEnd(5), ...rules.map((r) => (r === 'random' ? 'random (expected)' : r).padEnd(cell)), 'lenient (paper)'].join(''));
  for (const kr of result.ks) {
    lines.push([`  ${kr.effectiveK}`.padEnd(5), ...kr.rules.map((r) => withCi(r).padEnd(cell)), withCi(kr.lenient)].join(''));
  }

  lines.push('', `tie-order envelope: lowest and highest accuracy any ordering of equal-NCD neighbours reaches`);
  lines.push(`  strict k=1       ${envelope(result.envelopes.top1)}`);
  lines.push(`  lenient top-2    ${envelope(result.envelopes.lenientTop2)}`);
  for (const kr of result.ks) {
    if (!kr.envelopes || kr.effectiveK <= 1) continue;
    lines.push(
      `  k=${kr.effectiveK}: nearest ${envelope(kr.envelopes.nearest)}, decrement ${envelope(kr.envelopes.decrement)}, lenient ${envelope(kr.envelopes.lenient)}`,
    );
  }

  lines.push('', `per class (k=${head.effectiveK}, tie rule '${ctx.tie}'):`);
  const labels = perClass.map((c) => show(c.label));
  const width = Math.max(5, ...labels.map((l) => l.length));
  lines.push(`  ${'label'.padEnd(width)}  ${'n'.padStart(6)}  precision  recall  f1      lenient`);
  perClass.forEach((c, i) => {
    lines.push(
      `  ${labels[i].padEnd(width)}  ${String(c.n).padStart(6)}  ${f4(c.precision).padEnd(9)}  ${f4(c.recall)}  ${f4(c.f1)}  ${f4(c.lenient)}`,
    );
  });

  const counts = head.headline.confusion.counts;
  const cols = confusionLabels.columns.map(show);
  const rowsShown = confusionLabels.rows.map(show);
  const w = Math.max(5, ...cols.map((c) => c.length), ...counts.flat().map((n) => fmtCount(n).length));
  const rw = Math.max(...rowsShown.map((r) => r.length), 4);
  lines.push('', 'confusion matrix (rows: true label, columns: predicted):');
  lines.push(`  ${''.padEnd(rw)}  ${cols.map((c) => c.padStart(w)).join(' ')}`);
  counts.forEach((row, i) => lines.push(`  ${rowsShown[i].padEnd(rw)}  ${row.map((n) => fmtCount(n).padStart(w)).join(' ')}`));

  const rc = scores.riskCoverage;
  if (rc.n > 0) {
    lines.push('', `risk-coverage: keep the rows whose nearest NCD is at most a threshold (k=${head.effectiveK}, tie rule '${ctx.tie}'):`);
    lines.push('  threshold  coverage  strict accuracy of the kept rows [95% CI]');
    for (const p of rc.points) {
      lines.push(
        `  ${p.distance.toFixed(4).padEnd(9)}  ${`${(100 * p.coverage).toFixed(1)}%`.padStart(8)}  ${f4(p.accuracy)} [${f4(p.interval.low)}, ${f4(p.interval.high)}]`,
      );
    }
    lines.push(`  AURC ${rc.aurc.toFixed(4)} (area under the risk-coverage curve; the risk at full coverage is ${rc.risk.toFixed(4)})`);
    lines.push('  accuracy by decile of the nearest NCD:');
    for (const b of rc.bins)
      lines.push(
        `    ${b.from.toFixed(4)}-${b.to.toFixed(4)}  n ${String(b.n).padStart(5)}  ${f4(b.accuracy)} [${f4(b.interval.low)}, ${f4(b.interval.high)}]`,
      );
  }

  if (ctx.timing) {
    lines.push('');
    lines.push(`elapsed          ${ctx.timing.elapsed_s.toFixed(2)} s`);
    lines.push(`pairs per second ${Math.round(ctx.timing.pairs_per_second).toLocaleString('en-US')}`);
  }
  return lines.join('\n');
}

/** Counts are whole except the random rule's expected counts. */
function fmtCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(2);
}

/**
 * A cross-validation (`eval --data`): per fold, the mean ± sample sd over the folds of every figure
 * (strict for every k and tie rule, lenient, macro-F1), the duplicates, then the pooled report.
 */
export async function printCrossValidation(cv: CrossValidationResult, options: PrintOptions): Promise<void> {
  const { report } = cv;
  const stats = foldStats(cv);
  const folds = cv.mode.kind === 'loo' ? [] : cv.folds;
  const head = (f: { scores: Scores }) => foldHeadline(f, report.tie);
  const show = labelFormatter(
    cv.classes.map((c) => c.label),
    options.names,
  );
  const cvWarnings = crossValidationWarnings(cv);
  if (options.json) {
    const { json, warnings } = crossValidationReportJson(cv, options.names);
    for (const warning of warnings) options.warn(warning);
    await options.out.writeLine(toJson(json));
    return;
  }
  const lines: string[] = [`${cv.evaluated} of ${report.trainSource}: ${counted(cv.rows, 'row')}`];
  const dupes =
    cv.mode.kind === 'loo'
      ? 'rows with an exact duplicate of their text among the other rows'
      : 'test rows with an exact duplicate of their text on their training side';
  lines.push(`duplicates: ${cv.duplicates} ${dupes} (duplicates make kNN look better than it is)`);
  if (folds.length) {
    lines.push('', `  fold   train    test  dup  strict (k=${report.scores.result.ks[0].effectiveK}, '${report.tie}')  lenient  macro-F1`);
    for (const f of folds) {
      const h = head(f);
      lines.push(
        `  ${String(f.fold).padEnd(4)} ${String(f.trainRows).padStart(6)} ${String(f.testRows).padStart(7)} ${String(f.duplicates).padStart(4)}  ${h.strict.toFixed(4).padEnd(24)} ${h.lenient.toFixed(4)}   ${h.macro_f1.toFixed(4)}`,
      );
    }
  }
  const absent = folds.filter((f) => f.absentFromTraining.length || f.absentFromTest.length);
  if (absent.length) {
    const list = (labels: Label[]): string => labels.map(show).join(', ');
    lines.push('', 'classes missing from a fold (a class missing from the training side is never predicted there):');
    for (const f of absent) {
      const parts = [
        f.absentFromTraining.length ? `training side: ${list(f.absentFromTraining)}` : '',
        f.absentFromTest.length ? `test side: ${list(f.absentFromTest)}` : '',
      ].filter(Boolean);
      lines.push(`  fold ${f.fold}: ${parts.join('; ')}`);
    }
  }
  if (stats.length) {
    const ms = (x: MeanStd): string => `${x.mean.toFixed(4)} ± ${x.std.toFixed(4)}`;
    const rules = Object.keys(stats[0].strict);
    lines.push('', `mean ± sd over the ${cv.folds.length} folds (sample sd):`);
    lines.push(
      ['  k'.padEnd(5), ...rules.map((r) => (r === 'random' ? 'random (expected)' : r).padEnd(19)), 'lenient'.padEnd(19), 'macro-F1'].join(
        '',
      ),
    );
    for (const st of stats)
      lines.push(
        [`  ${st.k}`.padEnd(5), ...rules.map((r) => ms(st.strict[r]).padEnd(19)), ms(st.lenient).padEnd(19), ms(st.macro_f1)].join(''),
      );
  }
  lines.push('', 'pooled over every evaluated row (each scored against its own training side):');
  for (const warning of cvWarnings) options.warn(warning);
  for (const line of lines) await options.out.writeLine(line);
  await printReport(report, options);
}

/** What `npc eval --data … --json` prints for a cross-validation, and the warnings it prints on stderr first. */
export function crossValidationReportJson(
  cv: CrossValidationResult,
  names?: ReadonlyMap<Label, string>,
): { json: Record<string, unknown>; warnings: string[] } {
  const { report } = cv;
  const { scores, ...rest } = report;
  const warnings = [...crossValidationWarnings(cv), ...reportWarnings(scores)];
  const folds = cv.mode.kind === 'loo' ? [] : cv.folds;
  const json = {
    mode: cv.mode.kind,
    ...(cv.mode.kind === 'folds' ? { folds_k: cv.mode.k } : cv.mode.kind === 'holdout' ? { fraction: cv.mode.fraction } : {}),
    evaluated: cv.evaluated,
    rows: cv.rows,
    duplicates: cv.duplicates,
    folds: folds.map((f) => ({
      fold: f.fold,
      train: f.trainRows,
      test: f.testRows,
      duplicates: f.duplicates,
      ...foldHeadline(f, report.tie),
      absent_from_training: f.absentFromTraining,
      absent_from_test: f.absentFromTest,
    })),
    mean_sd: foldStats(cv),
    warnings,
    pooled: reportJson(scores, { ...rest, names }, warnings),
  };
  return { json, warnings };
}

/** A fold's headline figures: strict at the first k with the run's tie rule, lenient, macro-F1. */
function foldHeadline(f: { scores: Scores }, tie: string): { strict: number; lenient: number; macro_f1: number } {
  const kr = f.scores.result.ks[0];
  return { strict: kr.rules.find((r) => r.rule === tie)!.accuracy, lenient: kr.lenient.accuracy, macro_f1: kr.headline.macroF1 };
}

/** Mean ± sample sd over the folds of every figure (none for a single fold). */
function foldStats(cv: CrossValidationResult) {
  const { report } = cv;
  return cv.folds.length > 1
    ? report.scores.result.ks.map((kr, i) => ({
        k: kr.effectiveK,
        strict: Object.fromEntries(kr.rules.map((r, j) => [r.rule, meanStd(cv.folds.map((f) => f.scores.result.ks[i].rules[j].accuracy))])),
        lenient: meanStd(cv.folds.map((f) => f.scores.result.ks[i].lenient.accuracy)),
        macro_f1: meanStd(cv.folds.map((f) => f.scores.result.ks[i].headline.macroF1)),
      }))
    : [];
}

/**
 * What a cross-validation's numbers cannot show: one class only (every prediction is right, whatever the
 * texts), and, as scikit-learn's StratifiedKFold warns, classes with fewer rows than folds.
 */
export function crossValidationWarnings(cv: CrossValidationResult): string[] {
  const warnings: string[] = [];
  if (cv.classes.length === 1)
    warnings.push(
      `the data has one class (${showLabel(cv.classes[0].label)}): every prediction is that class, so an accuracy of 1 says nothing about the texts`,
    );
  if (cv.mode.kind === 'folds') {
    const k = cv.mode.k;
    const small = cv.classes.filter((c) => c.rows < k).sort((a, b) => a.rows - b.rows);
    if (small.length) {
      const items = small.map((c) => `${showLabel(c.label)} (${rowCount(c.rows)})`).join(', ');
      warnings.push(
        `${small.length === 1 ? 'a class has' : `${small.length} classes have`} fewer rows than the ${k} folds: ${items}; ` +
          `${small.length === 1 ? 'it is' : 'they are'} missing from the test side of some folds` +
          `${small.some((c) => c.rows === 1) ? ', and a class of one row from the training side of its fold' : ''} (the report lists them)`,
      );
    }
  }
  return warnings;
}
