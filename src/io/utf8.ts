/**
 * Strict, streaming UTF-8 decoding that knows which line it is on, for readers (CSV) whose parser
 * takes text: invalid bytes are an `InputError` naming the line, never silently replaced, because
 * C() is defined on the bytes and a replacement character would change them.
 */
import { InputError, at } from '../errors.js';

export class LineCountingUtf8Decoder {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  private readonly source: string;
  /** Line breaks (LF, CRLF or a lone CR) decoded so far. */
  private breaks = 0;
  private lastWasCR = false;

  constructor(source: string) {
    this.source = source;
  }

  /** Decodes the next chunk (a sequence split across chunks is carried over). */
  decode(chunk: Uint8Array): string {
    let text: string;
    try {
      text = this.decoder.decode(chunk, { stream: true });
    } catch {
      throw new InputError('invalid UTF-8', at(this.source, this.lineOfFirstInvalidByte(chunk)));
    }
    this.count(text);
    return text;
  }

  /** Flushes: a sequence cut off by the end of the input is invalid too. */
  end(): void {
    try {
      this.decoder.decode();
    } catch {
      throw new InputError('invalid UTF-8', at(this.source, this.breaks + 1));
    }
  }

  private count(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a) {
        if (!this.lastWasCR) this.breaks++;
        this.lastWasCR = false;
      } else if (c === 0x0d) {
        this.breaks++;
        this.lastWasCR = true;
      } else {
        this.lastWasCR = false;
      }
    }
  }

  /**
   * The 1-based line of the first invalid byte of `chunk`: the longest prefix that decodes (a fresh
   * decoder, streaming, so an incomplete tail is allowed) is found by bisection, and its line breaks
   * are added to those before the chunk. Only runs once, on the way to an error.
   */
  private lineOfFirstInvalidByte(chunk: Uint8Array): number {
    const decodes = (n: number): boolean => {
      try {
        new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(chunk.subarray(0, n), { stream: true });
        return true;
      } catch {
        return false;
      }
    };
    let lo = 0;
    let hi = chunk.length;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (decodes(mid)) lo = mid;
      else hi = mid - 1;
    }
    this.count(new TextDecoder('utf-8', { ignoreBOM: true }).decode(chunk.subarray(0, lo), { stream: true }));
    return this.breaks + 1;
  }
}
