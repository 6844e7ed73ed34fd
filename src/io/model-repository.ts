/**
 * The model repository on disk (docs/models.md "The model repository"): the TF Serving / Triton layout
 * `REPO/<name>/<version>/model.npcm`, integer versions from 1, and per name an append-only log of
 * registrations, deletions and alias moves (`REPO/<name>/history.jsonl`) from which the aliases are read.
 *
 * Safe on a shared (network) file system and against processes killed at any moment:
 * - a version directory appears only by renaming a complete hidden temporary directory
 *   (`.register-<host>-<pid>-<random>`) to its number; an existing number is never replaced;
 * - the log is rewritten whole through a temporary file and a rename, so readers see the old log or the
 *   new one, never a part;
 * - changes are made under a per-name lock, `REPO/<name>/.lock` (file-lock.ts), held for milliseconds:
 *   the artifact is copied and checked before it is taken.
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { InputError, UsageError } from '../errors.js';
import { describeWriteError } from './atomic-file.js';
import { makeDirectories } from './directories.js';
import { sha256OfFile } from './file-hash.js';
import { acquireLock, isRunning, releaseLock } from './file-lock.js';
import { syncDirectory, syncFile, writeDurably } from './durable-file.js';

export const MODEL_FILE = 'model.npcm';
export const VERSION_META_FILE = 'version.json';
export const HISTORY_FILE = 'history.jsonl';
const LOCK_FILE = '.lock';

/** `--repository`, else `$NPC_MODEL_REPOSITORY`, else `$XDG_DATA_HOME/npc/models` (when absolute), else `~/.local/share/npc/models`. */
export function resolveModelRepository(given?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (given !== undefined) return resolve(given);
  if (env.NPC_MODEL_REPOSITORY) return resolve(env.NPC_MODEL_REPOSITORY);
  if (env.XDG_DATA_HOME && isAbsolute(env.XDG_DATA_HOME)) return join(env.XDG_DATA_HOME, 'npc', 'models');
  return join(env.HOME || homedir(), '.local', 'share', 'npc', 'models');
}

const IDENTIFIER = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;
const MAX_IDENTIFIER = 128;

/** A model name: letters, digits, `-`, `_`, `.`, not starting with `.` (UsageError otherwise). */
export function checkModelName(name: string): string {
  if (!IDENTIFIER.test(name) || name.length > MAX_IDENTIFIER)
    throw new UsageError(
      `model name ${JSON.stringify(name)} is not valid: use letters, digits, '-', '_' and '.' (not first), at most ${MAX_IDENTIFIER} characters`,
    );
  return name;
}

/** An alias: as a name, and not all digits (it would read as a version). */
export function checkAlias(alias: string): string {
  if (!IDENTIFIER.test(alias) || alias.length > MAX_IDENTIFIER || /^\d+$/.test(alias))
    throw new UsageError(
      `alias ${JSON.stringify(alias)} is not valid: use letters, digits, '-', '_' and '.' (not first), not only digits, at most ${MAX_IDENTIFIER} characters`,
    );
  return alias;
}

/** A version: a positive integer written without sign or leading zeros. */
export function parseVersion(text: string): number {
  const version = /^[1-9]\d{0,8}$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(version)) throw new UsageError(`version ${JSON.stringify(text)} is not valid: expected a positive integer`);
  return version;
}

/** What the repository records of a version besides its artifact (`<version>/version.json`). */
export interface VersionMeta {
  sha256: string;
  bytes: number;
  /** ISO 8601 UTC time of the registration. */
  registered: string;
  /** The file it was registered from, as given. */
  source: string;
  /** From the card: when the model was built, its rows, default k and tie rule, strict accuracy there (or null). */
  created: string;
  rows: number;
  k: number;
  tie: string;
  strict: number | null;
}

export interface RepositoryVersion extends VersionMeta {
  name: string;
  version: number;
  /** The aliases that point at it now. */
  aliases: string[];
  path: string;
}

export type HistoryAction = 'register' | 'delete' | 'alias' | 'rollback';

/** One line of `history.jsonl`. `alias` is null for register and delete; `from` is null where nothing was before. */
export interface HistoryEntry {
  time: string;
  action: HistoryAction;
  alias: string | null;
  from: number | null;
  to: number | null;
}

