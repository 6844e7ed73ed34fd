/**
 * More than one machine: sharded evaluation merged exactly, its refusals, `--shard auto` from
 * the schedulers' environments, and batch classify by byte ranges. Failure-matrix rows 38–41.
 */
import { copyFileSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveShard, shardFlag } from '../../src/cli/shards.js';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, expectNpcError, makeTmp, run, writeJsonl } from '../helpers/failure-tools.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

afterAll(() => cleanupTmp());

/** A report without what only `eval` measures (time), for eval-vs-score comparisons. */
const withoutTiming = (text: string): string =>
  text
    .replace(/,"elapsed_s":[^,}]+,"pairs":\d+,"pairs_per_second":[^,}]+/, '')
    .replace(/\n\nelapsed +[^\n]+\npairs per second [^\n]+\n$/, '\n');

const haveR8 = requireSharedData('r8/train.jsonl.gz', 'r8/test.jsonl.gz');

describe.skipIf(!haveR8)('row 38: a 4 × 2 grid of shards of R8 merges into the unsharded run, byte for byte', () => {
  const train = sharedDataPath('r8/train.jsonl.gz');
  const test = sharedDataPath('r8/test.jsonl.gz');
  // A stratified sample keeps the suite fast; the selection happens before sharding, in every shard alike.
  const common = ['--train', train, '--test', test, '--strip', '-k', '1,2,3,5', '--sample', '120', '--seed', '1', '--quiet'];
  let dir: string;
  const parts: string[] = [];
  let full: string;
  let fullJson: string;
  let fullText: string;

  beforeAll(async () => {
    dir = makeTmp('npc-shards-');
    full = join(dir, 'full.nbr');
    const e = await run(['eval', ...common, '--json', '--save-neighbors', full]);
    expect(e.code, e.stderr).toBe(0);
    fullJson = e.stdout;
    fullText = (await run(['eval', ...common])).stdout;
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 2; j++) {
        const part = join(dir, `part-${i}-${j}.nbr`);
        const r = await run(['eval', ...common, '--shard', `${i}/4`, '--train-shard', `${j}/2`, '--save-neighbors', part]);
        expect(r.code, r.stderr).toBe(0);
        parts.push(part);
      }
    }
  }, 600_000);

  it('row 38: npc merge of the 8 parts is byte-identical to the unsharded file', async () => {
    const merged = join(dir, 'merged.nbr');
    const r = await run(['merge', ...parts.slice().reverse(), '-o', merged]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('npc: merged 8 parts: test shards 4 of 4, 120 of 120 rows\n');
    expect(readFileSync(merged).equals(readFileSync(full))).toBe(true);
  });

  it('row 38: npc score of the merged file prints exactly what npc eval printed (table and --json)', async () => {
    const merged = join(dir, 'merged-score.nbr');
    expect((await run(['merge', ...parts, '-o', merged, '-q'])).code).toBe(0);
    const json = await run(['score', merged, '--train', train, '--test', test, '-k', '1,2,3,5', '--json']);
    expect(withoutTiming(json.stdout)).toBe(withoutTiming(fullJson));
    const text = await run(['score', merged, '--train', train, '--test', test, '-k', '1,2,3,5']);
    expect(withoutTiming(text.stdout)).toBe(withoutTiming(fullText));
  });

  it('row 39: a missing part → npc: missing part: … (exit 1, no output); --allow-partial merges the complete test shards', async () => {
    const out = join(dir, 'missing.nbr');
    const r = await run(['merge', ...parts.filter((p) => !p.endsWith('part-2-1.nbr')), '-o', out]);
    expectNpcError(r, 1, 'missing part: test shard 2/4 × training shard 1/2 (--allow-partial merges what is there)');
    expect(existsSync(out)).toBe(false);
    const partial = await run(['merge', ...parts.filter((p) => !p.endsWith('part-2-1.nbr')), '-o', out, '--allow-partial']);
    expect(partial.code).toBe(0);
    expect(partial.stderr).toBe(
      'npc: warning: merged a partial evaluation: test shards 3 of 4, 90 of 120 rows; test shards 2 were left out\n',
    );
    const score = await run(['score', out, '--train', train, '--test', test, '-k', '1,2,3,5', '--json']);
    expect(JSON.parse(score.stdout)).toMatchObject({
      n: 90,
      evaluated: 'stratified sample of 120, seed 1 (partial: test shards 0, 1, 3 of 4)',
    });
  });

  it('row 39: an overlapping part (the same shard twice) → npc: PART: overlaps …', async () => {
    const copy = join(dir, 'copy-1-0.nbr');
    copyFileSync(parts[2], copy);
    const out = join(dir, 'overlap.nbr');
    const r = await run(['merge', ...parts, copy, '-o', out]);
    expectNpcError(r, 1, `${copy}: overlaps ${parts[2]}: both are test shard 1/4, training shard 0/2`);
    expect(existsSync(out)).toBe(false);
  });

  it('row 39: parts from other data, another M or --strip → npc: PART: does not belong with …', async () => {
    const cases: [string[], string][] = [
      [['--test', sharedDataPath('r8/train.jsonl.gz')], 'it was computed from other test data'],
      [['-k', '1,2,3,7'], 'it keeps M = 17 neighbours per row, the first part 15'],
      [['--strip=false'], 'it was computed without --strip, the first part with'],
    ];
    for (const [change, reason] of cases) {
      const part = join(dir, `other-${change.join('')}.nbr`.replace(/[^\w.-]/g, '_'));
      const args = change[0] === '--strip=false' ? common.filter((a) => a !== '--strip') : [...common, ...change];
      const e = await run(['eval', ...args, '--shard', '3/4', '--train-shard', '1/2', '--save-neighbors', part]);
      expect(e.code, e.stderr).toBe(0);
      const out = join(dir, 'other.nbr');
      const r = await run(['merge', ...parts.slice(0, 7), part, '-o', out]);
      expectNpcError(r, 1, `${part}: does not belong with ${parts[0]}: ${reason}`);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('row 39: a truncated or corrupted part → one line naming it, exit 1, no output', async () => {
    const bytes = readFileSync(parts[5]);
    const cut = join(dir, 'cut.nbr');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 20));
    const flipped = join(dir, 'flipped.nbr');
    const f = Buffer.from(bytes);
    f[f.length - 40] ^= 0x40;
    writeFileSync(flipped, f);
    for (const [bad, message] of [
      [cut, /truncated neighbours file \(row \d+ incomplete\)|truncated neighbours file \(ends after \d+ rows without the end marker\)/],
      [flipped, /corrupt neighbours file \((checksum mismatch|row \d+: .+)\)/],
    ] as const) {
      const out = join(dir, 'bad.nbr');
      const r = await run(['merge', ...parts.filter((_, i) => i !== 5), bad, '-o', out]);
      expectNpcError(r, 1, new RegExp(`${bad}: ${message.source}`));
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe.concurrent('row 40: --shard and --train-shard, usage errors and `auto`', () => {
  const dir = makeTmp('npc-shard-flags-');
  const train = writeJsonl(
    join(dir, 'train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text })),
  );

  it.each([
    ['4/4', 'expected I/N with I from 0 to N − 1 (the slices are 0-based), got 4/4.'],
    ['1/0', 'expected I/N (slice I, 0-based, of N), auto or auto/N.'],
    ['x', 'expected I/N (slice I, 0-based, of N), auto or auto/N.'],
    ['auto/0', 'expected auto/N with N a positive integer.'],
  ])('row 40: --shard %s → exit 2', async (value, message) => {
    const r = await run(['eval', '--train', train, '--test', train, '--shard', value, '--save-neighbors', join(dir, 'x.nbr')]);
    expectNpcError(r, 2, `option '--shard <I/N>' argument '${value}' is invalid. ${message}`, { usage: true });
  });

  it('row 40: --shard without --save-neighbors, --train-shard with --predictions, --shard on classify stdin → exit 2', async () => {
    expectNpcError(
      await run(['eval', '--train', train, '--test', train, '--shard', '0/2']),
      2,
      '--shard needs --save-neighbors FILE: npc merge joins the parts',
    );
    expectNpcError(
      await run([
        'eval',
        '--train',
        train,
        '--test',
        train,
        '--train-shard',
        '0/2',
        '--save-neighbors',
        join(dir, 'y.nbr'),
        '--predictions',
        join(dir, 'p.jsonl'),
      ]),
      2,
      '--predictions cannot be combined with --train-shard: a training shard only sees part of the training set (merge the neighbours, then npc score)',
    );
    expectNpcError(
      await run(['classify', '--train', train, '--shard', '0/2'], { input: '{"text": "x"}\n' }),
      2,
      '--shard needs --input-file: a file can be split into byte ranges, stdin cannot',
    );
  });

  it('row 40: --shard auto takes the slice from Slurm, Kubernetes or AWS Batch, and refuses a missing or disagreeing index', () => {
    const auto = shardFlag('auto');
    expect(resolveShard(auto, '--shard', { SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '4' })).toEqual({
      index: 2,
      count: 4,
    });
    expect(
      resolveShard(auto, '--shard', {
        SLURM_ARRAY_TASK_ID: '7',
        SLURM_ARRAY_TASK_MIN: '1',
        SLURM_ARRAY_TASK_STEP: '2',
        SLURM_ARRAY_TASK_COUNT: '4',
      }),
    ).toEqual({ index: 3, count: 4 });
    expect(resolveShard(shardFlag('auto/5'), '--shard', { JOB_COMPLETION_INDEX: '4' })).toEqual({ index: 4, count: 5 });
    expect(resolveShard(shardFlag('auto/3'), '--shard', { AWS_BATCH_JOB_ARRAY_INDEX: '0' })).toEqual({ index: 0, count: 3 });
    expect(() => resolveShard(auto, '--shard', {})).toThrow(/no array job index in the environment/);
    expect(() => resolveShard(auto, '--shard', { JOB_COMPLETION_INDEX: '1' })).toThrow(
      '--shard auto: Kubernetes (JOB_COMPLETION_INDEX) gives no count: give it as --shard auto/N',
    );
    expect(() => resolveShard(shardFlag('auto/3'), '--shard', { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '4' })).toThrow(
      '--shard auto/3: Slurm (SLURM_ARRAY_TASK_ID) has 4 array tasks',
    );
    expect(() => resolveShard(shardFlag('auto/4'), '--shard', { SLURM_ARRAY_TASK_ID: '1', JOB_COMPLETION_INDEX: '2' })).toThrow(
      /the schedulers disagree/,
    );
    expect(() => resolveShard(shardFlag('auto/2'), '--shard', { JOB_COMPLETION_INDEX: '2' })).toThrow(/is 2, but there are only 2 shards/);
  });

  it('row 40: npc eval --shard auto in a Slurm array task writes the same part as --shard 1/3', async () => {
    const test = writeJsonl(
      join(dir, 'test.jsonl'),
      SENTENCES.map(([label, text]) => ({ label, text: `${text} again` })),
    );
    const a = join(dir, 'auto.nbr');
    const b = join(dir, 'explicit.nbr');
    const env = { SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '3' };
    expect((await run(['eval', '--train', train, '--test', test, '-q', '--shard', 'auto', '--save-neighbors', a], { env })).code).toBe(0);
    expect((await run(['eval', '--train', train, '--test', test, '-q', '--shard', '1/3', '--save-neighbors', b])).code).toBe(0);
    expect(readFileSync(a).equals(readFileSync(b))).toBe(true);
    expectNpcError(
      await run(['eval', '--train', train, '--test', test, '--shard', 'auto', '--save-neighbors', a]),
      2,
      /--shard auto: no array job index in the environment .+/,
    );
  });
});

describe('row 41: batch classify by byte ranges (classify --input-file F --shard I/N)', () => {
  const dir = makeTmp('npc-shard-classify-');
  const train = writeJsonl(
    join(dir, 'train.jsonl'),
    SENTENCES.map(([label, text]) => ({ label, text })),
  );
  const words = SENTENCES.flatMap(([, text]) => text.split(' '));
  // 20,000 lines of random length (1 to 60 words): range boundaries fall inside lines. The byte-for-byte
  // checks split the first 4,000 of them (about 190 KB a shard, several read chunks each); the bad line sits
  // at 15,000 of all 20,000, so counting the lines before its shard takes more than one read of the file.
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const lines = Array.from({ length: 20_000 }, (_, i) =>
    JSON.stringify({
      id: i,
      text: Array.from({ length: 1 + Math.floor(random() * 60) }, () => words[Math.floor(random() * words.length)]).join(' '),
    }),
  );
  const withNewline = join(dir, 'big.jsonl');
  const withoutNewline = join(dir, 'big-no-final-newline.jsonl');
  const SPLIT_LINES = 4_000;
  writeFileSync(withNewline, lines.slice(0, SPLIT_LINES).join('\n') + '\n');
  writeFileSync(withoutNewline, lines.slice(0, SPLIT_LINES).join('\n'));

  it.each([[withNewline], [withoutNewline]])(
    'row 41: 4 shards of %s, concatenated, equal the unsharded output byte for byte',
    async (file) => {
      const size = statSync(file).size;
      const bytes = readFileSync(file);
      // At least one boundary falls inside a line (not right after a line end): a straddling line.
      const boundaries = [1, 2, 3].map((i) => Math.floor((i * size) / 4));
      expect(boundaries.some((b) => bytes[b - 1] !== 0x0a)).toBe(true);
      const full = await run(['classify', '--train', train, '--input-file', file, '--jobs', '1']);
      expect(full.code, full.stderr).toBe(0);
      expect(full.stdout.split('\n').filter(Boolean)).toHaveLength(SPLIT_LINES);
      const parts: string[] = [];
      for (let i = 0; i < 4; i++) {
        const r = await run(['classify', '--train', train, '--input-file', file, '--shard', `${i}/4`, '--jobs', '1']);
        expect(r.code, r.stderr).toBe(0);
        parts.push(r.stdout);
      }
      expect(parts.join('')).toBe(full.stdout);
    },
  );

  it('row 41: an error in a shard names the line in the whole file; a gzipped file is refused', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, lines.map((l, i) => (i === 14_999 ? 'not json' : l)).join('\n') + '\n');
    const results = await Promise.all(
      [0, 1, 2, 3].map((i) => run(['classify', '--train', train, '--input-file', bad, '--shard', `${i}/4`, '--jobs', '1'])),
    );
    const failed = results.filter((r) => r.code !== 0);
    expect(failed).toHaveLength(1);
    expect(failed[0].stderr).toMatch(new RegExp(`^npc: ${bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:15000: invalid JSON \\(.+\\n$`));
    const gz = join(dir, 'big.jsonl.gz');
    writeFileSync(gz, Buffer.from([0x1f, 0x8b, 0x08, 0x00]));
    expectNpcError(
      await run(['classify', '--train', train, '--input-file', gz, '--shard', '0/2']),
      1,
      `${gz}: is gzip-compressed, and compressed data cannot be split by byte ranges: decompress it first (gunzip -k FILE) and shard the plain file`,
    );
  });
});
