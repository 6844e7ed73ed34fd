/**
 * Streaming classification: one prediction per input record, in input order, each yielded as soon as
 * it is known. Records are searched in small batches of whatever input is already available (never
 * waiting for more), so memory stays flat however long the input is, an interactive pipe gets each
 * answer at once, and worker threads still get enough work per message. The consumer's pace (stdout
 * backpressure) sets the pace of reading.
 */
import type { Readable } from 'node:stream';
import { utf8Bytes } from '../compress/index.js';
import { readRecords, readRecordsInRange } from '../io/read-records.js';
import { type PassthroughOptions, type PassthroughRecord, readPassthroughRows } from '../io/csv-passthrough.js';
import { openInput } from '../io/lines.js';
import type { LabeledRecord } from '../io/records.js';
import type { Label } from '../model/labels.js';
import { decide, type PredictionRule } from '../model/prediction.js';
import type { TieRule } from '../model/tie-rules.js';
import { queriesPerBatch } from '../parallel/batch.js';
import type { NeighborLists, Searcher } from '../parallel/searcher.js';
import { checkKsFit, pythonStrip } from './training.js';

export interface ClassifyOptions {
  k: number;
  /** How a tie between labels with the most votes is broken (default nearest; model/prediction.ts). */
  tie?: TieRule;
  /** Seed of the random tie rule (default 0): each text's draw comes from the seed and the text. */
  seed?: number;
  /** Attach this many nearest neighbours to every prediction (0: none). */
  neighbors: number;
  /** Abstain when the nearest training row is farther than this NCD. */
  abstainAbove?: number;
  /** Abstain when the predicted label has less than this share of the k votes. */
  minConfidence?: number;
  /** Search each text stripped as Python's str.strip() does (the record itself is passed on unchanged). */
  strip?: boolean;
}

export interface NeighborInfo {
  index: number;
  label: Label;
  distance: number;
}

export interface Prediction {
  record: LabeledRecord;
  /** The predicted label; null when the record has nothing to classify (see `skipped`) or npc abstained. */
  prediction: Label | null;
  /** The share of the k nearest that voted for the strict vote's label (null: nothing classified). */
  confidence: number | null;
  /** NCD to the nearest training row (null: nothing classified). */
  distance: number | null;
  /** True when the thresholds (abstainAbove, minConfidence) said not to answer; confidence and distance say why. */
  abstained?: boolean;
  /** Why there is no prediction: an empty text (an empty line, argument, text field or cell). */
  skipped?: 'empty text';
  /** Present when options.neighbors > 0 and there is a prediction. */
  neighbors?: NeighborInfo[];
}

/** Texts given as arguments, as records (line = the argument's position). */
export async function* argumentRecords(texts: readonly string[]): AsyncGenerator<LabeledRecord> {
  for (let i = 0; i < texts.length; i++) yield { text: texts[i], label: undefined, line: i + 1 };
}

/**
 * The records of stdin, JSONL or plain text lines (gzip detected), each JSONL record with its source
 * line (`raw`, `end`) so that the output can pass it through byte for byte. Labels are optional; an
 * empty text is a record too (classifyRecords answers it in its place).
 */
export function stdinRecords(
  stdin: Readable,
  options: { format: 'jsonl' | 'text'; textField: string; labelField: string; formatHint?: string },
): AsyncGenerator<LabeledRecord> {
  return readRecords('-', { ...options, stdin, requireLabel: false, keepRaw: true, allowEmptyText: true });
}

/**
 * The records of an input file (JSONL or plain text lines), all of them or, with `range`, those of the
 * lines that start in byte range `range.index` of `range.count` (a batch job's shard: `cat` of the
 * shards' outputs in shard order is the unsharded output). `lineOffset` gives the lines before the
 * shard, to report a shard's line numbers as lines of the whole file.
 */
export function fileRecords(
  path: string,
  options: { format: 'jsonl' | 'text'; textField: string; labelField: string; formatHint?: string },
  range?: { index: number; count: number },
): { records: AsyncGenerator<LabeledRecord>; lineOffset: () => Promise<number> } {
  const source = { ...options, requireLabel: false, keepRaw: true, allowEmptyText: true };
  if (range) return readRecordsInRange(path, range, source);
  return { records: readRecords(path, source), lineOffset: async () => 0 };
}

/**
 * CSV or TSV rows from stdin (gzip detected), each with its source text, for output that appends a
 * column to the input unchanged (io/csv-passthrough.ts).
 */
export function stdinTableRows(
  stdin: Readable,
  options: PassthroughOptions,
): { rows: AsyncGenerator<PassthroughRecord>; trailer: () => string } {
  const opened = openInput('-', stdin);
  return readPassthroughRows(opened.stream, { ...options, source: opened.source });
}

/** How a value is written as a CSV field (quoted when it must be), for the rows stdinTableRows passes through. */
export { csvField } from '../io/csv-passthrough.js';