interface AliasState {
  current: number;
  /** The versions it pointed at before, most recent last: what rollbacks go back to. */
  previous: number[];
}

export class ModelRepository {
  constructor(readonly root: string) {}

  private dir(name: string): string {
    return join(this.root, checkModelName(name));
  }

  /** The registered model names (directories holding at least a version or a history). */
  names(): string[] {
    let entries: string[];
    try {
      entries = readdirSync(this.root);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw readError(this.root, err);
    }
    return entries.filter((n) => IDENTIFIER.test(n) && this.isModel(n)).sort();
  }

  /** A directory with a history or a version: what registering makes (not any directory that happens to be there). */
  private isModel(name: string): boolean {
    try {
      if (!statSync(join(this.root, name)).isDirectory()) return false;
      return existsSync(join(this.root, name, HISTORY_FILE)) || this.versions(name).length > 0;
    } catch {
      return false;
    }
  }

  /** Throws the one clear error for a name the repository does not hold. */
  requireModel(name: string, shown?: string): void {
    if (!existsSync(this.dir(name))) throw new InputError(`no model named '${name}' in the repository ${this.root}`, shown);
  }

  /** The complete versions of `name`, ascending (temporary directories are not versions). */
  versions(name: string): number[] {
    let entries: string[];
    try {
      entries = readdirSync(this.dir(name));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw readError(this.dir(name), err);
    }
    return entries
      .filter((e) => /^[1-9]\d*$/.test(e))
      .map(Number)
      .sort((a, b) => a - b);
  }

  versionPath(name: string, version: number): string {
    return join(this.dir(name), String(version), MODEL_FILE);
  }

