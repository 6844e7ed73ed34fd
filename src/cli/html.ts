/**
 * `--html FILE` on `eval` and `drift`: one self-contained page (inline CSS and SVG; nothing is fetched
 * from the network), for what people would rather look at than read: the confusion matrix as a heat map,
 * per-class precision/recall/F1, accuracy by k with intervals and tie-order envelopes, the risk–coverage
 * curve; for drift, the two distance distributions overlaid, the label shares side by side, the farthest rows.
 */
import type { DriftReport, DriftSet } from '../app/drift.js';
import type { EvaluationReport } from '../app/evaluate.js';
import type { Label } from '../model/labels.js';
import { forDisplay } from './display-label.js';
import { labelFormatter } from './options.js';
import { driftLabel, formatPValue } from './drift-report.js';
import { toJson } from '../json-text.js';
import { counted } from '../errors.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const f4 = (x: number): string => (Number.isFinite(x) ? x.toFixed(4) : '-');
const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:980px;color:#1f2328;padding:0 1rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem;border-bottom:1px solid #d0d7de;padding-bottom:.25rem}
.muted{color:#59636e}.big{font-size:1.6rem;font-weight:600}.cards{display:flex;gap:1rem;flex-wrap:wrap}
.card{border:1px solid #d0d7de;border-radius:6px;padding:.6rem 1rem;min-width:150px}
table{border-collapse:collapse;margin:.5rem 0}td,th{padding:.2rem .6rem;text-align:right;border-bottom:1px solid #eaeef2}
th{background:#f6f8fa}td:first-child,th:first-child{text-align:left}.drift{color:#cf222e;font-weight:600}.ok{color:#1a7f37;font-weight:600}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}.grid line{stroke:#eaeef2}.axis line,.axis path{stroke:#59636e}
`;

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(title)}</title><style>${STYLE}</style></head><body>\n${body}\n<p class="muted">Written by npc. Self-contained: no scripts, nothing fetched.</p></body></html>\n`;
}

/** A simple x/y chart frame: returns the SVG wrapper and the scale functions. */
function frame(width: number, height: number, x: [number, number], y: [number, number], xLabel: string, yLabel: string, xTicks?: number[]) {
  const m = { l: 48, r: 12, t: 10, b: 34 };
  const sx = (v: number): number => m.l + ((v - x[0]) / (x[1] - x[0] || 1)) * (width - m.l - m.r);
  const sy = (v: number): number => height - m.b - ((v - y[0]) / (y[1] - y[0] || 1)) * (height - m.t - m.b);
  const ticks = (lo: number, hi: number): number[] => Array.from({ length: 6 }, (_, i) => lo + ((hi - lo) * i) / 5);
  const grid = ticks(y[0], y[1])
    .map(
      (v) =>
        `<line x1="${m.l}" x2="${width - m.r}" y1="${sy(v)}" y2="${sy(v)}"/><text x="${m.l - 6}" y="${sy(v) + 4}" text-anchor="end">${v.toFixed(2)}</text>`,
    )
    .join('');
  const xt = (xTicks ?? ticks(x[0], x[1]))
    .map((v) => `<text x="${sx(v)}" y="${height - m.b + 14}" text-anchor="middle">${Number.isInteger(v) ? v : v.toFixed(2)}</text>`)
    .join('');
  const wrap = (content: string): string =>
    `<svg width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img"><g class="grid">${grid}</g>${xt}` +
    `<g class="axis"><line x1="${m.l}" x2="${width - m.r}" y1="${height - m.b}" y2="${height - m.b}"/><line x1="${m.l}" x2="${m.l}" y1="${m.t}" y2="${height - m.b}"/></g>` +
    `<text x="${(m.l + width - m.r) / 2}" y="${height - 4}" text-anchor="middle">${esc(xLabel)}</text>` +
    `<text transform="translate(12 ${(m.t + height - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>${content}</svg>`;
  return { sx, sy, wrap };
}

/** The evaluation report as a page. */
export function evalHtml(report: EvaluationReport, names?: ReadonlyMap<Label, string>): string {
  const { scores } = report;
  const { result, perClass, confusionLabels } = scores;
  const head = result.ks[0];
  const headRule = head.rules.find((r) => r.rule === report.tie)!;
  // Tables show labels shortened to one line (display-label.ts); the row and column headers' tooltips carry the full value.
  const full = labelFormatter([...confusionLabels.rows, ...confusionLabels.columns], names);
  const show = forDisplay(full);
  const parts: string[] = [];
  parts.push(
    `<h1>npc eval</h1><p class="muted">${esc(report.trainSource)} (${counted(report.trainSize, 'training row')}) → ${esc(report.testSource)} (${counted(result.n, 'test row')}: ${esc(report.evaluated)})</p>`,
  );
  parts.push(
    `<div class="cards"><div class="card"><div class="muted">strict accuracy, k=${head.effectiveK}</div><div class="big">${f4(headRule.accuracy)}</div><div class="muted">95% CI ${f4(headRule.low)}–${f4(headRule.high)}, tie rule '${report.tie}'</div></div>` +
      `<div class="card"><div class="muted">lenient (the paper's rule)</div><div class="big">${f4(head.lenient.accuracy)}</div><div class="muted">right if the true label is among the tied top votes</div></div>` +
      `<div class="card"><div class="muted">macro-F1</div><div class="big">${f4(head.headline.macroF1)}</div></div></div>`,
  );

  // The confusion matrix as a heat map: each cell's colour is its share of the row (the true label).
  const counts = head.headline.confusion.counts;
  const rows = confusionLabels.rows.map(show);
  const cols = confusionLabels.columns.map(show);
  const rowsFull = confusionLabels.rows.map(full);
  const colsFull = confusionLabels.columns.map(full);
  const cell = Math.max(28, Math.min(60, Math.floor(640 / Math.max(1, cols.length))));
  const left = 12 + 7 * Math.max(...rows.map((r) => r.length), 4);
  const top = 20;
  let heat = '';
  counts.forEach((row, i) => {
    const total = row.reduce((a, b) => a + b, 0) || 1;
    heat += `<text x="${left - 6}" y="${top + i * cell + cell / 2 + 4}" text-anchor="end"><title>${esc(rowsFull[i])}</title>${esc(rows[i])}</text>`;
    row.forEach((n, j) => {
      const share = n / total;
      const light = Math.round(97 - 60 * share);
      heat += `<rect x="${left + j * cell}" y="${top + i * cell}" width="${cell - 1}" height="${cell - 1}" fill="hsl(212 80% ${light}%)"><title>${esc(rows[i])} → ${esc(cols[j])}: ${n}</title></rect>`;
      heat += `<text x="${left + j * cell + cell / 2}" y="${top + i * cell + cell / 2 + 4}" text-anchor="middle" style="fill:${share > 0.5 ? '#fff' : '#1f2328'}">${Number.isInteger(n) ? n : n.toFixed(1)}</text>`;
    });
  });
  cols.forEach(
    (c, j) =>
      (heat += `<text x="${left + j * cell + cell / 2}" y="${top - 6}" text-anchor="middle"><title>${esc(colsFull[j])}</title>${esc(c)}</text>`),
  );
  parts.push(
    `<h2>Confusion matrix</h2><p class="muted">Rows: true label; columns: predicted; colour: share of the row.</p><svg width="${left + cols.length * cell + 10}" height="${top + rows.length * cell + 10}" role="img">${heat}</svg>`,
  );

  parts.push(
    '<h2>Per class</h2><table><tr><th>label</th><th>n</th><th>precision</th><th>recall</th><th>F1</th><th>lenient</th></tr>' +
      perClass
        .map(
          (c) =>
            `<tr><td title="${esc(full(c.label))}">${esc(show(c.label))}</td><td>${c.n}</td><td>${f4(c.precision)}</td><td>${f4(c.recall)}</td><td>${f4(c.f1)}</td><td>${f4(c.lenient)}</td></tr>`,
        )
        .join('') +
      '</table>',
  );

  // Accuracy by k: the headline rule with its Wilson interval, the lenient score, the envelope as a band.
  const ks = result.ks.map((kr) => kr.effectiveK);
  const kx: [number, number] = [Math.min(...ks) - 0.5, Math.max(...ks) + 0.5];
  const all = result.ks.flatMap((kr) => {
    const r = kr.rules.find((x) => x.rule === report.tie)!;
    return [r.low, r.high, kr.lenient.high, kr.lenient.low];
  });
  const ky: [number, number] = [Math.max(0, Math.floor(Math.min(...all) * 10) / 10), Math.min(1, Math.ceil(Math.max(...all) * 10) / 10)];
  const kf = frame(560, 260, kx, ky, 'k', 'accuracy', ks);
  let sweep = '';
  for (const kr of result.ks) {
    const r = kr.rules.find((x) => x.rule === report.tie)!;
    const x = kf.sx(kr.effectiveK);
    const env = report.tie === 'nearest' || report.tie === 'decrement' ? kr.envelopes?.[report.tie] : undefined;
    if (env)
      sweep += `<rect x="${x - 10}" y="${kf.sy(env.high)}" width="20" height="${Math.max(1, kf.sy(env.low) - kf.sy(env.high))}" fill="#ddf4ff"><title>tie-order envelope ${f4(env.low)}–${f4(env.high)}</title></rect>`;
    sweep += `<line x1="${x}" x2="${x}" y1="${kf.sy(r.low)}" y2="${kf.sy(r.high)}" stroke="#0969da" stroke-width="2"/><circle cx="${x}" cy="${kf.sy(r.accuracy)}" r="4" fill="#0969da"><title>strict ${f4(r.accuracy)} [${f4(r.low)}, ${f4(r.high)}]</title></circle>`;
    sweep += `<line x1="${x + 6}" x2="${x + 6}" y1="${kf.sy(kr.lenient.low)}" y2="${kf.sy(kr.lenient.high)}" stroke="#bf8700" stroke-width="2"/><circle cx="${x + 6}" cy="${kf.sy(kr.lenient.accuracy)}" r="4" fill="#bf8700"><title>lenient ${f4(kr.lenient.accuracy)}</title></circle>`;
  }
  parts.push(
    `<h2>Accuracy by k</h2><p class="muted"><span style="color:#0969da">●</span> strict (tie rule '${report.tie}', 95% Wilson interval), <span style="color:#bf8700">●</span> lenient (the paper's rule), light band: tie-order envelope.</p>${kf.wrap(sweep)}`,
  );

  // Risk–coverage: accuracy of the kept rows against the share kept.
  const rc = scores.riskCoverage;
  if (rc.points.length) {
    const ry: [number, number] = [Math.max(0, Math.floor(Math.min(...rc.points.map((q) => q.interval.low)) * 10) / 10), 1];
    const rf = frame(560, 260, [0, 1], ry, 'coverage (share of rows kept, nearest NCD ≤ threshold)', 'accuracy of the kept rows');
    const path = rc.points.map((q, i) => `${i ? 'L' : 'M'}${rf.sx(q.coverage)},${rf.sy(q.accuracy)}`).join('');
    const band = rc.points
      .map((q) => `${rf.sx(q.coverage)},${rf.sy(q.interval.high)}`)
      .concat([...rc.points].reverse().map((q) => `${rf.sx(q.coverage)},${rf.sy(q.interval.low)}`))
      .join(' ');
    const dots = rc.points
      .map(
        (q) =>
          `<circle cx="${rf.sx(q.coverage)}" cy="${rf.sy(q.accuracy)}" r="3.5" fill="#8250df"><title>threshold ${f4(q.distance)}: ${pct(q.coverage)} kept, accuracy ${f4(q.accuracy)}</title></circle>`,
      )
      .join('');
    parts.push(
      `<h2>Risk–coverage</h2><p class="muted">Is the distance to the nearest training row a trust signal? AURC ${f4(rc.aurc)} (the risk at full coverage is ${f4(rc.risk)}).</p>` +
        rf.wrap(`<polygon points="${band}" fill="#fbefff"/><path d="${path}" fill="none" stroke="#8250df" stroke-width="2"/>${dots}`),
    );
  }
  return page('npc eval', parts.join('\n'));
}

/** The drift report as a page. */
export function driftHtml(report: DriftReport, reference: DriftSet, current: DriftSet, names?: ReadonlyMap<Label, string>): string {
  const parts: string[] = [];
  const verdict = report.drift
    ? `<span class="drift">drift detected: ${esc(report.reasons.join(', '))}</span>`
    : `<span class="ok">no drift at α = ${report.alpha}</span>`;
  parts.push(
    `<h1>npc drift</h1><p>${verdict}</p><p class="muted">reference ${esc(report.reference.source)} (${counted(report.reference.rows, 'row')}) · current ${esc(report.current.source)} (${counted(report.current.rows, 'row')}) · each test at α/3 = ${report.level.toPrecision(3)}</p>`,
  );
  const p = (x: number): string => esc(formatPValue(x));
  parts.push(
    '<table><tr><th>test</th><th>statistic</th><th>p</th></tr>' +
      `<tr><td>nearest distances (two-sample KS)</td><td>D ${f4(report.ks.d)}</td><td>${p(report.ks.pValue)}</td></tr>` +
      `<tr><td>predicted labels (chi-square)</td><td>${f4(report.labels.chi2)} (df ${report.labels.dof}), TVD ${f4(report.labels.tvd)}</td><td>${p(report.labels.pValue)}</td></tr>` +
      `<tr><td>empty or whitespace-only texts (chi-square)</td><td>${f4(report.blank.chi2)}</td><td>${p(report.blank.pValue)}</td></tr>` +
      `<tr><td>PSI over the reference deciles (for information)</td><td>${f4(report.psi.psi)}</td><td></td></tr></table>`,
  );

  // The two distance distributions, overlaid as histograms of shares (40 bins over the common range).
  const all = [...reference.distances, ...current.distances];
  if (all.length) {
    const lo = Math.min(...all);
    const hi = Math.max(...all);
    const bins = 40;
    const width = (hi - lo) / bins || 1;
    const hist = (values: number[]): number[] => {
      const h = new Array<number>(bins).fill(0);
      for (const v of values) h[Math.min(bins - 1, Math.floor((v - lo) / width))]++;
      return h.map((c) => c / (values.length || 1));
    };
    const hr = hist(reference.distances);
    const hc = hist(current.distances);
    const f = frame(640, 260, [lo, hi], [0, Math.max(...hr, ...hc) * 1.1 || 1], 'NCD to the nearest training row', 'share of rows');
    const bars = (h: number[], colour: string): string =>
      h
        .map(
          (s, i) =>
            `<rect x="${f.sx(lo + i * width)}" y="${f.sy(s)}" width="${Math.max(1, f.sx(lo + (i + 1) * width) - f.sx(lo + i * width) - 1)}" height="${Math.max(0, f.sy(0) - f.sy(s))}" fill="${colour}" fill-opacity="0.55"/>`,
        )
        .join('');
    parts.push(
      `<h2>Nearest distances</h2><p class="muted"><span style="color:#0969da">■</span> reference, <span style="color:#cf222e">■</span> current</p>${f.wrap(bars(hr, '#0969da') + bars(hc, '#cf222e'))}`,
    );
  }

  // Label shares side by side.
  const nr = report.labels.reference.reduce((a, b) => a + b, 0) || 1;
  const nc = report.labels.current.reduce((a, b) => a + b, 0) || 1;
  const labels = report.labels.labels.map((l) => driftLabel(l, names));
  const max = Math.max(...report.labels.reference.map((c) => c / nr), ...report.labels.current.map((c) => c / nc), 0.01);
  const rowH = 26;
  const left = 12 + 7 * Math.max(5, ...labels.map((l) => l.length));
  let shares = '';
  labels.forEach((l, i) => {
    const y = 10 + i * rowH;
    const wr = (360 * report.labels.reference[i]) / nr / max;
    const wc = (360 * report.labels.current[i]) / nc / max;
    shares += `<text x="${left - 6}" y="${y + 14}" text-anchor="end">${esc(l)}</text>`;
    shares += `<rect x="${left}" y="${y}" width="${wr}" height="10" fill="#0969da"><title>reference ${pct(report.labels.reference[i] / nr)}</title></rect>`;
    shares += `<rect x="${left}" y="${y + 11}" width="${wc}" height="10" fill="#cf222e"><title>current ${pct(report.labels.current[i] / nc)}</title></rect>`;
    shares += `<text x="${left + Math.max(wr, wc) + 6}" y="${y + 14}">${pct(report.labels.reference[i] / nr)} → ${pct(report.labels.current[i] / nc)}</text>`;
  });
  parts.push(`<h2>Predicted labels</h2><svg width="${left + 480}" height="${20 + labels.length * rowH}" role="img">${shares}</svg>`);

  if (report.farthest.length) {
    parts.push(
      '<h2>The current rows farthest from the training set</h2><table><tr><th>line</th><th>NCD</th><th>prediction</th><th style="text-align:left">text</th></tr>' +
        report.farthest
          .map(
            (r) =>
              `<tr><td>${r.line}</td><td>${f4(r.distance)}</td><td>${esc(driftLabel(toJson(r.prediction), names))}</td><td style="text-align:left">${esc(r.text.length > 160 ? `${r.text.slice(0, 159)}…` : r.text)}</td></tr>`,
          )
          .join('') +
        '</table>',
    );
  }
  const blanks = (s: DriftReport['reference']): string => `${s.empty} empty, ${s.whitespace} whitespace-only, ${s.short} very short`;
  parts.push(`<h2>Empty and short input</h2><p>reference: ${blanks(report.reference)}<br>current: ${blanks(report.current)}</p>`);
  return page('npc drift', parts.join('\n'));
}
