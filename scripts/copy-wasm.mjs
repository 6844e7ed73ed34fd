// Part of `npm run build`: tsc compiles src/ to dist/ but copies nothing else, and dist/deflate/engine.js
// loads engine.wasm from its own folder. The .wasm itself is committed (built from assembly/ by
// `npm run build:wasm`; test/differential/wasm-build.test.ts checks that a rebuild is byte-identical).
import { copyFileSync, mkdirSync } from 'node:fs';

mkdirSync(new URL('../dist/deflate/', import.meta.url), { recursive: true });
copyFileSync(new URL('../src/deflate/engine.wasm', import.meta.url), new URL('../dist/deflate/engine.wasm', import.meta.url));
