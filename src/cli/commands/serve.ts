/**
 * `npc serve`: the model behind HTTP (app/serve/server.ts). Listens first, then loads the model (/readyz
 * says 503 until it is loaded); prints one line on stderr when listening and one when ready. SIGTERM or
 * SIGINT drains: no new requests, every accepted one answered (those still running after --grace get
 * 503), exit 0; a second signal exits at once. A model served by alias (models:/NAME@ALIAS) follows it:
 * checked every --poll seconds and at once on SIGHUP (one line says what SIGHUP did; with --shadow, a
 * second line for the shadow model, which follows its own alias).
 */
import { type AddressInfo, isIP } from 'node:net';
import { ServeMetrics } from '../../app/serve/metrics.js';
import { type CheckReport, buildServer } from '../../app/serve/server.js';
import { DEFAULT_POLL_SECONDS, followsAlias } from '../../app/serve/model-holder.js';
import type { WorkerFactory } from '../../app/training.js';
import { UsageError } from '../../errors.js';
import { StopOnSignal } from '../signals.js';

export interface ServeCommandOptions {
  model: string;
  /** A second model classifying every answered text after its response, for comparison (GET /metrics). */
  shadow?: string;
  repository?: string;
  host: string;
  port: number;
  jobs: number;
  timeout: number;
  grace: number;
  /** Seconds between checks of an alias (undefined: the default); 0: only SIGHUP. */
  poll?: number;
  maxBatch: number;
  maxBody: number;
  queue: number;
  logLevel: string;
  /** The rolling drift check of GET /metrics: the last `driftWindow` texts, at false-alarm rate `alpha`. */
  driftWindow: number;
  alpha: number;
}

export interface ServeIo {
  warn: (message: string) => void;
  note: (message: string) => void;
  createWorker?: WorkerFactory;
}

/** Whether `host` is only reachable from this machine. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export async function serveCommand(options: ServeCommandOptions, io: ServeIo): Promise<void> {
  if (options.poll !== undefined && !followsAlias(options.model) && !(options.shadow !== undefined && followsAlias(options.shadow)))
    throw new UsageError(
      `--poll ${options.poll}: --model ${options.model}${options.shadow === undefined ? '' : ` and --shadow ${options.shadow}`} name${options.shadow === undefined ? 's' : ''} one artifact, which never moves; only a models:/NAME@ALIAS model is polled`,
    );
  if (!isLoopback(options.host))
    io.warn(
      `--host ${options.host}: npc serve has no authentication and no TLS; anyone who can reach this address can use it (put a reverse proxy in front, see docs/serving.md)`,
    );
  const signals = new StopOnSignal();
  const server = buildServer({
    model: options.model,
    shadow: options.shadow,
    repository: options.repository,
    jobs: options.jobs,
    timeout: options.timeout,
    maxBatch: options.maxBatch,
    maxBody: options.maxBody,
    queue: options.queue,
    pollSeconds: options.poll ?? DEFAULT_POLL_SECONDS,
    log: { stream: process.stderr, level: options.logLevel },
    observer: new ServeMetrics({ driftWindow: options.driftWindow, alpha: options.alpha }),
    createWorker: io.createWorker,
    onWarning: io.warn,
  });
  let checking = false;
  const onHangup = (): void => {
    if (checking) return io.note('SIGHUP: a check is already under way');
    checking = true;
    server
      .check()
      .then((report) => {
        hangupNote(report, options.model, io);
        if (report.shadow && options.shadow !== undefined) shadowHangupNote(report.shadow, options.shadow, io);
      })
      .catch((err: unknown) => io.warn(`SIGHUP: ${(err as Error).message}`))
      .finally(() => {
        checking = false;
      });
  };
  process.on('SIGHUP', onHangup);
  try {
    await server.fastify.listen({ host: options.host, port: options.port });
    const address = server.fastify.server.address() as AddressInfo;
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    io.note(`serving ${options.model} on http://${shownHost}:${address.port}`);
    const loading = server.load();
    const loaded = await signals.orStop(loading);
    if (loaded) {
      const d = loaded.model.card.defaults;
      io.note(
        `ready: ${loaded.name}${loaded.version === null ? '' : ` version ${loaded.version}`}, ${loaded.model.index.size} rows, ` +
          `k ${d.k}, tie ${d.tie}, seed ${d.seed}, abstain-above ${d.abstain_above ?? 'none'}, min-confidence ${d.min_confidence ?? 'none'} (model), ` +
          `${options.jobs} search worker${options.jobs === 1 ? '' : 's'}` +
          (loaded.shadow
            ? `; shadow ${loaded.shadow.name}${loaded.shadow.version === null ? '' : ` version ${loaded.shadow.version}`}, ${loaded.shadow.model.index.size} rows, k ${loaded.shadow.model.card.defaults.k} (compared after each response)`
            : ''),
      );
      await signals.aborted;
    }
    io.note(`${signals.signal}: stopping (every accepted request is answered; --grace ${options.grace} s)`);
    const { cut } = await server.drain(options.grace);
    if (cut > 0) io.warn(`${cut} request${cut === 1 ? ' was' : 's were'} still running after --grace ${options.grace} s and got 503`);
    io.note('stopped');
  } catch (err) {
    await server.drain(0).catch(() => {});
    throw err;
  } finally {
    process.off('SIGHUP', onHangup);
    signals.dispose();
  }
}

/** The line saying what a SIGHUP did. */
function hangupNote(report: CheckReport, model: string, io: ServeIo): void {
  const shown = (version: number | null): string => (version === null ? 'no version' : `version ${version}`);
  switch (report.outcome) {
    case 'fixed':
      return io.note(`SIGHUP: --model ${model} names one artifact: nothing can move (serve models:/NAME@ALIAS to follow an alias)`);
    case 'not_loaded':
    case 'closed':
      return io.note('SIGHUP: no model is serving (loading or stopping): nothing checked');
    case 'unchanged':
      return io.note(`SIGHUP: ${model} still names ${shown(report.to)}: unchanged`);
    case 'switched':
      return io.note(`SIGHUP: ${model} moved: switched from ${shown(report.from)} to ${shown(report.to)}`);
    case 'failed': {
      const failure = report.failure;
      const what = failure?.version == null ? model : `version ${failure.version}`;
      return io.warn(`SIGHUP: not switched to ${what}: ${failure?.reason ?? 'it could not be served'}; ${shown(report.to)} keeps serving`);
    }
  }
}

/** The line saying what a SIGHUP did to the shadow model (a version it could not switch to is in the log). */
function shadowHangupNote(report: NonNullable<CheckReport['shadow']>, shadow: string, io: ServeIo): void {
  const shown = (version: number | null): string => (version === null ? 'no version' : `version ${version}`);
  switch (report.outcome) {
    case 'fixed':
      return io.note(`SIGHUP: --shadow ${shadow} names one artifact: nothing can move`);
    case 'closed':
      return;
    case 'unchanged':
      return io.note(`SIGHUP: shadow ${shadow} still names ${shown(report.to)}: unchanged`);
    case 'switched':
      return io.note(`SIGHUP: shadow ${shadow} moved: switched from ${shown(report.from)} to ${shown(report.to)}`);
    case 'failed':
      return io.warn(`SIGHUP: shadow ${shadow}: not switched (see the log); ${shown(report.to)} keeps comparing`);
  }
}
