/**
 * Deterministic input generators for the engine's differential tests and the fuzzer
 * (scripts/fuzz.ts). Everything is driven by a seeded PRNG so a failing case can be replayed from
 * (seed, case number).
 */

/** mulberry32: small, fast, good enough for test data. */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Uniform integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
}

const utf8 = new TextEncoder();

const WORDS = (
  'the of and to in is was for on that with as by at from his her it an were are which this be ' +
  'or has had not but have first new after two one their its been also who they more other all ' +
  'world sports business tech reuters ap oil prices stocks market shares game season team win ' +
  'says said year percent company quarter profit government president minister police killed'
).split(' ');

const UNICODE_WORDS = [
  'naïve',
  'café',
  'über',
  'Straße',
  'garçon',
  'Ελλάδα',
  'Москва',
  '日本語',
  '中文',
  '한국어',
  'עברית',
  'العربية',
  'हिन्दी',
  '😀',
  '🚀✨',
  'e\u0301',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '™',
  '€100',
  '…',
];

/** A length for a generated input: mostly small, some medium, a few large. */
export function pickLength(rng: Rng, maxLen: number): number {
  const r = rng.next();
  let n: number;
  if (r < 0.55) n = rng.int(600);
  else if (r < 0.8) n = rng.int(3000);
  else if (r < 0.94) n = rng.int(20000);
  else if (r < 0.985) n = rng.int(70000);
  else n = rng.int(140000);
  return Math.min(n, maxLen);
}

function randomBytes(rng: Rng, n: number, alphabet = 256): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = rng.int(alphabet);
  return b;
}

function textOf(rng: Rng, n: number, vocab: readonly string[]): Uint8Array {
  const parts: string[] = [];
  let size = 0;
  while (size < n) {
    const w = rng.pick(vocab);
    const sep = rng.next() < 0.08 ? (rng.next() < 0.5 ? '. ' : ', ') : ' ';
    parts.push(w, sep);
    size += w.length + sep.length;
  }
  const bytes = utf8.encode(parts.join(''));
  return bytes.subarray(0, Math.min(n, bytes.length));
}

function runs(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let i = 0;
  const maxRun = rng.pick([4, 20, 300, 5000, 70000]);
  while (i < n) {
    const v = rng.int(256);
    const r = 1 + rng.int(maxRun);
    for (let k = 0; k < r && i < n; k++) b[i++] = v;
  }
  return b;
}

/** Copies of earlier material at chosen distances (around TOO_FAR, MAX_DIST, 32 KB), with noise. */
function distances(rng: Rng, n: number): Uint8Array {
  const b = randomBytes(rng, n, rng.pick([4, 16, 256]));
  const ds = [1, 2, 3, 4, 258, 4095, 4096, 4097, 4098, 32505, 32506, 32507, 32508, 32768, 32769];
  let i = 0;
  while (i < n) {
    const d = rng.next() < 0.7 ? rng.pick(ds) : 1 + rng.int(40000);
    const len = rng.pick([3, 3, 4, 5, 6, 30, 258, 259, 600]);
    if (i >= d) for (let k = 0; k < len && i < n; k++, i++) b[i] = b[i - d];
    i += rng.int(50);
  }
  return b;
}

/** A random block repeated with mutations (highly repetitive, many long matches). */
function repetitive(rng: Rng, n: number): Uint8Array {
  const unit = randomBytes(rng, 1 + rng.int(rng.pick([8, 100, 3000, 40000])), rng.pick([2, 26, 256]));
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = unit[i % unit.length];
  const muts = rng.int(1 + (n >> rng.pick([3, 6, 10])));
  for (let k = 0; k < muts; k++) b[rng.int(Math.max(1, n))] = rng.int(256);
  return n === 0 ? new Uint8Array(0) : b;
}

/** Incompressible stretches mixed with compressible ones (stored / fixed / dynamic choices). */
function mixed(rng: Rng, n: number): Uint8Array {
  const b = new Uint8Array(n);
  let i = 0;
  while (i < n) {
    const len = 1 + rng.int(rng.pick([50, 2000, 20000]));
    const kind = rng.int(3);
    for (let k = 0; k < len && i < n; k++, i++) {
      b[i] = kind === 0 ? rng.int(256) : kind === 1 ? 97 + rng.int(3) : 0;
    }
  }
  return b;
}

