/**
 * How a data file's fields are laid out: CSV and TSV files with and without a header (never a layout
 * guessed from the data), the AG News layout only when asked for, quotes inside unquoted CSV fields,
 * the fields of each file (`--train-text-field`, `--test-text-field`, …), and the messages for a key
 * with a dot and a null label. Failure-matrix rows 48–53.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, escapeRegExp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';
import { readDataset } from '../../src/io/read-records.js';

afterAll(() => cleanupTmp());
const dir = makeTmp('npc-layout-');
const file = (name: string, content: string | Buffer): string => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const train = writeJsonl(
  join(dir, 'train.jsonl'),
  SENTENCES.map(([label, text]) => ({ label, text })),
);

/** The headerless three-column CSV of the report: labels 5 and 7, which the AG News layout would turn into 4 and 6. */
const HEADERLESS = '"5","Oil prices climb","Stocks slump as crude hits a record"\n"7","Striker scores late","The home side wins"\n';

describe.concurrent('row 48: a CSV without a header is refused, never read as the AG News layout', () => {
  it('row 48: a headerless 3-column CSV → the first row is named and --no-header --columns and --train-format ag_news are offered, exit 1', async () => {
    const csv = file('my.csv', HEADERLESS);
    const r = await run(['classify', '--train', csv, '--json', 'Stocks slump as oil prices climb']);
    expectNpcError(
      r,
      1,
      `${csv}:1: the first row ("5", "Oil prices climb", "Stocks slump as crude hits a …") names no "text" column, so it is not a header; for a file without a header, name its columns with --no-header --columns label,title,text (or --train-columns for this file only), or read it as the AG News layout (class,title,description) with --train-format ag_news`,
    );
  });

  it('row 48: with --no-header --columns label,title,text the labels are read as written (5 and 7, never 4)', async () => {
    const csv = file('my-cols.csv', HEADERLESS);
    const r = await run([
      'classify',
      '--train',
      csv,
      '--no-header',
      '--columns',
      'label,title,text',
      '--json',
      'Stocks slump as oil prices climb',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ prediction: '5' });
    // Every training label comes back as written: each text is its own nearest neighbour with -k 1.
    const both = await run([
      'classify',
      '--train',
      csv,
      '--columns',
      'label,title,text',
      '--text-field',
      'title,text',
      '-k',
      '1',
      'Oil prices climb Stocks slump as crude hits a record',
      'Striker scores late The home side wins',
    ]);
    expect(both.stderr).toBe('');
    expect(both.stdout).toBe('5\n7\n');
  });

  it('row 48: --train-format ag_news reads the AG News layout when asked (label = class − 1, text = title + " " + description)', async () => {
    const csv = file('ag.csv', '"1","Oil prices climb","crude hits a record"\n"2","Striker scores late","home side wins"\n');
    const r = await run([
      'classify',
      '--train',
      csv,
      '--train-format',
      'ag_news',
      '-k',
      '1',
      '--json',
      'Striker scores late home side wins',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ prediction: 1 });
    // Not three fields: refused at the first row.
    const two = file('ag-two.csv', '1,a\n2,b\n');
    expectNpcError(
      await run(['classify', '--train', two, '--train-format', 'ag_news', 'x']),
      1,
      `${two}:1: the AG News layout has 3 fields (class,title,description), but the first row has 2`,
    );
  });

  it('row 48: eval reads an AG News CSV test file with --test-format ag_news, and refuses it without', async () => {
    const agTrain = file('ag-train.csv', '"1","Oil prices climb","crude hits a record"\n"2","Striker scores late","home side wins"\n');
    const agTest = file('ag-test.csv', '"2","Striker scores","the home side wins late"\n');
    const r = await run([
      'eval',
      '--train',
      agTrain,
      '--train-format',
      'ag_news',
      '--test',
      agTest,
      '--test-format',
      'ag_news',
      '-k',
      '1',
      '--json',
      '--quiet',
    ]);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 1, strict: 1 });
    const refused = await run(['eval', '--train', agTrain, '--train-format', 'ag_news', '--test', agTest, '-k', '1', '--quiet']);
    expectNpcError(
      refused,
      1,
      new RegExp(
        `${escapeRegExp(agTest)}:1: the first row .* names no "text" column.*--test-columns for this file only.*--test-format ag_news`,
      ),
    );
  });
});

