/**
 * The server's search queue (src/app/serve/scheduler.ts): texts of concurrent requests are searched
 * round-robin, so a single text sent after a large batch is answered before the batch; the queue bound;
 * a cancelled request's waiting texts leave the queue; answers equal a direct search.
 */
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitIndex } from '../../src/app/training.js';
import { SearchScheduler } from '../../src/app/serve/scheduler.js';
import { utf8Bytes } from '../../src/compress/index.js';
import { LocalSearcher, type WorkerFactory } from '../../src/parallel/searcher.js';
import { SENTENCES } from '../fixtures/sentences.js';

const tsWorker: WorkerFactory = () => new Worker(new URL('../helpers/ts-worker.mjs', import.meta.url));
/** 10,000 rows: one text per search (queriesPerBatch), so the order of the searches is observable. */
const index = fitIndex(
  Array.from({ length: 10_000 }, (_, i) => ({ text: `${SENTENCES[i % 6][1]} [${i}]`, label: SENTENCES[i % 6][0], line: i + 1 })),
);
const query = (i: number): Uint8Array => utf8Bytes(`${SENTENCES[i % 6][1]} again ${i}`);
let scheduler: SearchScheduler;
const depths: number[] = [];

beforeAll(async () => {
  scheduler = await SearchScheduler.start(index, { jobs: 2, queue: 12, createWorker: tsWorker, onDepth: (d) => depths.push(d) });
}, 60_000);
afterAll(async () => scheduler?.close(new Error('done')));

describe('the search queue', () => {
  it('a single text sent after a batch of 8 is answered before the batch; both equal a direct search', async () => {
    const order: string[] = [];
    const batch = Array.from({ length: 8 }, (_, i) => query(i));
    const a = scheduler.search(scheduler.newRequest(), batch, 3).then((lists) => (order.push('batch'), lists));
    const b = scheduler.search(scheduler.newRequest(), [query(9)], 3).then((lists) => (order.push('single'), lists));
    const [listsA, listsB] = await Promise.all([a, b]);
    expect(order).toEqual(['single', 'batch']);
    const local = new LocalSearcher(index);
    expect(listsA).toEqual(await local.search(batch, 3));
    expect(listsB).toEqual(await local.search([query(9)], 3));
    expect(depths.at(-1)).toBe(0);
  }, 60_000);

  it('admits only what fits in the queue; a cancelled request is refused with its reason and its texts leave the queue', async () => {
    expect(scheduler.admits(12)).toBe(true);
    expect(scheduler.admits(13)).toBe(false);
    const work = scheduler.newRequest();
    const pending = scheduler.search(
      work,
      Array.from({ length: 10 }, (_, i) => query(i)),
      1,
    );
    expect(scheduler.waiting).toBeGreaterThan(0);
    work.cancel(new Error('deadline'));
    await expect(pending).rejects.toThrow('deadline');
    expect(scheduler.waiting).toBe(0);
    await expect(scheduler.search(work, [query(1)], 1)).rejects.toThrow('deadline');
  }, 60_000);
});
