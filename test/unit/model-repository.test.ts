/**
 * `models:/` URIs in the library: loadModel and resolveModel against a repository written through the
 * repository's own code, and the alias log's replay (a move pushes, a rollback pops). The CLI's side is
 * test/e2e/model-repository.test.ts.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../src/app/model.js';
import { cardStrictAccuracy, listModels, registerModel, resolveModel, setModelAlias } from '../../src/app/model-registry.js';
import { InputError, UsageError } from '../../src/errors.js';
import { type HistoryEntry, replayAliases, resolveModelRepository } from '../../src/io/model-repository.js';
import { writeTestModel } from '../helpers/model-artifact.js';

const ROWS = [
  { text: 'stocks fall as oil prices climb', label: 'business' },
  { text: 'the team wins the cup final', label: 'sports' },
];

let dir: string;
let repo: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'npc-repo-unit-'));
  repo = join(dir, 'repo');
  for (const key of ['a', 'b']) {
    const file = join(dir, `${key}.npcm`);
    await writeTestModel(file, ROWS, { name: 'news', description: key });
    await registerModel(file, { repository: repo });
  }
  setModelAlias('news', 'production', 2, repo);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('models:/ URIs', () => {
  it('loadModel takes models:/NAME/VERSION and models:/NAME@ALIAS; shown is the URI, path the version’s artifact', () => {
    const byVersion = loadModel('models:/news/1', { repository: repo });
    expect(byVersion.shown).toBe('models:/news/1');
    expect(byVersion.path).toBe(join(repo, 'news', '1', 'model.npcm'));
    expect(byVersion.card.description).toBe('a');
    const byAlias = loadModel('models:/news@production', { repository: repo });
    expect(byAlias.path).toBe(join(repo, 'news', '2', 'model.npcm'));
    expect(byAlias.card.description).toBe('b');
  });

  it('resolveModel returns the path, name, version and the alias it was named by', () => {
    expect(resolveModel('models:/news@production', repo)).toEqual({
      path: join(repo, 'news', '2', 'model.npcm'),
      name: 'news',
      version: 2,
      alias: 'production',
    });
    expect(resolveModel('models:/news/1', repo)).toEqual({ path: join(repo, 'news', '1', 'model.npcm'), name: 'news', version: 1 });
  });

  it('unknown name, version and alias are each one InputError naming the URI; a malformed URI is a UsageError', () => {
    const error = (uri: string): unknown => {
      try {
        loadModel(uri, { repository: repo });
      } catch (err) {
        return err;
      }
      return undefined;
    };
    const described = (uri: string): string => (error(uri) as InputError).describe();
    expect(error('models:/nope/1')).toBeInstanceOf(InputError);
    expect(described('models:/nope/1')).toBe(`models:/nope/1: no model named 'nope' in the repository ${repo}`);
    expect(described('models:/news/3')).toBe('models:/news/3: news has no version 3 (versions: 1, 2)');
    expect(described('models:/news@canary')).toBe("models:/news@canary: news has no alias 'canary' (aliases: production)");
    for (const uri of ['models:/news', 'models:/news@1x/2', 'models:/a/b/c']) expect(error(uri)).toBeInstanceOf(UsageError);
    expect((error('models:/news@12') as UsageError).message).toMatch(/^alias "12" is not valid/);
  });

  it('the repository is --repository, else NPC_MODEL_REPOSITORY, else $XDG_DATA_HOME/npc/models (absolute only), else ~/.local/share/npc/models', () => {
    expect(resolveModelRepository('rel/dir', { NPC_MODEL_REPOSITORY: '/x' })).toBe(join(process.cwd(), 'rel/dir'));
    expect(resolveModelRepository(undefined, { NPC_MODEL_REPOSITORY: '/x', XDG_DATA_HOME: '/d' })).toBe('/x');
    expect(resolveModelRepository(undefined, { XDG_DATA_HOME: '/d', HOME: '/h' })).toBe('/d/npc/models');
    expect(resolveModelRepository(undefined, { XDG_DATA_HOME: 'relative', HOME: '/h' })).toBe('/h/.local/share/npc/models');
  });
});

describe('the repository', () => {
  it('lists as models only directories registering made (a history or a version), not any directory there', () => {
    mkdirSync(join(repo, 'lost+found'));
    mkdirSync(join(repo, 'empty'));
    expect([...new Set(listModels({ repository: repo }).map((v) => v.name))]).toEqual(['news']);
  });
});

describe('the alias log', () => {
  const entry = (action: HistoryEntry['action'], alias: string | null, from: number | null, to: number | null): HistoryEntry => ({
    time: '2026-01-01T00:00:00.000Z',
    action,
    alias,
    from,
    to,
  });

  it('a move pushes the version it leaves, a rollback pops it; register and delete entries move no alias', () => {
    const aliases = replayAliases([
      entry('register', null, null, 1),
      entry('alias', 'production', null, 1),
      entry('alias', 'production', 1, 2),
      entry('alias', 'staging', null, 2),
      entry('alias', 'production', 2, 3),
      entry('rollback', 'production', 3, 2),
      entry('delete', null, 3, null),
    ]);
    expect(Object.fromEntries(aliases)).toEqual({
      production: { current: 2, previous: [1] },
      staging: { current: 2, previous: [] },
    });
  });
});

describe("list's strict accuracy", () => {
  it("is the card's evaluation at its default k and tie rule (the ks entry, else the headline of that k), else null", async () => {
    const card = await writeTestModel(join(dir, 'evaluated.npcm'), ROWS, {
      name: 'evaluated',
      defaults: { k: 2, tie: 'decrement' },
      evaluation: {
        method: '--folds 2 --seed 0',
        report: {
          k: 1,
          tie: 'nearest',
          strict: 0.5,
          ks: [
            { k: 1, strict: { nearest: { accuracy: 0.5 }, decrement: { accuracy: 0.5 } } },
            { k: 2, strict: { nearest: { accuracy: 0.6 }, decrement: { accuracy: 0.7 } } },
          ],
        },
      },
    });
    expect(cardStrictAccuracy(card)).toBe(0.7);
    expect(cardStrictAccuracy({ ...card, defaults: { ...card.defaults, k: 1, tie: 'nearest' } })).toBe(0.5);
    expect(cardStrictAccuracy({ ...card, defaults: { ...card.defaults, k: 3 } })).toBeNull();
    expect(
      cardStrictAccuracy({
        ...card,
        evaluation: { method: 'x', report: { k: 3, tie: 'nearest', strict: 0.9 } },
        defaults: { ...card.defaults, k: 3, tie: 'nearest' },
      }),
    ).toBe(0.9);
    expect(cardStrictAccuracy({ ...card, evaluation: null })).toBeNull();
    await registerModel(join(dir, 'evaluated.npcm'), { repository: repo });
    expect(listModels({ name: 'evaluated', repository: repo }).map((v) => [v.version, v.strict, v.k, v.tie])).toEqual([
      [1, 0.7, 2, 'decrement'],
    ]);
  });

  it("of a cross-validated card is the pooled held-out rows' accuracy (the report's `pooled`)", async () => {
    const card = await writeTestModel(join(dir, 'cross-validated.npcm'), ROWS, {
      name: 'cross-validated',
      defaults: { k: 2, tie: 'nearest' },
      evaluation: {
        method: '--data rows --folds 4 -k 2 --tie nearest --seed 0',
        report: {
          mode: 'folds',
          folds: [{ fold: 0, strict: 0.9 }],
          pooled: { k: 2, tie: 'nearest', strict: 0.4, ks: [{ k: 2, strict: { nearest: { accuracy: 0.4 } } }] },
        },
      },
    });
    expect(cardStrictAccuracy(card)).toBe(0.4);
  });
});
