/**
 * MODEL_CARD.md: the card for people, in the style of a Hugging Face model card (what it is, training
 * data, evaluation, intended use, limits). Rendered from the card alone, so it can be rendered again
 * from any artifact's card.json.
 */
import type { CardLabel, ModelCard } from './card.js';
import type { JsonLabel } from './labels.js';

/** The Markdown of `card`. */
export function renderModelCard(card: ModelCard): string {
  const t = card.training;
  const d = card.defaults;
  const lines: string[] = [
    '---',
    'library_name: npc',
    'pipeline_tag: text-classification',
    `model_name: ${yamlString(card.name)}`,
    '---',
    '',
    `# ${card.name}`,
    '',
    card.description ? card.description : '_No description given._',
    '',
    '## What it is',
    '',
    `A k-nearest-neighbour text classifier over exact gzip normalized compression distance (NCD), built by npc ${card.npc_version} ` +
      `on ${card.created}. The model is its training rows: a text gets the label most of its ${d.k} nearest training rows carry ` +
      `(ties broken by the \`${d.tie}\` rule${d.tie === 'random' ? `, seed ${d.seed}` : ''}).`,
    '',
    `- Labels: ${card.labels.length} (${card.labels.map(showCardLabel).join(', ')})`,
    `- Default k: ${d.k}; tie rule: ${d.tie}; seed: ${d.seed}`,
    `- Abstains when the nearest row is farther than: ${d.abstain_above ?? 'never'}; when the vote share is below: ${d.min_confidence ?? 'never'}`,
    `- Compressor: ${card.compressor}; engine: ${card.engine}`,
    `- Built in ${card.build.seconds.toFixed(1)} s (the artifact's size is card.json's \`build.artifact_bytes\`)`,
    '',
    '## Training data',
    '',
    `- File: ${t.file}${t.bytes === null ? '' : ` (${t.bytes} bytes`}${t.sha256 === null ? (t.bytes === null ? '' : ')') : `, sha256 ${t.sha256})`}`,
    `- Read as: format ${t.read.format ?? 'told by the file name'}, text field \`${t.read.text_field}\`, label field \`${t.read.label_field}\`` +
      `${t.read.columns ? `, columns ${t.read.columns.join(',')}` : ''}${t.read.strip ? ', texts stripped' : ''}`,
    `- Rows: ${t.rows}, every one held by the artifact; ${t.duplicate_texts} repeat the text of an earlier row`,
    `- Text length (UTF-8 bytes): min ${t.text_bytes.min}, median ${t.text_bytes.p50}, p90 ${t.text_bytes.p90}, p99 ${t.text_bytes.p99}, ` +
      `max ${t.text_bytes.max}, mean ${t.text_bytes.mean.toFixed(1)}`,
    '',
    '| label | name | rows |',
    '|---|---|---:|',
    ...card.labels.map((l) => `| ${cell(labelString(l.label))} | ${cell(l.name ?? '')} | ${l.rows} |`),
    '',
    '## Evaluation',
    '',
    ...evaluationLines(card),
    '',
    '## Reference distributions',
    '',
    ...referenceLines(card),
    '',
    '## Intended use',
    '',
    'Classifying short texts like the training rows, into the labels above, where a prediction can be traced to the training ' +
      'rows it rests on. `npc classify --model`, `npc eval --model` and `npc drift --model` use this file; the reference ' +
      'distributions are what `npc drift` compares live traffic against by default.',
    '',
    '## Limits',
    '',
    '- "Confidence" is the share of the k nearest rows that voted for the predicted label, not a probability of being right.',
    '- The artifact holds every training text as it was read: whoever has the file can read them all. Do not ship it where the ' +
      'training texts may not go.',
    '- Texts unlike every training row still get the label of their nearest rows; use the abstention thresholds or ' +
      '`npc drift` to notice them.',
    '- Exact duplicate texts in the training data make held-out figures look better than they are (counts above).',
    '- Each prediction compares the text with every training row: cost grows with the rows.',
    '',
  ];
  return lines.join('\n');
}

function evaluationLines(card: ModelCard): string[] {
  const e = card.evaluation;
  if (e === null) return ['Not evaluated when built (no `--folds`, `--holdout` or `--test`).'];
  const report = e.report;
  const pooled = (report.pooled ?? report) as Record<string, unknown>;
  const num = (v: unknown): string => (typeof v === 'number' ? v.toFixed(4) : String(v));
  const ci = (v: unknown): string => (Array.isArray(v) ? ` (95% Wilson ${num(v[0])}–${num(v[1])})` : '');
  const lines = [
    `As \`npc eval ${e.method}\` reports it (the full report is card.json's \`evaluation.report\`):`,
    '',
    `- Rows evaluated: ${String(pooled.n)} (${String(pooled.evaluated)})`,
    `- Strict accuracy, k=${String(pooled.k)}, tie ${String(pooled.tie)}: ${num(pooled.strict)}${ci(pooled.strict_ci)}`,
    `- Lenient accuracy (the paper's top-k rule): ${num(pooled.lenient)}${ci(pooled.lenient_ci)}`,
    `- Macro-F1: ${num(pooled.macro_f1)}`,
  ];
  const rc = pooled.risk_coverage as { aurc?: unknown } | undefined;
  if (rc) lines.push(`- AURC (area under the risk-coverage curve, lower is better): ${num(rc.aurc)}`);
  const perClass = pooled.per_class as
    { label: JsonLabel; name?: string; n: number; precision: number; recall: number; f1: number }[] | undefined;
  if (perClass?.length) {
    lines.push('', '| label | n | precision | recall | F1 |', '|---|---:|---:|---:|---:|');
    for (const c of perClass)
      lines.push(
        `| ${cell(labelString(c.label))}${c.name ? ` (${cell(c.name)})` : ''} | ${c.n} | ${num(c.precision)} | ${num(c.recall)} | ${num(c.f1)} |`,
      );
  }
  return lines;
}

function referenceLines(card: ModelCard): string[] {
  const r = card.reference;
  if (r === null) return ['None recorded.'];
  const sorted = [...r.distances].sort((a, b) => a - b);
  const at = (q: number): string => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))].toFixed(4) : '-');
  const source =
    r.source === 'held-out'
      ? `the ${r.rows} held-out rows of the evaluation, each searched against its training side`
      : `a sample of ${r.rows} training rows (seed ${r.seed}), each searched against every other row except itself and its exact duplicates`;
  return [
    `From ${source}, at k=${card.defaults.k} and tie rule ${card.defaults.tie}.`,
    '',
    `- Nearest distance: median ${at(0.5)}, p90 ${at(0.9)}, p99 ${at(0.99)}`,
    `- Predicted labels: ${r.labels.map((l) => `${labelString(l.label)} ${l.count}`).join(', ')}`,
  ];
}

function showCardLabel(l: CardLabel): string {
  return l.name ? `${labelString(l.label)} (${l.name})` : labelString(l.label);
}

function labelString(label: JsonLabel): string {
  return typeof label === 'object' ? label.bigint : String(label);
}

/** A table cell: pipes escaped, line breaks as spaces. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
}

function yamlString(text: string): string {
  return JSON.stringify(text);
}
