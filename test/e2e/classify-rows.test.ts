/**
 * Failure-matrix rows 54–57 (docs/failure-matrix.md): what `npc classify` writes for each input row.
 * Plain, CSV and TSV output refuse a label or placeholder that one line per row cannot hold; an empty
 * text is answered in its place, whatever the input kind, and counted in one warning
 * (`--stop-on-bad-row` makes it fatal); JSONL lines pass through with their own bytes and line ends.
 * The sentences are written for these tests.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, expectNpcError, makeTrainingDir, run, writeJsonl } from '../helpers/failure-tools.js';
import { SENTENCES } from '../fixtures/sentences.js';

let dir: string;
let train: string;
beforeAll(() => ({ dir, train } = makeTrainingDir('npc-rows-', SENTENCES)));
afterAll(() => cleanupTmp());

const SPORT = SENTENCES[0][1];
const MONEY = SENTENCES[2][1];
const TECH = SENTENCES[4][1];

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** A training set whose "sport" label is `label` instead. */
function trainWithSportLabel(name: string, label: string): string {
  return writeJsonl(
    join(dir, name),
    SENTENCES.map(([l, text]) => ({ label: l === 'sport' ? label : l, text })),
  );
}

describe.concurrent('row 54: a label or placeholder that one output line per row cannot hold', () => {
  it.each([
    ['LF', 'Sports\nand games', '"Sports\\nand games"'],
    ['CR', 'Sports\rand games', '"Sports\\rand games"'],
    ['CRLF', 'Sports\r\nand games', '"Sports\\r\\nand games"'],
  ])(
    'row 54: plain output refuses a training label with a %s before classifying, naming the label JSON-escaped',
    async (end, label, escaped) => {
      const path = trainWithSportLabel(`r54-${end}.jsonl`, label);
      // The text is money-like: the label is refused although no text would get it.
      const r = await run(['classify', '--train', path, '-k', '1', MONEY, TECH]);
      expectNpcError(
        r,
        1,
        `${path}: the label ${escaped} holds a line end, which plain output (one line per input) cannot hold; add --json (JSON output carries any label), or change the label`,
      );
      const text = await run(['classify', '--train', path, '-k', '1', '--input', 'text'], { input: `${SPORT}\n` });
      expect(text.code).toBe(1);
      expect(text.stdout).toBe('');
    },
  );

  it('row 54: CSV and TSV output refuse it too, before the header is written; TSV also refuses a tab', async () => {
    const path = trainWithSportLabel('r54-table.jsonl', 'Sports\nand games');
    for (const input of ['csv', 'tsv']) {
      const r = await run(['classify', '--train', path, '--input', input], { input: `text\n${MONEY}\n` });
      expectNpcError(
        r,
        1,
        new RegExp(
          `.*r54-table\\.jsonl: the label "Sports\\\\nand games" holds a line end, which ${input.toUpperCase()} output .* cannot hold; classify JSONL input instead .*`,
        ),
      );
    }
    const tab = trainWithSportLabel('r54-tab.jsonl', 'Sports\tgames');
    const tsv = await run(['classify', '--train', tab, '--input', 'tsv'], { input: `text\n${MONEY}\n` });
    expectNpcError(tsv, 1, new RegExp(`.*r54-tab\\.jsonl: the label "Sports\\\\tgames" holds a tab, which TSV output .*`));
    // A tab is fine in CSV (the field is written as it is) and in plain output.
    const csv = await run(['classify', '--train', tab, '-k', '1', '--input', 'csv'], { input: `text\n"${SPORT}"\n` });
    expect(csv.stderr).toBe('');
    expect(csv.stdout).toBe(`text,prediction\n"${SPORT}",Sports\tgames\n`);
  });

  it('row 54: JSON output carries such a label: one object per input, the label exact', async () => {
    const label = 'Sports\r\nand games';
    const path = trainWithSportLabel('r54-json.jsonl', label);
    const args = await run(['classify', '--train', path, '-k', '1', '--json', SPORT, MONEY]);
    expect(args.stderr).toBe('');
    expect(args.stdout.split('\n').map((l) => (l ? JSON.parse(l).prediction : l))).toEqual([label, 'money', '']);
    const jsonl = await run(['classify', '--train', path, '-k', '1'], { input: `{"text": ${JSON.stringify(SPORT)}}\n` });
    expect(jsonl.code).toBe(0);
    expect(JSON.parse(jsonl.stdout).prediction).toBe(label);
  });

  it('row 54: a placeholder or display name with a line end is a usage error naming the flag', async () => {
    const plain = await run(['classify', '--train', train, '--empty-label', 'no\ntext', SPORT]);
    expectNpcError(plain, 2, '--empty-label "no\\ntext" holds a line end, which plain output (one line per input) cannot hold');
    const tsv = await run(['classify', '--train', train, '--input', 'tsv', '--abstain-label', 'not\tsure'], { input: `text\n${SPORT}\n` });
    expectNpcError(tsv, 2, /--abstain-label "not\\tsure" holds a tab, which TSV output .* cannot hold/);
    const numbered = writeJsonl(
      join(dir, 'r54-numbered.jsonl'),
      SENTENCES.map(([l, text]) => ({ label: ['sport', 'money', 'tech'].indexOf(l), text })),
    );
    const names = await run(['classify', '--train', numbered, '--label-names', 'Sport,Money\nand more,Tech', SPORT]);
    expectNpcError(names, 2, /--label-names: the name "Money\\nand more" holds a line end, .*/);
  });
});

