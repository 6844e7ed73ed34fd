/**
 * The shape of src/ (docs/development.md "Layout"): data flows one way, cli → app → io · model · parallel → deflate.
 * Checked on the import statements themselves, so a shortcut fails here rather than in review.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const src = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

interface Import {
  path: string;
  /** `import type …` / `export type … from`: erased by the compiler, no code runs across it. */
  typeOnly: boolean;
}

/** Every relative import of a file (static `import … from`, `export … from`, and `import(…)`), as src-relative paths. */
function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b([^;'"]*?)from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map((m) => ({
    path: relative(src, resolve(dirname(file), m[2] ?? m[3])).replace(/\.js$/, '.ts'),
    typeOnly: m[2] !== undefined && /^\s*type\b/.test(m[1]),
  }));
}

const files = sourceFiles(src);
const imports = new Map(files.map((f) => [relative(src, f), importsOf(f)]));
const graph = new Map([...imports].map(([file, list]) => [file, list.map((i) => i.path)]));

/** Modules every layer may use; they import nothing from src/ themselves. */
const SHARED = ['errors.ts', 'json-text.ts'];

describe('src/ layering', () => {
  it('every file of cli/ imports code only from app/, cli/ and the shared modules; io/ and model/ only for types', () => {
    const offending: string[] = [];
    for (const [file, list] of imports) {
      if (!file.startsWith('cli/')) continue;
      for (const { path, typeOnly } of list) {
        if (/^(app|cli)\//.test(path) || SHARED.includes(path)) continue;
        if (typeOnly && /^(io|model)\//.test(path)) continue;
        offending.push(`${file} → ${path}${typeOnly ? ' (type)' : ''}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('the shared modules import nothing from src/', () => {
    const offending = SHARED.flatMap((file) => (graph.get(file) ?? []).map((imported) => `${file} → ${imported}`));
    expect(SHARED.filter((file) => !graph.has(file))).toEqual([]);
    expect(offending).toEqual([]);
  });

  it('deflate/ imports nothing above it, and the layers below app/ never import app/ or cli/', () => {
    const offending: string[] = [];
    for (const [file, imports] of graph) {
      for (const imported of imports) {
        if (file.startsWith('deflate/') && !imported.startsWith('deflate/')) offending.push(`${file} → ${imported}`);
        if (/^(io|model|parallel|compress)\//.test(file) && /^(app|cli)\//.test(imported)) offending.push(`${file} → ${imported}`);
        if (file.startsWith('app/') && imported.startsWith('cli/')) offending.push(`${file} → ${imported}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('has no import cycles', () => {
    const cycles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const path: string[] = [];
    const visit = (file: string): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        cycles.push([...path.slice(path.indexOf(file)), file].join(' → '));
        return;
      }
      state.set(file, 'open');
      path.push(file);
      for (const imported of graph.get(file) ?? []) visit(imported);
      path.pop();
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file);
    expect(cycles).toEqual([]);
  });
});
