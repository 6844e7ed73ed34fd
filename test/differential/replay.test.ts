/**
 * The replay of a prepared row's own parse inside a pair (the engine's CODED lazy loop): pairs built so
 * that the replay starts where it must and runs where it can — to the very end of y (x shares no
 * trigram with y), up to a position where x's side has a candidate (x holds some of y's trigrams),
 * and never while the pair's pending match starts in x (y continues the end of x) — each prepared
 * row's length must equal pako's on x ++ " " ++ y, as must the same row unprepared.
 */
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { DeflateLengthEngine } from '../../src/deflate/index.js';
import { Rng } from '../helpers/deflate-generators.js';

const utf8 = new TextEncoder();

function concat(x: Uint8Array, y: Uint8Array): Uint8Array {
  const b = new Uint8Array(x.length + 1 + y.length);
  b.set(x);
  b[x.length] = 0x20;
  b.set(y, x.length + 1);
  return b;
}

/** Words over the given letters, separated by spaces, about n bytes. */
function words(rng: Rng, letters: string, n: number): Uint8Array {
  let s = '';
  while (s.length < n) {
    const len = rng.range(1, 7);
    for (let i = 0; i < len; i++) s += letters[rng.int(letters.length)];
    s += ' ';
  }
  return utf8.encode(s.slice(0, n));
}

let checked = 0;

/** Every y as a row (plain, then prepared) against pako on x ++ " " ++ y. */
function checkRows(x: Uint8Array, ys: Uint8Array[], what: string): void {
  const e = new DeflateLengthEngine();
  const total = ys.reduce((a, y) => a + y.length, 0);
  const data = new Uint8Array(total);
  const offsets = new Int32Array(ys.length + 1);
  ys.forEach((y, j) => {
    data.set(y, offsets[j]);
    offsets[j + 1] = offsets[j] + y.length;
  });
  e.loadRows(data, offsets, 0, ys.length);
  e.setQuery(x);
  const want = ys.map((y) => pako.gzip(concat(x, y), { level: 9 }).length);
  for (const prepared of [false, true]) {
    if (prepared) e.prepareRows();
    ys.forEach((y, j) => {
      const got = e.pairLengthOfRow(j);
      if (got !== want[j]) {
        expect.fail(`${what} y${j}: |x|=${x.length} |y|=${y.length}: row ${got} != pako ${want[j]} (prepared: ${prepared})`);
      }
    });
  }
  checked += ys.length;
}

describe('prepared rows replayed inside a pair == pako', () => {
  it('x with no trigram of y: the replay runs to the end of y', () => {
    const rng = new Rng(101);
    for (let q = 0; q < 6; q++) {
      const x = words(rng, 'qwzxj', rng.range(0, 400));
      const ys = Array.from({ length: 40 }, () => words(rng, 'abcdefghiklmnoprstuv', rng.range(0, 1023 - x.length)));
      checkRows(x, ys, `disjoint q${q}`);
    }
  });

  it('x holding some of y trigrams: the replay stops where x has a candidate and resumes after', () => {
    const rng = new Rng(202);
    for (let q = 0; q < 6; q++) {
      const x = words(rng, 'abcdefg', rng.range(3, 300));
      const ys = Array.from({ length: 40 }, () => words(rng, 'abcdefghijklmnop', rng.range(0, 1023 - x.length)));
      checkRows(x, ys, `overlapping q${q}`);
    }
  });

  it('y continuing the end of x: a match starting in x is pending at y first positions', () => {
    const rng = new Rng(303);
    for (let q = 0; q < 6; q++) {
      const tail = words(rng, 'abcdefghijklmnopqrstuvwxyz', rng.range(3, 60));
      const x = concat(words(rng, 'abcdefghijklmnopqrstuvwxyz', rng.range(0, 300)), tail);
      const ys = Array.from({ length: 40 }, () => {
        const head = tail.subarray(0, rng.range(0, tail.length));
        const rest = words(rng, 'abcdefghijklmnopqrstuvwxyz', rng.range(0, 1023 - x.length - head.length));
        const y = new Uint8Array(head.length + rest.length);
        y.set(head);
        y.set(rest, head.length);
        return y;
      });
      checkRows(x, ys, `continuing q${q}`);
    }
  });

  it('checked every pair of this file (720) against pako', () => {
    expect(checked).toBe(720);
  });
});
