/**
 * The block tallies of a gzip level-9 stream, taken from pako 2.1.0 (the same zlib as the engine,
 * which is tested equal to it): the engine has no hook, so pako's trees.js is loaded first and its
 * _tr_flush_block wrapped before pako's deflate.js takes it. For the bound scripts only (dev tool).
 */
import { createRequire } from 'node:module';
import { D_CODES, L_CODES } from '../src/deflate/constants.js';

/** One flushed block: literal/length and distance frequencies, stored_len, symbols tallied. */
export interface BlockTally {
  l: Int32Array;
  d: Int32Array;
  stored: number;
  syms: number;
}

const require = createRequire(import.meta.url);
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pakoTrees = require('pako/lib/zlib/trees.js');
let captured: BlockTally[] = [];
const realFlush = pakoTrees._tr_flush_block;
pakoTrees._tr_flush_block = (s: any, buf: number, stored_len: number, last: boolean) => {
  const l = new Int32Array(L_CODES);
  const d = new Int32Array(D_CODES);
  for (let n = 0; n < L_CODES; n++) l[n] = s.dyn_ltree[n * 2];
  for (let n = 0; n < D_CODES; n++) d[n] = s.dyn_dtree[n * 2];
  captured.push({ l, d, stored: stored_len, syms: s.sym_next / 3 });
  return realFlush(s, buf, stored_len, last);
};
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pakoDeflate = require('pako/lib/zlib/deflate.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const ZStream = require('pako/lib/zlib/zstream.js');

/** The blocks of gzip level 9 of bytes (windowBits 15, memLevel 8), and the stream's length. */
export function pakoTallies(bytes: Uint8Array): { blocks: BlockTally[]; length: number } {
  captured = [];
  const strm = new ZStream();
  if (pakoDeflate.deflateInit2(strm, 9, 8, 15 + 16, 8, 0) !== 0) throw new Error('deflateInit2');
  strm.input = bytes;
  strm.next_in = 0;
  strm.avail_in = bytes.length;
  strm.output = new Uint8Array(bytes.length + 1024);
  strm.next_out = 0;
  strm.avail_out = strm.output.length;
  const rc = pakoDeflate.deflate(strm, 4 /* Z_FINISH */);
  if (rc !== 1 /* Z_STREAM_END */) throw new Error(`deflate rc ${rc}`);
  const blocks = captured;
  const length = strm.next_out;
  pakoDeflate.deflateEnd(strm);
  return { blocks, length };
}
