/**
 * The shape of src/ (README "Layout"): data flows one way, cli → app → io · model · parallel → deflate.
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

/** Every relative import of a file (static `import … from`, `export … from`, and `import(…)`), as src-relative paths. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s+'(\.[^']+)'|import\(\s*'(\.[^']+)'\s*\)/g)].map(
    (m) => m[1] ?? m[2],
  );
  return specs.map((spec) => relative(src, resolve(dirname(file), spec)).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(src);
const graph = new Map(files.map((f) => [relative(src, f), importsOf(f)]));

describe('src/ layering', () => {
  it('the commands import only app/, cli/ and the shared errors, never io/, model/, parallel/, compress/ or deflate/', () => {
    const offending: string[] = [];
    for (const [file, imports] of graph) {
      if (!file.startsWith('cli/commands/')) continue;
      for (const imported of imports) {
        if (!/^(app\/|cli\/|errors\.ts$)/.test(imported)) offending.push(`${file} → ${imported}`);
      }
    }
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
