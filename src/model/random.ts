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

/**
 * The generator of the draws that belong to one text (the random tie rule of `npc classify` and of the
 * library's `predict`): mulberry32 seeded with the 32-bit FNV-1a hash of the seed's four bytes
 * (little-endian) followed by the text's UTF-8 bytes. A seed and a text give the same draws wherever the
 * text is: its position in the input, the batch it is searched in, the process or machine.
 */
export function textRandom(seed: number, text: Uint8Array): () => number {
  let h = 0x811c9dc5;
  const s = seed >>> 0;
  for (let i = 0; i < 4; i++) {
    h ^= (s >>> (8 * i)) & 0xff;
    h = Math.imul(h, 0x01000193);
  }
  for (let i = 0; i < text.length; i++) {
    h ^= text[i];
    h = Math.imul(h, 0x01000193);
  }
  return mulberry32(h >>> 0);
}
