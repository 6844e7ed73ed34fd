/**
 * The `.npcm` container (src/io/model-file.ts): what it writes reads back exactly, ordinary tar and
 * sha256sum read it, and every kind of damage is refused with the cause.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeModelFile, encodeModelFile, type ModelFileContents, readModelFile, writeModelFile } from '../../src/io/model-file.js';
import { MODEL_FORMAT_VERSION, type ModelCard } from '../../src/model/card.js';
import { requirePrerequisite, spawnProblem } from '../helpers/prerequisites.js';

const dir = mkdtempSync(join(tmpdir(), 'npc-model-file-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function contents(): ModelFileContents {
  const texts = ['a football match', 'the central bank raised rates', 'naïve café ☕'];
  const bytes = texts.map((t) => Buffer.from(t, 'utf8'));
  const offsets = new Int32Array(texts.length + 1);
  bytes.forEach((b, i) => (offsets[i + 1] = offsets[i] + b.length));
  const card: ModelCard = {
    format: 'npc-model',
    format_version: MODEL_FORMAT_VERSION,
    name: 'tiny',
    description: 'three rows',
    created: '2026-01-02T03:04:05.000Z',
    npc_version: '0.1.0',
    compressor: 'npc-engine',
    engine: `sha256:${'a'.repeat(64)}`,
    defaults: { k: 1, tie: 'nearest', seed: 0, abstain_above: null, min_confidence: null },
    labels: [
      { label: 'business', name: null, rows: 1 },
      { label: 'sport', name: null, rows: 2 },
    ],
    training: {
      file: 'tiny.jsonl',
      bytes: 100,
      sha256: 'b'.repeat(64),
      rows: 3,
      read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: false },
      duplicate_texts: 0,
      text_bytes: { min: 14, p50: 16, p90: 29, p99: 29, max: 29, mean: 19.7 },
    },
    evaluation: null,
    reference: null,
    build: { seconds: 0.5, artifact_bytes: 0 },
  };
  return {
    card,
    cardMarkdown: '# tiny\n',
    arrays: {
      data: new Uint8Array(Buffer.concat(bytes)),
      offsets,
      compressedLengths: Int32Array.from([35, 48, 37]),
      labelIds: Int32Array.from([1, 0, 1]),
    },
  };
}

/** The byte offset of member `name`'s data in an encoded artifact. */
function memberStart(file: Buffer, name: string): number {
  for (let at = 0; at < file.length;) {
    const size = parseInt(file.subarray(at + 124, at + 135).toString('latin1'), 8);
    if (file.subarray(at, at + name.length + 1).toString('latin1') === `${name}\0`) return at + 512;
    at += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`no member ${name}`);
}

/** A copy of `file` whose header at `at` has `patch` applied and its checksum made valid again. */
function withHeader(file: Buffer, at: number, patch: (header: Buffer) => void): Buffer {
  const out = Buffer.from(file);
  const header = out.subarray(at, at + 512);
  patch(header);
  header.fill(0x20, 148, 156);
  const sum = header.reduce((s, b) => s + b, 0);
  header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
  return out;
}

