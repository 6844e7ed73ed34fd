/**
 * Failure-matrix row 37: the library checks its input as the CLI does, with
 * TypeError for a wrong type and RangeError for a wrong value, each naming the argument.
 * Also the JSON helpers the CLI's exact pass-through relies on (src/json-text.ts) and makeDirectories.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GzipKnnClassifier, compressedLength, ncd, pakoCompressor } from '../../src/index.js';
import { makeDirectories } from '../../src/io/directories.js';
import { appendMembers, exactNumber, objectMembers, rawMemberText, toJson } from '../../src/json-text.js';

const TEXTS = ['the striker scored a goal', 'bank rates rose again', 'a new compiler release'];
const LABELS = ['sport', 'money', 'tech'];

describe('row 37: the library validates like the CLI', () => {
  const clf = new GzipKnnClassifier({ k: 1 }).fit(TEXTS, LABELS);

  it('row 37: a string where an array of texts is expected is a TypeError, not its characters', () => {
    expect(() => clf.kneighbors('hey' as unknown as string[])).toThrow(
      new TypeError('texts must be an array of strings, got a string (wrap a single text in an array: [text])'),
    );
    expect(() => clf.predict('hey' as unknown as string[])).toThrow(TypeError);
    expect(() => clf.predictProba('hey' as unknown as string[])).toThrow(TypeError);
    expect(() => clf.score('hey' as unknown as string[], ['x'])).toThrow(TypeError);
    expect(() => clf.predict([5 as unknown as string])).toThrow(new TypeError('texts[0] must be a string, got a number (5)'));
  });

  it('row 37: empty texts and labels that are not labels are refused by fit (as the CLI refuses them)', () => {
    const fresh = new GzipKnnClassifier();
    expect(() => fresh.fit(['a', ''], ['x', 'y'])).toThrow(new RangeError('texts[1] is empty: there is nothing to compress'));
    expect(() => fresh.fit(['a', 'b'], ['x', null as unknown as string])).toThrow(
      new TypeError('labels[1] must be a string, a number or a bigint, got null'),
    );
    expect(() => fresh.fit(['a', 'b'], ['x', NaN])).toThrow(
      new RangeError('labels[1] is NaN: labels must be finite numbers, strings or bigints'),
    );
    expect(() => fresh.fit(['a', 'b'], ['x', {} as unknown as string])).toThrow(
      new TypeError('labels[1] must be a string, a number or a bigint, got an object'),
    );
    expect(() => fresh.fit(['a', 'b'], ['x', ''])).toThrow(new RangeError('labels[1] is an empty string'));
    expect(() => fresh.fit(['a'], ['x', 'y'])).toThrow(new RangeError('texts and labels differ in length (1 vs 2)'));
    expect(() => fresh.fit([], [])).toThrow(new RangeError('fit needs at least one training text'));
    expect(() => fresh.predict(['a'])).toThrow(/not fitted/);
  });

  it('row 37: big integer labels work as bigints', () => {
    const big = new GzipKnnClassifier({ k: 1 }).fit(TEXTS, [12345678901234567890n, 12345678901234567891n, 7]);
    expect(big.predict([TEXTS[1]])).toEqual([12345678901234567891n]);
    expect(big.classes).toEqual([7, 12345678901234567890n, 12345678901234567891n]);
  });

  it("row 37: compressedLength('\\ud800') is a RangeError, as Python's encode() raises; '' is 20", () => {
    expect(() => compressedLength('\ud800')).toThrow(RangeError);
    expect(() => compressedLength('ok \udc00')).toThrow(/lone surrogate \(U\+DC00 at index 3\)/);
    expect(() => compressedLength(42 as unknown as string)).toThrow(TypeError);
    expect(() => ncd('a', '\ud800')).toThrow(/^y holds a lone surrogate/);
    expect(() => clf.predict(['\ud83d'])).toThrow(/^texts\[0\] holds a lone surrogate/);
    expect(compressedLength('')).toBe(20);
    expect(compressedLength('😀')).toBe(pakoCompressor.gzipLength(new TextEncoder().encode('😀')));
  });

  it('row 37: unknown options are a TypeError (n_neighbors is k here); k and compressor cannot be reassigned', () => {
    expect(() => new GzipKnnClassifier({ n_neighbors: 5 } as unknown as { k: number })).toThrow(
      new TypeError(
        'unknown option "n_neighbors" (did you mean k?); the options are k, tie, seed, abstainAbove, minConfidence, compressor',
      ),
    );
    expect(() => new GzipKnnClassifier({ k: 0 })).toThrow(new RangeError('k must be a positive integer, got 0'));
    expect(() => new GzipKnnClassifier({ k: '3' as unknown as number })).toThrow(new TypeError('k must be a number, got a string'));
    expect(() => new GzipKnnClassifier(null as unknown as object)).toThrow(new TypeError('options must be an object, got null'));
    expect(() => {
      (clf as unknown as { k: number }).k = 5;
    }).toThrow(TypeError);
    expect(clf.k).toBe(1);
    expect(() => clf.kneighbors(TEXTS, 0)).toThrow(new RangeError('nNeighbors must be a positive integer, got 0'));
  });
});

describe('json-text: exact JSON for pass-through and big labels', () => {
  it('toJson writes what JSON.stringify writes, and bigints as their digits', () => {
    const value = {
      a: 1,
      b: 'x"y',
      c: [1, null, undefined, -0, 1e21],
      d: { e: true },
      f: undefined,
      g: NaN,
      h: 12345678901234567890n,
      __proto__: 2,
    };
    const { h, ...rest } = value;
    expect(toJson(rest)).toBe(JSON.stringify(rest));
    expect(toJson(h)).toBe('12345678901234567890');
    expect(toJson([10n ** 30n, -5n])).toBe('[1000000000000000000000000000000,-5]');
  });

  it('objectMembers / rawMemberText give the source text of each top-level value (the last of repeated keys)', () => {
    const line = ' { "a" : 1e2 , "s":"x\\"}y", "n": {"a": [1, "]"]}, "a": 12345678901234567890 } ';
    expect(objectMembers(line).map((m) => [m.name, m.value])).toEqual([
      ['a', '1e2'],
      ['s', '"x\\"}y"'],
      ['n', '{"a": [1, "]"]}'],
      ['a', '12345678901234567890'],
    ]);
    expect(rawMemberText(line, 'a')).toBe('12345678901234567890');
    expect(rawMemberText('{"l\\u0061bel": 3}', 'label')).toBe('3');
    expect(rawMemberText('{"x": 1}', 'label')).toBeUndefined();
  });

  it('appendMembers keeps every byte of the object, the spacing around its closing brace too', () => {
    expect(appendMembers('{"a": 1e2 }  ', [['p', '"x"']])).toBe('{"a": 1e2,"p":"x" }  ');
    expect(appendMembers('{ }\t', [['p', '1']])).toBe('{"p":1 }\t');
    expect(appendMembers('{}', [['p', '1']])).toBe('{"p":1}');
  });

  it('exactNumber: numbers a double holds exactly, bigints beyond 2^53, undefined when digits would be lost', () => {
    expect(exactNumber('7')).toBe(7);
    expect(exactNumber('-0')).toBe(0);
    expect(exactNumber('1e2')).toBe(100);
    expect(exactNumber('100.000')).toBe(100);
    expect(exactNumber('0.1')).toBe(0.1);
    expect(exactNumber('1.5e-7')).toBe(1.5e-7);
    expect(exactNumber('9007199254740991')).toBe(9007199254740991);
    expect(exactNumber('9007199254740993')).toBe(9007199254740993n);
    expect(exactNumber('12345678901234567890')).toBe(12345678901234567890n);
    expect(exactNumber('1.2345678901234567890e19')).toBe(12345678901234567890n);
    expect(exactNumber('-1e21')).toBe(-(10n ** 21n));
    expect(exactNumber('0.12345678901234567890123')).toBeUndefined();
    expect(exactNumber('1e300')).toBe(10n ** 300n);
    expect(exactNumber('1e400')).toBeUndefined(); // refused rather than build a 400-digit label
  });
});

describe('io/directories: makeDirectories tries once', () => {
  const root = mkdtempSync(join(tmpdir(), 'npc-dirs-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('creates missing levels and returns the first one it created; an existing folder returns undefined', () => {
    expect(makeDirectories(join(root, 'a', 'b', 'c'))).toBe(join(root, 'a'));
    expect(makeDirectories(join(root, 'a', 'b'))).toBeUndefined();
  });

  it('fails at once where mkdir cannot create (under /proc), and under a file', () => {
    writeFileSync(join(root, 'file'), 'x');
    expect(() => makeDirectories(join(root, 'file', 'sub'))).toThrow(/not a directory/);
    if (process.platform === 'linux') expect(() => makeDirectories(`/proc/npc-test-${process.pid}/index`)).toThrow();
  });
});