  versionMeta(name: string, version: number): VersionMeta {
    const path = join(this.dir(name), String(version), VERSION_META_FILE);
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as VersionMeta;
    } catch (err) {
      throw new InputError(`cannot read the version's record: ${(err as Error).message.split('\n')[0]}`, path);
    }
  }

  history(name: string): HistoryEntry[] {
    const path = join(this.dir(name), HISTORY_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw readError(path, err);
    }
    return text
      .split('\n')
      .filter((line) => line !== '')
      .map((line, i) => {
        try {
          return JSON.parse(line) as HistoryEntry;
        } catch (err) {
          throw new InputError(`invalid JSON (${(err as Error).message})`, `${path}:${i + 1}`);
        }
      });
  }

  /** Every alias of `name` now: alias → version, and what rollbacks would go back to. */
  aliases(name: string): Map<string, AliasState> {
    return replayAliases(this.history(name));
  }

  /** Every version of `name` (or of every model) with its record and aliases. */
  list(name?: string): RepositoryVersion[] {
    const names = name === undefined ? this.names() : [name];
    if (name !== undefined) this.requireModel(name);
    return names.flatMap((n) => {
      const aliases = this.aliases(n);
      return this.versions(n).map((version) => ({
        name: n,
        version,
        aliases: [...aliases].filter(([, s]) => s.current === version).map(([a]) => a),
        path: this.versionPath(n, version),
        ...this.versionMeta(n, version),
      }));
    });
  }

  /**
   * Registers the artifact `file` (already verified by the caller, `meta` its record) as the next version
   * of `name`, or returns the version holding the same bytes. The copy is checked against `meta.sha256`
   * before the version appears.
   */
  async register(name: string, file: string, meta: VersionMeta): Promise<{ version: number; existing: boolean }> {
    const dir = this.dir(name);
    try {
      makeDirectories(dir);
    } catch (err) {
      throw describeWriteError(dir, err);
    }
    const temp = join(dir, `.register-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      mkdirSync(temp);
    } catch (err) {
      throw describeWriteError(dir, err);
    }
    try {
      try {
        copyFileSync(file, join(temp, MODEL_FILE));
        writeDurably(join(temp, VERSION_META_FILE), JSON.stringify(meta, null, 2) + '\n');
        syncFile(join(temp, MODEL_FILE));
      } catch (err) {
        throw describeWriteError(dir, err);
      }
      const copied = await sha256OfFile(join(temp, MODEL_FILE));
      if (copied !== meta.sha256)
        throw new InputError(`changed while it was being registered (sha256 ${copied}, was ${meta.sha256})`, file);
      return this.withLock(name, () => {
        for (const version of this.versions(name)) {
          if (this.versionMeta(name, version).sha256 === meta.sha256) return { version, existing: true };
        }
        const used = [...this.versions(name), ...this.history(name).map((e) => (e.action === 'register' ? (e.to ?? 0) : 0))];
        let version = Math.max(0, ...used) + 1;
        for (;;) {
          try {
            renameSync(temp, join(dir, String(version)));
            syncDirectory(dir);
            break;
          } catch (err) {
            // Only if a second lock holder slipped in (a lock wrongly broken): never replace a version.
            const code = (err as NodeJS.ErrnoException).code;
            if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw describeWriteError(dir, err);
            version++;
          }
        }
        this.appendHistory(name, { time: meta.registered, action: 'register', alias: null, from: null, to: version });
        return { version, existing: false };
      });
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }

  /** Points `alias` of `name` at `version` (which must exist). Returns the version it pointed at before, if any. */
  setAlias(name: string, alias: string, version: number): { from: number | null } {
    checkAlias(alias);
    this.requireModel(name);
    return this.withLock(name, () => {
      this.requireVersion(name, version);
      const from = this.aliases(name).get(alias)?.current ?? null;
      this.appendHistory(name, { time: new Date().toISOString(), action: 'alias', alias, from, to: version });
      return { from };
    });
  }

  /** Moves `alias` back to the version it pointed at before its last move. */
  rollback(name: string, alias: string): { from: number; to: number } {
    checkAlias(alias);
    this.requireModel(name);
    return this.withLock(name, () => {
      const state = this.aliases(name).get(alias);
      if (state === undefined) throw new InputError(`${name} has no alias '${alias}'${aliasList(this.aliases(name))}`);
      const to = state.previous[state.previous.length - 1];
      if (to === undefined)
        throw new InputError(`${name}@${alias} has no earlier version to roll back to (it points at version ${state.current})`);
      if (!this.versions(name).includes(to))
        throw new InputError(`cannot roll back ${name}@${alias} to version ${to}: that version is no longer in the repository`);
      this.appendHistory(name, { time: new Date().toISOString(), action: 'rollback', alias, from: state.current, to });
      return { from: state.current, to };
    });
  }

  /** Removes a version no alias points at. */
  deleteVersion(name: string, version: number): void {
    this.requireModel(name);
    this.withLock(name, () => {
      this.requireVersion(name, version);
      const holders = [...this.aliases(name)].filter(([, s]) => s.current === version).map(([a]) => a);
      if (holders.length > 0)
        throw new InputError(
          `cannot delete ${name} version ${version}: alias${holders.length > 1 ? 'es' : ''} ${holders.map((a) => `'${a}'`).join(', ')} point${holders.length > 1 ? '' : 's'} at it (move ${holders.length > 1 ? 'them' : 'it'} first)`,
        );
      const dir = this.dir(name);
      const gone = join(dir, `.delete-${hostname()}-${process.pid}-${randomBytes(4).toString('hex')}`);
      try {
        renameSync(join(dir, String(version)), gone);
      } catch (err) {
        throw describeWriteError(join(dir, String(version)), err);
      }
      this.appendHistory(name, { time: new Date().toISOString(), action: 'delete', alias: null, from: version, to: null });
      rmSync(gone, { recursive: true, force: true });
    });
  }

  /** The one clear error for a version `name` does not have. */
  requireVersion(name: string, version: number, shown?: string): void {
    if (existsSync(join(this.dir(name), String(version), MODEL_FILE))) return;
    const versions = this.versions(name);
    throw new InputError(
      `${name} has no version ${version} (${versions.length ? `versions: ${versions.join(', ')}` : 'it has no versions'})`,
      shown,
    );
  }

  private appendHistory(name: string, entry: HistoryEntry): void {
    const path = join(this.dir(name), HISTORY_FILE);
    let old = '';
    try {
      old = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw readError(path, err);
    }
    const temp = join(this.dir(name), `.${HISTORY_FILE}.${hostname()}.${process.pid}.${randomBytes(4).toString('hex')}`);
    try {
      writeDurably(temp, old + JSON.stringify(entry) + '\n');
      renameSync(temp, path);
      syncDirectory(this.dir(name));
    } catch (err) {
      rmSync(temp, { force: true });
      throw describeWriteError(path, err);
    }
  }

  /** Removes temporary directories and files left by dead processes of this host. */
  private removeDeadTemporaries(name: string): void {
    const host = hostname();
    let entries: string[];
    try {
      entries = readdirSync(this.dir(name));
    } catch {
      return;
    }
    for (const entry of entries) {
      const m = /^\.(?:register-|delete-|history\.jsonl\.|lock\.broken\.|lock\.)(.+)[-.](\d+)[-.][0-9a-f]{8}$/.exec(entry);
      if (m && m[1] === host && !isRunning(Number(m[2]))) rmSync(join(this.dir(name), entry), { recursive: true, force: true });
    }
  }

  /** Runs `fn` holding the lock of `name`. */
  private withLock<T>(name: string, fn: () => T): T {
    this.removeDeadTemporaries(name);
    const lock = join(this.dir(name), LOCK_FILE);
    const token = acquireLock(lock);
    try {
      return fn();
    } finally {
      releaseLock(lock, token);
    }
  }
}

/** The aliases as the log leaves them: a move pushes the old version, a rollback pops it. */
export function replayAliases(history: readonly HistoryEntry[]): Map<string, AliasState> {
  const aliases = new Map<string, AliasState>();
  for (const e of history) {
    if (e.alias === null || e.to === null) continue;
    const state = aliases.get(e.alias);
    if (e.action === 'alias') {
      if (state) {
        state.previous.push(state.current);
        state.current = e.to;
      } else aliases.set(e.alias, { current: e.to, previous: [] });
    } else if (e.action === 'rollback' && state) {
      state.previous.pop();
      state.current = e.to;
    }
  }
  return aliases;
}

function aliasList(aliases: Map<string, AliasState>): string {
  return aliases.size ? ` (aliases: ${[...aliases.keys()].sort().join(', ')})` : ' (it has no aliases)';
}

function readError(path: string, err: unknown): InputError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (err as Error).message.split('\n')[0];
  return new InputError(`cannot read: ${reason}`, path);
}

/** `models:/NAME/VERSION` or `models:/NAME@ALIAS`, parsed; undefined for anything not starting with `models:/`. */
export function parseModelUri(uri: string): { name: string; version?: number; alias?: string } | undefined {
  if (!uri.startsWith('models:/')) return undefined;
  const rest = uri.slice('models:/'.length);
  const m = /^([^/@]+)(?:\/([^/@]+)|@([^/@]+))$/.exec(rest);
  if (!m) throw new UsageError(`${uri}: a model URI is models:/NAME/VERSION or models:/NAME@ALIAS`);
  const name = checkModelName(m[1]);
  if (m[2] !== undefined) return { name, version: parseVersion(m[2]) };
  return { name, alias: checkAlias(m[3]) };
}

/**
 * The artifact a `models:/` URI names in the repository at `root`: one clear InputError for an unknown
 * name, version or alias, or an alias pointing at a missing version.
 */
export function resolveModelUri(uri: string, root: string): { path: string; name: string; version: number; alias?: string } {
  const parsed = parseModelUri(uri);
  if (parsed === undefined) throw new UsageError(`${uri} is not a models:/ URI`);
  const repo = new ModelRepository(root);
  repo.requireModel(parsed.name, uri);
  if (parsed.version !== undefined) {
    repo.requireVersion(parsed.name, parsed.version, uri);
    return { path: repo.versionPath(parsed.name, parsed.version), name: parsed.name, version: parsed.version };
  }
  const alias = parsed.alias!;
  const aliases = repo.aliases(parsed.name);
  const state = aliases.get(alias);
  if (state === undefined) throw new InputError(`${parsed.name} has no alias '${alias}'${aliasList(aliases)}`, uri);
  const path = repo.versionPath(parsed.name, state.current);
  if (!existsSync(path))
    throw new InputError(`alias '${alias}' points at version ${state.current}, which is missing from ${join(root, parsed.name)}`, uri);
  return { path, name: parsed.name, version: state.current, alias };
}
