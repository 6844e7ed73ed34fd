/**
 * Compares neighbours saved by `npc eval --save-neighbors FILE` with the JSON printed by
 * scripts/reference_neighbors.py (CPython gzip), row by row: same training rows in the same order and
 * NCD values equal as doubles, over the first min(M_saved, M_reference) neighbours of every row.
 *
 *   npx tsx scripts/compare-neighbors.ts saved.nbr reference.json
 * Exits 0 when every row agrees, 1 (printing the first differences) otherwise.
 */
import { readFileSync } from 'node:fs';
import { readNeighborsFile } from '../src/io/neighbors-file.js';

const [savedPath, refPath] = process.argv.slice(2);
if (!savedPath || !refPath) {
  console.error('usage: npx tsx scripts/compare-neighbors.ts saved.nbr reference.json');
  process.exit(2);
}
const saved = await readNeighborsFile(savedPath);
const reference = JSON.parse(readFileSync(refPath, 'utf8')) as { index: number; neighbors: [number, number][] }[];
const byRow = new Map(reference.map((r) => [r.index, r.neighbors]));
let compared = 0;
let differing = 0;
let pairs = 0;
for (let i = 0; i < saved.size; i++) {
  const row = saved.row(i);
  const ref = byRow.get(row.testRow);
  if (!ref) continue;
  compared++;
  const m = Math.min(row.indices.length, ref.length);
  pairs += m;
  for (let j = 0; j < m; j++) {
    if (row.indices[j] !== ref[j][0] || row.distances[j] !== ref[j][1]) {
      differing++;
      if (differing <= 5)
        console.error(
          `test row ${row.testRow}, neighbour ${j}: npc [${row.indices[j]}, ${row.distances[j]}] vs reference [${ref[j][0]}, ${ref[j][1]}]`,
        );
      break;
    }
  }
}
console.log(
  `${compared} rows compared (${pairs} neighbours), ${differing} differing; saved rows ${saved.size}, reference rows ${reference.length}`,
);
process.exit(differing === 0 && compared === reference.length ? 0 : 1);
