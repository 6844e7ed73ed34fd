/*
 * The shipped engine (src/deflate/engine.wasm): exactly the calls src/deflate/engine.ts makes
 * (test/differential/engine-exports.test.ts checks the list). They are written in engine.ts; the test
 * engine (test-index.ts) exports these and the test hooks.
 */
export {
  input_buffer,
  gzip_length,
  query_buffer,
  set_query,
  pair_y_buffer,
  pair_length,
  pair_length_limited,
  rows_buffer,
  rows_offsets,
  rows_prepare,
  pair_row,
  pair_row_limited,
} from './engine';