describe.concurrent('row 49: --no-header and --columns, per file', () => {
  it('row 49: R8 as published (label<TAB>text, no header) read with --no-header --columns label,text equals the JSONL conversion', async (ctx) => {
    if (!requireSharedData('r8/train.txt.gz', 'r8/train.jsonl.gz')) return ctx.skip();
    // The first 300 rows of the source file; the JSONL holds the same rows (the last source line aside, whose trailing space the reference loader strips).
    const source = gunzipSync(readFileSync(sharedDataPath('r8/train.txt.gz')))
      .toString('utf8')
      .split('\n')
      .slice(0, 300);
    const tsv = file('r8-head.txt', `${source.join('\n')}\n`);
    const reference = readJsonlGz(sharedDataPath('r8/train.jsonl.gz')).slice(0, 300);
    const jsonl = writeJsonl(join(dir, 'r8-head.jsonl'), reference);
    const queries = reference.slice(0, 40).map((r) => r.text.slice(0, 200));
    const viaTsv = await run([
      'classify',
      '--train',
      tsv,
      '--train-format',
      'tsv',
      '--no-header',
      '--columns',
      'label,text',
      '-k',
      '3',
      ...queries,
    ]);
    const viaJsonl = await run(['classify', '--train', jsonl, '-k', '3', ...queries]);
    expect(viaTsv.stderr).toBe('');
    expect(viaTsv.code).toBe(0);
    expect(viaTsv.stdout).toBe(viaJsonl.stdout);
    expect(viaTsv.stdout.split('\n')).toHaveLength(41);
  });

  it('row 49: --train-columns and --test-columns name each file; --columns names every CSV and TSV file', async () => {
    const tsvTrain = file('r49-train.tsv', SENTENCES.map(([l, t]) => `${l}\t${t}`).join('\n') + '\n');
    const csvTest = file('r49-test.csv', `text,label\n"${SENTENCES[0][1]}",sport\n"${SENTENCES[2][1]}",money\n`);
    const own = await run([
      'eval',
      '--train',
      tsvTrain,
      '--train-columns',
      'label,text',
      '--test',
      csvTest,
      '-k',
      '1',
      '--json',
      '--quiet',
    ]);
    expect(own.stderr).toBe('');
    expect(JSON.parse(own.stdout)).toMatchObject({ n: 2, strict: 1 });
    const headerless = file('r49-test-nohead.csv', `sport,"${SENTENCES[1][1]}"\n`);
    const all = await run([
      'eval',
      '--train',
      tsvTrain,
      '--test',
      headerless,
      '--no-header',
      '--columns',
      'label,text',
      '-k',
      '1',
      '--json',
      '--quiet',
    ]);
    expect(all.stderr).toBe('');
    expect(JSON.parse(all.stdout)).toMatchObject({ n: 1, strict: 1 });
  });

  it('row 49: classify --input csv --test-columns: a headerless input comes back with the prediction appended and no header', async () => {
    const input = `"${SENTENCES[0][1]}",7\n"${SENTENCES[4][1]}",8\n`;
    const r = await run(['classify', '--train', train, '--input', 'csv', '--test-columns', 'text,id', '-k', '1'], { input });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`"${SENTENCES[0][1]}",7,sport\n"${SENTENCES[4][1]}",8,tech\n`);
  });

  it('row 49: drift: --reference-columns and --current-columns name headerless files beside a training file with a header', async () => {
    const headed = file('r49-drift-train.csv', `label,text\n${SENTENCES.map(([l, t]) => `${l},${t}`).join('\n')}\n`);
    const rows = SENTENCES.map(([l, t]) => `${l}\t${t}`).join('\n') + '\n';
    const reference = file('r49-reference.tsv', rows);
    const current = file('r49-current.tsv', rows);
    const args = ['drift', '--train', headed, '--reference', reference, '--current', current, '--json', '-j', '1'];
    const r = await run([...args, '--reference-columns', 'label,text', '--current-columns', 'label,text']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ drift: false, reference: { rows: 6 }, current: { rows: 6 } });
    expectNpcError(
      await run([...args, '--no-header', '--reference-columns', 'label,text', '--current-columns', 'label,text']),
      2,
      '--no-header: name the columns of the training file with --columns NAMES or --train-columns NAMES',
    );
    expectNpcError(
      await run([...args, '--columns', 'label,text', '--train-columns', 'label,text']),
      2,
      "--columns sets every file's columns: it cannot be combined with --train-columns (give each file's own --…-columns instead)",
    );
  });

  it('row 49: flags that would not apply, and columns that do not fit → one-line errors', async () => {
    const tsv = file('r49.tsv', SENTENCES.map(([l, t]) => `${l}\t${t}`).join('\n') + '\n');
    const cases: [string[], number, string][] = [
      [
        ['classify', '--train', train, '--columns', 'label,text', 'x'],
        2,
        '--columns names the columns of CSV and TSV files without a header, but no file here is CSV or TSV',
      ],
      [['classify', '--train', train, '--no-header', 'x'], 2, '--no-header applies to CSV and TSV files, but no file here is CSV or TSV'],
      [
        ['classify', '--train', tsv, '--no-header', 'x'],
        2,
        '--no-header: name the columns of the training file with --columns NAMES or --train-columns NAMES',
      ],
      [
        ['classify', '--train', train, '--train-columns', 'label,text', 'x'],
        2,
        '--train-columns names the columns of a CSV or TSV file without a header, but the training file is JSONL',
      ],
      [
        ['classify', '--train', tsv, '--columns', 'label,text', '--train-columns', 'label,text', 'x'],
        2,
        "--columns sets every file's columns: it cannot be combined with --train-columns (give --train-columns and --test-columns instead)",
      ],
      [
        ['classify', '--train', tsv, '--columns', 'label,body', 'x'],
        2,
        '--columns label,body names no "text" column for the text of the training file (name it there, or choose the text column with --train-text-field or --text-field)',
      ],
      [
        ['classify', '--train', tsv, '--columns', 'topic,text', 'x'],
        2,
        '--columns topic,text names no "label" column for the label of the training file (name it there, or choose the label column with --train-label-field or --label-field)',
      ],
      [
        ['eval', '--data', tsv, '--folds', '2', '--test-columns', 'label,text'],
        2,
        '--test-columns applies to the test file, which this command does not read',
      ],
      [
        ['classify', '--train', tsv, '--columns', 'label,text,extra', 'x'],
        1,
        `${tsv}:1: the first row has 2 fields, but --columns names 3 (label,text,extra)`,
      ],
    ];
    for (const [args, code, message] of cases) expectNpcError(await run(args), code, message);
    const headed = file('r49-headed.csv', `label,text\nsport,${SENTENCES[0][1]}\n`);
    expectNpcError(
      await run(['classify', '--train', headed, '--columns', 'label,text', 'x']),
      1,
      `${headed}:1: the first row names the columns label,text: the file has a header, so leave out --columns`,
    );
    expectNpcError(
      await run(['classify', '--train', train, '--columns', 'label,,text', 'x']),
      2,
      `option '--columns <names>' argument 'label,,text' is invalid. "label,,text" has an empty name (write a literal dot as \\., a comma as \\,).`,
      { usage: true },
    );
    expectNpcError(
      await run(['classify', '--train', train, '--columns', 'text,text', 'x']),
      2,
      `option '--columns <names>' argument 'text,text' is invalid. expected distinct names; "text" is given twice.`,
      { usage: true },
    );
  });
});

