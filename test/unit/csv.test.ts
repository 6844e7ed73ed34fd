import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { agNewsRowToRecord, readCsvRecords, readCsvRows } from '../../src/io/csv.js';
import type { LabeledRecord, ReadOptions } from '../../src/io/records.js';

const OPTIONS: ReadOptions = { source: 'in.csv', format: 'csv', textField: 'text', labelField: 'label', requireLabel: true };

type Input = string | Buffer | (string | Buffer)[];

async function* chunks(input: Input): AsyncGenerator<string | Buffer> {
  for (const chunk of Array.isArray(input) ? input : [input]) yield chunk;
}

async function read(input: Input, options: Partial<ReadOptions> = {}): Promise<LabeledRecord[]> {
  const records: LabeledRecord[] = [];
  for await (const r of readCsvRecords(chunks(input), { ...OPTIONS, ...options })) records.push(r);
  return records;
}

/** The same input fed one byte at a time (chunk boundaries inside quotes, CRLF and the BOM). */
function byteByByte(text: string | Buffer): Buffer[] {
  const bytes = Buffer.from(text);
  return [...bytes].map((b) => Buffer.from([b]));
}

async function readError(input: Input, options: Partial<ReadOptions> = {}): Promise<InputError> {
  try {
    await read(input, options);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    const e = err as InputError;
    expect(e.describe()).not.toContain('\n');
    return e;
  }
  throw new Error('expected an InputError');
}

/** The AG News layout, asked for (it is never guessed from the data). */
const AG: Partial<ReadOptions> = { format: 'ag_news' };

const slim = (records: LabeledRecord[]) => records.map(({ label, text, line }) => ({ label, text, line }));

describe('readCsvRecords: AG News layout (format ag_news)', () => {
  it('maps class,title,description to label class-1 and text title + " " + description, verbatim', async () => {
    const csv =
      '"3","Stocks rise","Markets up #36;5 \\ on ""good"" news &lt;b&gt;"\n' +
      '"1","  Spaced  ","ends with space "\n' +
      '4,unquoted,fields\n';
    expect(slim(await read(csv, AG))).toEqual([
      { label: 2, text: 'Stocks rise Markets up #36;5 \\ on "good" news &lt;b&gt;', line: 1 },
      { label: 0, text: '  Spaced   ends with space ', line: 2 },
      { label: 3, text: 'unquoted fields', line: 3 },
    ]);
  });

  it('labels are numbers and records carry no source line', async () => {
    const [r] = await read('"2","a","b"\n', AG);
    expect(r.label).toBe(1);
    expect(r.raw).toBeUndefined();
  });

  it('rejects a bad class with its line', async () => {
    for (const cls of ['0', 'x', '-1', '1.5', ' 2', '']) {
      const e = await readError(`"1","a","b"\n"${cls}","c","d"\n`, AG);
      expect(e.where).toBe('in.csv:2');
      expect(e.message).toContain('invalid class');
    }
    expect((await readError('0,a,b\n', AG)).where).toBe('in.csv:1');
    // Not three fields: refused at the first row.
    const e = await readError('1,a\n2,b\n', AG);
    expect(e.where).toBe('in.csv:1');
    expect(e.message).toBe('the AG News layout has 3 fields (class,title,description), but the first row has 2');
  });

  it('agNewsRowToRecord is the shared conversion', () => {
    expect(agNewsRowToRecord('4', 'T', 'D', 'x:1')).toEqual({ label: 3, text: 'T D' });
    expect(() => agNewsRowToRecord('0', 'T', 'D', 'x:9')).toThrow(InputError);
    try {
      agNewsRowToRecord('abc', 'T', 'D', 'x:9');
    } catch (err) {
      expect((err as InputError).where).toBe('x:9');
    }
  });
});

