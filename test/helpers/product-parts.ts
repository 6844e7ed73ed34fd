/**
 * Small compositions of product functions that only tests need (the product does not export them):
 * a whole neighbours file written from rows, the SHA-256 of bytes in memory, and per-class metrics
 * straight from true and predicted ids.
 */
import { createHash } from 'node:crypto';
import { classificationMetrics, type ClassificationMetrics, confusionMatrix } from '../../src/app/classification-metrics.js';
import { createNeighborsFileWriter, type NeighborsHeaderInit, type NeighborsRow } from '../../src/io/neighbors-file.js';

/** Writes a whole neighbours file from rows (aborting the file on any error). */
export async function writeNeighborsFile(path: string, header: NeighborsHeaderInit, rows: Iterable<NeighborsRow>): Promise<void> {
  const writer = createNeighborsFileWriter(path, header);
  try {
    for (const row of rows) await writer.write(row.testRow, row.indices, row.distances);
    await writer.commit();
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/** SHA-256 (hex) of bytes already in memory. */
export function sha256OfBytes(data: Uint8Array | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Per-class metrics straight from true and predicted ids. */
export function classificationReport(
  trueIds: ArrayLike<number>,
  predictedIds: ArrayLike<number>,
  numClasses: number,
): ClassificationMetrics {
  return classificationMetrics(confusionMatrix(trueIds, predictedIds, numClasses));
}
