/**
 * Writing to a stream with backpressure: the one place that waits for 'drain'. A slow reader slows npc
 * down instead of growing its memory, and a stream that fails or closes while we wait ends the wait
 * (with the error), so nothing can hang on a destination that will never drain.
 */
import type { Writable } from 'node:stream';

/** Writes `chunk`; resolves when the stream can take more, rejects if it fails (now or while waiting). */
export function writeChunk(stream: Writable, chunk: string | Uint8Array): Promise<void> {
  if (stream.errored) return Promise.reject(stream.errored);
  if (stream.destroyed || stream.writableEnded)
    return Promise.reject(Object.assign(new Error('the stream is closed'), { code: 'ERR_STREAM_DESTROYED' }));
  if (stream.write(chunk)) return Promise.resolve();
  return new Promise<void>((resolve, reject) => {
    const done = (err?: Error | null): void => {
      stream.off('drain', onDrain);
      stream.off('error', onError);
      stream.off('close', onClose);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = (): void => done();
    const onError = (err: Error): void => done(err);
    const onClose = (): void => done(stream.errored ?? Object.assign(new Error('the stream was closed'), { code: 'ERR_STREAM_DESTROYED' }));
    stream.on('drain', onDrain);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