describe.concurrent('row 55: an empty text is answered in its place, whatever the input, and counted in one warning', () => {
  it('row 55: JSONL stdin: the rows after an empty text are classified; it gets "prediction": null, "error": "empty text"', async () => {
    const lines = [SPORT, '', MONEY, '', TECH].map((text, i) => JSON.stringify({ id: i, text }));
    const r = await run(['classify', '--train', train, '-k', '1'], { input: lines.join('\n') + '\n' });
    expect(r.code).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => [o.id, o.prediction, o.error])).toEqual([
      [0, 'sport', undefined],
      [1, null, 'empty text'],
      [2, 'money', undefined],
      [3, null, 'empty text'],
      [4, 'tech', undefined],
    ]);
    expect(r.stderr).toBe(
      'npc: warning: <stdin>: 2 objects with an empty "text" not classified (lines 2, 4); each got "prediction": null, "error": "empty text"\n',
    );
  });

  it('row 55: a JSONL file, whole and in shards: the warning names the lines of the whole file', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: i === 29 ? '' : SENTENCES[i % 6][1] }));
    const path = file('r55.jsonl', lines.join('\n') + '\n');
    const whole = await run(['classify', '--train', train, '-k', '1', '--input-file', path]);
    expect(whole.code).toBe(0);
    expect(whole.stdout.trimEnd().split('\n')).toHaveLength(40);
    expect(whole.stderr).toBe(
      `npc: warning: ${path}: 1 object with an empty "text" not classified (line 30); each got "prediction": null, "error": "empty text"\n`,
    );
    const shard = await run(['classify', '--train', train, '-k', '1', '--input-file', path, '--shard', '1/2']);
    expect(shard.code).toBe(0);
    expect(shard.stderr).toContain(`${path}: 1 object with an empty "text" not classified (line 30);`);
    expect(whole.stdout.endsWith(shard.stdout)).toBe(true);
  });

  it('row 55: arguments, plain text, CSV and TSV: the placeholder in the row, one warning with the count and the first lines', async () => {
    const args = await run(['classify', '--train', train, '-k', '1', SPORT, '', MONEY]);
    expect(args.code).toBe(0);
    expect(args.stdout).toBe('sport\n?\nmoney\n');
    expect(args.stderr).toBe("npc: warning: 1 empty argument not classified (argument 2); each got '?' (--empty-label)\n");
    const argsJson = await run(['classify', '--train', train, '-k', '1', '--json', '', SPORT]);
    expect(argsJson.stdout.split('\n')[0]).toBe('{"text":"","prediction":null,"error":"empty text","confidence":null,"distance":null}');

    const text = await run(['classify', '--train', train, '-k', '1', '--input', 'text', '--empty-label', '-'], {
      input: ['', '', SPORT, '', '', '', '', TECH].join('\n') + '\n',
    });
    expect(text.stdout).toBe('-\n-\nsport\n-\n-\n-\n-\ntech\n');
    expect(text.stderr).toBe(
      "npc: warning: <stdin>: 6 empty lines not classified (lines 1, 2, 4, 5, 6, …); each got '-' (--empty-label)\n",
    );

    for (const [input, sep] of [
      ['csv', ','],
      ['tsv', '\t'],
    ]) {
      const r = await run(['classify', '--train', train, '-k', '1', '--input', input], {
        input: `id${sep}text\n1${sep}${SPORT}\n2${sep}\n3${sep}${TECH}\n`,
      });
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(`id${sep}text${sep}prediction\n1${sep}${SPORT}${sep}sport\n2${sep}${sep}?\n3${sep}${TECH}${sep}tech\n`);
      expect(r.stderr).toBe(`npc: warning: <stdin>: 1 empty "text" cell not classified (line 3); each got '?' (--empty-label)\n`);
    }
  });

  it('row 55: a training row and an eval test row with an empty text stay errors naming the line', async () => {
    const bad = file('r55-train.jsonl', `{"label": "sport", "text": ${JSON.stringify(SPORT)}}\n{"label": "money", "text": ""}\n`);
    expectNpcError(await run(['classify', '--train', bad, SPORT]), 1, `${bad}:2: empty "text"`);
    expectNpcError(await run(['eval', '--train', train, '--test', bad, '-q']), 1, `${bad}:2: empty "text"`);
  });
});

