/**
 * Failure-matrix rows 96–111 (docs/failure-matrix.md): the model repository through the real CLI —
 * register, alias, rollback, history, list, delete; bad and unknown names, aliases and versions; a
 * repository npc cannot write; 8 concurrent registrations; processes killed mid-register and mid-alias.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/app/model.js';
import { cleanupTmp, expectNpcError, makeTmp, run, sha256File, spawnNpc, unreadableStrategy, waitFor } from '../helpers/failure-tools.js';
import { writeTestModel, type TestModelRow } from '../helpers/model-artifact.js';
import { requirePrerequisite } from '../helpers/prerequisites.js';

const ROWS: TestModelRow[] = [
  { text: 'stocks fall as oil prices climb', label: 'business' },
  { text: 'the team wins the cup final', label: 'sports' },
  { text: 'markets rally on strong earnings', label: 'business' },
  { text: 'the striker scores twice in the derby', label: 'sports' },
];

let dir: string;
/** Artifacts of the same rows whose cards differ (so their bytes differ): a.npcm, b.npcm, c.npcm. */
let artifacts: Record<'a' | 'b' | 'c', string>;

beforeAll(async () => {
  dir = makeTmp('npc-repo-');
  chmodSync(dir, 0o755); // readable by `nobody` in the read-only repository test
  artifacts = { a: join(dir, 'a.npcm'), b: join(dir, 'b.npcm'), c: join(dir, 'c.npcm') };
  for (const [key, path] of Object.entries(artifacts)) await writeTestModel(path, ROWS, { name: 'news', description: `artifact ${key}` });
});
afterAll(cleanupTmp);

let repoCount = 0;
/** A fresh, not yet existing repository directory. */
function freshRepo(): string {
  return join(dir, `repo-${++repoCount}`);
}

function npc(repo: string, ...args: string[]): ReturnType<typeof run> {
  return run(['model', ...args, '--repository', repo]);
}

async function registered(repo: string, file: string, name = 'news'): Promise<number> {
  const r = await npc(repo, 'register', file, '--name', name);
  expect(r.code, r.stderr).toBe(0);
  return Number(r.stdout.trim());
}

interface ListedVersion {
  name: string;
  version: number;
  aliases: string[];
  sha256: string;
  rows: number;
}

async function listed(repo: string, ...name: string[]): Promise<ListedVersion[]> {
  const r = await npc(repo, 'list', ...name, '--json');
  expect(r.code, r.stderr).toBe(0);
  return r.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as ListedVersion);
}

/**
 * The repository checks out consistent: `list` works; every version directory is complete (its artifact
 * loads, every check passing, and its sha256 is the one recorded); every alias points at a listed version;
 * no lock and, after a clean run, no temporary left.
 */
async function expectConsistent(repo: string, name = 'news'): Promise<ListedVersion[]> {
  const versions = await listed(repo, name);
  for (const v of versions) {
    const path = join(repo, name, String(v.version), 'model.npcm');
    expect(loadModel(path).sha256).toBe(v.sha256);
    expect(sha256File(path)).toBe(v.sha256);
  }
  const entries = readdirSync(join(repo, name));
  expect(
    entries
      .filter((e) => /^\d+$/.test(e))
      .map(Number)
      .sort((a, b) => a - b),
  ).toEqual(versions.map((v) => v.version));
  const history = await npc(repo, 'history', name, '--json');
  expect(history.code, history.stderr).toBe(0);
  return versions;
}

