/**
 * `npc merge`: joins the parts of a sharded evaluation (`npc eval --shard I/N --train-shard J/N`) into
 * the file the unsharded run writes, byte for byte. Test slices are concatenated in row order; the
 * training slices of one test slice are merged row by row as an exact top-M union in (NCD, global
 * training index) order: each part holds the M best of its training rows, so the union holds the M best
 * of all. Parts are read as streams, so memory does not grow with the number of test rows.
 */
import { counted, InputError } from '../errors.js';
import { createNeighborsFileWriter, type NeighborsFileHeader, type ShardInfo } from '../io/neighbors-file.js';
import { NeighborsFileReader, type StreamedRow } from '../io/neighbors-reader.js';
import type { OutputSink } from '../io/output-sink.js';

export interface MergeOptions {
  /** Merge the test slices whose training slices are all present; leave out the others (and say so). */
  allowPartial?: boolean;
}

export interface MergeResult {
  /** Test slices merged, of how many, and the rows they hold, of how many selected. */
  testSlices: number;
  testSliceCount: number;
  rows: number;
  selected: number;
  /** The test slices left out (allowPartial), in order. */
  missing: number[];
}

/** The header fields every part must share (and the merged file keeps). */
function agreement(h: NeighborsFileHeader): string {
  return JSON.stringify([h.npc_version, h.compressor, h.train.sha256, h.train.rows, h.test.sha256, h.test.rows, h.m, h.strip, h.evaluated]);
}

function describeDifference(a: NeighborsFileHeader, b: NeighborsFileHeader): string {
  if (a.train.sha256 !== b.train.sha256 || a.train.rows !== b.train.rows) return 'it was computed from other training data';
  if (a.test.sha256 !== b.test.sha256 || a.test.rows !== b.test.rows) return 'it was computed from other test data';
  if (a.m !== b.m) return `it keeps M = ${counted(b.m, 'neighbour')} per row, the first part ${a.m}`;
  if (a.strip !== b.strip) return `it was computed ${b.strip ? 'with' : 'without'} --strip, the first part ${a.strip ? 'with' : 'without'}`;
  if (a.evaluated !== b.evaluated) return `it evaluated other test rows (${b.evaluated}; the first part: ${a.evaluated})`;
  if (a.compressor !== b.compressor) return `it was computed with compressor ${b.compressor}, the first part with ${a.compressor}`;
  return `it was written by npc ${b.npc_version}, the first part by ${a.npc_version}`;
}

/** A file without shard information is the whole run: test slice 0 of 1, training slice 0 of 1. */
function shardOf(h: NeighborsFileHeader): ShardInfo {
  return (
    h.shard ?? {
      test: { index: 0, count: 1, from: 0, to: Number.NaN, selected: Number.NaN },
      train: { index: 0, count: 1, from: 0, to: h.train.rows },
    }
  );
}

/**
 * Checks the parts and writes the merged file to `output` (committed on success, aborted on any
 * failure). Refuses parts that do not belong together, overlapping parts, and missing ones (unless
 * `allowPartial`), naming the files and slices.
 */