describe('model file container', () => {
  it('reads back the card, MODEL_CARD.md and every array exactly, with the card recording the file size', async () => {
    const path = join(dir, 'round-trip.npcm');
    const written = contents();
    const { bytes } = await writeModelFile(path, written);
    const read = readModelFile(path);
    expect(read.card.build.artifact_bytes).toBe(bytes);
    expect(readFileSync(path).length).toBe(bytes);
    expect(read.card).toEqual(written.card);
    expect(read.cardMarkdown).toBe('# tiny\n');
    expect([...read.arrays.offsets]).toEqual([...written.arrays.offsets]);
    expect([...read.arrays.compressedLengths]).toEqual([35, 48, 37]);
    expect([...read.arrays.labelIds]).toEqual([1, 0, 1]);
    expect(Buffer.from(read.arrays.data).toString('utf8')).toBe('a football matchthe central bank raised ratesnaïve café ☕');
    expect(read.arrays.data.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('is a tar that tar lists with the card first, and whose members sha256sum -c accepts', (ctx) => {
    const tools = ['tar', 'sha256sum'].every((tool) =>
      requirePrerequisite('the tar and sha256sum check', tool, spawnProblem(spawnSync(tool, ['--version'], { encoding: 'utf8' }))),
    );
    if (!tools) return ctx.skip();
    const path = join(dir, 'tools.npcm');
    writeFileSync(path, encodeModelFile(contents()));
    const names = execFileSync('tar', ['-tf', path], { encoding: 'utf8' }).trim().split('\n');
    expect(names).toEqual(['card.json', 'MODEL_CARD.md', 'offsets.i32', 'lengths.i32', 'labels.i32', 'texts.bin', 'SHA256SUMS']);
    const out = join(dir, 'extracted');
    rmSync(out, { recursive: true, force: true });
    execFileSync('mkdir', ['-p', out]);
    execFileSync('tar', ['-xf', path, '-C', out]);
    expect(execFileSync('sha256sum', ['-c', 'SHA256SUMS'], { cwd: out, encoding: 'utf8' })).toMatch(/texts\.bin: OK/);
    expect(JSON.parse(readFileSync(join(out, 'card.json'), 'utf8')).name).toBe('tiny');
  });

  it('is the same bytes for the same contents', () => {
    expect(encodeModelFile(contents()).equals(encodeModelFile(contents()))).toBe(true);
  });

  it.each(['card.json', 'MODEL_CARD.md', 'offsets.i32', 'lengths.i32', 'labels.i32', 'texts.bin'])(
    'refuses a flipped byte in %s, naming the member',
    (name) => {
      const file = encodeModelFile(contents());
      file[memberStart(file, name) + 2] ^= 0x01;
      expect(() => decodeModelFile(file, 'm.npcm')).toThrow(`not a usable npc model: member ${name} is damaged`);
    },
  );

  it('refuses a flipped byte in SHA256SUMS as a mismatch or a malformed line', () => {
    const file = encodeModelFile(contents());
    const at = memberStart(file, 'SHA256SUMS');
    for (const offset of [0, 63, 64, 66, 70]) {
      const copy = Buffer.from(file);
      copy[at + offset] ^= 0x01;
      expect(() => decodeModelFile(copy, 'm.npcm')).toThrow(
        /not a usable npc model: (member \S+ is damaged|SHA256SUMS line 1 is not|member \S+ is not listed)/,
      );
    }
  });

  it('refuses a truncated file at any length, saying it is truncated or a member is larger than the file', () => {
    const file = encodeModelFile(contents());
    for (const length of [0, 100, 512, 1000, file.length - 1024, file.length - 1]) {
      expect(() => decodeModelFile(file.subarray(0, length), 'm.npcm')).toThrow(/truncated|more than the file holds|no members/);
    }
  });

  it('refuses a member size larger than the file', () => {
    const file = withHeader(encodeModelFile(contents()), 0, (h) => h.write('77777777777\0', 124, 'latin1'));
    expect(() => decodeModelFile(file, 'm.npcm')).toThrow('member "card.json" claims 8589934591 bytes, more than the file holds');
  });

  it.each(['../card.json', '/etc/card.json', 'a/../../card.json'])('refuses the member path %s as escaping', (name) => {
    const file = withHeader(encodeModelFile(contents()), 0, (h) => {
      h.fill(0, 0, 100);
      h.write(name, 0, 'latin1');
    });
    expect(() => decodeModelFile(file, 'm.npcm')).toThrow(`member path ${JSON.stringify(name)} escapes the archive`);
  });

  it('refuses a damaged tar header', () => {
    const file = encodeModelFile(contents());
    file[5] ^= 0x01;
    expect(() => decodeModelFile(file, 'm.npcm')).toThrow('the tar header at byte 0 is damaged');
  });

  it('refuses a symbolic link member', () => {
    const file = withHeader(encodeModelFile(contents()), 0, (h) => h.write('2', 156, 'latin1'));
    expect(() => decodeModelFile(file, 'm.npcm')).toThrow('member "card.json" is not a regular file');
  });

  it('refuses an unknown format version as such, even though its checksums are right', () => {
    const later = contents();
    later.card.format_version = MODEL_FORMAT_VERSION + 1;
    expect(() => decodeModelFile(encodeModelFile(later), 'm.npcm')).toThrow(
      `format version ${MODEL_FORMAT_VERSION + 1} is not one this npc reads (it reads version ${MODEL_FORMAT_VERSION})`,
    );
  });

  it('refuses arrays that do not agree with the card', () => {
    const bad = contents();
    bad.arrays.labelIds = Int32Array.from([1, 0, 5]);
    expect(() => decodeModelFile(encodeModelFile(bad), 'm.npcm')).toThrow('labels.i32 holds label id 5 for row 3');
    const short = contents();
    short.card.training.rows = 4;
    expect(() => decodeModelFile(encodeModelFile(short), 'm.npcm')).toThrow('offsets.i32 holds 16 bytes, not the 20 of 5 int32 values');
  });

  it('names the file when it cannot be read', () => {
    expect(() => readModelFile(join(dir, 'missing.npcm'))).toThrow(/cannot read the model: /);
  });
});
