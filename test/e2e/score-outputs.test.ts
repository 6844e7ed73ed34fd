/**
 * `npc score` has every output `npc eval` has (--predictions, --html, --json, -q) with the same contents
 * for the same neighbours; a neighbours file names its data by the checksum of the file and of its
 * content, so a gzipped file and a `zcat` copy of it are the same data; files of format version 1 are
 * still scored; a damaged header is reported as corrupt. Failure-matrix rows 64, 65 and 66.
 */
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, crc32 } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { NEIGHBORS_MAGIC, readNeighborsFile } from '../../src/io/neighbors-file.js';
import { sha256OfBytes } from '../helpers/product-parts.js';
import { runNpc } from '../helpers/run-npc.js';
import { requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const AG_TRAIN = 'ag_news/train.first2000.jsonl.gz';
const AG_TEST = 'ag_news/test.jsonl.gz';
const available = requireSharedData(AG_TRAIN, AG_TEST);

/** The report minus what only eval measures (time). */
function withoutTiming(json: string): Record<string, unknown> {
  const { elapsed_s: _e, pairs: _n, pairs_per_second: _p, ...rest } = JSON.parse(json);
  return rest;
}

/** The same neighbours file written in format version 1: no content checksums, no header CRC. */
function asVersion1(bytes: Buffer): Buffer {
  const headerEnd = bytes.indexOf(0x0a, 8);
  const header = JSON.parse(bytes.toString('utf8', 8, headerEnd));
  for (const part of ['train', 'test']) delete header[part].content_sha256;
  header.version = 1;
  return Buffer.concat([Buffer.from(NEIGHBORS_MAGIC, 'latin1'), Buffer.from(`${JSON.stringify(header)}\n`), bytes.subarray(headerEnd + 5)]);
}

describe.skipIf(!available)('npc score: the outputs of eval, and which data a neighbours file belongs to', () => {
  let dir: string;
  let saved: string;
  let plainTest: string;
  const train = () => sharedDataPath(AG_TRAIN);
  const test = () => sharedDataPath(AG_TEST);
  const evalOut: Record<string, string> = {};

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npc-score-outputs-'));
    saved = join(dir, 'ag.nbr');
    plainTest = join(dir, 'test.jsonl');
    writeFileSync(plainTest, gunzipSync(readFileSync(test())));
    const r = await runNpc([
      'eval',
      '--train',
      train(),
      '--test',
      test(),
      '--limit',
      '30',
      '-k',
      '3,1',
      '--tie',
      'decrement',
      '--json',
      '-q',
      '--save-neighbors',
      saved,
      '--predictions',
      join(dir, 'eval-predictions.jsonl'),
      '--html',
      join(dir, 'eval.html'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    evalOut.json = r.stdout;
    evalOut.predictions = readFileSync(join(dir, 'eval-predictions.jsonl'), 'utf8');
    evalOut.html = readFileSync(join(dir, 'eval.html'), 'utf8');
  }, 300_000);

  it('row 64: score writes the same --predictions, --html and --json as eval for the same neighbours', async () => {
    const r = await runNpc([
      'score',
      saved,
      '--train',
      train(),
      '--test',
      test(),
      '-k',
      '3,1',
      '--tie',
      'decrement',
      '--json',
      '-q',
      '--predictions',
      join(dir, 'score-predictions.jsonl'),
      '--html',
      join(dir, 'score.html'),
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTiming(r.stdout)).toEqual(withoutTiming(evalOut.json));
    const predictions = readFileSync(join(dir, 'score-predictions.jsonl'), 'utf8');
    expect(predictions.split('\n')).toHaveLength(31);
    expect(predictions).toBe(evalOut.predictions);
    expect(readFileSync(join(dir, 'score.html'), 'utf8')).toBe(evalOut.html);
  });

  it('row 64: score --predictions - writes the predictions to stdout and the report to stderr', async () => {
    const r = await runNpc(['score', saved, '--train', train(), '--test', test(), '-k', '3,1', '--tie', 'decrement', '--predictions', '-']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(evalOut.predictions);
    expect(r.stderr).toMatch(/^test rows {8}30 \(first 30 of 7600 in /);
    expect(r.stderr).toContain("tie rule 'decrement'");
  });

  it('row 64: score refuses --predictions and --html both on stdout, and an output onto an input, before any work', async () => {
    const both = await runNpc(['score', saved, '--train', train(), '--test', test(), '--predictions', '-', '--html', '-']);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('npc: --predictions and --html cannot both write to stdout\n');
    const onto = await runNpc(['score', saved, '--train', train(), '--test', test(), '--predictions', saved]);
    expect(onto.code).toBe(2);
    expect(onto.stderr).toBe(`npc: --predictions ${saved} would overwrite an input file\n`);
    expect((await readNeighborsFile(saved)).size).toBe(30);
  });

  it('row 64: score accepts -q, which changes nothing but the progress line', async () => {
    const args = ['score', saved, '--train', train(), '--test', test(), '-k', '3,1', '--tie', 'decrement', '--json'];
    const quiet = await runNpc([...args, '-q']);
    const loud = await runNpc(args);
    expect(quiet.code).toBe(0);
    expect(quiet.stdout).toBe(loud.stdout);
    expect(quiet.stderr).toBe(loud.stderr);
  });

  it('row 65: a new neighbours file records the checksum of each file and of its content', async () => {
    const header = (await readNeighborsFile(saved)).header;
    const gz = readFileSync(test());
    expect(header.version).toBe(2);
    expect(header.test.sha256).toBe(sha256OfBytes(gz));
    expect(header.test.content_sha256).toBe(sha256OfBytes(gunzipSync(gz)));
    expect(header.train.content_sha256).toBe(sha256OfBytes(gunzipSync(readFileSync(train()))));
  });

  it('row 65: score accepts a zcat copy of the gzipped test file the neighbours were saved with, and the other way round', async () => {
    const args = ['-k', '3,1', '--tie', 'decrement', '--json'];
    const copy = await runNpc(['score', saved, '--train', train(), '--test', plainTest, ...args]);
    expect(copy.stderr).toBe('');
    expect(copy.code).toBe(0);
    const { test: _t, ...rest } = withoutTiming(copy.stdout);
    const { test: _u, ...expected } = withoutTiming(evalOut.json);
    expect(rest).toEqual(expected);

    // Saved with the plain file, scored with the gzipped one.
    const fromPlain = join(dir, 'plain.nbr');
    const e = await runNpc(['eval', '--train', train(), '--test', plainTest, '--limit', '5', '-q', '--save-neighbors', fromPlain]);
    expect(e.code).toBe(0);
    const s = await runNpc(['score', fromPlain, '--train', train(), '--test', test()]);
    expect(s.stderr).toBe('');
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/^test rows {8}5 \(first 5 of 7600 in /);
  });

  it('row 65: a test file whose content differs is still refused, naming both checksums', async () => {
    const other = join(dir, 'other.jsonl');
    writeFileSync(other, readFileSync(plainTest, 'utf8').replace('"text": "Fears', '"text": "Tears'));
    const r = await runNpc(['score', saved, '--train', train(), '--test', other]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^npc: ${saved}: neighbours file does not match this run: its test data differs \\(sha256 [0-9a-f]{12}… in the file, [0-9a-f]{12}… now; content sha256 [0-9a-f]{12}… in the file, [0-9a-f]{12}… now\\)\\n$`,
      ),
    );
  });

  it('row 65: a neighbours file of format version 1 (before content checksums) is still scored, with the file it was saved from', async () => {
    const old = join(dir, 'old.nbr');
    writeFileSync(old, asVersion1(readFileSync(saved)));
    const r = await runNpc(['score', old, '--train', train(), '--test', test(), '-k', '3,1', '--tie', 'decrement', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(withoutTiming(r.stdout)).toEqual(withoutTiming(evalOut.json));
    // It knows only the gzipped file's bytes: a zcat copy cannot be recognised, and the message says what differs.
    const copy = await runNpc(['score', old, '--train', train(), '--test', plainTest]);
    expect(copy.code).toBe(1);
    expect(copy.stderr).toMatch(/its test data differs \(sha256 [0-9a-f]{12}… in the file, [0-9a-f]{12}… now\)\n$/);
  });

  it('row 66: a flipped byte in the header of a neighbours file is reported as corrupt by score and merge, not as other data', async () => {
    const bytes = readFileSync(saved);
    for (const field of ['npc-deflate', '"sha256":"', '"m":']) {
      const at = bytes.indexOf(field, 8) + field.length;
      const copy = Buffer.from(bytes);
      copy[at] ^= 0x01;
      const damaged = join(dir, 'damaged.nbr');
      writeFileSync(damaged, copy);
      const s = await runNpc(['score', damaged, '--train', train(), '--test', test()]);
      expect(s.code, field).toBe(1);
      expect(s.stderr, field).toBe(`npc: ${damaged}: corrupt neighbours file (header checksum mismatch)\n`);
      const m = await runNpc(['merge', damaged, '-o', join(dir, 'merged.nbr')]);
      expect(m.code, field).toBe(1);
      expect(m.stderr, field).toBe(`npc: ${damaged}: corrupt neighbours file (header checksum mismatch)\n`);
    }
    expect(readdirSync(dir).filter((name) => name.startsWith('merged') || name.endsWith('.tmp'))).toEqual([]);
    // The header CRC covers the magic and the header line.
    const headerEnd = bytes.indexOf(0x0a, 8);
    expect(bytes.readUInt32LE(headerEnd + 1)).toBe(crc32(bytes.subarray(0, headerEnd + 1)) >>> 0);
  });
});