export async function mergeNeighborsFiles(parts: readonly string[], output: OutputSink, options: MergeOptions = {}): Promise<MergeResult> {
  if (parts.length === 0) throw new InputError('nothing to merge: name the parts');
  const readers: NeighborsFileReader[] = [];
  try {
    for (const path of parts) readers.push(await NeighborsFileReader.open(path));
    const first = readers[0];
    const firstShard = shardOf(first.header);
    const testCount = firstShard.test.count;
    const trainCount = firstShard.train.count;
    const grid = new Map<string, NeighborsFileReader>();
    for (const reader of readers) {
      if (agreement(reader.header) !== agreement(first.header)) {
        throw new InputError(`does not belong with ${first.path}: ${describeDifference(first.header, reader.header)}`, reader.path);
      }
      const shard = shardOf(reader.header);
      if (
        shard.test.count !== testCount ||
        shard.train.count !== trainCount ||
        (reader.header.shard && shard.test.selected !== firstShard.test.selected)
      ) {
        throw new InputError(
          `is test shard ${shard.test.index}/${shard.test.count} × training shard ${shard.train.index}/${shard.train.count}, ` +
            `but ${first.path} is of a ${testCount} × ${trainCount} grid`,
          reader.path,
        );
      }
      const key = `${shard.test.index}/${shard.train.index}`;
      const other = grid.get(key);
      if (other)
        throw new InputError(
          `overlaps ${other.path}: both are test shard ${shard.test.index}/${testCount}, training shard ${shard.train.index}/${trainCount}`,
          reader.path,
        );
      grid.set(key, reader);
    }
    const complete: number[] = [];
    const missing: number[] = [];
    const absent: string[] = [];
    for (let t = 0; t < testCount; t++) {
      const lacking = Array.from({ length: trainCount }, (_, j) => j).filter((j) => !grid.has(`${t}/${j}`));
      if (lacking.length === 0) complete.push(t);
      else {
        missing.push(t);
        absent.push(
          ...lacking.map((j) =>
            trainCount > 1 ? `test shard ${t}/${testCount} × training shard ${j}/${trainCount}` : `test shard ${t}/${testCount}`,
          ),
        );
      }
    }
    if (missing.length && !options.allowPartial) {
      throw new InputError(
        `missing ${absent.length === 1 ? 'part' : 'parts'}: ${absent.join(', ')} (--allow-partial merges what is there)`,
      );
    }
    if (complete.length === 0) throw new InputError('no test shard is complete: nothing can be merged exactly');

    const { shard: _shard, format: _f, version: _v, ...init } = first.header;
    const selected = Number.isNaN(firstShard.test.selected) ? undefined : firstShard.test.selected;
    const evaluated = missing.length ? `${init.evaluated} (partial: test shards ${complete.join(', ')} of ${testCount})` : init.evaluated;
    const writer = createNeighborsFileWriter(output, { ...init, evaluated });
    let rows = 0;
    try {
      for (const t of complete) {
        const slices = Array.from({ length: trainCount }, (_, j) => grid.get(`${t}/${j}`)!);
        rows += await mergeTestSlice(slices, first.header.m, (row) => writer.write(row.testRow, row.indices, row.distances));
      }
      await writer.commit();
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return { testSlices: complete.length, testSliceCount: testCount, rows, selected: selected ?? rows, missing };
  } finally {
    for (const reader of readers) await reader.close();
  }
}

/**
 * Merges the rows of one test slice across its training slices (in training-slice order): every part
 * must list the same test rows in the same order; each row keeps the M nearest of the union.
 */
async function mergeTestSlice(slices: NeighborsFileReader[], m: number, emit: (row: StreamedRow) => Promise<void>): Promise<number> {
  const iterators = slices.map((reader) => reader.rows()[Symbol.asyncIterator]());
  let rows = 0;
  for (;;) {
    const next = await Promise.all(iterators.map((it) => it.next()));
    const ended = next.map((r) => r.done === true);
    if (ended.every(Boolean)) return rows;
    const shortest = ended.findIndex(Boolean);
    if (shortest >= 0)
      throw new InputError(
        `holds fewer test rows than ${slices[ended.findIndex((e) => !e)].path} (the parts of one test shard must list the same rows)`,
        slices[shortest].path,
      );
    const parts = next.map((r) => r.value as StreamedRow);
    const testRow = parts[0].testRow;
    parts.forEach((p, i) => {
      if (p.testRow !== testRow)
        throw new InputError(`lists test row ${p.testRow} where ${slices[0].path} lists ${testRow}`, slices[i].path);
    });
    await emit(parts.length === 1 ? parts[0] : unionTopM(parts, m));
    rows++;
  }
}

/** The m nearest of several lists, each ordered by (NCD, index): a k-way merge by (NCD, global index). */
function unionTopM(parts: StreamedRow[], m: number): StreamedRow {
  const total = Math.min(
    m,
    parts.reduce((n, p) => n + p.indices.length, 0),
  );
  const indices = new Uint32Array(total);
  const distances = new Float64Array(total);
  const cursor = new Int32Array(parts.length);
  for (let n = 0; n < total; n++) {
    let best = -1;
    for (let p = 0; p < parts.length; p++) {
      if (cursor[p] >= parts[p].indices.length) continue;
      if (best < 0) {
        best = p;
        continue;
      }
      const d = parts[p].distances[cursor[p]];
      const bd = parts[best].distances[cursor[best]];
      if (d < bd || (d === bd && parts[p].indices[cursor[p]] < parts[best].indices[cursor[best]])) best = p;
    }
    indices[n] = parts[best].indices[cursor[best]];
    distances[n] = parts[best].distances[cursor[best]];
    cursor[best]++;
  }
  return { testRow: parts[0].testRow, indices, distances };
}