/**
 * Inputs whose end makes zlib slide its window exactly when strstart == 65274 (window offset
 * MAX_DIST after the slide), with strings at window offset 0 (absolute 32768) that would match at
 * distance MAX_DIST if slide_hash did not turn offset 0 into NIL.
 */
export function slideEdge(rng: Rng): Uint8Array {
  const n = 65274 + rng.range(4, 300);
  const b = randomBytes(rng, n, rng.pick([256, 256, 64]));
  const at = 65274 + rng.range(-3, 3);
  const from = 32768 + (at - 65274) + rng.range(-2, 2);
  const len = rng.pick([3, 4, 5, 10, 258]);
  for (let k = 0; k < len && at + k < n; k++) b[at + k] = b[from + k];
  /* Sometimes a second copy so the hash chain passes through offset 0. */
  if (rng.next() < 0.5) for (let k = 0; k < 3; k++) b[from + 40 + k] = b[from + k];
  return b;
}

/**
 * A first block of ~16383 near-random literals (a dynamic block ending at an arbitrary bit offset)
 * followed by a short text tail: the last block is small, so its fixed and dynamic costs are often
 * equal in bytes and the tie rule (`static_lenb == opt_lenb` picks fixed) decides the total.
 */
export function shortTail(rng: Rng): Uint8Array {
  const head = randomBytes(rng, 16383 + rng.range(-40, 40), rng.pick([180, 200, 220]));
  /* Tail sizes around the fixed/dynamic crossover (measured: ~30-60 bytes of words or small
   * alphabets, ~100-300 bytes of multi-byte UTF-8). */
  const r = rng.next();
  const tail =
    r < 0.4
      ? textOf(rng, rng.range(20, 90), WORDS)
      : r < 0.7
        ? randomBytes(rng, rng.range(20, 90), rng.pick([4, 8, 16]))
        : r < 0.9
          ? textOf(rng, rng.range(100, 350), UNICODE_WORDS)
          : textOf(rng, rng.range(1, 2500), WORDS);
  const b = new Uint8Array(head.length + tail.length);
  b.set(head);
  b.set(tail, head.length);
  return b;
}

export const KINDS = [
  'random',
  'alphabet',
  'words',
  'unicode',
  'nul',
  'runs',
  'distances',
  'repetitive',
  'mixed',
  'tiny',
  'slide-edge',
  'short-tail',
] as const;
export type Kind = (typeof KINDS)[number];

/** One generated input of the given kind and (approximate) length. */
export function generate(rng: Rng, kind: Kind, n: number): Uint8Array {
  switch (kind) {
    case 'random':
      return randomBytes(rng, n);
    case 'alphabet':
      return randomBytes(rng, n, rng.pick([2, 3, 4, 8, 16, 40, 100]));
    case 'words':
      return textOf(rng, n, WORDS);
    case 'unicode':
      return textOf(rng, n, rng.next() < 0.5 ? UNICODE_WORDS : [...UNICODE_WORDS, ...WORDS]);
    case 'nul':
      return new Uint8Array(n);
    case 'runs':
      return runs(rng, n);
    case 'distances':
      return distances(rng, n);
    case 'repetitive':
      return repetitive(rng, n);
    case 'mixed':
      return mixed(rng, n);
    case 'tiny':
      return randomBytes(rng, rng.int(12), rng.pick([1, 2, 256]));
    case 'slide-edge':
      return n < 1000 ? randomBytes(rng, n) : slideEdge(rng);
    case 'short-tail':
      return n < 1000 ? textOf(rng, n, WORDS) : shortTail(rng);
  }
}

/** Case number i of a seeded stream: kind and length both drawn from the stream's own PRNG. */
export function generateCase(rng: Rng, maxLen: number): { kind: Kind; bytes: Uint8Array } {
  const kind = rng.pick(KINDS);
  const n = pickLength(rng, maxLen);
  return { kind, bytes: generate(rng, kind, n) };
}
