import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngineCompressor, engineIdentity } from '../../src/compress/index.js';
import { indexCacheEntry, readCachedIndex, writeCachedIndex } from '../../src/io/index-cache.js';
import { TrainingIndex } from '../../src/model/training-index.js';

describe('the engine identity', () => {
  it('is sha256: and the hex sha256 of the engine.wasm next to the engine', () => {
    const bytes = readFileSync(new URL('../../src/deflate/engine.wasm', import.meta.url));
    expect(engineIdentity()).toBe(`sha256:${createHash('sha256').update(bytes).digest('hex')}`);
  });

  it('is part of the index cache key: another engine gets another key and file', () => {
    const options = { compressor: 'npc-deflate-1.2.x-gzip-9', format: 'jsonl' };
    const ours = indexCacheEntry('/cache', 'f'.repeat(64), { ...options, engine: engineIdentity() });
    const theirs = indexCacheEntry('/cache', 'f'.repeat(64), { ...options, engine: `sha256:${'0'.repeat(64)}` });
    expect(ours.engine).toBe(engineIdentity());
    expect(theirs.key).not.toBe(ours.key);
    expect(theirs.path).not.toBe(ours.path);
  });

  it('an index cache file recorded by another engine reads as a miss, even under the same key', async () => {
    const index = TrainingIndex.fromTexts(['one text', 'another text'], ['a', 'b'], createEngineCompressor());
    const prepared = { arrays: index.arrays(), classes: [...index.encoder.classes] };
    const path = join(mkdtempSync(join(tmpdir(), 'npc-idx-')), 'a.npcidx');
    await writeCachedIndex({ path, key: 'key-1', engine: `sha256:${'0'.repeat(64)}` }, prepared);
    expect(readCachedIndex({ path, key: 'key-1', engine: engineIdentity() })).toBeUndefined();
    await writeCachedIndex({ path, key: 'key-1', engine: engineIdentity() }, prepared);
    expect(readCachedIndex({ path, key: 'key-1', engine: engineIdentity() })?.classes).toEqual(['a', 'b']);
  });
});
