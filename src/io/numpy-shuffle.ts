/**
 * numpy's legacy `RandomState(seed).shuffle(x)` for a 1-d array: the MT19937 generator seeded by
 * `init_genrand(seed)` and the Fisher–Yates loop `for i = n-1 … 1: j = random_interval(i)`, where
 * `random_interval(max)` draws 32-bit outputs masked to the smallest all-ones mask covering `max` and
 * rejects values above `max`. This is what scikit-learn's `load_files` and `fetch_20newsgroups` call
 * (`random_state=0`, then `random_state=42`); the 20news entry replays it to get the rows in the order
 * the paper's loader gets them.
 */

class Mt19937 {
  private readonly mt = new Uint32Array(624);
  private index = 624;

  constructor(seed: number) {
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < 624; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i, modulo 2^32, without losing bits to float rounding.
      mt[i] = (((((prev & 0xffff0000) >>> 16) * 1812433253) << 16) + (prev & 0x0000ffff) * 1812433253 + i) >>> 0;
    }
  }

  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= 624) {
      for (let k = 0; k < 624; k++) {
        const y = (mt[k] & 0x80000000) | (mt[(k + 1) % 624] & 0x7fffffff);
        mt[k] = (mt[(k + 397) % 624] ^ (y >>> 1) ^ (y & 1 ? 0x9908b0df : 0)) >>> 0;
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y = (y ^ ((y << 7) & 0x9d2c5680)) >>> 0;
    y = (y ^ ((y << 15) & 0xefc60000)) >>> 0;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** A uniform integer in [0, max] (max < 2^32), numpy's legacy masked rejection. */
  interval(max: number): number {
    if (max === 0) return 0;
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do value = (this.nextUint32() & mask) >>> 0;
    while (value > max);
    return value;
  }
}

/** Shuffles `items` in place exactly as `numpy.random.RandomState(seed).shuffle` shuffles a 1-d array. */
export function numpyLegacyShuffle<T>(items: T[], seed: number): T[] {
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new RangeError(`seed must be in [0, 2^32): ${seed}`);
  const rng = new Mt19937(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.interval(i);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}