describe('readCsvRecords: header layout', () => {
  it('reads the text and label columns by name; labels stay strings; other columns are ignored', async () => {
    const records = await read('id,label,text\n7,pos,hello world\n8,1,"bye, then"\n');
    expect(records).toEqual([
      { text: 'hello world', label: 'pos', line: 2 },
      { text: 'bye, then', label: '1', line: 3 },
    ]);
  });

  it('uses the configured field names', async () => {
    const records = await read('body,topic\nsome text,sport\n', { textField: 'body', labelField: 'topic' });
    expect(slim(records)).toEqual([{ text: 'some text', label: 'sport', line: 2 }]);
  });

  it('a missing label column is fine for unlabeled input and an error (at the header) for training data', async () => {
    expect(slim(await read('text\nabc\n', { requireLabel: false }))).toEqual([{ text: 'abc', label: undefined, line: 2 }]);
    const e = await readError('text,other\nabc,1\n');
    expect(e.where).toBe('in.csv:1');
    expect(e.message).toContain('"label"');
  });

  it('an empty label cell is a missing label', async () => {
    expect((await read('text,label\nabc,\n', { requireLabel: false }))[0].label).toBeUndefined();
    const e = await readError('text,label\nabc,x\ndef,\n');
    expect(e.where).toBe('in.csv:3');
    expect(e.message).toBe('missing "label"');
  });

  it('empty text is an error with its line (as in JSONL)', async () => {
    const e = await readError('text,label\nabc,x\n"",y\n');
    expect(e.where).toBe('in.csv:3');
    expect(e.message).toBe('empty "text"');
  });

  it('a first row without the text column is no header: the error names the row and how to name the columns', async () => {
    for (const csv of ['title,label\nabc,x\n', 'label,title,description\n1,a,b\n', 'just one column\n']) {
      const e = await readError(csv);
      expect(e.where).toBe('in.csv:1');
      expect(e.message).toContain('names no "text" column, so it is not a header');
      expect(e.message).toContain('--no-header --columns');
    }
    // Three fields: the AG News layout is offered, by its flag; never read without it.
    expect((await readError('label,title,description\n1,a,b\n')).message).toContain('--format ag_news');
    expect((await readError('title,label\nabc,x\n')).message).not.toContain('ag_news');
  });

  it('rejects a header naming the text column twice', async () => {
    expect((await readError('text,text,label\na,b,c\n')).message).toContain('more than once');
  });
});

