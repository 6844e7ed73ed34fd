import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.js';
import { readLines } from '../../src/io/lines.js';
import { parseJsonlLine } from '../../src/io/jsonl.js';
import { readDataset, recordsFrom } from '../../src/io/read-records.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { LabeledRecord, ReadOptions } from '../../src/io/records.js';

const options: ReadOptions = { source: 'in.jsonl', format: 'jsonl', textField: 'text', labelField: 'label', requireLabel: true };

async function collect(data: Buffer | string, opts: Partial<ReadOptions> = {}): Promise<LabeledRecord[]> {
  const out: LabeledRecord[] = [];
  for await (const r of recordsFrom(Readable.from([Buffer.from(data)]), { ...options, ...opts })) out.push(r);
  return out;
}

async function errorOf(data: Buffer | string, opts: Partial<ReadOptions> = {}): Promise<string> {
  try {
    await collect(data, opts);
  } catch (err) {
    expect(err).toBeInstanceOf(InputError);
    return (err as InputError).describe();
  }
  throw new Error('expected an error');
}

describe('readLines', () => {
  it('splits on LF, keeps each line end (LF, CRLF, none) apart from the text, drops a leading BOM, and numbers lines across chunk boundaries', async () => {
    const chunks = [Buffer.from('\uFEFFone\r\ntw'), Buffer.from('o\n\nthr'), Buffer.from('ee')];
    const lines = [];
    for await (const l of readLines(Readable.from(chunks), 's')) lines.push(l);
    expect(lines).toEqual([
      { text: 'one', number: 1, end: '\r\n' },
      { text: 'two', number: 2, end: '\n' },
      { text: '', number: 3, end: '\n' },
      { text: 'three', number: 4, end: '' },
    ]);
  });

  it('reports invalid UTF-8 with its line', async () => {
    const data = Buffer.concat([Buffer.from('ok\n'), Buffer.from([0x66, 0xff, 0x0a])]);
    await expect(async () => {
      for await (const _ of readLines(Readable.from([data]), 'bad.txt')) void _;
    }).rejects.toThrow('invalid UTF-8');
  });
});

describe('JSONL records', () => {
  it('reads labels as given, skipping blank lines, keeping the source line only when asked', async () => {
    const data = '{"label": 1, "text": "a"}\n\n{"label": "x", "text": "b", "id": 7}\n';
    const rows = await collect(data);
    expect(rows.map((r) => [r.label, r.text, r.line])).toEqual([
      [1, 'a', 1],
      ['x', 'b', 3],
    ]);
    expect(rows[1].raw).toBeUndefined();
    const kept = await collect(data, { keepRaw: true });
    expect(kept[1].raw).toBe('{"label": "x", "text": "b", "id": 7}');
  });

  it('reads gzip-compressed files transparently (by content, not extension)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'npc-'));
    writeFileSync(join(dir, 'a.jsonl.gz'), gzipSync(Buffer.from('{"label": 0, "text": "zipped"}\n')));
    writeFileSync(join(dir, 'b.jsonl'), gzipSync(Buffer.from('{"label": 0, "text": "no .gz suffix"}\n')));
    expect((await readDataset(join(dir, 'a.jsonl.gz'), {})).records.map((r) => r.text)).toEqual(['zipped']);
    expect((await readDataset(join(dir, 'b.jsonl'), {})).records.map((r) => r.text)).toEqual(['no .gz suffix']);
  });

  it.each([
    ['{"label": 1, "text": "a"}\nnot json\n', 'in.jsonl:2: invalid JSON'],
    ['[1, 2]\n', 'in.jsonl:1: expected a JSON object, got an array'],
    ['null\n', 'in.jsonl:1: expected a JSON object, got null'],
    ['42\n', 'in.jsonl:1: expected a JSON object, got a number'],
    ['{"label": 1}\n', 'in.jsonl:1: missing "text"'],
    ['{"label": 1, "text": ""}\n', 'in.jsonl:1: empty "text"'],
    ['{"label": 1, "text": 5}\n', 'in.jsonl:1: "text" is not a string'],
    ['\n\n{"text": "a"}\n', 'in.jsonl:3: missing "label"'],
    ['{"text": "a", "label": [1]}\n', 'in.jsonl:1: "label" must be a string or a number'],
  ])('rejects %j with a line-numbered message', async (data, message) => {
    expect(await errorOf(data)).toContain(message);
  });

  it('allows a missing label when labels are not required (classify input)', async () => {
    const rows = await collect('{"text": "a"}\n', { requireLabel: false });
    expect(rows[0].label).toBeUndefined();
  });

  it('uses custom field names', () => {
    const r = parseJsonlLine('{"body": "t", "cls": "c"}', 4, { ...options, textField: 'body', labelField: 'cls' });
    expect([r.text, r.label]).toEqual(['t', 'c']);
  });

  it('keeps prototype-named keys and labels as plain data', async () => {
    const rows = await collect('{"label": "__proto__", "text": "a", "__proto__": {"x": 1}}\n', { keepRaw: true });
    expect(rows[0].label).toBe('__proto__');
    expect(rows[0].raw).toBe('{"label": "__proto__", "text": "a", "__proto__": {"x": 1}}');
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
