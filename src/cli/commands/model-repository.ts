/**
 * `npc model register | alias | rollback | history | list | delete`: the model repository
 * (docs/models.md "The model repository"). `addModelRepositoryCommands` adds them to the `model` group.
 */
import type { Command } from 'commander';
import { toJson } from '../../json-text.js';
import type { LineWriter } from '../line-writer.js';
import { repositoryOption } from '../option-groups.js';

interface Io {
  out: LineWriter;
  warn: (message: string) => void;
}

/** Adds the repository's commands to `model`. */
export function addModelRepositoryCommands(model: Command, io: Io): void {
  model
    .command('register')
    .summary('register an artifact as the next version of a model; prints the version')
    .description(
      'Verifies the artifact as loading does (every check), then copies it into the repository as the next version of NAME (REPO/NAME/VERSION/model.npcm) and prints the version. Versions are immutable: the same bytes registered again give the existing version (said on stderr).',
    )
    .argument('<file>', 'a .npcm artifact (npc model build), or a models:/ URI of the repository (a copy under --name)')
    .option('--name <name>', "the registered model's name (letters, digits, -, _, .); default: the card's name")
    .addOption(repositoryOption())
    .option('--json', 'one JSON line: name, version, sha256, uri, existing', false)
    .addHelpText(
      'after',
      `
Examples:
  $ npc model register news.npcm --name news
  $ npc model register news.npcm --name news --json
  $ npc model register models:/news@production --name news-eu`,
    )
    .action(async (file: string, opts: { name?: string; repository?: string; json: boolean }) => {
      const { registerModel } = await import('../../app/model-registry.js');
      const r = await registerModel(file, { name: opts.name, repository: opts.repository, onWarning: io.warn });
      if (r.existing)
        process.stderr.write(
          `npc: ${file}: the same bytes (sha256 ${r.sha256}) are already ${r.name} version ${r.version}; nothing registered\n`,
        );
      if (opts.json)
        await io.out.writeLine(toJson({ name: r.name, version: r.version, sha256: r.sha256, uri: r.uri, existing: r.existing }));
      else await io.out.writeLine(String(r.version));
    });

  model
    .command('alias')
    .summary('point an alias (production, staging, …) at a version')
    .argument('<name>', 'the model')
    .argument('<alias>', 'the alias (letters, digits, -, _, .; not only digits)')
    .argument('<version>', 'the version it is to point at')
    .addOption(repositoryOption())
    .action(async (name: string, alias: string, versionText: string, opts: { repository?: string }) => {
      const { parseVersion, setModelAlias } = await import('../../app/model-registry.js');
      const version = parseVersion(versionText);
      const { from } = setModelAlias(name, alias, version, opts.repository);
      process.stderr.write(`npc: ${name}@${alias}: ${from === null ? 'new' : `version ${from}`} → version ${version}\n`);
    });

  model
    .command('rollback')
    .summary('move an alias back to the version it pointed at before (again: one more step back)')
    .argument('<name>', 'the model')
    .argument('<alias>', 'the alias')
    .addOption(repositoryOption())
    .action(async (name: string, alias: string, opts: { repository?: string }) => {
      const { rollbackModelAlias } = await import('../../app/model-registry.js');
      const { from, to } = rollbackModelAlias(name, alias, opts.repository);
      process.stderr.write(`npc: ${name}@${alias}: version ${from} → version ${to} (rolled back)\n`);
    });

  model
    .command('history')
    .summary('every registration, deletion and alias move of a model, oldest first')
    .argument('<name>', 'the model')
    .addOption(repositoryOption())
    .option('--json', 'one JSON line per event: time, action, alias, from, to', false)
    .action(async (name: string, opts: { repository?: string; json: boolean }) => {
      const { modelHistory } = await import('../../app/model-registry.js');
      const history = modelHistory(name, opts.repository);
      if (opts.json) {
        for (const e of history) await io.out.writeLine(toJson({ time: e.time, action: e.action, alias: e.alias, from: e.from, to: e.to }));
        return;
      }
      await io.out.writeLine(['time', 'action', 'alias', 'from', 'to'].join('\t'));
      for (const e of history) await io.out.writeLine([e.time, e.action, e.alias ?? '—', e.from ?? '—', e.to ?? '—'].join('\t'));
    });

  model
    .command('list')
    .summary('the versions of one model or of all: aliases, created, rows, strict accuracy at the default k')
    .argument('[name]', 'only this model')
    .addOption(repositoryOption())
    .option('--json', 'one JSON line per version', false)
    .action(async (name: string | undefined, opts: { repository?: string; json: boolean }) => {
      const { listModels } = await import('../../app/model-registry.js');
      const versions = listModels({ name, repository: opts.repository });
      if (opts.json) {
        for (const v of versions)
          await io.out.writeLine(
            toJson({
              name: v.name,
              version: v.version,
              uri: `models:/${v.name}/${v.version}`,
              aliases: v.aliases,
              created: v.created,
              registered: v.registered,
              rows: v.rows,
              k: v.k,
              tie: v.tie,
              strict: v.strict,
              sha256: v.sha256,
              bytes: v.bytes,
            }),
          );
        return;
      }
      await io.out.writeLine(['name', 'version', 'aliases', 'created', 'rows', 'strict'].join('\t'));
      for (const v of versions)
        await io.out.writeLine(
          [
            v.name,
            v.version,
            v.aliases.length ? v.aliases.join(',') : '—',
            v.created,
            v.rows,
            v.strict === null ? '—' : `${v.strict.toFixed(4)} (k=${v.k}, ${v.tie})`,
          ].join('\t'),
        );
    });

  model
    .command('delete')
    .summary('remove a version no alias points at')
    .argument('<name>', 'the model')
    .argument('<version>', 'the version to remove')
    .addOption(repositoryOption())
    .action(async (name: string, versionText: string, opts: { repository?: string }) => {
      const { deleteModelVersion, parseVersion } = await import('../../app/model-registry.js');
      const version = parseVersion(versionText);
      deleteModelVersion(name, version, opts.repository);
      process.stderr.write(`npc: deleted ${name} version ${version}\n`);
    });
}
