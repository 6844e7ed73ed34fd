/**
 * Streaming classification: one prediction per input record, in input order, each yielded as soon as
 * it is known. Holds one record at a time, so memory stays flat however long the input is; the
 * consumer's pace (stdout backpressure) sets the pace of reading.
 */
import { utf8Bytes } from '../compress/index.js';
import type { Label, LabeledRecord } from '../io/records.js';
import { NearestNeighbors } from '../model/neighbors.js';
import type { TrainingIndex } from '../model/training-index.js';
import { strictVote } from '../model/vote.js';

export interface ClassifyOptions {
  k: number;
  /** Attach this many nearest neighbours to every prediction (0: none). */
  neighbors: number;
}

export interface NeighborInfo {
  index: number;
  label: Label;
  distance: number;
}

export interface Prediction {
  record: LabeledRecord;
  prediction: Label;
  /** Present when options.neighbors > 0. */
  neighbors?: NeighborInfo[];
}

export async function* classifyRecords(
  index: TrainingIndex,
  records: AsyncIterable<LabeledRecord>,
  options: ClassifyOptions,
): AsyncGenerator<Prediction> {
  const classify = classifier(index, options);
  for await (const record of records) yield classify(record);
}

/** A function classifying one record at a time, reusing its neighbour buffer. */
export function classifier(index: TrainingIndex, options: ClassifyOptions): (record: LabeledRecord) => Prediction {
  const m = Math.min(index.size, Math.max(options.k, options.neighbors));
  const k = Math.min(options.k, index.size);
  const nearest = new NearestNeighbors(m);
  const labelIds = new Int32Array(m);
  return (record) => {
    index.search(utf8Bytes(record.text), nearest);
    for (let i = 0; i < nearest.size; i++) labelIds[i] = index.labelIds[nearest.indices[i]];
    const prediction = index.encoder.labelOf(strictVote(labelIds.subarray(0, nearest.size), k));
    const result: Prediction = { record, prediction };
    if (options.neighbors > 0) {
      result.neighbors = [];
      for (let i = 0; i < Math.min(options.neighbors, nearest.size); i++) {
        const row = nearest.indices[i];
        result.neighbors.push({ index: row, label: index.encoder.labelOf(index.labelIds[row]), distance: nearest.distances[i] });
      }
    }
    return result;
  };
}
