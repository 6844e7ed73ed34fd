/**
 * The seeded generator of every random choice npc makes (samples, few-shot draws, the random tie rule):
 * mulberry32, tiny, fast and identical on every platform, so a seed picks the same rows everywhere.
 * Its state is 32 bits: seeds are 0 .. 2^32 − 1.
 */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
