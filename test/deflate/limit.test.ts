/**
 * opt_len_needed inverts last_block_bytes: the smallest opt_len whose one-block stream reaches a
 * byte count (or Infinity when the fixed or stored block caps it below): what turns bound.ts's
 * lower bound on opt_len into "this pair is at least that many bytes".
 */
import { describe, expect, it } from 'vitest';
import { last_block_bytes, opt_len_needed } from '../../src/deflate/bound.js';
import { Rng } from './generators.js';

describe('opt_len_needed', () => {
  it('is the smallest opt_len with last_block_bytes >= bytes, over random blocks', () => {
    const rng = new Rng(71);
    let reachable = 0;
    let capped = 0;
    for (let i = 0; i < 20_000; i++) {
      const stored_len = rng.int(i % 3 === 0 ? 40 : 2000);
      const static_len = rng.int(9 * stored_len + 60);
      const bytes = rng.int(stored_len + 300);
      const need = opt_len_needed(bytes, static_len, stored_len);
      const what = `bytes ${bytes} static_len ${static_len} stored_len ${stored_len}: need ${need}`;
      if (need === Infinity) {
        capped++;
        // no opt_len reaches it: the largest one does not
        expect(last_block_bytes(1 << 30, static_len, stored_len), what).toBeLessThan(bytes);
      } else {
        reachable++;
        expect(last_block_bytes(need, static_len, stored_len), what).toBeGreaterThanOrEqual(bytes);
        if (need > 0) expect(last_block_bytes(need - 1, static_len, stored_len), what).toBeLessThan(bytes);
      }
    }
    expect(reachable).toBeGreaterThan(1000);
    expect(capped).toBeGreaterThan(1000);
  });

  it('last_block_bytes never decreases as opt_len grows', () => {
    const rng = new Rng(72);
    let checked = 0;
    for (let i = 0; i < 2000; i++) {
      const stored_len = rng.int(500);
      const static_len = rng.int(5000);
      let prev = -1;
      for (let opt = 0; opt < 6000; opt += 1 + rng.int(7)) {
        const b = last_block_bytes(opt, static_len, stored_len);
        if (b < prev) expect.fail(`static_len ${static_len} stored_len ${stored_len}: opt_len ${opt} gives ${b} < ${prev}`);
        prev = b;
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(1_000_000);
  });
});
