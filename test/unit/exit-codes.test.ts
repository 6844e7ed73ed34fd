/** The one place errors become exit codes (src/cli/exit-codes.ts). */
import { describe, expect, it } from 'vitest';
import { InputError, UsageError, WorkerError } from '../../src/errors.js';
import { Interrupted, reportFor } from '../../src/cli/exit-codes.js';
import { npcVersion } from '../../src/app/version.js';

describe('reportFor', () => {
  it('maps each error type to its exit code and one line', () => {
    expect(reportFor(new InputError('bad line', 'f.jsonl:3'))).toEqual({ code: 1, line: 'npc: f.jsonl:3: bad line' });
    expect(reportFor(new UsageError('--x needs --y'))).toEqual({ code: 2, line: 'npc: --x needs --y' });
    expect(reportFor(new WorkerError('search worker 1 failed: boom'))).toEqual({ code: 1, line: 'npc: search worker 1 failed: boom' });
    expect(reportFor(new Interrupted('SIGTERM'))).toEqual({ code: 143, line: 'npc: interrupted by SIGTERM' });
  });

  it('an internal error (a bug) says so, with the versions and how to report it, on one line', () => {
    const saved = process.env.NPC_DEBUG;
    delete process.env.NPC_DEBUG;
    try {
      const report = reportFor(new TypeError('x is undefined'));
      expect(report.code).toBe(70);
      expect(report.line).toBe(
        `npc: internal error: TypeError: x is undefined (npc ${npcVersion()}, Node ${process.version}, ${process.platform}-${process.arch}; ` +
          'please report it with the command that caused it (NPC_DEBUG=1 adds the stack))',
      );
      process.env.NPC_DEBUG = '1';
      expect(reportFor(new TypeError('x is undefined')).line).toMatch(/^npc: internal error: TypeError: x is undefined\n\s+at /);
    } finally {
      if (saved === undefined) delete process.env.NPC_DEBUG;
      else process.env.NPC_DEBUG = saved;
    }
  });
});
