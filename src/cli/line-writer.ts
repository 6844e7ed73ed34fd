/**
 * stdout as a data channel: lines are written with backpressure (a slow reader slows npc down instead
 * of growing memory), and a closed pipe (`npc classify | head -1`) ends the process quietly with 0.
 */
import type { Writable } from 'node:stream';
import { type OutputFiles, writesToStdout, writeToStream } from '../app/output-files.js';
import { counted } from '../errors.js';

export class LineWriter {
  readonly stream: Writable;
  private closed = false;

  /** For messages: `<stdout>`, `<stderr>`. */
  private readonly name: string;

  constructor(out: Writable, options: { name?: string } = {}) {
    this.stream = out;
    this.name = options.name ?? '<stdout>';
    out.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') {
        this.closed = true;
        // The reader has gone away: nothing more we print can be read. Exit like `yes | head`.
        process.exit(0);
      }
      // Anything else (EIO, ENOSPC on a redirected file) is reported by the writeLine that meets it.
    });
  }

  /** Writes one line; resolves once the stream can take more. */
  async writeLine(line: string): Promise<void> {
    await this.write(line + '\n');
  }

  /** Writes text as it is (its own line ends, or none); resolves once the stream can take more. */
  async write(text: string): Promise<void> {
    if (this.closed || text === '') return;
    try {
      await writeToStream(this.stream, text, this.name);
    } catch (err) {
      if (this.closed) return; // a closed pipe: the 'error' handler above ends the process
      throw err;
    }
  }
}

/** Where the report goes: stdout, or stderr when an output writes data to stdout (the report is then a message for people). */
export function reportWriter(outputs: OutputFiles, out: LineWriter): LineWriter {
  return writesToStdout(outputs) ? new LineWriter(process.stderr, { name: '<stderr>' }) : out;
}

/** An output that waits for a FIFO's reader says so on stderr, as `npc: …`: otherwise the wait looks like a hang. */
export function sayWaiting(message: string): void {
  process.stderr.write(`npc: ${message}\n`);
}

/** A progress line on stderr, redrawn at most a few times a second; only when stderr is a terminal. */
export class ProgressLine {
  private readonly enabled: boolean;
  private lastDraw = 0;
  private readonly started = Date.now();

  constructor(enabled: boolean) {
    this.enabled = enabled && process.stderr.isTTY === true;
  }

  /** `total` undefined: not known in advance (a stream); `pairsPerRow` 0: no pairs compared (nothing compressed). */
  update(done: number, total: number | undefined, pairsPerRow: number): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (now - this.lastDraw < 250 && (total === undefined || done < total)) return;
    this.lastDraw = now;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? (done * pairsPerRow) / seconds : 0;
    const pairs = pairsPerRow > 0 ? `  ${Math.round(rate).toLocaleString('en-US')} pairs/s` : '';
    if (total === undefined) {
      process.stderr.write(`\r\x1b[K${counted(done, 'row')}${pairs}`);
      return;
    }
    const eta = done > 0 ? ((total - done) * seconds) / done : NaN;
    const pct = total ? ((100 * done) / total).toFixed(1) : '100.0';
    process.stderr.write(`\r\x1b[K${done}/${total} rows ${pct}%${pairs}  ETA ${formatDuration(eta)}`);
  }

  clear(): void {
    if (this.enabled) process.stderr.write('\r\x1b[K');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}