export async function* classifyRecords(
  searcher: Searcher,
  records: AsyncIterable<LabeledRecord>,
  options: ClassifyOptions,
): AsyncGenerator<Prediction> {
  const { index } = searcher;
  checkKsFit([options.k], index.size, 'the training set');
  const rule: PredictionRule = {
    k: options.k,
    tie: options.tie ?? 'nearest',
    seed: options.seed ?? 0,
    abstainAbove: options.abstainAbove,
    minConfidence: options.minConfidence,
  };
  const m = Math.min(index.size, Math.max(options.k, options.neighbors));
  const labelIds = new Int32Array(m);
  const launch = (batch: LabeledRecord[]): SearchedBatch => {
    // An empty text (nothing to compress) is answered in its place, not searched: one result per record.
    const texts = options.strip ? batch.map((r) => pythonStrip(r.text)) : batch.map((r) => r.text);
    const queries = texts.filter((text) => text !== '').map((text) => utf8Bytes(text));
    const lists = queries.length ? searcher.search(queries, m) : Promise.resolve(undefined);
    // A batch searched ahead may never be awaited (the consumer stopped): not an unhandled rejection.
    lists.catch(() => {});
    return { batch, texts, queries, lists };
  };
  // With worker threads, the next batch is searched while this one's answers are on their way: when it
  // has been read before this batch's search ends, it goes to the pool at once (at most two in flight),
  // so a worker done with its share starts on it instead of waiting for the slowest. Reading ahead
  // never holds an answer back: whichever comes first, the next batch or this batch's lists, wins.
  const ahead = searcher.jobs > 1;
  const batches = availableBatches(records, queriesPerBatch(index.size))[Symbol.asyncIterator]();
  const read = (): Promise<IteratorResult<LabeledRecord[]>> => {
    const p = batches.next();
    p.catch(() => {});
    return p;
  };
  // The read of the next batch, once asked for (with one thread: only after this batch's answers).
  let reading: Promise<IteratorResult<LabeledRecord[]>> | undefined;
  let current: SearchedBatch | undefined;
  try {
    for (;;) {
      if (!current) {
        const first = await (reading ?? read());
        reading = undefined;
        if (first.done) return;
        current = launch(first.value);
      }
      let following: SearchedBatch | undefined;
      if (ahead) {
        reading ??= read();
        const searched = current.lists.then(
          (): typeof NOT_YET => NOT_YET,
          (): typeof NOT_YET => NOT_YET,
        );
        // A read that fails (a bad record) is rethrown where it is awaited, after this batch's answers.
        const first = await Promise.race([reading.catch((): typeof NOT_YET => NOT_YET), searched]);
        if (first !== NOT_YET && !first.done) {
          following = launch(first.value);
          reading = undefined;
        }
      }
      const { batch, texts, queries } = current;
      const lists = await current.lists;
      let q = 0;
      for (const [i, record] of batch.entries()) {
        if (texts[i] === '') yield { record, prediction: null, confidence: null, distance: null, skipped: 'empty text' };
        else {
          yield predictionOf(searcher, record, queries[q], lists!, q, rule, options.neighbors, labelIds);
          q++;
        }
      }
      current = following;
    }
  } finally {
    // Not awaited: a read in flight (an idle stdin) may never end.
    void batches.return?.(undefined)?.catch(() => {});
  }
}

/** A batch of records whose search has been handed to the searcher. */
interface SearchedBatch {
  batch: LabeledRecord[];
  /** The texts searched (stripped when asked); '' for a record answered without a search. */
  texts: string[];
  queries: Uint8Array[];
  lists: Promise<NeighborLists | undefined>;
}

function predictionOf(
  searcher: Searcher,
  record: LabeledRecord,
  query: Uint8Array,
  lists: NeighborLists,
  q: number,
  rule: PredictionRule,
  attach: number,
  labelIds: Int32Array,
): Prediction {
  const { index } = searcher;
  const { m } = lists;
  const size = lists.sizes[q];
  for (let i = 0; i < size; i++) labelIds[i] = index.labelIds[lists.indices[q * m + i]];
  const { label, confidence, distance, abstained } = decide(
    labelIds.subarray(0, size),
    lists.distances.subarray(q * m, q * m + size),
    query,
    rule,
  );
  const result: Prediction = { record, prediction: abstained ? null : index.encoder.labelOf(label), confidence, distance };
  if (abstained) result.abstained = true;
  if (attach > 0) {
    result.neighbors = [];
    for (let i = 0; i < Math.min(attach, size); i++) {
      const row = lists.indices[q * m + i];
      result.neighbors.push({ index: row, label: index.encoder.labelOf(index.labelIds[row]), distance: lists.distances[q * m + i] });
    }
  }
  return result;
}

const NOT_YET = Symbol('not yet');

/**
 * Groups an async sequence into batches of at most `max`, taking only items that are ready now:
 * after the first item of a batch, a further one joins only if it arrives within the same turn of
 * the event loop. A slow or interactive source therefore yields batches of one without waiting.
 */
export async function* availableBatches<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  // A read still in flight when the consumer stops must not become an unhandled rejection.
  const pull = (): Promise<IteratorResult<T>> => {
    const p = iterator.next();
    p.catch(() => {});
    return p;
  };
  let next = pull();
  try {
    for (;;) {
      const first = await next;
      if (first.done) return;
      const batch = [first.value];
      next = pull();
      let ended = false;
      while (batch.length < max) {
        let ready: IteratorResult<T> | typeof NOT_YET;
        try {
          ready = await Promise.race([next, new Promise<typeof NOT_YET>((resolve) => setImmediate(resolve, NOT_YET))]);
        } catch {
          // A bad record: first hand over the good ones before it; awaiting `next` again rethrows.
          break;
        }
        if (ready === NOT_YET) break;
        if (ready.done) {
          ended = true;
          break;
        }
        batch.push(ready.value);
        next = pull();
      }
      yield batch;
      if (ended) return;
    }
  } finally {
    // Not awaited: with a read in flight (an idle stdin), return() would wait for input that may never come.
    void iterator.return?.()?.catch(() => {});
  }
}