describe('row 96: npc model register prints the new version; the same bytes again give the existing version', () => {
  it('row 96: versions count from 1; stdout is the number only, --json a line with name, version, sha256, uri', async () => {
    const repo = freshRepo();
    const first = await npc(repo, 'register', artifacts.a, '--name', 'news');
    expect(first).toMatchObject({ code: 0, stdout: '1\n', stderr: '' });
    const second = await npc(repo, 'register', artifacts.b, '--name', 'news', '--json');
    expect(second.code, second.stderr).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({
      name: 'news',
      version: 2,
      sha256: sha256File(artifacts.b),
      uri: 'models:/news/2',
      existing: false,
    });
    expect(readFileSync(join(repo, 'news', '2', 'model.npcm'))).toEqual(readFileSync(artifacts.b));
  });

  it('row 96: registering the same bytes again returns the existing version, says so on stderr, adds nothing', async () => {
    const repo = freshRepo();
    await registered(repo, artifacts.a);
    await registered(repo, artifacts.b);
    const again = await npc(repo, 'register', artifacts.a, '--name', 'news');
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('1\n');
    expect(again.stderr).toBe(
      `npc: ${artifacts.a}: the same bytes (sha256 ${sha256File(artifacts.a)}) are already news version 1; nothing registered\n`,
    );
    expect((await listed(repo)).map((v) => v.version)).toEqual([1, 2]);
  });

  it("row 96: without --name the card's name is the model's name", async () => {
    const repo = freshRepo();
    const r = await npc(repo, 'register', artifacts.c, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ name: 'news', version: 1 });
  });

  it('row 96: a card name that cannot name a registered model, without --name, is a usage error asking for --name', async () => {
    const repo = freshRepo();
    const odd = join(dir, 'odd-name.npcm');
    await writeTestModel(odd, ROWS, { name: 'my news/v2' });
    const r = await npc(repo, 'register', odd);
    expectNpcError(r, 2, /.*odd-name\.npcm: the card's name cannot name a registered model \(.*\); give one with --name/);
    expect(existsSync(repo)).toBe(false);
  });
});