describe.concurrent('row 56: --stop-on-bad-row makes an empty text fatal', () => {
  it('row 56: JSONL stdin: exit 1 naming the line, the output of every row before it written, nothing after', async () => {
    // Many rows before the empty one, so that it arrives in the middle of a batch.
    const before = Array.from({ length: 300 }, (_, i) => JSON.stringify({ i, text: SENTENCES[i % 6][1] }));
    const after = Array.from({ length: 50 }, (_, i) => JSON.stringify({ i: 301 + i, text: SPORT }));
    const input = [...before, '{"i": 300, "text": ""}', ...after].join('\n') + '\n';
    const r = await run(['classify', '--train', train, '-k', '1', '--stop-on-bad-row', '--jobs', '2'], { input });
    expectNpcError(r, 1, '<stdin>:301: empty "text", and --stop-on-bad-row stops at the first row that cannot be classified', {
      stdout: /^(.*\n){300}$/,
    });
    expect(
      r.stdout
        .split('\n')
        .slice(0, 300)
        .map((l) => JSON.parse(l).i),
    ).toEqual(before.map((_, i) => i));
  });

  it('row 56: a shard of a file names the line in the whole file', async () => {
    const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify({ text: i === 33 ? '' : SENTENCES[i % 6][1] }));
    const path = file('r56.jsonl', lines.join('\n') + '\n');
    const r = await run(['classify', '--train', train, '-k', '1', '--input-file', path, '--shard', '1/2', '--stop-on-bad-row']);
    expectNpcError(r, 1, `${path}:34: empty "text", and --stop-on-bad-row stops at the first row that cannot be classified`, {
      stdout: /^(.*\n)+$/,
    });
  });

  it('row 56: arguments, plain text, CSV: the same, naming the argument or line', async () => {
    const stop = 'and --stop-on-bad-row stops at the first row that cannot be classified';
    const args = await run(['classify', '--train', train, '-k', '1', '--stop-on-bad-row', SPORT, '', MONEY]);
    expectNpcError(args, 1, `argument 2: empty text, ${stop}`, { stdout: 'sport\n' });
    const text = await run(['classify', '--train', train, '-k', '1', '--stop-on-bad-row', '--input', 'text'], {
      input: `${SPORT}\n${MONEY}\n\n${TECH}\n`,
    });
    expectNpcError(text, 1, `<stdin>:3: empty line, ${stop}`, { stdout: 'sport\nmoney\n' });
    const csv = await run(['classify', '--train', train, '-k', '1', '--stop-on-bad-row', '--input', 'csv'], {
      input: `id,text\n1,${SPORT}\n2,\n3,${TECH}\n`,
    });
    expectNpcError(csv, 1, `<stdin>:3: empty "text", ${stop}`, { stdout: `id,text,prediction\n1,${SPORT},sport\n` });
  });

  it('row 56: without an empty text, --stop-on-bad-row changes nothing', async () => {
    const input = `{"text": ${JSON.stringify(SPORT)}}\n{"text": ${JSON.stringify(TECH)}}\n`;
    const plain = await run(['classify', '--train', train, '-k', '1'], { input });
    const stopping = await run(['classify', '--train', train, '-k', '1', '--stop-on-bad-row'], { input });
    expect(stopping.code).toBe(0);
    expect(stopping.stderr).toBe('');
    expect(stopping.stdout).toBe(plain.stdout);
  });
});

