/**
 * Failure-matrix rows 25, 26, 29 and 31 (docs/failure-matrix.md): what `npc classify` does with a
 * stream, line by line: empty lines of plain text, fields passed through byte for byte, big integer
 * labels, a clash with a field npc adds, stdin asked for twice, options that would be ignored.
 * The sentences are written for these tests.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupTmp, expectNpcError, makeTrainingDir, npcShell, q, run, shell, writeJsonl } from '../helpers/failure-tools.js';
import { SENTENCES } from '../fixtures/sentences.js';

let dir: string;
let train: string;
beforeAll(() => ({ dir, train } = makeTrainingDir('npc-cls-', SENTENCES)));
afterAll(() => cleanupTmp());

describe.concurrent('row 25: --input text gives one output line per input line', () => {
  it('row 25: paste file <(cut -f1 file | npc classify --input text) keeps every row with its own label', async () => {
    // Column 1 the text (empty on two rows), column 2 the expected label.
    const rows = [
      [SENTENCES[0][1], 'sport'],
      ['', '?'],
      [SENTENCES[3][1], 'money'],
      ['', '?'],
      [SENTENCES[5][1], 'tech'],
    ];
    const tsv = join(dir, 'r25.tsv');
    writeFileSync(tsv, rows.map((r) => r.join('\t')).join('\n') + '\n');
    const r = await shell(`paste ${q(tsv)} <(cut -f1 ${q(tsv)} | ${npcShell} classify --train ${q(train)} -k 1 --input text)`);
    expect(r.status, r.stderr).toBe(0);
    const out = r.stdout
      .trimEnd()
      .split('\n')
      .map((l) => l.split('\t'));
    expect(out).toHaveLength(rows.length);
    for (const [text, expected, got] of out) expect([text, got]).toEqual([text, expected]);
    expect(r.stderr).toBe("npc: warning: <stdin>: 2 empty lines not classified (lines 2, 4); each got '?' (--empty-label)\n");
  });

  it('row 25: --empty-label sets the placeholder; the last line without a newline is classified too', async () => {
    const r = await run(['classify', '--train', train, '-k', '1', '--input', 'text', '--empty-label', 'NONE'], {
      input: `\n${SENTENCES[2][1]}`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('NONE\nmoney\n');
  });
});

describe.concurrent('row 26: the input line passes through byte for byte; labels keep their value', () => {
  it('row 26: big integers, exponents, spacing and key order come back exactly, the prediction appended', async () => {
    const line = `{"text": "${SENTENCES[1][1]}", "big":12345678901234567890,"f":1e2 , "nested": {"x": 1.000}}`;
    const r = await run(['classify', '--train', train, '-k', '1'], { input: `${line}\n` });
    expect(r.stderr).toBe('');
    const [, appended] = /^(?:.*)(,"prediction".*)$/.exec(r.stdout.trimEnd())!;
    expect(r.stdout.startsWith(line.slice(0, -1) + ',"prediction":"sport",')).toBe(true);
    expect(appended).toMatch(/^,"prediction":"sport","confidence":1,"distance":0\.\d+\}$/);
  });

  it('row 26: a training label 12345678901234567890 comes back as itself (plain, --json, eval --predictions and --json)', async () => {
    const big = join(dir, 'r26-big.jsonl');
    writeFileSync(
      big,
      `{"label": 12345678901234567890, "text": "${SENTENCES[0][1]}"}\n{"label": 12345678901234567891, "text": "${SENTENCES[2][1]}"}\n{"label": 7, "text": "${SENTENCES[4][1]}"}\n`,
    );
    const plain = await run(['classify', '--train', big, '-k', '1', SENTENCES[0][1], SENTENCES[2][1]]);
    expect(plain.stdout).toBe('12345678901234567890\n12345678901234567891\n');
    const json = await run(['classify', '--train', big, '-k', '1', '--json', '--neighbors', '1', SENTENCES[2][1]]);
    expect(json.stdout).toMatch(
      /"prediction":12345678901234567891,"confidence":1,"distance":[0-9.]+,"neighbors":\[\{"index":1,"label":12345678901234567891,"distance":/,
    );
    const preds = join(dir, 'r26-preds.jsonl');
    const e = await run(['eval', '--train', big, '--test', big, '-k', '1', '--json', '--quiet', '--predictions', preds]);
    expect(e.code, e.stderr).toBe(0);
    expect(e.stdout).toContain('"per_class":[{"label":7,');
    expect(e.stdout).toContain('{"label":12345678901234567890,"n":1,');
    expect(e.stdout).toContain('{"label":12345678901234567891,"n":1,');
    expect(readFileSync(preds, 'utf8').split('\n')[1]).toMatch(
      /^\{"index":1,"label":12345678901234567891,"prediction":12345678901234567891,"correct":true,/,
    );
    // Two ids a double cannot tell apart stay two classes.
    expect(JSON.parse(e.stdout).strict).toBe(1);
  });

  it('row 26: a label with more digits than can be held exactly is an error naming it, not a rounded value', async () => {
    const path = join(dir, 'r26-frac.jsonl');
    writeFileSync(path, `{"label": 0.12345678901234567890123, "text": "x y z"}\n`);
    const r = await run(['classify', '--train', path, 'x']);
    expectNpcError(
      r,
      1,
      `${path}:1: "label" 0.12345678901234567890123 has more digits than npc can compare exactly; write it as a string ("0.12345678901234567890123")`,
    );
  });

  it('row 26: an input that already has "prediction" is an error naming the line; --output-field names the new field', async () => {
    const input = `{"text": "${SENTENCES[2][1]}"}\n{"text": "${SENTENCES[3][1]}", "prediction": "kept"}\n`;
    const clash = await run(['classify', '--train', train, '-k', '1', '--jobs', '1'], { input });
    expectNpcError(
      clash,
      1,
      '<stdin>:2: the object already has a "prediction" field, which npc would add; name the new field with --output-field NAME',
      {
        stdout: new RegExp(`^\\{"text": "${SENTENCES[2][1]}","prediction":"money","confidence":1,"distance":[0-9.]+\\}\\n$`),
      },
    );
    const named = await run(['classify', '--train', train, '-k', '1', '--output-field', 'npc_label'], { input });
    expect(named.code).toBe(0);
    expect(named.stdout.split('\n')[1]).toMatch(
      new RegExp(`^\\{"text": "${SENTENCES[3][1]}", "prediction": "kept","npc_label":"money","confidence":1,"distance":[0-9.]+\\}$`),
    );
  });

  it('row 26: the label-name field and "neighbors" clash the same way', async () => {
    const ints = writeJsonl(
      join(dir, 'r26-ints.jsonl'),
      SENTENCES.map(([, text], i) => ({ label: i % 2, text })),
    );
    const names = await run(['classify', '--train', ints, '-k', '1', '--label-names', 'even,odd'], {
      input: `{"text": "x", "prediction_name": 1}\n`,
    });
    expectNpcError(
      names,
      1,
      '<stdin>:1: the object already has a "prediction_name" field, which npc would add; name the new field with --output-field NAME',
    );
    const nb = await run(['classify', '--train', train, '--neighbors', '1'], { input: `{"text": "x", "neighbors": []}\n` });
    expectNpcError(nb, 1, '<stdin>:1: the object already has a "neighbors" field, which npc would add; rename it in the input');
  });
});

describe.concurrent('row 29: stdin cannot be both the training set and the texts', () => {
  it('row 29: cat train.jsonl | npc classify --train - → usage error, exit 2, nothing printed', async () => {
    const r = await run(['classify', '--train', '-'], { input: readFileSync(train) });
    expectNpcError(r, 2, '--train - reads the training set from stdin, so the texts to classify must be arguments');
  });

  it('row 29: --train - with text arguments works', async () => {
    const r = await run(['classify', '--train', '-', '-k', '1', SENTENCES[4][1]], { input: readFileSync(train) });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('tech\n');
  });
});

describe.concurrent('row 31: options that would be ignored are usage errors', () => {
  it('row 31: --neighbors without JSON output → exit 2; with --json or JSONL stdin it works', async () => {
    expectNpcError(
      await run(['classify', '--train', train, '--neighbors', '3', 'x']),
      2,
      '--neighbors needs JSON output: add --json (plain output is one label per line)',
    );
    expectNpcError(
      await run(['classify', '--train', train, '--neighbors', '3', '--input', 'text'], { input: 'x\n' }),
      2,
      '--neighbors needs JSON output: add --json (plain output is one label per line)',
    );
    const ok = await run(['classify', '--train', train, '--neighbors', '2'], { input: '{"text": "x"}\n' });
    expect(JSON.parse(ok.stdout).neighbors).toHaveLength(2);
  });

  it('row 31: "-" among text arguments → exit 2 (it is not the text "-")', async () => {
    expectNpcError(
      await run(['classify', '--train', train, 'a', '-', 'b']),
      2,
      '"-" (read stdin) cannot be combined with text arguments; pipe the texts in instead',
    );
  });

  it('row 31: --input with text arguments → exit 2', async () => {
    expectNpcError(
      await run(['classify', '--train', train, '--input', 'text', 'a']),
      2,
      '--input describes stdin, but the texts are arguments',
    );
  });

  it('row 31: --output-field without a name, or naming the text field of a new object → exit 2', async () => {
    expectNpcError(await run(['classify', '--train', train, '--output-field', '', 'x']), 2, '--output-field needs a name');
    expectNpcError(
      await run(['classify', '--train', train, '--json', '--output-field', 'text', 'x']),
      2,
      '--output-field text is also the text field',
    );
  });

  it('row 31: --trials without --shots → exit 2', async () => {
    expectNpcError(
      await run(['eval', '--train', train, '--test', train, '--trials', '3', '--quiet']),
      2,
      '--trials counts few-shot draws: it needs --shots',
    );
  });
});
