/**
 * Exact gzip level-9 compressed length without compressing: a length-only port of zlib 1.2.x deflate
 * (as in pako 2.1.0 and CPython's gzip.compress) to WebAssembly (AssemblyScript sources in
 * ../../assembly/, the compiled engine.wasm next to this file). See README.md in this folder.
 */
export { DeflateLengthEngine, MAX_INPUT, PREPARED_MAX, engineIdentity, gzipLength } from './engine.js';