describe.concurrent('row 57: JSONL pass-through keeps each line, its spacing and its own line end', () => {
  const ADDED = /,"prediction":"[a-z]+","confidence":[0-9.]+,"distance":[0-9.]+/g;
  // LF, CRLF, spaces before and after the closing brace, a tab, a CR before CRLF, a last line without a line end.
  const input = [
    `{"id": 1, "text": ${JSON.stringify(SPORT)}}\n`,
    `{"id": 2, "text": ${JSON.stringify(MONEY)}}\r\n`,
    `{"id": 3, "text": ${JSON.stringify(TECH)} }  \r\n`,
    `{"id": 4, "text": ${JSON.stringify(SPORT)}}\t\n`,
    `\r\n`,
    `{"id": 5, "text": ${JSON.stringify(MONEY)}}\r\r\n`,
    `{"id": 6, "text": ${JSON.stringify(TECH)}}`,
  ];

  it('row 57: every output line is its input line with the fields added after the last member, ending as the input line ended', async () => {
    const r = await run(['classify', '--train', train, '-k', '1'], { input: input.join('') });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    // The blank line gives no output (it holds no object); the last line gets LF.
    const expected = input.filter((l) => l.trim() !== '').map((l) => (l.endsWith('\n') ? l : `${l}\n`));
    expect(r.stdout.replace(ADDED, '')).toBe(expected.join(''));
    expect(r.stdout).toContain(`{"id": 3, "text": ${JSON.stringify(TECH)},"prediction":"tech",`);
    expect(r.stdout).toMatch(/"distance":[0-9.]+ } {2}\r\n\{"id": 4/);
  });

  it('row 57: shards of a CRLF file, concatenated, are the unsharded output byte for byte', async () => {
    const lines = Array.from(
      { length: 30 },
      (_, i) => `{"i": ${i}, "text": ${JSON.stringify(SENTENCES[i % 6][1])}}${i % 3 ? '\r\n' : ' \n'}`,
    );
    const path = file('r57.jsonl', lines.join(''));
    const whole = await run(['classify', '--train', train, '-k', '1', '--input-file', path]);
    expect(whole.code).toBe(0);
    expect(whole.stdout.replace(ADDED, '')).toBe(lines.join(''));
    const parts = [];
    for (let i = 0; i < 3; i++)
      parts.push((await run(['classify', '--train', train, '-k', '1', '--input-file', path, '--shard', `${i}/3`])).stdout);
    expect(parts.join('')).toBe(whole.stdout);
  });
});