describe.concurrent('row 50: a quote inside an unquoted CSV field is a character, kept as written', () => {
  it('row 50: `1,The 5" screen` is read with its quote, in training and test files', async () => {
    const csv = file('r50.csv', 'label,text\nphone,The 5" screen cracked\ntv,"A 55"" panel, wall mounted"\n');
    const { records } = await readDataset(csv, {});
    expect(records.map((r) => [r.label, r.text, r.line])).toEqual([
      ['phone', 'The 5" screen cracked', 2],
      ['tv', 'A 55" panel, wall mounted', 3],
    ]);
    const r = await run(['eval', '--train', csv, '--test', csv, '-k', '1', '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 2, strict: 1 });
  });

  it('row 50: classify --input csv passes such a row through byte for byte (a line end after it still ends the row)', async () => {
    const input = 'text,id\nThe 5" screen,1\nsecond "row,2\r\n';
    const r = await run(['classify', '--train', train, '--input', 'csv', '-k', '1'], { input });
    expect(r.stderr).toBe('');
    const lines = r.stdout.split(/(?<=\n)/);
    expect(lines).toHaveLength(3);
    expect(lines[0]).toBe('text,id,prediction\n');
    expect(lines[1]).toMatch(/^The 5" screen,1,\w+\n$/);
    expect(lines[2]).toMatch(/^second "row,2,\w+\r\n$/);
  });

  it('row 50: text after a closing quote is still an error naming the line, exit 1', async () => {
    const csv = file('r50-bad.csv', 'label,text\nsport,a match\nmoney,"bank" rates\n');
    expectNpcError(
      await run(['classify', '--train', csv, 'x']),
      1,
      `${csv}:3: invalid quoting: a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)`,
    );
    const r = await run(['classify', '--train', train, '--input', 'csv'], { input: 'text\n"a"b\n' });
    expectNpcError(
      r,
      1,
      '<stdin>:2: invalid quoting: a closing quote must be followed by a comma or the end of the line (write "" for a quote inside a quoted field)',
    );
  });
});

describe.concurrent('row 51: the fields of each file', () => {
  it('row 51: a CSV test file with a "title" column against a JSONL training file with "text": --test-text-field title', async () => {
    const test = file('r51-test.csv', `title,label\n"${SENTENCES[0][1]}",sport\n"${SENTENCES[3][1]}",money\n`);
    const r = await run(['eval', '--train', train, '--test', test, '--test-text-field', 'title', '-k', '1', '--json', '--quiet']);
    expect(r.stderr).toBe('');
    expect(JSON.parse(r.stdout)).toMatchObject({ n: 2, strict: 1 });
    // The plain flag sets every file: the JSONL has no "title".
    const plain = await run(['eval', '--train', train, '--test', test, '--text-field', 'title', '-k', '1', '--quiet']);
    expectNpcError(plain, 1, `${train}:1: missing "title"`);
  });

  it('row 51: classify: --train-label-field for the training file, --test-text-field for the input (stdin and arguments)', async () => {
    const topics = writeJsonl(
      join(dir, 'r51-topics.jsonl'),
      SENTENCES.map(([topic, body]) => ({ topic, body })),
    );
    const input = `${JSON.stringify({ title: SENTENCES[2][1] })}\n`;
    const r = await run(
      [
        'classify',
        '--train',
        topics,
        '--train-text-field',
        'body',
        '--train-label-field',
        'topic',
        '--test-text-field',
        'title',
        '-k',
        '1',
      ],
      { input },
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      `${JSON.stringify({ title: SENTENCES[2][1] }).slice(0, -1)},"prediction":"money","confidence":1,"distance":${JSON.parse(r.stdout).distance}}\n`,
    );
    const args = await run([
      'classify',
      '--train',
      topics,
      '--train-text-field',
      'body',
      '--train-label-field',
      'topic',
      '--test-text-field',
      'title',
      '-k',
      '1',
      '--json',
      SENTENCES[4][1],
    ]);
    expect(args.stderr).toBe('');
    expect(JSON.parse(args.stdout)).toMatchObject({ title: SENTENCES[4][1], prediction: 'tech' });
  });

  it('row 51: a plain and a per-file flag of the same kind are refused (one of them would be ignored), exit 2', async () => {
    for (const kind of ['text-field', 'label-field']) {
      const r = await run(['eval', '--train', train, '--test', train, `--${kind}`, 'a', `--test-${kind}`, 'b']);
      expectNpcError(
        r,
        2,
        `--${kind} sets every file's ${kind.replace('-', ' ')}: it cannot be combined with --test-${kind} (give --train-${kind} and --test-${kind} instead)`,
      );
    }
    const ag = file('r51-ag.csv', '"1","a","b"\n');
    expectNpcError(
      await run(['classify', '--train', ag, '--train-format', 'ag_news', '--train-text-field', 'title', 'x']),
      2,
      '--train-text-field does not apply to the AG News layout (label = class − 1, text = title + " " + description)',
    );
    expectNpcError(
      await run(['eval', '--train', ag, '--train-format', 'ag_news', '--test', ag, '--test-format', 'ag_news', '--label-field', 'topic']),
      2,
      '--label-field does not apply to the AG News layout (label = class − 1, text = title + " " + description)',
    );
  });
});

describe.concurrent('rows 52–53: messages for a key with a dot and a null label', () => {
  it('row 52: missing "a.b" when the object has a key "a.b" names the escape a\\.b', async () => {
    const path = writeJsonl(join(dir, 'r52.jsonl'), [{ 'a.b': 'some text', label: 'x' }]);
    expectNpcError(
      await run(['classify', '--train', path, '--text-field', 'a.b', 'x']),
      1,
      `${path}:1: missing "a.b" (the object has a key "a.b": write its dot as \\. to name it, a\\.b)`,
    );
    const nested = writeJsonl(join(dir, 'r52-nested.jsonl'), [{ meta: { 'a.b': 'some text' }, label: 'x' }]);
    expectNpcError(
      await run(['classify', '--train', nested, '--text-field', 'meta.a.b', 'x']),
      1,
      `${nested}:1: missing "meta.a.b" (the object has a key "a.b": write its dot as \\. to name it, meta.a\\.b)`,
    );
    // With the escape, the key is read.
    const ok = await run(['classify', '--train', path, '-k', '1', '--text-field', 'a\\.b', 'x']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toBe('x\n');
    // Without such a key, the message stays short.
    expectNpcError(await run(['classify', '--train', train, '--text-field', 'a.b', 'x']), 1, `${train}:1: missing "a.b"`);
  });

  it('row 53: a null label is reported as null, an absent one as missing', async () => {
    const path = file(
      'r53.jsonl',
      `${JSON.stringify({ text: 'a match', label: 'sport' })}\n${JSON.stringify({ text: 'bank rates', label: null })}\n`,
    );
    expectNpcError(await run(['classify', '--train', path, 'x']), 1, `${path}:2: "label" is null`);
    const absent = file('r53-absent.jsonl', `${JSON.stringify({ text: 'bank rates' })}\n`);
    expectNpcError(await run(['classify', '--train', absent, 'x']), 1, `${absent}:1: missing "label"`);
    const nested = file('r53-nested.jsonl', `${JSON.stringify({ text: 'bank rates', meta: { topic: null } })}\n`);
    expectNpcError(await run(['classify', '--train', nested, '--label-field', 'meta.topic', 'x']), 1, `${nested}:1: "meta.topic" is null`);
  });
});
