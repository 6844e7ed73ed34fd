/**
 * The model repository's jobs (docs/models.md "The model repository"): register a verified artifact as
 * the next version of a name, move and roll back aliases, list versions, read the history, delete a
 * version no alias points at. The store itself (layout, lock, atomic renames) is src/io/model-repository.ts.
 */
import { statSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import {
  checkAlias,
  checkModelName,
  type HistoryEntry,
  ModelRepository,
  type RepositoryVersion,
  resolveModelRepository,
  resolveModelUri,
  type VersionMeta,
} from '../io/model-repository.js';
import type { ModelCard } from '../model/card.js';
import { loadModel } from './model.js';

export { checkAlias, checkModelName, parseVersion, resolveModelRepository } from '../io/model-repository.js';
export type { HistoryEntry, RepositoryVersion } from '../io/model-repository.js';

/** Where a `models:/` URI leads: the artifact's path, the name, the version, and the alias it was named by. */
export interface ResolvedModel {
  path: string;
  name: string;
  version: number;
  alias?: string;
}

/** Resolves `models:/NAME/VERSION` or `models:/NAME@ALIAS` in `repository` (default: resolveModelRepository()). */
export function resolveModel(uri: string, repository?: string): ResolvedModel {
  return resolveModelUri(uri, resolveModelRepository(repository));
}

export interface Registered {
  name: string;
  version: number;
  sha256: string;
  uri: string;
  /** True when the same bytes were already a version: nothing new was registered. */
  existing: boolean;
}

/**
 * Verifies the artifact `file` (a path, or a `models:/` URI of this repository) as loading does (every
 * check), then registers it as the next version of `name` (default: the card's name), or returns the
 * version that already holds the same bytes.
 */
export async function registerModel(
  file: string,
  options: { name?: string; repository?: string; onWarning?: (message: string) => void } = {},
): Promise<Registered> {
  // A `models:/` URI registers a version of the repository again (under another name: MLflow's copy).
  const path = file.startsWith('models:/') ? resolveModel(file, options.repository).path : file;
  const model = loadModel(path, { shown: file, onWarning: options.onWarning });
  let name: string;
  if (options.name !== undefined) name = checkModelName(options.name);
  else {
    try {
      name = checkModelName(model.card.name);
    } catch (err) {
      throw new UsageError(`${file}: the card's name cannot name a registered model (${(err as Error).message}); give one with --name`);
    }
  }
  const { size } = statSync(path);
  const meta: VersionMeta = {
    sha256: model.sha256,
    bytes: size,
    registered: new Date().toISOString(),
    source: file.startsWith('models:/') ? file : basename(file),
    created: model.card.created,
    rows: model.card.training.rows,
    k: model.card.defaults.k,
    tie: model.card.defaults.tie,
    strict: cardStrictAccuracy(model.card),
  };
  const repo = new ModelRepository(resolveModelRepository(options.repository));
  const { version, existing } = await repo.register(name, path, meta);
  return { name, version, sha256: model.sha256, uri: `models:/${name}/${version}`, existing };
}

/**
 * The card's strict accuracy at its default k and tie rule, from its evaluation report (the `ks` entry of
 * that k, or the headline when it is that k); null when the card has no evaluation of that k. A
 * cross-validation report (`--folds`, `--holdout`) holds the pooled held-out rows' report in `pooled`.
 */
export function cardStrictAccuracy(card: ModelCard): number | null {
  const evaluated = card.evaluation?.report;
  if (!evaluated) return null;
  const pooled = evaluated.pooled;
  const report = pooled !== null && typeof pooled === 'object' ? (pooled as Record<string, unknown>) : evaluated;
  const { k, tie } = card.defaults;
  const ks = report.ks;
  if (Array.isArray(ks)) {
    const entry = (ks as { k?: unknown; strict?: Record<string, { accuracy?: unknown }> }[]).find((e) => e.k === k);
    const accuracy = entry?.strict?.[tie]?.accuracy;
    if (typeof accuracy === 'number') return accuracy;
  }
  if (report.k === k && report.tie === tie && typeof report.strict === 'number') return report.strict;
  return null;
}

export function listModels(options: { name?: string; repository?: string } = {}): RepositoryVersion[] {
  const name = options.name === undefined ? undefined : checkModelName(options.name);
  return new ModelRepository(resolveModelRepository(options.repository)).list(name);
}

export function setModelAlias(name: string, alias: string, version: number, repository?: string): { from: number | null } {
  return new ModelRepository(resolveModelRepository(repository)).setAlias(checkModelName(name), checkAlias(alias), version);
}

export function rollbackModelAlias(name: string, alias: string, repository?: string): { from: number; to: number } {
  return new ModelRepository(resolveModelRepository(repository)).rollback(checkModelName(name), checkAlias(alias));
}

export function modelHistory(name: string, repository?: string): HistoryEntry[] {
  const repo = new ModelRepository(resolveModelRepository(repository));
  repo.requireModel(checkModelName(name));
  return repo.history(name);
}

export function deleteModelVersion(name: string, version: number, repository?: string): void {
  new ModelRepository(resolveModelRepository(repository)).deleteVersion(checkModelName(name), version);
}
