/**
 * The shipped engine exports exactly what the product calls: the export list of
 * src/deflate/engine.wasm is the set of `this.ex.<name>` calls in src/deflate/engine.ts (plus its
 * memory), and the exports interface declared there lists the same names. Test hooks live in the
 * test engine (test/helpers/engine-test.wasm), which exports the shipped engine's calls too.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TEST_ENGINE_WASM } from '../helpers/test-engine.js';

const root = new URL('../../', import.meta.url);

/* The part of the WebAssembly global used here (@types/node 20 does not declare it). */
declare const WebAssembly: {
  Module: { new (bytes: Uint8Array): object; exports(module: object): { name: string; kind: string }[] };
};

/** Names a WebAssembly module exports. */
function exportsOf(file: URL): string[] {
  const mod = new WebAssembly.Module(readFileSync(file));
  return WebAssembly.Module.exports(mod)
    .map((e) => e.name)
    .sort();
}

const loader = readFileSync(new URL('src/deflate/engine.ts', root), 'utf8');

describe('the shipped engine.wasm', () => {
  const shipped = exportsOf(new URL('src/deflate/engine.wasm', root));

  it('exports exactly the calls src/deflate/engine.ts makes, and its memory', () => {
    const called = new Set([...loader.matchAll(/\bthis\.ex\.([a-z_]+)\b/g)].map((m) => m[1]));
    expect(called.size, 'calls found in src/deflate/engine.ts').toBeGreaterThan(5);
    expect(shipped).toEqual([...called].sort());
  });

  it('exports what the EngineExports interface of src/deflate/engine.ts declares, no more', () => {
    const body = /export interface EngineExports \{([^}]*)\}/.exec(loader);
    expect(body, 'interface EngineExports in src/deflate/engine.ts').not.toBeNull();
    const declared = [...body![1].matchAll(/^\s*([a-z_]+)[(:]/gm)].map((m) => m[1]).sort();
    expect(shipped).toEqual(declared);
  });

  it('has none of the test hooks, which the test engine has besides every shipped call', () => {
    const test = exportsOf(TEST_ENGINE_WASM);
    for (const name of ['stat', 'flush_stat', 'set_bound_mode', 'set_busy', 'memory_top', 'trees_reset']) {
      expect(test, `test engine exports ${name}`).toContain(name);
      expect(shipped, `shipped engine exports ${name}`).not.toContain(name);
    }
    for (const name of shipped) expect(test, `test engine exports the shipped ${name}`).toContain(name);
  });
});
