/**
 * Cross-check of the reference itself: CPython's len(gzip.compress(b)) (its zlib 1.2.x) equals
 * pako 2.1.0 and the engine on a few hundred inputs, large ones included. python3 is a test-time
 * tool only; if it is missing the test is skipped with a printed reason (a failure under CI).
 */
import { spawnSync } from 'node:child_process';
import pako from 'pako';
import { describe, expect, it } from 'vitest';
import { DeflateLengthEngine } from '../../src/deflate/index.js';
import { requirePrerequisite, spawnProblem } from '../helpers/prerequisites.js';
import { KINDS, Rng, generate, shortTail, slideEdge } from '../helpers/deflate-generators.js';

const probe = spawnSync('python3', ['-c', 'import gzip, zlib; print(zlib.ZLIB_RUNTIME_VERSION)'], { encoding: 'utf8' });
const havePython = requirePrerequisite('the CPython cross-check', 'python3', spawnProblem(probe));

const SCRIPT = `
import sys, gzip, base64
out = []
for line in sys.stdin:
    out.append(str(len(gzip.compress(base64.b64decode(line.strip())))))
print(" ".join(out))
`;

describe.skipIf(!havePython)(`CPython gzip.compress (zlib ${probe.stdout?.trim()}) == pako 2.1.0 == engine`, () => {
  it('300 inputs of every kind, up to 140 KB', () => {
    const rng = new Rng(11);
    const inputs: Uint8Array[] = [];
    for (let i = 0; i < 280; i++) {
      const kind = KINDS[i % (KINDS.length - 2)];
      const n = i % 10 === 0 ? rng.int(140_000) : rng.int(3000);
      inputs.push(generate(rng, kind, n));
    }
    for (let i = 0; i < 10; i++) inputs.push(slideEdge(rng), shortTail(rng));
    const stdin = inputs.map((b) => Buffer.from(b).toString('base64')).join('\n') + '\n';
    const r = spawnSync('python3', ['-c', SCRIPT], { input: stdin, encoding: 'utf8', maxBuffer: 1 << 26 });
    expect(r.status, r.stderr).toBe(0);
    const py = r.stdout.trim().split(' ').map(Number);
    expect(py.length).toBe(inputs.length);
    const engine = new DeflateLengthEngine();
    inputs.forEach((b, i) => {
      const p = pako.gzip(b, { level: 9 }).length;
      expect(p, `pako vs CPython, input ${i} (length ${b.length})`).toBe(py[i]);
      expect(engine.gzipLength(b), `engine vs CPython, input ${i}`).toBe(py[i]);
    });
  });
});
