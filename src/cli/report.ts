/**
 * The reports, as tables for people and as one JSON object each: the evaluation report shared by
 * `npc eval` and `npc score` (so both print exactly the same numbers for the same neighbours), and the
 * few-shot summary. The warnings about the data go to stderr first (and into the JSON).
 */
import type { EvaluationReport } from '../app/evaluate.js';
import type { CrossValidationResult } from '../app/cross-validate.js';
import { type FewShotResult, type MeanStd, meanStd } from '../app/few-shot.js';
import type { Score } from '../app/metrics.js';
import type { Scores } from '../app/scoring.js';
import { toJson } from '../io/json-text.js';
import { counted } from '../errors.js';
import type { EnvelopeSummary } from '../model/envelope.js';
import type { Label } from '../model/labels.js';
import { labelFormatter } from './options.js';
import type { LineWriter } from './output.js';

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
  const warnings = reportWarnings(scores);
  for (const warning of warnings) options.warn(warning);
  const text = options.json ? toJson(reportJson(scores, ctx, warnings)) : reportText(scores, ctx);
  for (const line of text.split('\n')) await options.out.writeLine(line);
}

/** The few-shot summary: mean ± sample sd over the trials, for every k. */
export async function printFewShot(result: FewShotResult, options: Omit<PrintOptions, 'names' | 'warn'>): Promise<void> {
  const { interrupted, ...json } = result;
  void interrupted;
  const lines = options.json
    ? [toJson(json)]
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

/**
 * Warnings about the data behind a report: test labels that no training row has, whose rows can never
 * be predicted right (with the telling case of a label spelt like a training label of another type:
 * 2 and "2" never match, e.g. JSONL integer labels against a CSV's string labels).
 */
export function reportWarnings(scores: Scores): string[] {
  if (scores.unseen.length === 0) return [];
  const show = (label: Label): string => (typeof label === 'string' ? JSON.stringify(label) : String(label));
  const kind = (label: Label): string => (typeof label === 'string' ? 'a string' : 'a number');
  const items = scores.unseen.map((u) => {
    const rows = `${u.rows} ${u.rows === 1 ? 'row' : 'rows'}`;
    const same =
      u.sameTextAs !== undefined
        ? `; the training set has ${show(u.sameTextAs)}, ${kind(u.sameTextAs)}: labels of different types never match`
        : '';
    return `${show(u.label)} (${rows}${same})`;
  });
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
    unseen_test_labels: scores.unseen.map((u) => ({
      label: u.label,
      rows: u.rows,
      ...(u.sameTextAs !== undefined ? { same_text_training_label: u.sameTextAs } : {}),
    })),
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
  const show = labelFormatter([...confusionLabels.rows, ...confusionLabels.columns], ctx.names);
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
  const stats =
    cv.folds.length > 1
      ? report.scores.result.ks.map((kr, i) => ({
          k: kr.effectiveK,
          strict: Object.fromEntries(
            kr.rules.map((r, j) => [r.rule, meanStd(cv.folds.map((f) => f.scores.result.ks[i].rules[j].accuracy))]),
          ),
          lenient: meanStd(cv.folds.map((f) => f.scores.result.ks[i].lenient.accuracy)),
          macro_f1: meanStd(cv.folds.map((f) => f.scores.result.ks[i].headline.macroF1)),
        }))
      : [];
  const folds = cv.mode.kind === 'loo' ? [] : cv.folds;
  const head = (f: { scores: Scores }) => {
    const kr = f.scores.result.ks[0];
    return { strict: kr.rules.find((r) => r.rule === report.tie)!.accuracy, lenient: kr.lenient.accuracy, macro_f1: kr.headline.macroF1 };
  };
  if (options.json) {
    const { scores, ...rest } = report;
    const ctx: ReportContext = { ...rest, names: options.names };
    const warnings = reportWarnings(scores);
    for (const warning of warnings) options.warn(warning);
    await options.out.writeLine(
      toJson({
        mode: cv.mode.kind,
        ...(cv.mode.kind === 'folds' ? { folds_k: cv.mode.k } : cv.mode.kind === 'holdout' ? { fraction: cv.mode.fraction } : {}),
        evaluated: cv.evaluated,
        rows: cv.rows,
        duplicates: cv.duplicates,
        folds: folds.map((f) => ({ fold: f.fold, train: f.trainRows, test: f.testRows, duplicates: f.duplicates, ...head(f) })),
        mean_sd: stats,
        pooled: reportJson(scores, ctx, warnings),
      }),
    );
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
  for (const line of lines) await options.out.writeLine(line);
  await printReport(report, options);
}
