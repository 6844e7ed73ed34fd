/**
 * The failure matrix (docs/failure-matrix.md), rows 1–8: what npc does with bad or unusual lines of a data
 * file: lines that are not JSON or not an object, a missing or empty text, a missing label, labels that are
 * Object.prototype names, `1` against `"1"`, BOMs, CRLF and blank lines, invalid UTF-8.
 * Every test is named `row N: …`; "Regression (row N)" marks a test that held a fix when it was written
 * (CHANGELOG.md says what was wrong). The sentences are written for these tests; real data sets are only
 * read from ../shared/data.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDataset } from '../../src/io/read-records.js';
import {
  cleanupTmp,
  escapeRegExp,
  expectNpcError,
  makeTrainingDir,
  npcShell,
  q,
  run,
  shell,
  writeIn,
  writeJsonl,
} from '../helpers/failure-tools.js';
import { SENTENCES_3_PER_CLASS as SENTENCES } from '../fixtures/sentences.js';

let dir: string;
let train: string;
beforeAll(() => ({ dir, train } = makeTrainingDir('npc-fm-', SENTENCES)));
afterAll(() => cleanupTmp());

/** A file in the shared temp dir. */
const file = (name: string, content: string | Buffer): string => writeIn(dir, name, content);

const GOOD_ROW = '{"label": "sport", "text": "a football match"}';
const SPORT = SENTENCES[0][1];
const MONEY = SENTENCES[3][1];
const re = escapeRegExp;

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 1: JSONL line that is not JSON', () => {
  const broken = [
    'not json',
    '{"label": "sport", "text": "cut off',
    "{'label': 'sport', 'text': 'single quotes'}",
    '{"label": "sport", "text": "x",}',
    '{"label": "sport", "text": "x"} {"label": "sport"}',
    '{"label": "sport", "text": "x"}}',
    'NaN',
    '{"label": "sport", "text": "raw \t tab is fine but raw \u0001 is not"}',
  ];
  it.each(broken.map((b, i) => [i, b]))(
    'row 1: training file, broken line #%i → npc: FILE:LINE: invalid JSON (…), exit 1',
    async (i, bad) => {
      // line 1 good, line 2 blank (still counted), line 3 good, line 4 bad
      const path = file(`r1-train-${i}.jsonl`, `${GOOD_ROW}\n\n${GOOD_ROW}\n${bad}\n${GOOD_ROW}\n`);
      const r = await run(['classify', '--train', path, 'a text']);
      // A line that does not start like a JSON object also names the flag for other formats.
      expectNpcError(
        r,
        1,
        new RegExp(`${re(path)}:4: invalid JSON \\(.+\\)(; if the file is CSV or TSV, pass --train-format csv or tsv)?`),
      );
    },
  );

  it('row 1: test file of eval → npc: FILE:LINE: invalid JSON (…), exit 1', async () => {
    const test = file('r1-test.jsonl', `${GOOD_ROW}\n{"label": "money", "text": \n`);
    const r = await run(['eval', '--train', train, '--test', test, '--quiet']);
    expectNpcError(r, 1, new RegExp(`${re(test)}:2: invalid JSON \\(.+\\)`));
  });

  it('row 1: classify stdin → npc: <stdin>:LINE: invalid JSON (…), exit 1', async () => {
    const r = await run(['classify', '--train', train], { input: '{"text": "fine"}\n\n{"text": oops}\n' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: <stdin>:3: invalid JSON \(.+\)\n$/);
  });

  // Regression (row 1), fixed: "never lose output". Observed: when the bad line arrives in the same read as
  // the good lines before it (a file or a fast pipe on stdin), their predictions are never written.
  it('row 1: predictions of the good lines before a bad stdin line are still written, in order', async () => {
    const input = file('r1-stdin.jsonl', '{"id": 1, "text": "the striker scored"}\n{"id": 2, "text": "bank rates rose"}\nnot json\n');
    const r = await run(['classify', '--train', train, '--jobs', '1'], { stdin: { file: input } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: <stdin>:3: invalid JSON \(.+\); for plain text lines pass --input text\n$/);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([1, 2]);
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 2: JSON that is not an object', () => {
  const cases: [string, string][] = [
    ['1', 'a number'],
    ['-2.5e3', 'a number'],
    ['"just a string"', 'a string'],
    ['true', 'a boolean'],
    ['null', 'null'],
    ['[]', 'an array'],
    ['[{"label": "sport", "text": "x"}]', 'an array'],
  ];
  it.each(cases)('row 2: training line %s → npc: FILE:2: expected a JSON object, got %s; exit 1', async (value, kind) => {
    const path = file(`r2-${kind.replace(/\W/g, '')}-${value.length}.jsonl`, `${GOOD_ROW}\n${value}\n`);
    const r = await run(['classify', '--train', path, 'a text']);
    expectNpcError(r, 1, `${path}:2: expected a JSON object, got ${kind}`);
  });

  it('row 2: classify stdin and eval test file name the line too', async () => {
    const r = await run(['classify', '--train', train], { input: '[1, 2]\n' });
    expectNpcError(r, 1, '<stdin>:1: expected a JSON object, got an array');
    const test = file('r2-test.jsonl', `${GOOD_ROW}\n${GOOD_ROW}\n42\n`);
    const e = await run(['eval', '--train', train, '--test', test, '--quiet']);
    expectNpcError(e, 1, `${test}:3: expected a JSON object, got a number`);
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 3: "text" missing, empty, or not a string', () => {
  const cases: [string, string][] = [
    ['{"label": "sport"}', 'missing "text"'],
    ['{"label": "sport", "Text": "wrong case"}', 'missing "text"'],
    ['{"label": "sport", "text": ""}', 'empty "text"'],
    ['{"label": "sport", "text": 5}', '"text" is not a string'],
    ['{"label": "sport", "text": null}', '"text" is not a string'],
    ['{"label": "sport", "text": ["a", "b"]}', '"text" is not a string'],
    ['{"label": "sport", "text": {"en": "x"}}', '"text" is not a string'],
    ['{"label": "sport", "text": false}', '"text" is not a string'],
  ];
  it.each(cases)('row 3: training line %s → npc: FILE:LINE: %s, exit 1', async (line, message) => {
    const path = file(`r3-${cases.findIndex((c) => c[0] === line)}.jsonl`, `${GOOD_ROW}\n${GOOD_ROW}\n${line}\n`);
    const r = await run(['classify', '--train', path, 'a text']);
    expectNpcError(r, 1, `${path}:3: ${message}`);
  });

  it('row 3: the same checks on classify stdin and with --text-field (an empty text there: row 55)', async () => {
    const r = await run(['classify', '--train', train], { input: '{"text": "ok"}\n{"text": 5}\n' });
    expectNpcError(r, 1, '<stdin>:2: "text" is not a string', { stdout: /^\{"text": "ok","prediction":.*\n$/ });
    const bodyTrain = writeJsonl(
      join(dir, 'r3-body.jsonl'),
      SENTENCES.map(([label, body]) => ({ label, body })),
    );
    const other = await run(['classify', '--train', bodyTrain, '--text-field', 'body'], { input: '{"text": "not this field"}\n' });
    expectNpcError(other, 1, '<stdin>:1: missing "body"');
  });

  it('row 3: CSV with an empty text cell → npc: FILE:LINE: empty "text"', async () => {
    const path = file('r3.csv', 'label,text\nsport,a match\nmoney,\n');
    const r = await run(['classify', '--train', path, 'a text']);
    expectNpcError(r, 1, `${path}:3: empty "text"`);
  });

  it('row 3: plain-text stdin (--input text): an empty line is answered in its place, never dropped (decision)', async () => {
    const r = await run(['classify', '--train', train, '--input', 'text', '--json'], {
      input: '\nthe striker scored\n\n\nbank rates rose\n\n',
    });
    expect(r.code).toBe(0);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.text)).toEqual(['', 'the striker scored', '', '', 'bank rates rose', '']);
    expect(out.filter((o) => o.text === '')).toEqual(
      Array(4).fill({ text: '', prediction: null, error: 'empty text', confidence: null, distance: null }),
    );
    expect(r.stderr).toBe(
      'npc: warning: <stdin>: 4 empty lines not classified (lines 1, 3, 4, 6); each got "prediction": null, "error": "empty text"\n',
    );
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 4: training row without a label', () => {
  const cases: [string, string][] = [
    ['{"text": "no label at all"}', 'missing "label"'],
    ['{"text": "null label", "label": null}', '"label" is null'],
    ['{"text": "empty label", "label": ""}', 'empty "label"'],
    ['{"text": "boolean label", "label": true}', '"label" must be a string or a number'],
    ['{"text": "object label", "label": {"name": "x"}}', '"label" must be a string or a number'],
    ['{"text": "array label", "label": ["sport"]}', '"label" must be a string or a number'],
    ['{"text": "huge number", "label": 1e999}', '"label" must be a string or a number'],
  ];
  it.each(cases)('row 4: training line %s → npc: FILE:2: %s, exit 1', async (line, message) => {
    const path = file(`r4-${cases.findIndex((c) => c[0] === line)}.jsonl`, `${GOOD_ROW}\n${line}\n`);
    const r = await run(['classify', '--train', path, 'a text']);
    expectNpcError(r, 1, `${path}:2: ${message}`);
  });

  it('row 4: a test row without a label is an error for eval; classify input needs none', async () => {
    const test = file('r4-test.jsonl', `${GOOD_ROW}\n{"text": "unlabelled"}\n`);
    const e = await run(['eval', '--train', train, '--test', test, '--quiet']);
    expectNpcError(e, 1, `${test}:2: missing "label"`);
    const c = await run(['classify', '--train', train], { input: '{"text": "the striker scored"}\n' });
    expect(c.code).toBe(0);
    expect(JSON.parse(c.stdout).prediction).toBe('sport');
  });

  it('row 4: CSV: an empty label cell, or no label column', async () => {
    const cell = file('r4-cell.csv', 'text,label\na match,sport\nbank rates,\n');
    expectNpcError(await run(['classify', '--train', cell, 'x']), 1, `${cell}:3: missing "label"`);
    const column = file('r4-col.csv', 'text,other\na match,sport\n');
    expectNpcError(
      await run(['classify', '--train', column, 'x']),
      1,
      `${column}:1: the header has no "label" column (columns: text, other)`,
    );
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 5: labels __proto__, constructor, toString, hasOwnProperty', () => {
  const PROTO_LABELS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty'];
  const WORDS = ['apple banana cherry', 'build construct assemble', 'string letters words', 'owner property possess'];
  let protoTrain: string;
  beforeAll(() => {
    const rows = PROTO_LABELS.flatMap((label, i) => [
      { label, text: `${WORDS[i]} ${WORDS[i]}` },
      { label, text: `${WORDS[i]} again ${WORDS[i]} more` },
    ]);
    protoTrain = writeJsonl(join(dir, 'r5-train.jsonl'), rows);
  });

  it('row 5: classify prints them as ordinary labels (plain, --json, --neighbors)', async () => {
    const plain = await run(['classify', '--train', protoTrain, '-k', '1', ...WORDS]);
    expect(plain.stderr).toBe('');
    expect(plain.stdout).toBe(PROTO_LABELS.map((l) => `${l}\n`).join(''));
    const json = await run(['classify', '--train', protoTrain, '-k', '3', '--json', '--neighbors', '2', ...WORDS]);
    const out = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out.map((o) => o.prediction)).toEqual(PROTO_LABELS);
    for (const [i, o] of out.entries()) {
      expect(Object.keys(o)).toEqual(['text', 'prediction', 'confidence', 'distance', 'neighbors']);
      expect(o.neighbors.map((n: { label: string }) => n.label)).toEqual([PROTO_LABELS[i], PROTO_LABELS[i]]);
    }
  });

  it('row 5: eval: per-class table, --json per_class, --predictions', async () => {
    const preds = join(dir, 'r5-preds.jsonl');
    const r = await run(['eval', '--train', protoTrain, '--test', protoTrain, '-k', '1', '--json', '--quiet', '--predictions', preds]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.n).toBe(8);
    expect(json.per_class.map((c: { label: string }) => c.label)).toEqual([...PROTO_LABELS].sort());
    expect(json.per_class.map((c: { n: number }) => c.n)).toEqual([2, 2, 2, 2]);
    const lines = readFileSync(preds, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.label)).toEqual(PROTO_LABELS.flatMap((l) => [l, l]));
    expect(lines.map((l) => l.prediction)).toEqual(PROTO_LABELS.flatMap((l) => [l, l]));
    const table = await run(['eval', '--train', protoTrain, '--test', protoTrain, '-k', '1', '--quiet']);
    expect(table.code).toBe(0);
    for (const label of PROTO_LABELS) expect(table.stdout).toMatch(new RegExp(`^  ${label} +2 `, 'm'));
  });

  it('row 5: a "__proto__" key in an input object passes through; they also work as field names', async () => {
    const r = await run(['classify', '--train', protoTrain, '-k', '1'], {
      input: '{"text": "apple banana cherry", "__proto__": {"polluted": true}, "constructor": "x"}\n',
    });
    expect(r.code).toBe(0);
    // The line passes through byte for byte, the prediction appended.
    expect(r.stdout).toMatch(
      /^\{"text": "apple banana cherry", "__proto__": \{"polluted": true\}, "constructor": "x","prediction":"__proto__","confidence":1,"distance":[0-9.]+\}\n$/,
    );
    const fields = file(
      'r5-fields.jsonl',
      '{"__proto__": "apple apple apple", "constructor": "L1"}\n{"__proto__": "zebra zebra zebra", "constructor": "L2"}\n',
    );
    const f = await run(['classify', '--train', fields, '--text-field', '__proto__', '--label-field', 'constructor', '-k', '1', 'apple']);
    expect(f.stderr).toBe('');
    expect(f.stdout).toBe('L1\n');
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 6: labels 1 and "1" in one file (decision: distinct labels everywhere)', () => {
  let mixed: string;
  beforeAll(() => {
    mixed = writeJsonl(join(dir, 'r6.jsonl'), [
      { label: 1, text: 'numeric digits numbers counting numeric digits' },
      { label: '1', text: 'quoted string letters quoted string letters' },
      { label: 1, text: 'numeric digits numbers arithmetic numeric' },
      { label: '1', text: 'quoted string letters words quoted string' },
    ]);
  });

  it('row 6: classify --json keeps the type: 1 and "1" are different predictions', async () => {
    const r = await run(['classify', '--train', mixed, '-k', '1', '--json', 'numeric digits numbers', 'quoted string letters']);
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).prediction),
    ).toEqual([1, '1']);
  });

  it('row 6: eval counts them as two classes; --json and --predictions keep the types', async () => {
    const preds = join(dir, 'r6-preds.jsonl');
    const r = await run(['eval', '--train', mixed, '--test', mixed, '-k', '1', '--json', '--quiet', '--predictions', preds]);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json.per_class.map((c: { label: unknown; n: number }) => [c.label, c.n])).toEqual([
      [1, 2],
      ['1', 2],
    ]);
    expect(json.strict).toBe(1);
    const lines = readFileSync(preds, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.label, l.prediction])).toEqual([
      [1, 1],
      ['1', '1'],
      [1, 1],
      ['1', '1'],
    ]);
  });

  it('row 6: CSV labels are strings: a CSV test row "1" matches the JSONL label "1", not 1', async () => {
    const csv = file('r6.csv', 'label,text\n1,numeric digits numbers\n1,quoted string letters\n');
    const r = await run(['eval', '--train', mixed, '--test', csv, '-k', '1', '--json', '--quiet']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    // Both test rows are "1"; the numeric 1 is listed too (n = 0) because it was predicted, as scikit-learn lists it.
    expect(json.per_class.map((c: { label: unknown; n: number }) => [c.label, c.n])).toEqual([
      [1, 0],
      ['1', 2],
    ]);
    expect(json.strict_correct).toBe(1); // only the "quoted string" row, predicted "1", is right
  });

  // Regression (row 6), fixed: distinct "everywhere" includes what people read. Observed: plain classify output
  // and the eval tables print both labels as `1`, so the two classes cannot be told apart.
  it('row 6: plain classify output and the eval table show 1 and "1" differently', async () => {
    const plain = await run(['classify', '--train', mixed, '-k', '1', 'numeric digits numbers', 'quoted string letters']);
    expect(plain.code).toBe(0);
    const [a, b] = plain.stdout.trim().split('\n');
    expect(a).not.toBe(b);
    const table = await run(['eval', '--train', mixed, '--test', mixed, '-k', '1', '--quiet']);
    // The per-class table: the lines after `per class …:` and its column header, up to the blank line.
    const lines = table.stdout.split('\n');
    const start = lines.findIndex((l) => l.startsWith('per class'));
    const end = lines.indexOf('', start);
    const perClass = lines.slice(start + 2, end).map((l) => l.trim().split(/ +/)[0]);
    expect(perClass).toHaveLength(2);
    expect(perClass[0]).not.toBe(perClass[1]);
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 7: UTF-8 BOM, CRLF line ends, blank lines, no final newline', () => {
  const BOM = '\uFEFF';

  it('row 7: BOM, CRLF, blank lines, no final newline: a JSONL training file (plain and gzipped) reads exactly', async () => {
    const body = `${BOM}{"label": "sport", "text": "the striker scored"}\r\n\r\n   \r\n{"label": "money", "text": "bank rates rose"}\r\n\n{"label": "tech", "text": "a new compiler"}`;
    const plain = file('r7.jsonl', body);
    const gz = file('r7.jsonl.gz', gzipSync(Buffer.from(body)));
    for (const path of [plain, gz]) {
      const { records } = await readDataset(path, {});
      expect(records.map((r) => [r.label, r.text, r.line])).toEqual([
        ['sport', 'the striker scored', 1],
        ['money', 'bank rates rose', 4],
        ['tech', 'a new compiler', 6],
      ]);
      const r = await run(['eval', '--train', path, '--test', path, '-k', '1', '--json', '--quiet']);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout)).toMatchObject({ n: 3, strict: 1 });
    }
  });

  it('row 7: BOM, CRLF, blank lines, no final newline: classify stdin, JSONL and --input text', async () => {
    const jsonl = await run(['classify', '--train', train, '-k', '1'], {
      input: `${BOM}{"id": "a", "text": "${SPORT}"}\r\n\r\n{"id": "b", "text": "${MONEY}"}`,
    });
    expect(jsonl.stderr).toBe('');
    // The input lines byte for byte with their own line ends (row 57), then the added fields (confidence and distance: see row 26).
    expect(jsonl.stdout.replace(/,"confidence":[0-9.]+,"distance":[0-9.]+/g, '')).toBe(
      `{"id": "a", "text": "${SPORT}","prediction":"sport"}\r\n{"id": "b", "text": "${MONEY}","prediction":"money"}\n`,
    );
    const text = await run(['classify', '--train', train, '-k', '1', '--input', 'text', '--json'], {
      input: `${BOM}${SPORT}\r\n\r\n${MONEY}`,
    });
    expect(text.stderr).toMatch(/^npc: warning: <stdin>: 1 empty line not classified \(line 2\)/);
    expect(
      text.stdout
        .trim()
        .split('\n')
        .map((l) => [JSON.parse(l).text, JSON.parse(l).prediction]),
    ).toEqual([
      [SPORT, 'sport'],
      ['', null],
      [MONEY, 'money'],
    ]);
  });

  it('row 7: BOM, CRLF, blank lines, no final newline: CSV, header layout and AG News layout (format ag_news)', async () => {
    const header = file('r7.csv', `${BOM}label,text\r\nsport,the striker scored\r\n\r\nmoney,"bank rates\r\nrose"\r\ntech,a new compiler`);
    const { records } = await readDataset(header, {});
    expect(records.map((r) => [r.label, r.text, r.line])).toEqual([
      ['sport', 'the striker scored', 2],
      ['money', 'bank rates\r\nrose', 4], // inside quotes the line end is part of the text, verbatim
      ['tech', 'a new compiler', 6],
    ]);
    const ag = file('r7-ag.csv', `${BOM}"1","Title one","the striker scored"\r\n\r\n"3","Title two","bank rates rose"`);
    const agRecords = (await readDataset(ag, { format: 'ag_news' })).records;
    expect(agRecords.map((r) => [r.label, r.text, r.line])).toEqual([
      [0, 'Title one the striker scored', 1],
      [2, 'Title two bank rates rose', 3],
    ]);
    const r = await run(['eval', '--train', header, '--test', header, '-k', '1', '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 3, strict: 1 });
  });
});

// ---------------------------------------------------------------------------------------------------
describe.concurrent('row 8: invalid UTF-8 bytes (decision: an error naming the line, never replacement)', () => {
  const BAD: [string, Buffer][] = [
    ['0xff', Buffer.from([0xff])],
    ['lone continuation 0x80', Buffer.from([0x80])],
    ['overlong 0xc0 0x80', Buffer.from([0xc0, 0x80])],
    ['UTF-16 surrogate as UTF-8 0xed 0xa0 0x80', Buffer.from([0xed, 0xa0, 0x80])],
    ['truncated 0xe2 0x82', Buffer.from([0xe2, 0x82])],
    ['latin-1 é 0xe9', Buffer.from([0xe9])],
  ];
  const jsonlWith = (bad: Buffer): Buffer =>
    Buffer.concat([Buffer.from(`${GOOD_ROW}\n{"label": "money", "text": "caf`), bad, Buffer.from('"}\n')]);

  it.each(BAD)('row 8: %s in a JSONL training file (plain and .gz) → npc: FILE:2: invalid UTF-8, exit 1', async (name, bad) => {
    const slug = name.replace(/\W+/g, '-');
    for (const path of [file(`r8-${slug}.jsonl`, jsonlWith(bad)), file(`r8-${slug}.jsonl.gz`, gzipSync(jsonlWith(bad)))]) {
      const r = await run(['classify', '--train', path, 'a text']);
      expectNpcError(r, 1, `${path}:2: invalid UTF-8`);
    }
  });

  it('row 8: invalid UTF-8 on stdin (JSONL and --input text), also as the last line without a newline', async () => {
    const jsonl = await run(['classify', '--train', train], { input: jsonlWith(Buffer.from([0xff])) });
    expect(jsonl.code).toBe(1);
    expect(jsonl.stderr).toBe('npc: <stdin>:2: invalid UTF-8\n');
    const text = await run(['classify', '--train', train, '--input', 'text'], {
      input: Buffer.concat([Buffer.from('the striker scored\n\nbank '), Buffer.from([0xc3])]),
    });
    expect(text.code).toBe(1);
    expect(text.stderr).toBe('npc: <stdin>:3: invalid UTF-8\n');
  });

  // Regression (row 8), fixed: CSV input is decoded with replacement today: the row is accepted with U+FFFD.
  it('row 8: invalid UTF-8 in a CSV file → npc: FILE:LINE: invalid UTF-8, exit 1', async () => {
    const header = file(
      'r8.csv',
      Buffer.concat([Buffer.from('label,text\nsport,a match\nmoney,caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    expectNpcError(await run(['classify', '--train', header, 'x']), 1, `${header}:3: invalid UTF-8`);
    const ag = file('r8-ag.csv', Buffer.concat([Buffer.from('1,title,a match\n2,title,caf'), Buffer.from([0xff]), Buffer.from('\n')]));
    expectNpcError(await run(['classify', '--train', ag, '--train-format', 'ag_news', 'x']), 1, `${ag}:2: invalid UTF-8`);
  });

  // Regression (row 8), fixed: same principle for JSON escapes: "\ud800" is valid JSON but not valid Unicode;
  // today it is silently encoded as U+FFFD (EF BF BD) before compression.
  it('row 8: a lone surrogate escape ("\\ud800") in JSON text is an error naming the line, exit 1', async () => {
    const r = await run(['classify', '--train', train], { input: '{"text": "fine"}\n{"text": "half \\ud800 pair"}\n' });
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^npc: <stdin>:2: .+\n$/);
  });

  it('row 8: command-line arguments: Node decodes argv before npc sees it (invalid bytes arrive as U+FFFD) — documented limitation', async () => {
    const r = await shell(`${npcShell} classify --train ${q(train)} --json $'caf\\xe9'`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).text).toBe('caf\uFFFD');
  });
});
