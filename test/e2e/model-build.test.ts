/**
 * `npc model build`, `npc model show` and `npc model verify` end to end: the card a build writes, its
 * evaluation against `npc eval --json` on the same split, and every refusal of a damaged artifact as
 * `verify` and `show` report it (artifacts patched byte by byte from a real build).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNpc } from '../helpers/run-npc.js';
import { renderModelCard } from '../../src/model/card-markdown.js';
import { spawnNpc, waitFor } from '../helpers/failure-tools.js';
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { readJsonlGz, requireSharedData, sharedDataPath } from '../helpers/shared-data.js';

const TRAIN = 'r8/train.jsonl.gz';
const TEST = 'r8/test.jsonl.gz';
const available = requireSharedData(TRAIN, TEST);

/** One member of an uncompressed tar: where its header and its data are. */
interface Member {
  name: string;
  header: number;
  data: number;
  size: number;
}

function members(file: Buffer): Member[] {
  const out: Member[] = [];
  for (let at = 0; at + 512 <= file.length;) {
    const header = file.subarray(at, at + 512);
    if (header.every((b) => b === 0)) break;
    const name = header.subarray(0, 100).toString('utf8').replace(/\0.*$/s, '');
    const size = parseInt(header.subarray(124, 136).toString('ascii').replace(/\0.*$/s, '').trim(), 8);
    out.push({ name, header: at, data: at + 512, size });
    at += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

function member(file: Buffer, name: string): Member {
  const found = members(file).find((m) => m.name === name);
  if (!found) throw new Error(`no member ${name}`);
  return found;
}

/** Recomputes a tar header's checksum after an edit of its fields. */
function fixHeaderChecksum(file: Buffer, header: number): void {
  file.fill(0x20, header + 148, header + 156);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += file[header + i];
  file.write(sum.toString(8).padStart(6, '0') + '\0 ', header + 148, 'ascii');
}

/** Replaces a member's bytes by others of the same length and records their sha256 in SHA256SUMS (a consistent edit). */
function rewriteMember(file: Buffer, name: string, bytes: Buffer): void {
  const m = member(file, name);
  expect(bytes.length).toBe(m.size);
  bytes.copy(file, m.data);
  const sums = member(file, 'SHA256SUMS');
  const text = file.subarray(sums.data, sums.data + sums.size).toString('utf8');
  const updated = text.replace(
    new RegExp(`^[0-9a-f]{64}(  ${name.replace('.', '\\.')})$`, 'm'),
    `${createHash('sha256').update(bytes).digest('hex')}$1`,
  );
  expect(updated.length).toBe(text.length);
  file.write(updated, sums.data, 'utf8');
}

function memberBytes(file: Buffer, name: string): Buffer {
  const m = member(file, name);
  return Buffer.from(file.subarray(m.data, m.data + m.size));
}

describe.skipIf(!available)('npc model build, show, verify', () => {
  let dir: string;
  let trainPath: string;
  let testPath: string;
  let model: string;
  let modelBytes: Buffer;
  const rows = readJsonlGz(sharedDataPath(TRAIN)).slice(0, 240);
  // Five texts repeated (with their labels): the card counts them and the reference search skips them.
  const trainRows = [...rows, ...rows.slice(0, 5)];
  const testRows = readJsonlGz(sharedDataPath(TEST)).slice(0, 60);

  const verify = (path: string) => runNpc(['model', 'verify', path]);
  const show = (path: string) => runNpc(['model', 'show', path]);
  const patched = (name: string, edit: (file: Buffer) => void): string => {
    const copy = Buffer.from(modelBytes);
    edit(copy);
    const path = join(dir, name);
    writeFileSync(path, copy);
    return path;
  };
  /** verify and show both refuse with `cause`, exit 1, nothing on stdout. */
  const expectRefused = async (path: string, cause: RegExp): Promise<void> => {
    for (const r of [await verify(path), await show(path)]) {
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`^npc: ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: not a usable npc model: ${cause.source}`));
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.code).toBe(1);
    }
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'npc-model-build-'));
    trainPath = join(dir, 'news.jsonl');
    testPath = join(dir, 'news-test.jsonl');
    writeFileSync(trainPath, trainRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    writeFileSync(testPath, testRows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    model = join(dir, 'news.npcm');
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', model, '--description', 'R8 head', '-q', '-j', '1']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    modelBytes = readFileSync(model);
  }, 120_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('prints what it wrote in one line (path, rows, size, sha256), and --json gives the same as one JSON line', async () => {
    const sha = createHash('sha256').update(modelBytes).digest('hex');
    const out = join(dir, 'again.npcm');
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', out, '--json', '-q', '-j', '1', '--name', 'news']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout);
    expect(json).toEqual({
      path: out,
      name: 'news',
      rows: 245,
      bytes: statSync(out).size,
      sha256: createHash('sha256').update(readFileSync(out)).digest('hex'),
    });
    const plain = await runNpc(['model', 'verify', model]);
    expect(plain.stdout).toBe(`OK ${model}: model news, 245 rows, sha256 ${sha}\n`);
    expect(plain.code).toBe(0);
  });

  it('fills every card field: training file, rows per label, duplicates, text lengths, defaults, reference sample, build figures', async () => {
    const r = await runNpc(['model', 'show', model, '--json']);
    expect(r.code).toBe(0);
    const card = JSON.parse(r.stdout);
    const version = (await runNpc(['--version'])).stdout.trim();
    const trainBytes = readFileSync(trainPath);
    expect(card).toMatchObject({
      format: 'npc-model',
      format_version: 1,
      name: 'news',
      description: 'R8 head',
      npc_version: version,
      defaults: { k: 2, tie: 'nearest', seed: 0, abstain_above: null, min_confidence: null },
      training: {
        file: 'news.jsonl',
        bytes: trainBytes.length,
        sha256: createHash('sha256').update(trainBytes).digest('hex'),
        rows: 245,
        read: { format: null, text_field: 'text', label_field: 'label', columns: null, strip: false },
        duplicate_texts: 5,
      },
      evaluation: null,
      build: { artifact_bytes: modelBytes.length },
    });
    expect(card.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(card.engine).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(card.build.seconds).toBeGreaterThan(0);
    const perLabel = new Map<string, number>();
    for (const row of trainRows) perLabel.set(String(row.label), (perLabel.get(String(row.label)) ?? 0) + 1);
    expect(card.labels.map((l: { label: string; rows: number }) => [l.label, l.rows])).toEqual(
      [...perLabel].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    );
    const sizes = trainRows.map((row) => Buffer.byteLength(String(row.text))).sort((a, b) => a - b);
    expect(card.training.text_bytes).toMatchObject({
      min: sizes[0],
      max: sizes[sizes.length - 1],
      p50: sizes[Math.ceil(0.5 * sizes.length) - 1],
    });
    // 245 rows, fewer than the default 1,000: every row is in the reference sample.
    expect(card.reference).toMatchObject({ source: 'training-sample', rows: 245, seed: 0 });
    expect(card.reference.distances).toHaveLength(245);
    expect(card.reference.labels.reduce((s: number, l: { count: number }) => s + l.count, 0)).toBe(245);
    // A repeated text's nearest other row is never its copy (distance 0 would be the copy).
    expect(Math.min(...card.reference.distances)).toBeGreaterThan(0);
  });

  it('MODEL_CARD.md says what the model is, its data, its limits: confidence is a vote share, and the file holds every text', async () => {
    const r = await show(model);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(memberBytes(modelBytes, 'MODEL_CARD.md').toString('utf8'));
    for (const heading of ['# news', '## What it is', '## Training data', '## Evaluation', '## Intended use', '## Limits'])
      expect(r.stdout).toContain(heading + '\n');
    expect(r.stdout).toContain('not a probability');
    expect(r.stdout).toContain('whoever has the file can read them all');
    expect(r.stdout).toContain('R8 head');
    // Rendered from the card alone: card.json renders to the stored MODEL_CARD.md again.
    expect(renderModelCard(JSON.parse(memberBytes(modelBytes, 'card.json').toString('utf8')))).toBe(r.stdout);
  });

  it('--reference-rows N samples N training rows with the seed; another seed samples others', async () => {
    const cards = [];
    for (const seed of ['0', '7']) {
      const out = join(dir, `ref-${seed}.npcm`);
      expect(
        (await runNpc(['model', 'build', '--train', trainPath, '-o', out, '--reference-rows', '50', '--seed', seed, '-q', '-j', '1'])).code,
      ).toBe(0);
      cards.push(JSON.parse((await runNpc(['model', 'show', out, '--json'])).stdout));
    }
    expect(cards[0].reference).toMatchObject({ source: 'training-sample', rows: 50, seed: 0 });
    expect(cards[1].reference).toMatchObject({ source: 'training-sample', rows: 50, seed: 7 });
    expect(cards[0].reference.distances).not.toEqual(cards[1].reference.distances);
  });

  /** The report without what differs between two runs on the same split: timing, and how the sources are named. */
  const comparable = (report: Record<string, unknown>): Record<string, unknown> => {
    const { elapsed_s: _e, pairs_per_second: _p, train: _t, test: _s, ...rest } = report;
    return rest;
  };

  it("the card's evaluation with --folds is npc eval --data --folds --json's report, and its reference is the held-out rows", async () => {
    const out = join(dir, 'folds.npcm');
    const built = await runNpc(['model', 'build', '--train', trainPath, '-o', out, '--folds', '3', '--seed', '4', '-q', '-j', '1']);
    expect(built.code).toBe(0);
    const evaluated = await runNpc(['eval', '--data', trainPath, '--folds', '3', '--seed', '4', '--json', '-q', '-j', '1']);
    expect(evaluated.code).toBe(0);
    // Both print eval's warnings on stderr (classes smaller than the folds).
    expect(built.stderr).toBe(evaluated.stderr);
    const card = JSON.parse((await runNpc(['model', 'show', out, '--json'])).stdout);
    const report = JSON.parse(evaluated.stdout);
    expect(card.evaluation.method).toBe('--data news.jsonl --folds 3 -k 2 --tie nearest --seed 4');
    const { pooled: cardPooled, ...cardRest } = card.evaluation.report;
    const { pooled, ...rest } = report;
    expect(cardRest).toEqual(rest);
    expect(comparable(cardPooled)).toEqual(comparable(pooled));
    expect(cardPooled.strict).toBeGreaterThan(0);
    expect(card.reference).toMatchObject({ source: 'held-out', rows: 245, seed: null });
  }, 120_000);

  it("the card's evaluation with --test is npc eval --train --test --json's report, at the build's k and tie rule", async () => {
    const out = join(dir, 'test.npcm');
    const args = ['--train', trainPath, '--test', testPath, '-k', '3', '--tie', 'weighted', '-q', '-j', '1'];
    const built = await runNpc(['model', 'build', ...args, '-o', out]);
    expect(built.code).toBe(0);
    const evaluated = await runNpc(['eval', ...args, '--json']);
    expect(evaluated.code).toBe(0);
    const card = JSON.parse((await runNpc(['model', 'show', out, '--json'])).stdout);
    expect(card.evaluation.method).toBe('--train news.jsonl --test news-test.jsonl -k 3 --tie weighted --seed 0');
    expect(comparable(card.evaluation.report)).toEqual(comparable(JSON.parse(evaluated.stdout)));
    expect(card.reference).toMatchObject({ source: 'held-out', rows: 60 });
    expect(card.defaults).toMatchObject({ k: 3, tie: 'weighted' });
  }, 120_000);

  it('row 79: a truncated artifact is refused by verify and show, naming the file', async () => {
    const cut = join(dir, 'cut.npcm');
    const texts = member(modelBytes, 'texts.bin');
    writeFileSync(cut, modelBytes.subarray(0, texts.data + 100));
    await expectRefused(cut, new RegExp(`member "texts\\.bin" claims ${texts.size} bytes, more than the file holds after it \\(100\\)`));
    const empty = join(dir, 'empty.npcm');
    writeFileSync(empty, '');
    for (const r of [await verify(empty), await show(empty)]) {
      expect(r.stderr).toMatch(/^npc: .*empty\.npcm: not a usable npc model: /);
      expect(r.code).toBe(1);
    }
  });

  it('row 80: a flipped byte in each member (card.json, MODEL_CARD.md, the arrays, texts.bin, SHA256SUMS) is refused', async () => {
    for (const m of members(modelBytes)) {
      const path = patched(`flip-${m.name}.npcm`, (file) => {
        file[m.data + Math.floor(m.size / 2)] ^= 0x01;
      });
      await expectRefused(path, m.name === 'SHA256SUMS' ? /.*(SHA256SUMS|damaged).*/ : new RegExp(`.*${m.name.replace('.', '\\.')}.*`));
    }
  });

  it('row 81: a member path that escapes (../, absolute) is refused', async () => {
    for (const name of ['../MODEL_CARD.md', '/tmp/MODEL_CARD.md']) {
      const path = patched(`escape-${name.length}.npcm`, (file) => {
        const m = member(file, 'MODEL_CARD.md');
        file.fill(0, m.header, m.header + 100);
        file.write(name, m.header, 'utf8');
        fixHeaderChecksum(file, m.header);
      });
      await expectRefused(path, /.*MODEL_CARD\.md.*/);
    }
  });

  it('row 82: a member size larger than the file is refused', async () => {
    const path = patched('oversize.npcm', (file) => {
      const m = member(file, 'texts.bin');
      file.write('77777777777\0', m.header + 124, 'ascii');
      fixHeaderChecksum(file, m.header);
    });
    await expectRefused(path, /.*texts\.bin.*/);
  });

  it('row 83: an unknown format version is refused as such', async () => {
    const path = patched('version.npcm', (file) => {
      const card = memberBytes(file, 'card.json').toString('utf8');
      rewriteMember(file, 'card.json', Buffer.from(card.replace('"format_version": 1,', '"format_version": 9,'), 'utf8'));
    });
    await expectRefused(path, /.*format version 9.*/);
  });

  it('row 84: an artifact of another engine whose C(y) this engine computes alike: a warning with the time, exit 0', async () => {
    const path = patched('other-engine.npcm', (file) => {
      const card = memberBytes(file, 'card.json').toString('utf8');
      rewriteMember(
        file,
        'card.json',
        Buffer.from(card.replace(/"engine": "sha256:[0-9a-f]{64}"/, `"engine": "sha256:${'e'.repeat(64)}"`), 'utf8'),
      );
    });
    for (const r of [await verify(path), await show(path)]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        /^npc: warning: .*other-engine\.npcm: built by another engine \(eeeeeeeeeeee…\); its 245 C\(y\) were recomputed with this one and are equal \(\d+\.\d s\)\n$/,
      );
    }
    expect((await verify(path)).stdout).toMatch(/^OK .*other-engine\.npcm: model news, 245 rows/);
  });

  it('row 85: an artifact of another engine with one C(y) that differs is refused naming the row', async () => {
    const path = patched('other-engine-row.npcm', (file) => {
      const card = memberBytes(file, 'card.json').toString('utf8');
      rewriteMember(
        file,
        'card.json',
        Buffer.from(card.replace(/"engine": "sha256:[0-9a-f]{64}"/, `"engine": "sha256:${'e'.repeat(64)}"`), 'utf8'),
      );
      const lengths = memberBytes(file, 'lengths.i32');
      lengths.writeInt32LE(lengths.readInt32LE(4 * 6) + 1, 4 * 6);
      rewriteMember(file, 'lengths.i32', lengths);
    });
    for (const r of [await verify(path), await show(path)]) {
      expect(r.code).toBe(1);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        /^npc: .*other-engine-row\.npcm: the model was built by another engine \(eeeeeeeeeeee…, this npc's is [0-9a-f]{12}…\) and its C\(y\) of row 7 is \d+, not the \d+ this engine computes: rebuild it with this npc\n$/,
      );
    }
  });

  it('row 86: -o into a missing folder or onto a directory fails before any work, nothing written', async () => {
    const missing = join(dir, 'no-such-dir', 'm.npcm');
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', missing]);
    expect(r.stderr).toBe(`npc: cannot write ${missing}: directory does not exist\n`);
    expect(r.code).toBe(1);
    const folder = join(dir, 'a-folder');
    mkdirSync(folder);
    const d = await runNpc(['model', 'build', '--train', trainPath, '-o', folder]);
    expect(d.stderr).toMatch(new RegExp(`^npc: cannot write ${folder}: .*directory`));
    expect(d.code).toBe(1);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('row 87: --folds, --holdout and --test are one way to evaluate: two of them are a usage error', async () => {
    for (const [args, message] of [
      [['--folds', '3', '--test', testPath], '--folds and --test cannot be combined: choose one way to evaluate'],
      [['--folds', '3', '--holdout', '0.2'], '--folds and --holdout cannot be combined: choose one way to evaluate'],
      [['--holdout', '0.2', '--test', testPath], '--holdout and --test cannot be combined: choose one way to evaluate'],
      [['--folds', '1'], '--folds needs at least 2 folds'],
      [['--test-format', 'csv'], '--test-format describes the --test file: it needs --test FILE'],
    ] as const) {
      const out = join(dir, 'usage.npcm');
      const r = await runNpc(['model', 'build', '--train', trainPath, '-o', out, ...args]);
      expect(r.stderr).toBe(`npc: ${message}\n`);
      expect(r.code).toBe(2);
      expect(existsSync(out)).toBe(false);
    }
  });

  it('row 88: --reference-rows 0 (and other non-positive counts) is a usage error', async () => {
    for (const value of ['0', '-1', 'x']) {
      const r = await runNpc(['model', 'build', '--train', trainPath, '-o', join(dir, 'r.npcm'), '--reference-rows', value]);
      expect(r.stderr).toBe(
        `npc: option '--reference-rows <n>' argument '${value}' is invalid. expected a positive integer. (see --help)\n`,
      );
      expect(r.code).toBe(2);
    }
  });

  it('row 89: -k larger than the training rows is refused as eval refuses it, nothing written', async () => {
    const out = join(dir, 'k.npcm');
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', out, '-k', '999']);
    expect(r.stderr).toBe('npc: -k 999 is more than the 245 rows of the training set: k can be at most 245\n');
    expect(r.code).toBe(2);
    expect(existsSync(out)).toBe(false);
  });

  it('row 90: -o naming the training or test file is refused before any work, the file untouched', async () => {
    const before = readFileSync(trainPath);
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', trainPath]);
    expect(r.stderr).toBe(`npc: -o ${trainPath} would overwrite an input file\n`);
    expect(r.code).toBe(2);
    expect(readFileSync(trainPath)).toEqual(before);
    const t = await runNpc(['model', 'build', '--train', trainPath, '--test', testPath, '-o', testPath]);
    expect(t.stderr).toBe(`npc: -o ${testPath} would overwrite an input file\n`);
    expect(t.code).toBe(2);
  });

  it('row 91: a bad training line is the error npc eval --train gives for it, and nothing is written', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, '{"text": "fine", "label": "a"}\n{"text": oops}\n');
    const out = join(dir, 'bad.npcm');
    const built = await runNpc(['model', 'build', '--train', bad, '-o', out]);
    const evaluated = await runNpc(['eval', '--train', bad, '--test', testPath]);
    expect(built.stderr).toMatch(/^npc: .*bad\.jsonl:2: invalid JSON/);
    expect(built.stderr).toBe(evaluated.stderr);
    expect(built.code).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('row 92: --label-names that do not fit the labels is a usage error; names that fit go into the card', async () => {
    const r = await runNpc(['model', 'build', '--train', trainPath, '-o', join(dir, 'names.npcm'), '--label-names', 'a,b']);
    expect(r.stderr).toMatch(/^npc: --label-names gives 2 names \(labels 0\.\.1\), but the data has labels that are not integers/);
    expect(r.code).toBe(2);
    const numbered = join(dir, 'numbered.jsonl');
    writeFileSync(
      numbered,
      ['{"text":"one goal","label":0}', '{"text":"rates up","label":1}', '{"text":"two goals","label":0}'].join('\n') + '\n',
    );
    const out = join(dir, 'numbered.npcm');
    expect(
      (await runNpc(['model', 'build', '--train', numbered, '-o', out, '--label-names', 'Sports,Business', '-k', '1', '-j', '1'])).code,
    ).toBe(0);
    const card = JSON.parse((await runNpc(['model', 'show', out, '--json'])).stdout);
    expect(card.labels).toEqual([
      { label: 0, name: 'Sports', rows: 2 },
      { label: 1, name: 'Business', rows: 1 },
    ]);
  });

  it('row 93: SIGTERM while build reads a FIFO: npc: interrupted by SIGTERM, exit 143, no artifact and no temporary file', async () => {
    const folder = join(dir, 'signal');
    mkdirSync(folder);
    const fifo = join(folder, 'train.jsonl');
    execFileSync('mkfifo', [fifo]);
    const out = join(folder, 'm.npcm');
    const { child, done } = spawnNpc(['model', 'build', '--train', fifo, '-o', out, '-j', '1'], { timeoutMs: 90_000 });
    // Opening the FIFO for writing returns once npc has opened it for reading: it is reading its training rows.
    const writer = await open(fifo, 'w');
    await writer.write(JSON.stringify(trainRows[0]) + '\n');
    child.kill('SIGTERM');
    // npc exits once its read of the FIFO returns: Node's exit waits for the thread blocked in that read,
    // so the writer closes (as a writer that is itself stopped would).
    let said = '';
    child.stderr.on('data', (d: Buffer) => (said += d.toString()));
    expect(await waitFor(() => said.includes('interrupted'), 60_000)).toBe(true);
    await writer.close();
    const r = await done;
    expect(r.stderr).toBe('npc: interrupted by SIGTERM\n');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(143);
    expect(readdirSync(folder)).toEqual(['train.jsonl']);
  });

  it('a training file read from stdin is built, its card leaving the size and sha256 null', async () => {
    const out = join(dir, 'stdin.npcm');
    const r = await runNpc(['model', 'build', '--train', '-', '-o', out, '-j', '1', '-q'], { input: readFileSync(trainPath) });
    expect(r.code).toBe(0);
    const card = JSON.parse((await runNpc(['model', 'show', out, '--json'])).stdout);
    expect(card.training).toMatchObject({ file: '<stdin>', bytes: null, sha256: null, rows: 245 });
  });
});
