/**
 * A vitest reporter that ends the run with how many tests were skipped because the shared data sets
 * were not found, and where they were looked for. A test module records its missing files in its
 * meta (requireSharedData in test/helpers/shared-data.ts); the tests counted are those of such a module
 * skipped at collection (`describe.skipIf` / `it.skipIf`), not those skipped at run time for another
 * reason (`ctx.skip()`: no python3, not root). Prints nothing when nothing was skipped for want of data.
 */
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { MissingSharedData } from './shared-data.js';

/**
 * The closing line, or undefined when no test was skipped for want of data. With a name filter (`-t`), the
 * tests it leaves out are skipped too: only those it selects are counted.
 */
export function sharedDataSkipSummary(modules: ReadonlyArray<TestModule>, namePattern?: RegExp): string | undefined {
  let skipped = 0;
  const dirs = new Set<string>();
  for (const module of modules) {
    const record = (module.meta() as { missingSharedData?: MissingSharedData }).missingSharedData;
    if (!record) continue;
    dirs.add(record.dir);
    for (const test of module.children.allTests('skipped')) {
      if (test.options.mode !== 'skip') continue;
      if (namePattern && !namePattern.test(test.fullName.replaceAll(' > ', ' '))) continue;
      skipped++;
    }
  }
  if (skipped === 0) return undefined;
  const tests = skipped === 1 ? '1 test' : `${skipped} tests`;
  return (
    `${tests} skipped: data sets not found at ${[...dirs].join(', ')} ` + '(set NPC_TEST_DATA to their folder; see docs/development.md)'
  );
}

export default class SharedDataReporter implements Reporter {
  private vitest: Vitest | undefined;

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const line = sharedDataSkipSummary(modules, this.vitest?.config.testNamePattern);
    if (line === undefined) return;
    if (this.vitest) this.vitest.logger.log(`\n${line}`);
    else console.log(`\n${line}`);
  }
}