describe('row 97: register of a damaged artifact is refused and the repository is left untouched', () => {
  it('row 97: a flipped byte and a truncated file: not a usable npc model, exit 1, no version, no name directory', async () => {
    const repo = freshRepo();
    const good = readFileSync(artifacts.a);
    const flipped = Buffer.from(good);
    flipped[flipped.length - 2048] ^= 0x01;
    const damaged = { flipped: join(dir, 'flipped.npcm'), truncated: join(dir, 'truncated.npcm') };
    writeFileSync(damaged.flipped, flipped);
    writeFileSync(damaged.truncated, good.subarray(0, good.length - 1000));
    for (const file of Object.values(damaged)) {
      const r = await npc(repo, 'register', file, '--name', 'news');
      expectNpcError(r, 1, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: not a usable npc model: .*`));
    }
    expect(existsSync(join(repo, 'news'))).toBe(false);
  });
});

describe('row 98: bad model names, aliases and versions are usage errors', () => {
  it('row 98: names, aliases and versions outside the allowed forms: exit 2, one line naming the value, nothing written', async () => {
    const repo = freshRepo();
    for (const name of ['.hidden', 'a/b', '../up', 'with space', '']) {
      const r = await npc(repo, 'register', artifacts.a, '--name', name);
      expectNpcError(
        r,
        2,
        `model name ${JSON.stringify(name)} is not valid: use letters, digits, '-', '_' and '.' (not first), at most 128 characters`,
      );
    }
    await registered(repo, artifacts.a);
    for (const alias of ['12', '.x', 'a@b']) {
      const r = await npc(repo, 'alias', 'news', alias, '1');
      expectNpcError(
        r,
        2,
        `alias ${JSON.stringify(alias)} is not valid: use letters, digits, '-', '_' and '.' (not first), not only digits, at most 128 characters`,
      );
    }
    for (const version of ['0', '-1', '1.5', 'x', '01']) {
      for (const args of [
        ['alias', 'news', 'production', version],
        ['delete', 'news', version],
      ]) {
        const r = await npc(repo, ...args);
        expectNpcError(r, 2, `version ${JSON.stringify(version)} is not valid: expected a positive integer`);
      }
    }
    expect(readdirSync(join(repo, 'news')).sort()).toEqual(['1', 'history.jsonl']);
  });
});

describe('rows 99–104: unknown names, versions and aliases; deleting an aliased version; rollback with no history', () => {
  let repo: string;
  beforeAll(async () => {
    repo = freshRepo();
    await registered(repo, artifacts.a);
    await registered(repo, artifacts.b);
  });

  it('row 99: an unknown model name: alias, rollback, delete, history, list → one line naming the repository, exit 1', async () => {
    for (const args of [
      ['alias', 'nope', 'production', '1'],
      ['rollback', 'nope', 'production'],
      ['delete', 'nope', '1'],
      ['history', 'nope'],
      ['list', 'nope'],
    ]) {
      const r = await npc(repo, ...args);
      expectNpcError(r, 1, `no model named 'nope' in the repository ${repo}`);
    }
    const uri = await npc(repo, 'register', 'models:/nope/1', '--name', 'copy');
    expectNpcError(uri, 1, `models:/nope/1: no model named 'nope' in the repository ${repo}`);
  });

  it('row 99: a models:/ URI that is not NAME/VERSION or NAME@ALIAS is a usage error', async () => {
    for (const uri of ['models:/news', 'models:/news/1/2', 'models:/news@', 'models:/']) {
      const r = await npc(repo, 'register', uri, '--name', 'copy');
      expectNpcError(r, 2, `${uri}: a model URI is models:/NAME/VERSION or models:/NAME@ALIAS`);
    }
    expectNpcError(await npc(repo, 'register', 'models:/news/0'), 2, 'version "0" is not valid: expected a positive integer');
  });

  it('row 100: an unknown version: alias and delete name the versions there are, exit 1', async () => {
    for (const args of [
      ['alias', 'news', 'production', '9'],
      ['delete', 'news', '9'],
    ]) {
      const r = await npc(repo, ...args);
      expectNpcError(r, 1, 'news has no version 9 (versions: 1, 2)');
    }
    const uri = await npc(repo, 'register', 'models:/news/9', '--name', 'copy');
    expectNpcError(uri, 1, 'models:/news/9: news has no version 9 (versions: 1, 2)');
  });

  it('row 101: rollback of an unknown alias names the aliases there are, exit 1', async () => {
    const r = await npc(repo, 'rollback', 'news', 'canary');
    expectNpcError(r, 1, "news has no alias 'canary' (it has no aliases)");
    const uri = await npc(repo, 'register', 'models:/news@canary', '--name', 'copy');
    expectNpcError(uri, 1, "models:/news@canary: news has no alias 'canary' (it has no aliases)");
    expect(existsSync(join(repo, 'copy'))).toBe(false);
  });

  it('row 103: delete of a version an alias points at is refused naming the alias; after the alias moves it is deleted', async () => {
    const local = freshRepo();
    await registered(local, artifacts.a);
    await registered(local, artifacts.b);
    expect((await npc(local, 'alias', 'news', 'production', '1')).code).toBe(0);
    expect((await npc(local, 'alias', 'news', 'staging', '1')).code).toBe(0);
    const refused = await npc(local, 'delete', 'news', '1');
    expectNpcError(refused, 1, "cannot delete news version 1: aliases 'production', 'staging' point at it (move them first)");
    expect(existsSync(join(local, 'news', '1', 'model.npcm'))).toBe(true);
    expect((await npc(local, 'alias', 'news', 'production', '2')).code).toBe(0);
    expect((await npc(local, 'alias', 'news', 'staging', '2')).code).toBe(0);
    const deleted = await npc(local, 'delete', 'news', '1');
    expect(deleted).toMatchObject({ code: 0, stdout: '', stderr: 'npc: deleted news version 1\n' });
    expect((await expectConsistent(local)).map((v) => v.version)).toEqual([2]);
    // A deleted number is never given again.
    expect(await registered(local, artifacts.c)).toBe(3);
  });

  it('row 104: rollback with no earlier version, and rollback to a deleted version, are refused, exit 1, the alias unchanged', async () => {
    const local = freshRepo();
    await registered(local, artifacts.a);
    await registered(local, artifacts.b);
    expect((await npc(local, 'alias', 'news', 'production', '2')).code).toBe(0);
    expectNpcError(
      await npc(local, 'rollback', 'news', 'production'),
      1,
      'news@production has no earlier version to roll back to (it points at version 2)',
    );
    expect((await npc(local, 'alias', 'news', 'production', '1')).code).toBe(0);
    expect((await npc(local, 'alias', 'news', 'production', '2')).code).toBe(0);
    expect((await npc(local, 'delete', 'news', '1')).code).toBe(0);
    expectNpcError(
      await npc(local, 'rollback', 'news', 'production'),
      1,
      'cannot roll back news@production to version 1: that version is no longer in the repository',
    );
    expect((await listed(local)).find((v) => v.version === 2)?.aliases).toEqual(['production']);
  });
});

describe('row 105: alias → rollback → alias round trip; history shows every move', () => {
  it('row 105: each rollback steps back once more; history lists every registration and move with time, alias, from, to, action', async () => {
    const repo = freshRepo();
    for (const file of [artifacts.a, artifacts.b, artifacts.c]) await registered(repo, file);
    const aliasOf = async (): Promise<number | undefined> => (await listed(repo)).find((v) => v.aliases.includes('production'))?.version;
    const steps: [string[], number, string][] = [
      [['alias', 'news', 'production', '1'], 1, 'npc: news@production: new → version 1\n'],
      [['alias', 'news', 'production', '2'], 2, 'npc: news@production: version 1 → version 2\n'],
      [['alias', 'news', 'production', '3'], 3, 'npc: news@production: version 2 → version 3\n'],
      [['rollback', 'news', 'production'], 2, 'npc: news@production: version 3 → version 2 (rolled back)\n'],
      [['rollback', 'news', 'production'], 1, 'npc: news@production: version 2 → version 1 (rolled back)\n'],
      [['alias', 'news', 'production', '3'], 3, 'npc: news@production: version 1 → version 3\n'],
      [['rollback', 'news', 'production'], 1, 'npc: news@production: version 3 → version 1 (rolled back)\n'],
    ];
    for (const [args, expected, message] of steps) {
      const r = await npc(repo, ...args);
      expect(r).toMatchObject({ code: 0, stdout: '', stderr: message });
      expect(await aliasOf()).toBe(expected);
    }
    const r = await npc(repo, 'history', 'news', '--json');
    expect(r.code, r.stderr).toBe(0);
    const history = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(history.map(({ time, ...rest }) => (expect(Date.parse(time as string)).not.toBeNaN(), rest))).toEqual([
      { action: 'register', alias: null, from: null, to: 1 },
      { action: 'register', alias: null, from: null, to: 2 },
      { action: 'register', alias: null, from: null, to: 3 },
      { action: 'alias', alias: 'production', from: null, to: 1 },
      { action: 'alias', alias: 'production', from: 1, to: 2 },
      { action: 'alias', alias: 'production', from: 2, to: 3 },
      { action: 'rollback', alias: 'production', from: 3, to: 2 },
      { action: 'rollback', alias: 'production', from: 2, to: 1 },
      { action: 'alias', alias: 'production', from: 1, to: 3 },
      { action: 'rollback', alias: 'production', from: 3, to: 1 },
    ]);
    const table = await npc(repo, 'history', 'news');
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toBe('time\taction\talias\tfrom\tto');
    expect(lines.slice(1).map((l) => l.split('\t').slice(1))).toEqual(
      history.map((e) => [e.action, e.alias ?? '—', e.from ?? '—', e.to ?? '—'].map(String)),
    );
    // The rollback stack of a model's aliases is the log's: a second alias has its own.
    expectNpcError(
      await npc(repo, 'rollback', 'news', 'production'),
      1,
      'news@production has no earlier version to roll back to (it points at version 1)',
    );
  });

  it('row 105: list shows every version with its aliases, created, rows and "—" for a card without evaluation', async () => {
    const repo = freshRepo();
    await registered(repo, artifacts.a);
    await registered(repo, artifacts.b, 'other');
    expect((await npc(repo, 'alias', 'news', 'production', '1')).code).toBe(0);
    const r = await npc(repo, 'list');
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[0]).toBe('name\tversion\taliases\tcreated\trows\tstrict');
    expect(lines.slice(1).map((l) => l.split('\t').filter((_, i) => i !== 3))).toEqual([
      ['news', '1', 'production', '4', '—'],
      ['other', '1', '—', '4', '—'],
    ]);
  });
});

describe('row 106: a repository npc cannot write', () => {
  it('row 106: register, alias and delete in a read-only repository: cannot write PATH: permission denied, exit 1, nothing changed; list still works', async (ctx) => {
    const how = unreadableStrategy();
    if (!how.ok) {
      requirePrerequisite('row 106 (read-only repository)', 'a user npc cannot write as', how.reason);
      return ctx.skip();
    }
    const repo = freshRepo();
    await registered(repo, artifacts.a);
    for (const d of [repo, join(repo, 'news')]) chmodSync(d, 0o755);
    if (how.uid === undefined) for (const d of [repo, join(repo, 'news')]) chmodSync(d, 0o555);
    const as = { uid: how.uid, gid: how.gid };
    const before = readFileSync(join(repo, 'news', 'history.jsonl'), 'utf8');
    try {
      const newName = await run(['model', 'register', artifacts.b, '--name', 'fresh', '--repository', repo], as);
      expectNpcError(newName, 1, `cannot write ${join(repo, 'fresh')}: permission denied`);
      const newVersion = await run(['model', 'register', artifacts.b, '--name', 'news', '--repository', repo], as);
      expectNpcError(newVersion, 1, `cannot write ${join(repo, 'news')}: permission denied`);
      const alias = await run(['model', 'alias', 'news', 'production', '1', '--repository', repo], as);
      expectNpcError(alias, 1, `cannot write ${join(repo, 'news', '.lock')}: permission denied`);
      const del = await run(['model', 'delete', 'news', '1', '--repository', repo], as);
      expectNpcError(del, 1, `cannot write ${join(repo, 'news', '.lock')}: permission denied`);
      const list = await run(['model', 'list', '--json', '--repository', repo], as);
      expect(list.code, list.stderr).toBe(0);
      expect(list.stdout.trim().split('\n')).toHaveLength(1);
    } finally {
      for (const d of [repo, join(repo, 'news')]) chmodSync(d, 0o755);
    }
    expect(readdirSync(repo)).toEqual(['news']);
    expect(readdirSync(join(repo, 'news')).sort()).toEqual(['1', 'history.jsonl']);
    expect(readFileSync(join(repo, 'news', 'history.jsonl'), 'utf8')).toBe(before);
  });
});

/** `count` artifacts of the same rows, each with its own card (so its own bytes); texts long enough that copying takes a moment. */
async function distinctArtifacts(prefix: string, count: number, textBytes: number): Promise<string[]> {
  const rows = Array.from({ length: 400 }, (_, i) => ({
    text: `${ROWS[i % 4].text} ${i} ${'x'.repeat(textBytes)}`,
    label: ROWS[i % 4].label,
  }));
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const path = join(dir, `${prefix}-${i}.npcm`);
    await writeTestModel(path, rows, { name: 'news', description: `${prefix} ${i}` });
    paths.push(path);
  }
  return paths;
}

describe('row 107: concurrent registrations', () => {
  it('row 107: 8 processes registering 8 artifacts at once get 8 distinct consecutive versions, none lost', async () => {
    const repo = freshRepo();
    const files = await distinctArtifacts('concurrent', 8, 200);
    const results = await Promise.all(files.map((file) => run(['model', 'register', file, '--name', 'news', '--repository', repo])));
    for (const r of results) expect(r.code, r.stderr).toBe(0);
    const versions = results.map((r) => Number(r.stdout.trim()));
    expect([...versions].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const listedVersions = await expectConsistent(repo);
    // Each process's version holds that process's artifact.
    files.forEach((file, i) => expect(listedVersions.find((v) => v.version === versions[i])?.sha256).toBe(sha256File(file)));
    expect(readdirSync(join(repo, 'news')).filter((e) => e.startsWith('.'))).toEqual([]);
  });
});

/**
 * Spawns `args`, waits `delayMs` (or until it has exited), and kills it with SIGKILL; resolves with whether it was
 * killed before it finished. The kill moments are spread over the run's length, so some land before, during and
 * after the copy, the lock and the rename.
 */
async function killAfter(args: string[], delayMs: number): Promise<boolean> {
  const { child, done } = spawnNpc(args, { stdin: 'null' });
  let exited = false;
  void done.then(() => (exited = true));
  await waitFor(() => exited, delayMs);
  if (!exited) child.kill('SIGKILL');
  const r = await done;
  return r.signal === 'SIGKILL';
}

/** How long one unkilled run of `args` takes here (to spread kill moments over it; nothing is asserted about it). */
async function runLength(args: string[]): Promise<number> {
  const started = Date.now();
  const r = await run(args);
  expect(r.code, r.stderr).toBe(0);
  return Date.now() - started;
}

describe('rows 108–110: processes killed mid-register and mid-alias leave the repository consistent', () => {
  it('row 108: SIGKILL at 12 moments across register runs: list works, every version complete and verifiable, then a clean register leaves no temporary and no lock', async () => {
    const repo = freshRepo();
    const files = await distinctArtifacts('killed', 13, 4000);
    const length = await runLength(['model', 'register', files[12], '--name', 'news', '--repository', repo]);
    let killed = 0;
    for (let i = 0; i < 12; i++) {
      if (await killAfter(['model', 'register', files[i], '--name', 'news', '--repository', repo], (length * (i + 1)) / 12)) killed++;
      await expectConsistent(repo);
    }
    expect(killed, 'no register was killed before it finished').toBeGreaterThan(0);
    // Every artifact can still be registered, each once, and the versions stay distinct.
    for (const file of files.slice(0, 12)) await registered(repo, file);
    const versions = await expectConsistent(repo);
    expect(new Set(versions.map((v) => v.sha256)).size).toBe(13);
    expect(new Set(versions.map((v) => v.sha256))).toEqual(new Set(files.map(sha256File)));
    expect(readdirSync(join(repo, 'news')).filter((e) => e.startsWith('.'))).toEqual([]);
  });

  it('row 109: SIGKILL at 12 moments across alias runs: the history parses, the alias points at a complete version, the next alias and rollback work', async () => {
    const repo = freshRepo();
    for (const file of [artifacts.a, artifacts.b, artifacts.c]) await registered(repo, file);
    const length = await runLength(['model', 'alias', 'news', 'production', '1', '--repository', repo]);
    let killed = 0;
    for (let i = 0; i < 12; i++) {
      const args = ['model', 'alias', 'news', 'production', String((i % 3) + 1), '--repository', repo];
      if (await killAfter(args, (length * (i + 1)) / 12)) killed++;
      const versions = await expectConsistent(repo);
      const holders = versions.filter((v) => v.aliases.includes('production'));
      expect(holders).toHaveLength(1);
    }
    expect(killed, 'no alias was killed before it finished').toBeGreaterThan(0);
    expect((await npc(repo, 'alias', 'news', 'production', '2')).code).toBe(0);
    expect((await npc(repo, 'rollback', 'news', 'production')).code).toBe(0);
    expect(existsSync(join(repo, 'news', '.lock'))).toBe(false);
  });

  it('row 110: a lock left by a killed process is broken: at once when its owner is a dead process of this host, after the staleness timeout for another host', async () => {
    const repo = freshRepo();
    await registered(repo, artifacts.a);
    const lock = join(repo, 'news', '.lock');
    // A dead owner on this host: a pid that has exited (a finished child's).
    const dead = spawnNpc(['--version'], { stdin: 'null' });
    await dead.done;
    writeFileSync(lock, JSON.stringify({ pid: dead.child.pid, host: hostname(), time: new Date().toISOString(), token: 'dead' }) + '\n');
    const afterDead = await npc(repo, 'alias', 'news', 'production', '1');
    expect(afterDead.code, afterDead.stderr).toBe(0);
    expect(existsSync(lock)).toBe(false);
    // Another host's lock, 31 s old (the timeout is 30 s): broken as stale.
    const old = new Date(Date.now() - 31_000).toISOString();
    writeFileSync(lock, JSON.stringify({ pid: 1, host: `not-${hostname()}`, time: old, token: 'old' }) + '\n');
    expect(statSync(lock).isFile()).toBe(true);
    const afterOld = await npc(repo, 'register', artifacts.b, '--name', 'news');
    expect(afterOld).toMatchObject({ code: 0, stdout: '2\n' });
    expect(existsSync(lock)).toBe(false);
  });
});

describe('row 102: an alias pointing at a version that is missing', () => {
  it('row 102: a version directory removed by hand: models:/news@production is one clear error naming the version; list omits it; moving the alias repairs it', async () => {
    const repo = freshRepo();
    await registered(repo, artifacts.a);
    await registered(repo, artifacts.b);
    expect((await npc(repo, 'alias', 'news', 'production', '2')).code).toBe(0);
    rmSync(join(repo, 'news', '2'), { recursive: true });
    const r = await npc(repo, 'register', 'models:/news@production', '--name', 'copy');
    expectNpcError(r, 1, `models:/news@production: alias 'production' points at version 2, which is missing from ${join(repo, 'news')}`);
    expect(existsSync(join(repo, 'copy'))).toBe(false);
    expect((await listed(repo)).map((v) => [v.version, v.aliases])).toEqual([[1, []]]);
    expect((await npc(repo, 'alias', 'news', 'production', '1')).code).toBe(0);
    expectNpcError(
      await npc(repo, 'rollback', 'news', 'production'),
      1,
      'cannot roll back news@production to version 2: that version is no longer in the repository',
    );
    const copied = await npc(repo, 'register', 'models:/news@production', '--name', 'copy', '--json');
    expect(copied.code, copied.stderr).toBe(0);
    expect(JSON.parse(copied.stdout)).toMatchObject({ name: 'copy', version: 1, sha256: sha256File(artifacts.a) });
  });
});
