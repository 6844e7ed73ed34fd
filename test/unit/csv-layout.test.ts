/** The CSV and TSV readers' layouts (header, named columns, AG News on request) and quotes inside unquoted fields. */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readCsvRecords } from '../../src/io/csv.js';
import { readPassthroughRows, splitFields } from '../../src/io/csv-passthrough.js';
import type { LabeledRecord, ReadOptions } from '../../src/io/records.js';

const OPTIONS: ReadOptions = { source: 'in.csv', format: 'csv', textField: 'text', labelField: 'label', requireLabel: true };

async function* chunks(parts: (string | Buffer)[]): AsyncGenerator<string | Buffer> {
  for (const part of parts) yield part;
}

const oneByte = (text: string): Buffer[] => [...Buffer.from(text)].map((b) => Buffer.from([b]));

async function read(text: string, options: Partial<ReadOptions> = {}, byByte = false): Promise<[unknown, string, number][]> {
  const rows: LabeledRecord[] = [];
  for await (const r of readCsvRecords(chunks(byByte ? oneByte(text) : [text]), { ...OPTIONS, ...options })) rows.push(r);
  return rows.map((r) => [r.label, r.text, r.line]);
}

async function error(text: string, options: Partial<ReadOptions> = {}): Promise<InputError> {
  try {
    await read(text, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return err as InputError;
  }
  throw new Error('expected an InputError');
}

describe('CSV layouts: asked for, never guessed', () => {
  it('a three-column file with a number first is not read as AG News: its first row is refused as a header', async () => {
    const e = await error('"5","a","b"\n"7","c","d"\n');
    expect(e.where).toBe('in.csv:1');
    expect(e.message).toMatch(/^the first row \("5", "a", "b"\) names no "text" column, so it is not a header; .*--format ag_news$/);
  });

  it('named columns: the first row is data, labels as written, text columns joined', async () => {
    const csv = '"5","Oil prices","crude up"\n\n"7","Striker","scores"\n';
    expect(await read(csv, { columns: ['label', 'title', 'text'] })).toEqual([
      ['5', 'crude up', 1],
      ['7', 'scores', 3],
    ]);
    expect(await read(csv, { columns: ['label', 'title', 'body'], textField: 'title,body' }, true)).toEqual([
      ['5', 'Oil prices crude up', 1],
      ['7', 'Striker scores', 3],
    ]);
    expect(await read('earn\tprofit rose \nacq\tbought a firm', { format: 'tsv', columns: ['label', 'text'] })).toEqual([
      ['earn', 'profit rose ', 1],
      ['acq', 'bought a firm', 2],
    ]);
  });

  it('named columns that do not fit the file, or that the file already has as a header, are errors', async () => {
    const flags = { format: '--train-format', columns: '--train-columns', ownColumns: '--train-columns' };
    expect((await error('a,b,c\n', { columns: ['label', 'text'], flags })).message).toBe(
      'the first row has 3 fields, but --train-columns names 2 (label,text)',
    );
    expect((await error('label,text\nx,y\n', { columns: ['label', 'text'], flags })).message).toBe(
      'the first row names the columns label,text: the file has a header, so leave out --train-columns',
    );
    expect((await error('a,b\n', { columns: ['label', 'body'] })).message).toContain('names no "text" column');
    expect((await error('a,b\n', { columns: ['topic', 'text'] })).message).toContain('names no "label" column');
    // Classify input needs no label column.
    expect(await read('x,y\n', { columns: ['id', 'text'], requireLabel: false })).toEqual([[undefined, 'y', 1]]);
  });
});

describe('quotes inside unquoted CSV fields', () => {
  it('are ordinary characters, kept as written, whatever the chunking', async () => {
    const csv = 'label,text\nphone,The 5" screen\ntv,"A 55"" panel, wall"\nx,a "b" c\n';
    const expected = [
      ['phone', 'The 5" screen', 2],
      ['tv', 'A 55" panel, wall', 3],
      ['x', 'a "b" c', 4],
    ];
    expect(await read(csv)).toEqual(expected);
    expect(await read(csv, {}, true)).toEqual(expected);
  });

  it('text after a closing quote is still an error naming its line', async () => {
    for (const csv of ['label,text\nok,fine\n"bad"x,y\n', 'label,text\nok,fine\nx,"a""b"c\n', 'label,text\nok,fine\nx,"a\nb"c\n']) {
      const e = await error(csv);
      expect(e.where).toBe('in.csv:3');
      expect(e.message).toContain('a closing quote must be followed by a comma');
    }
  });

  it('the pass-through splitter keeps them too, and a quote opens quoting only at the start of a field', async () => {
    expect(splitFields('1,The 5" screen,"a, ""b"""', ',', 'x:1')).toEqual(['1', 'The 5" screen', 'a, "b"']);
    const input = 'text,id\nThe 5" screen,1\n"multi\nline ""q""",2\nend "x,3';
    const { rows } = readPassthroughRows(chunks(oneByte(input)), {
      source: '<stdin>',
      dialect: 'csv',
      textField: 'text',
      labelField: 'label',
      onHeader: () => undefined,
    });
    const got: [string, string, number][] = [];
    for await (const row of rows) got.push([row.text, row.raw, row.line]);
    expect(got).toEqual([
      ['The 5" screen', 'The 5" screen,1', 2],
      ['multi\nline "q"', '"multi\nline ""q""",2', 3],
      ['end "x', 'end "x,3', 5],
    ]);
  });
});