describe('readCsvRecords: CSV syntax', () => {
  it('"" inside a quoted field is one quote', async () => {
    const [r] = await read('text,label\n"say ""hi"", then ""bye""",x\n');
    expect(r.text).toBe('say "hi", then "bye"');
  });

  it('quoted fields may span lines; later records keep their true line numbers', async () => {
    const csv = 'text,label\n"one\ntwo\n\nfour",a\nnext,b\n\n"x\r\ny",c\nlast,d';
    expect(slim(await read(csv))).toEqual([
      { text: 'one\ntwo\n\nfour', label: 'a', line: 2 },
      { text: 'next', label: 'b', line: 6 },
      { text: 'x\r\ny', label: 'c', line: 8 },
      { text: 'last', label: 'd', line: 10 },
    ]);
  });

  it('skips a UTF-8 BOM (so the first header name matches)', async () => {
    const csv = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('text,label\nnaïve café,x\n')]);
    expect(slim(await read(csv))).toEqual([{ text: 'naïve café', label: 'x', line: 2 }]);
    expect(slim(await read(byteByByte(csv)))).toEqual([{ text: 'naïve café', label: 'x', line: 2 }]);
    const ag = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('"1","a","b"\n')]);
    expect(slim(await read(ag, AG))).toEqual([{ label: 0, text: 'a b', line: 1 }]);
  });

  it('handles CRLF, CR and mixed line ends without leaving \\r in fields', async () => {
    const expected = [
      { label: 0, text: 'a b', line: 1 },
      { label: 1, text: 'c d', line: 3 },
      { label: 2, text: 'e f', line: 4 },
    ];
    expect(slim(await read('"1","a","b"\r\n\r\n"2","c","d"\r\n"3","e","f"\r\n', AG))).toEqual(expected);
    expect(slim(await read('"1","a","b"\r\r"2","c","d"\r"3","e","f"', AG))).toEqual(expected);
    expect(slim(await read('"1","a","b"\n\r\n"2","c","d"\r\n"3","e","f"\n', AG))).toEqual(expected);
  });

  it('skips blank lines, counting them', async () => {
    expect(slim(await read('\n\ntext,label\n\nabc,x\n\n\ndef,y\n\n'))).toEqual([
      { text: 'abc', label: 'x', line: 5 },
      { text: 'def', label: 'y', line: 8 },
    ]);
  });

  it('gives the same records and lines whatever the chunking', async () => {
    const csv = '\uFEFFtext,label\r\n"multi\r\nline ""q""",a\r\n\r\nplain,b\r\n"x\ny",c\n';
    const whole = await read(csv);
    expect(slim(whole).map((r) => r.line)).toEqual([2, 5, 6]);
    expect(await read(byteByByte(csv))).toEqual(whole);
    expect(await read(csv.split(''))).toEqual(whole);
  });

  it('reads a Node stream too', async () => {
    const records: LabeledRecord[] = [];
    for await (const r of readCsvRecords(Readable.from([Buffer.from('"1","a",'), Buffer.from('"b"\n')]), { ...OPTIONS, format: 'ag_news' }))
      records.push(r);
    expect(slim(records)).toEqual([{ label: 0, text: 'a b', line: 1 }]);
  });

  it('wrong column count: the error names the line where the bad record starts', async () => {
    const e = await readError('"1","a","b"\n"2","multi\nline"\n"3","c","d"\n', AG);
    expect(e.where).toBe('in.csv:2');
    expect(e.message).toContain('wrong number of fields: expected 3, got 2');
    const e2 = await readError('text,label\na,b\n\nc,d,e\n');
    expect(e2.where).toBe('in.csv:4');
    expect(e2.message).toContain('expected 2, got 3');
  });

  it('unterminated quote: the error names the line where the record starts', async () => {
    const e = await readError('"1","a","b"\n\n"2","c","never closed\nmore\nand more\n', AG);
    expect(e.where).toBe('in.csv:3');
    expect(e.message).toContain('unterminated quoted field');
    expect((await readError(byteByByte('text,label\n"abc,x\n'))).where).toBe('in.csv:2');
  });

  it('text after a closing quote is an error with its line', async () => {
    const e = await readError('text,label\nok,a\n"bad"x,b\n');
    expect(e.where).toBe('in.csv:3');
    expect(e.message).toContain('a closing quote must be followed by a comma');
    expect((await readError('text,label\nok,a\n\n"a""b","c"d\n')).where).toBe('in.csv:4');
  });

  it('an empty input has no records', async () => {
    expect(await read('')).toEqual([]);
    expect(await read('\n\n')).toEqual([]);
    expect(await read('text,label\n')).toEqual([]);
  });

  it('an error from the input itself passes through unchanged', async () => {
    const boom = new Error('disk on fire');
    async function* failing(): AsyncGenerator<string> {
      yield 'text,label\na,b\n';
      throw boom;
    }
    const seen: LabeledRecord[] = [];
    await expect(async () => {
      for await (const r of readCsvRecords(failing(), OPTIONS)) seen.push(r);
    }).rejects.toBe(boom);
  });

  it('stopping early does not wait for the rest of the input', async () => {
    let release: () => void = () => undefined;
    async function* slow(): AsyncGenerator<string> {
      yield 'text,label\na,b\nc,d\n';
      await new Promise<void>((resolve) => (release = resolve)); // never resolved by the reader
      yield 'e,f\n';
    }
    const got: string[] = [];
    for await (const r of readCsvRecords(slow(), OPTIONS)) {
      got.push(r.text);
      break;
    }
    expect(got).toEqual(['a']);
    release();
  });

  it('readCsvRows gives raw cells and start lines', async () => {
    const rows = [];
    for await (const row of readCsvRows(chunks('a,"b\nc"\n\nd,e\n'), 'x.csv')) rows.push(row);
    expect(rows).toEqual([
      { cells: ['a', 'b\nc'], line: 1 },
      { cells: ['d', 'e'], line: 4 },
    ]);
  });
});
