/** `npc drift`'s report, as a table for people and as one JSON object. */
import type { DriftReport, DriftSummary } from '../app/drift.js';
import { toJson } from '../json-text.js';
import type { Label } from '../model/labels.js';
import { counted } from '../errors.js';
import { displayLabel } from './display-label.js';

const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '-');

/**
 * A p-value for people. Below 1e-300 it is `< 1e-300`: doubles lose precision there, and a p-value
 * that underflowed is 0, which no test means. JSON carries the double as computed (0 when underflowed).
 */
export function formatPValue(x: number): string {
  if (x < 1e-300) return '< 1e-300';
  return x < 1e-4 ? x.toExponential(2) : x.toFixed(4);
}
const p = formatPValue;

/**
 * A label key is the label's JSON: shown by its --label-names name if it has one, strings without
 * their quotes unless they look like numbers, shortened to one line (display-label.ts).
 */
export function driftLabel(key: string, names?: ReadonlyMap<Label, string>): string {
  const value = JSON.parse(key) as Label;
  const name = names?.get(value);
  if (name !== undefined) return displayLabel(name);
  return displayLabel(typeof value === 'string' && !/^-?\d/.test(value) ? value : key);
}

function setLines(name: string, s: DriftSummary): string[] {
  const kinds = (['empty', 'whitespace', 'short'] as const)
    .filter((k) => s[k] > 0)
    .map(
      (k) =>
        `${s[k]} ${k === 'whitespace' ? 'whitespace-only' : k === 'short' ? 'very short' : 'empty'} (line${s[k] === 1 ? '' : 's'} ${s.firstLines[k].join(', ')}${s[k] > 5 ? ', …' : ''})`,
    );
  return [
    `${name.padEnd(10)} ${s.source}: ${counted(s.rows, 'row')}, ${s.classified} classified; nearest NCD median ${f4(s.median)} (quartiles ${f4(s.quartiles[0])}-${f4(s.quartiles[1])})`,
    ...(kinds.length ? [`${''.padEnd(10)} ${kinds.join('; ')}`] : []),
  ];
}

export function driftText(r: DriftReport, names?: ReadonlyMap<Label, string>): string {
  const showLabel = (key: string): string => driftLabel(key, names);
  const flag = (pValue: number): string => (pValue < r.level ? '  DRIFT' : '');
  const lines: string[] = [];
  lines.push(...setLines('reference', r.reference), ...setLines('current', r.current), '');
  lines.push(`each test at alpha/3 = ${p(r.level)} (alpha ${r.alpha}, three tests, Bonferroni)`);
  lines.push(`nearest distances   KS D ${f4(r.ks.d)}, p ${p(r.ks.pValue)} (asymptotic; ties make it conservative)${flag(r.ks.pValue)}`);
  lines.push(
    `                    PSI ${f4(r.psi.psi)} over the reference deciles (for information: < 0.1 small, > 0.25 large, by convention)`,
  );
  lines.push(
    `predicted labels    TVD ${f4(r.labels.tvd)}, chi-square ${f4(r.labels.chi2)} (df ${r.labels.dof}), p ${p(r.labels.pValue)}${flag(r.labels.pValue)}`,
  );
  const nr = r.labels.reference.reduce((a, b) => a + b, 0) || 1;
  const nc = r.labels.current.reduce((a, b) => a + b, 0) || 1;
  const width = Math.max(5, ...r.labels.labels.map((l) => showLabel(l).length));
  lines.push(`  ${'label'.padEnd(width)}  reference  current`);
  r.labels.labels.forEach((l, i) => {
    lines.push(
      `  ${showLabel(l).padEnd(width)}  ${`${((100 * r.labels.reference[i]) / nr).toFixed(1)}%`.padStart(9)}  ${`${((100 * r.labels.current[i]) / nc).toFixed(1)}%`.padStart(7)}`,
    );
  });
  lines.push(`empty/whitespace    chi-square ${f4(r.blank.chi2)}, p ${p(r.blank.pValue)}${flag(r.blank.pValue)}`);
  if (r.farthest.length) {
    lines.push(
      '',
      r.farthest.length === 1
        ? 'the current row farthest from the training set:'
        : `the ${r.farthest.length} current rows farthest from the training set:`,
    );
    for (const row of r.farthest) {
      const text = row.text.length > 100 ? `${row.text.slice(0, 99)}…` : row.text;
      lines.push(
        `  line ${String(row.line).padEnd(6)} ${f4(row.distance)}  ${showLabel(JSON.stringify(row.prediction))}  ${JSON.stringify(text)}`,
      );
    }
  }
  lines.push('', r.drift ? `drift detected: ${r.reasons.join(', ')} (exit status 3)` : `no drift at alpha ${r.alpha}`);
  return lines.join('\n');
}

/** The report as JSON; with `names` (--label-names), the names of the labels beside them. */
export function driftJson(r: DriftReport, names?: ReadonlyMap<Label, string>): Record<string, unknown> {
  const nameOf = (label: Label): string | undefined => names?.get(label);
  const set = (s: DriftSummary): Record<string, unknown> => ({
    source: s.source,
    rows: s.rows,
    classified: s.classified,
    median_distance: s.median,
    quartiles: s.quartiles,
    empty: s.empty,
    whitespace_only: s.whitespace,
    very_short: s.short,
    first_lines: { empty: s.firstLines.empty, whitespace_only: s.firstLines.whitespace, very_short: s.firstLines.short },
  });
  return {
    drift: r.drift,
    reasons: r.reasons,
    alpha: r.alpha,
    level: r.level,
    reference: set(r.reference),
    current: set(r.current),
    ks: { d: r.ks.d, p: r.ks.pValue, n_reference: r.ks.n, n_current: r.ks.m },
    psi: { psi: r.psi.psi, edges: r.psi.edges, reference: r.psi.reference, current: r.psi.current },
    labels: {
      labels: r.labels.labels.map((l) => JSON.parse(l)),
      ...(names ? { names: r.labels.labels.map((l) => nameOf(JSON.parse(l) as Label) ?? null) } : {}),
      reference: r.labels.reference,
      current: r.labels.current,
      tvd: r.labels.tvd,
      chi2: r.labels.chi2,
      dof: r.labels.dof,
      p: r.labels.pValue,
    },
    blank: { chi2: r.blank.chi2, p: r.blank.pValue },
    farthest: r.farthest.map((row) => ({
      line: row.line,
      distance: row.distance,
      prediction: row.prediction,
      ...(names ? { prediction_name: nameOf(row.prediction) ?? null } : {}),
      text: row.text,
    })),
  };
}

/** One JSON line (big integer labels stay exact), with `extra` fields first (a window's position). */
export function driftJsonLine(r: DriftReport, extra: Record<string, unknown> = {}, names?: ReadonlyMap<Label, string>): string {
  return toJson({ ...extra, ...driftJson(r, names) });
}
