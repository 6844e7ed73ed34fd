/**
 * The HTTP server of `npc serve` (and of `npc-gzip/server`): a fastify instance over one model. It
 * answers /healthz as soon as it listens and loads the model after (load()), /readyz saying 503 until
 * the model is loaded and its search workers are up. The model is held by a ModelHolder
 * (model-holder.ts): an alias it serves is followed (the poll, check()), each version with its own
 * SearchScheduler (bounded queue and search workers, scheduler.ts); a request leases the version current
 * at its start and is answered entirely by it. With a shadow (docs/serving.md "Shadow"), a second holder's
 * model classifies a request's texts once its response is sent, on its own search thread and bounded queue,
 * and the observer is told how the labels compare. Every error before an answer starts is JSON {"error": {"code",
 * "message"}}, never a stack trace. No argv, no process exit: the CLI (cli/commands/serve.ts) owns those.
 */
import { Readable, Transform, type TransformCallback } from 'node:stream';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { InputError } from '../../errors.js';
import { toJson } from '../../json-text.js';
import type { LabeledRecord } from '../../io/records.js';
import type { Label } from '../../model/labels.js';
import type { WorkerFactory } from '../../parallel/searcher.js';
import { classifyRecords, type ClassifyOptions, type Prediction, stdinRecords } from '../classify.js';
import { addedFields, jsonLine, lineEnd } from '../classify-lines.js';
import type { LoadedModel } from '../model.js';
import { type CheckOutcome, type LoadedVersion, type Lease, ModelHolder, type ServedVersion } from './model-holder.js';
import type { ServeObserver } from './observer.js';
import { driftReference } from './rolling-drift.js';
import { QueueFull, type RequestWork, SearchFault, SearchScheduler } from './scheduler.js';
import { DrainingServer } from './draining-server.js';
import { classifySchema, healthSchema, metricsSchema, modelSchema, openapiSchema, readySchema } from './schemas.js';

export interface ServeOptions {
  /** A .npcm file, or models:/NAME/VERSION, models:/NAME@ALIAS. */
  model: string;
  /**
   * A second model (a file or `models:/` URI, followed like `model`) that classifies every text answered,
   * after its response is sent, on its own search thread and queue; the labels are compared (the observer's
   * shadow figures). A text that does not fit its queue is dropped (counted), never waited for.
   */
  shadow?: string;
  /** The model repository of a `models:/` URI (default: resolveModelRepository()). */
  repository?: string;
  /** Search worker threads (at least 1; a query's rows are spread over all of them). */
  jobs: number;
  /** Per-request deadline in seconds: a request not answered by then gets 504 and its search stops. */
  timeout: number;
  /** Most texts in one {"texts": [...]} request. */
  maxBatch: number;
  /** Most bytes of a JSON body, and of one line of an NDJSON body. */
  maxBody: number;
  /** Most texts waiting for the workers; a request that does not fit gets 503 with Retry-After. */
  queue: number;
  /** How often a `models:/NAME@ALIAS` model is re-resolved, in seconds (default 5; 0: only check()). */
  pollSeconds?: number;
  /** Where the one JSON line per request goes, and from which level (pino's levels); none: no logs. */
  log?: { stream: { write(line: string): unknown }; level: string };
  /** Told of every request, queue change, prediction and worker restart; serves GET /metrics. */
  observer?: ServeObserver;
  /** How search workers are started (default: the built worker.js). */
  createWorker?: WorkerFactory;
  /** Warnings while loading (e.g. a model built by another engine). */
  onWarning?: (message: string) => void;
}

/** What the server answers with once loaded. */
export interface ServedModel {
  model: LoadedModel;
  name: string;
  version: number | null;
  /** The shadow model (`shadow` given), loaded too. */
  shadow?: { model: LoadedModel; name: string; version: number | null };
}

/** What one check() did: the outcome, the version serving before and after, and why a version was refused. */
export interface CheckReport {
  outcome: CheckOutcome | 'not_loaded';
  from: number | null;
  to: number | null;
  /** For 'failed': the version refused (null when the alias did not resolve) and why. */
  failure?: { version: number | null; reason: string };
  /** With a shadow model: what the check of its reference did (its refusals are in the log). */
  shadow?: { outcome: CheckOutcome; from: number | null; to: number | null };
}

export interface NpcServer {
  fastify: FastifyInstance;
  /** Loads the model and starts the workers; /readyz says 200 after. Rejects when the model cannot be used. */
  load(): Promise<ServedModel>;
  /** Re-resolves the alias served now (SIGHUP) and switches when it moved; 'fixed' for a file or models:/NAME/VERSION. */
  check(): Promise<CheckReport>;
  /**
   * Stops: no new connections or requests (503), every accepted request is answered; those still running
   * after `graceSeconds` are answered 503. Resolves when the server and its workers are closed, with the
   * number of requests cut short.
   */
  drain(graceSeconds: number): Promise<{ cut: number }>;
}

/** An error answered as {"error": {"code", "message"}} with this status. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

const NDJSON = 'application/x-ndjson';

/** Most texts waiting for the shadow model at once; --max-batch when larger, so that one full batch fits. */
const SHADOW_QUEUE = 256;

/** The texts one request had answered, with the served label of each (JSON text; null: abstained), for the shadow. */
class ShadowBatch {
  readonly items: { text: string; label: string | null }[] = [];
  /** Texts beyond what the shadow queue can ever hold: dropped at once. */
  overflow = 0;
  constructor(private readonly cap: number) {}
  add(text: string, label: string | null): void {
    if (this.items.length < this.cap) this.items.push({ text, label });
    else this.overflow++;
  }
}

export function buildServer(options: ServeOptions): NpcServer {
  const { observer } = options;
  const fastify = Fastify({
    logger: options.log ? { level: options.log.level, stream: options.log.stream } : false,
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'id' }),
    bodyLimit: options.maxBody,
    // While stopping, the routes answer 503 themselves, as JSON like every other error.
    return503OnClosing: false,
    // Closing closes connections as DrainingServer decides (none that a request is on its way on).
    forceCloseConnections: false,
    serverFactory: (handler, settings) => {
      // fastify's own timeouts (its defaults applied), set as it sets them on the server it builds.
      const timeouts = settings as { keepAliveTimeout: number; requestTimeout: number; connectionTimeout: number };
      const server = new DrainingServer(handler);
      server.keepAliveTimeout = timeouts.keepAliveTimeout;
      server.requestTimeout = timeouts.requestTimeout;
      server.setTimeout(timeouts.connectionTimeout);
      return server;
    },
  });
  let holder: ModelHolder<Runner> | undefined;
  let shadowHolder: ModelHolder<Runner> | undefined;
  const shadowCap = Math.max(SHADOW_QUEUE, options.maxBatch);
  /** Texts handed to the shadow and not compared yet: none is taken beyond shadowCap. */
  let shadowPending = 0;
  const shadowBatches = new WeakMap<FastifyRequest, ShadowBatch>();
  /** The last refusal told by the holder (a check that fails again for the same cause is not told again). */
  let lastFailure: { version: number | null; reason: string } | undefined;
  /** Texts waiting in each version's queue (two while a swap holds both). */
  const depths = new Map<object, number>();
  let stopping = false;
  const active = new Set<RequestWork>();
  const routes: { method: string; url: string; schema: object }[] = [];

  // The handlers check requests themselves (a field named as written, `texts[3]`); the schemas document.
  fastify.setValidatorCompiler(() => () => true);
  fastify.setSerializerCompiler(() => (data) => JSON.stringify(data));
  fastify.addHook('onRoute', (route) => {
    if (route.schema && !route.url.startsWith('*')) routes.push({ method: String(route.method), url: route.url, schema: route.schema });
  });

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(body as string));
    } catch (err) {
      done(new HttpError(400, 'bad_json', `malformed JSON: ${(err as Error).message}`), undefined);
    }
  });
  // An NDJSON body is read as it arrives (never held whole): the handler gets the stream.
  fastify.addContentTypeParser(NDJSON, (_req, payload, done) => done(null, payload));

  const rowsScanned = new WeakMap<FastifyRequest, RequestWork>();
  const leased = new WeakMap<FastifyRequest, ServedVersion<Runner>>();
  fastify.addHook('onRequest', async (request) => {
    const route = routeOf(request);
    observer?.requestStarted(route);
    request.log.debug({ method: request.method, route }, 'request received');
  });
  // While draining, a connection is closed once its answer is sent (keep-alive would hold close() up).
  fastify.addHook('onSend', async (_request, reply) => {
    if (stopping) void reply.header('connection', 'close');
  });
  fastify.addHook('onResponse', async (request, reply) => {
    const route = routeOf(request);
    const seconds = reply.elapsedTime / 1000;
    observer?.requestDone(route, reply.statusCode, seconds);
    // The answer is sent: only now does the shadow classify the request's texts.
    const batch = shadowBatches.get(request);
    if (batch) void runShadow(batch);
    request.log.info(
      {
        method: request.method,
        route,
        status: reply.statusCode,
        latency_ms: Math.round(reply.elapsedTime * 1000) / 1000,
        model: modelField(leased.get(request) ?? holder?.served),
        rows_scanned: rowsScanned.get(request)?.rowsScanned ?? 0,
      },
      'request',
    );
  });

  fastify.setErrorHandler((err: Error & { statusCode?: number; code?: string }, _request, reply) => {
    const answer = httpErrorOf(err);
    for (const [name, value] of Object.entries(answer.headers)) void reply.header(name, value);
    if (answer.status >= 500 && !(err instanceof HttpError)) _request.log.error({ err: { message: err.message } }, 'request failed');
    void reply.code(answer.status).send({ error: { code: answer.code, message: answer.message } });
  });
  fastify.setNotFoundHandler((request, reply) => {
    void reply.code(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}` } });
  });

  fastify.get('/healthz', { schema: healthSchema }, async () => ({ status: 'ok' }));
  fastify.get('/readyz', { schema: readySchema }, async () => {
    if (stopping) throw new HttpError(503, 'stopping', 'the server is stopping');
    if (!holder) throw new HttpError(503, 'not_ready', 'the model is loading');
    if (!holder.served.runner.scheduler.ready) throw new HttpError(503, 'not_ready', 'the search workers are starting');
    return { status: 'ready' };
  });
  fastify.get('/v1/model', { schema: modelSchema }, async () => current().model.card);
  if (observer)
    fastify.get('/metrics', { schema: metricsSchema }, async (_request, reply) => {
      const { contentType, text } = await observer.exposition();
      return reply.type(contentType).send(text);
    });
  fastify.get('/openapi.json', { schema: openapiSchema }, async () => openapi(routes));

  fastify.post('/v1/classify', { schema: classifySchema(options.maxBatch) }, async (request, reply) => {
    // The version current now answers the whole request, whatever switch happens meanwhile.
    const lease = ready();
    const model = lease.served;
    const queue = model.runner.scheduler;
    leased.set(request, model);
    const batch = options.shadow === undefined ? undefined : new ShadowBatch(shadowCap);
    if (batch) shadowBatches.set(request, batch);
    const work = queue.newRequest();
    rowsScanned.set(request, work);
    active.add(work);
    const timer = setTimeout(
      () => work.cancel(new HttpError(504, 'timeout', `not answered within --timeout ${options.timeout} s`)),
      options.timeout * 1000,
    );
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      active.delete(work);
      lease.release();
    };
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) work.cancel(new HttpError(499, 'client_closed', 'the client closed the connection'));
      finish();
    });
    const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type === NDJSON) {
      if (!queue.admits(1)) {
        finish();
        throw queueFull();
      }
      try {
        return await streamNdjson(request.body as Readable, work, model, reply, finish, batch);
      } catch (err) {
        finish();
        throw err;
      }
    }
    try {
      return await classifyJson(request.body, work, model, queue, reply, batch);
    } finally {
      finish();
    }
  });

  /** A lease on the version serving now, for one request; release it once the request is answered. */
  function ready(): Lease<Runner> {
    if (stopping) throw new HttpError(503, 'stopping', 'the server is stopping');
    if (!holder) throw new HttpError(503, 'not_ready', 'the model is loading');
    return holder.acquire();
  }

  function current(): ServedVersion<Runner> {
    if (stopping) throw new HttpError(503, 'stopping', 'the server is stopping');
    if (!holder) throw new HttpError(503, 'not_ready', 'the model is loading');
    return holder.served;
  }

  function settings(model: LoadedModel): Omit<ClassifyOptions, 'neighbors'> {
    const d = model.card.defaults;
    return {
      k: d.k,
      tie: d.tie,
      seed: d.seed,
      abstainAbove: d.abstain_above ?? undefined,
      minConfidence: d.min_confidence ?? undefined,
      strip: model.card.training.read.strip === true,
    };
  }

  function tell(result: Prediction, batch: ShadowBatch | undefined): void {
    if (result.skipped || result.distance === null) return;
    const label = result.prediction === null ? null : toJson(result.prediction);
    observer?.prediction(label, result.distance, result.abstained === true);
    batch?.add(result.record.text, label);
  }

  /**
   * Classifies a request's answered texts with the shadow model and tells the comparisons; called once the
   * response is sent. Texts that do not fit the shadow queue, or whose shadow search fails, are told dropped.
   */
  async function runShadow(batch: ShadowBatch): Promise<void> {
    const { items } = batch;
    if (batch.overflow > 0) observer?.shadowDropped(batch.overflow);
    if (items.length === 0) return;
    if (!shadowHolder || stopping || shadowPending + items.length > shadowCap) {
      observer?.shadowDropped(items.length);
      return;
    }
    shadowPending += items.length;
    let compared = 0;
    let lease: Lease<Runner> | undefined;
    try {
      lease = shadowHolder.acquire();
      const shadow = lease.served;
      const work = shadow.runner.scheduler.newRequest();
      const records: LabeledRecord[] = items.map(({ text }, i) => ({ text, label: undefined, line: i + 1 }));
      for await (const result of classifyRecords(work.searcher(), listRecords(records), { ...settings(shadow.model), neighbors: 0 })) {
        observer?.shadowCompared(items[compared].label, result.prediction === null ? null : toJson(result.prediction));
        compared++;
      }
    } catch (err) {
      if (!stopping)
        fastify.log.warn(
          { cause: (err as Error).message, shadow: modelField(lease?.served) },
          'the shadow model could not classify a request',
        );
    } finally {
      if (compared < items.length) observer?.shadowDropped(items.length - compared);
      shadowPending -= items.length;
      lease?.release();
    }
  }

  async function classifyJson(
    body: unknown,
    work: RequestWork,
    model: ServedVersion<Runner>,
    queue: SearchScheduler,
    reply: FastifyReply,
    batch: ShadowBatch | undefined,
  ): Promise<FastifyReply> {
    const { texts, single, neighbors } = checkBody(body, options.maxBatch, model.model.index.size);
    if (!queue.admits(texts.length)) throw queueFull();
    const records: LabeledRecord[] = texts.map((text, i) => ({ text, label: undefined, line: i + 1 }));
    const answers: string[] = [];
    for await (const result of classifyRecords(work.searcher(), listRecords(records), { ...settings(model.model), neighbors })) {
      tell(result, batch);
      answers.push(predictionJson(result, model.model.labelNames));
    }
    const modelJson = `"model":${JSON.stringify({ name: model.name, version: model.version })}`;
    const text = single ? `${answers[0].slice(0, -1)},${modelJson}}` : `{"predictions":[${answers.join(',')}],${modelJson}}`;
    return reply.type('application/json; charset=utf-8').send(text);
  }

  async function streamNdjson(
    body: Readable,
    work: RequestWork,
    model: ServedVersion<Runner>,
    reply: FastifyReply,
    finish: () => void,
    batch: ShadowBatch | undefined,
  ): Promise<FastifyReply> {
    const limited = body.pipe(new LineLimit(options.maxBody));
    body.on('error', (err) => limited.destroy(err));
    // A cancelled request (deadline, stop, client gone) stops reading its body too.
    work.onCancel((reason) => limited.destroy(reason));
    const records = stdinRecords(limited, { format: 'jsonl', textField: 'text', labelField: 'label' });
    const added = addedFields('prediction');
    const results = classifyRecords(work.searcher(), records, { ...settings(model.model), neighbors: 0 });
    async function* lines(): AsyncGenerator<string> {
      for await (const result of results) {
        tell(result, batch);
        yield jsonLine(result, 'text', added, model.model.labelNames, 'line') + lineEnd(result.record);
      }
    }
    const source = lines();
    // The first line decides the status: an error before any answer is a JSON error like any other.
    let first: IteratorResult<string>;
    try {
      first = await source.next();
    } catch (err) {
      finish();
      body.resume();
      throw ndjsonError(work.cancelled ?? limited.failure ?? err);
    }
    async function* rest(): AsyncGenerator<string> {
      try {
        if (first.done) return;
        yield first.value;
        for (;;) {
          let next: IteratorResult<string>;
          try {
            next = await source.next();
          } catch (err) {
            const answer = ndjsonError(work.cancelled ?? limited.failure ?? err);
            yield JSON.stringify({ error: { code: answer.code, message: answer.message } }) + '\n';
            return;
          }
          if (next.done) return;
          yield next.value;
        }
      } finally {
        finish();
        body.resume();
      }
    }
    return reply.type(NDJSON).send(Readable.from(rest()));
  }

  /** Starts a version's own queue and search workers: what answers the requests leasing it. */
  async function openRunner(version: LoadedVersion): Promise<Runner> {
    const key = {};
    const scheduler = await SearchScheduler.start(version.model.index, {
      jobs: options.jobs,
      queue: options.queue,
      createWorker: options.createWorker,
      onDepth: (texts) => {
        depths.set(key, texts);
        tellDepth();
      },
      onRestart: (cause) => {
        fastify.log.warn({ cause: cause.message, model: modelField(version) }, 'a search worker died; the workers were started again');
        observer?.workerRestarted();
      },
    });
    return {
      scheduler,
      close: async () => {
        await scheduler.close(new HttpError(503, 'stopping', 'the server is stopping'));
        depths.delete(key);
        tellDepth();
      },
    };
  }

  /** The shadow's runner: one search thread and its own queue, apart from the served model's. */
  async function openShadowRunner(version: LoadedVersion): Promise<Runner> {
    const scheduler = await SearchScheduler.start(version.model.index, {
      jobs: 1,
      queue: shadowCap,
      createWorker: options.createWorker,
      onRestart: (cause) => {
        fastify.log.warn(
          { cause: cause.message, shadow: modelField(version) },
          "the shadow model's search worker died; it was started again",
        );
        observer?.workerRestarted();
      },
    });
    return { scheduler, close: () => scheduler.close(new HttpError(503, 'stopping', 'the server is stopping')) };
  }

  /** Loads the shadow model (--shadow); rejects when it cannot be used. */
  async function loadShadow(ref: string): Promise<void> {
    let opened: ModelHolder<Runner>;
    try {
      opened = await openShadow(ref);
    } catch (err) {
      // The server does not start with a shadow it cannot compare with: the error says it is the shadow.
      if (err instanceof InputError) throw new InputError(`${err.message} (--shadow)`, err.where);
      throw err;
    }
    if (stopping) {
      await opened.close({ now: true });
      throw new Error('the server stopped while the shadow model was loading');
    }
    shadowHolder = opened;
    tellShadow(opened.served);
  }

  function openShadow(ref: string): Promise<ModelHolder<Runner>> {
    return ModelHolder.open(ref, {
      repository: options.repository,
      pollSeconds: options.pollSeconds,
      open: openShadowRunner,
      onWarning: options.onWarning,
      onSwitch: ({ from, to }) => {
        fastify.log.info({ shadow: ref, from: modelField(from), to: modelField(to) }, `shadow: switched from ${from.uri} to ${to.uri}`);
        tellShadow(to);
      },
      onSwitchFailed: (failure) => {
        const what = failure.version === null ? ref : `version ${failure.version}`;
        fastify.log.warn(
          { shadow: ref, version: failure.version, cause: failure.reason },
          `shadow: not switched to ${what}: ${failure.reason}; version ${shadowHolder?.served.version ?? '?'} keeps comparing`,
        );
      },
    });
  }

  function tellShadow(version: LoadedVersion): void {
    observer?.shadowServed({ name: version.name, version: version.version, sha256: version.model.sha256 });
  }

  function tellDepth(): void {
    let texts = 0;
    for (const n of depths.values()) texts += n;
    observer?.queueDepth(texts);
  }

  function tellServed(version: LoadedVersion): void {
    const { model } = version;
    const { reference } = model.card;
    observer?.modelServed({
      name: version.name,
      version: version.version,
      sha256: model.sha256,
      reference: driftReference(reference),
    });
  }

  async function load(): Promise<ServedModel> {
    const opened = await ModelHolder.open(options.model, {
      repository: options.repository,
      pollSeconds: options.pollSeconds,
      open: openRunner,
      onWarning: options.onWarning,
      onSwitch: ({ from, to }) => {
        lastFailure = undefined;
        fastify.log.info({ model: options.model, from: modelField(from), to: modelField(to) }, `switched from ${from.uri} to ${to.uri}`);
        tellServed(to);
      },
      onSwitchFailed: (failure) => {
        lastFailure = failure;
        const what = failure.version === null ? options.model : `version ${failure.version}`;
        fastify.log.warn(
          { model: options.model, version: failure.version, cause: failure.reason },
          `not switched to ${what}: ${failure.reason}; version ${holder?.served.version ?? '?'} keeps serving`,
        );
        observer?.modelSwitchFailed({ name: holder?.served.name ?? options.model, version: failure.version, reason: failure.reason });
      },
    });
    if (stopping) {
      await opened.close({ now: true });
      throw new Error('the server stopped while the model was loading');
    }
    holder = opened;
    tellServed(opened.served);
    // The server is ready from now on; the shadow loads after and a shadow that cannot be loaded stops the start.
    if (options.shadow !== undefined) await loadShadow(options.shadow);
    const { model, name, version } = opened.served;
    const shadow = shadowHolder && {
      model: shadowHolder.served.model,
      name: shadowHolder.served.name,
      version: shadowHolder.served.version,
    };
    return { model, name, version, ...(shadow ? { shadow } : {}) };
  }

  async function check(): Promise<CheckReport> {
    if (!holder || stopping) return { outcome: 'not_loaded', from: null, to: null };
    const from = holder.served.version;
    // The shadow follows its own alias, checked alongside.
    const shadow = shadowHolder;
    const shadowFrom = shadow?.served.version ?? null;
    const shadowCheck = shadow?.check();
    const outcome = await holder.check();
    const report: CheckReport = { outcome, from, to: holder.served.version };
    if (shadow && shadowCheck) report.shadow = { outcome: await shadowCheck, from: shadowFrom, to: shadow.served.version };
    // A refusal is told once per cause: a check failing again for it reports the one told.
    if (outcome === 'failed') report.failure = lastFailure;
    else lastFailure = undefined;
    return report;
  }

  async function drain(graceSeconds: number): Promise<{ cut: number }> {
    stopping = true;
    let cut = 0;
    const timer = setTimeout(() => {
      for (const work of active) {
        if (work.cancelled) continue;
        cut++;
        work.cancel(new HttpError(503, 'stopping', `the server stopped: not answered within --grace ${graceSeconds} s`));
      }
      // Connections still open a moment later (a body that never finishes arriving) are closed.
      setTimeout(() => fastify.server.closeAllConnections(), 1000).unref();
    }, graceSeconds * 1000);
    try {
      await fastify.close();
    } finally {
      clearTimeout(timer);
      // Every request is answered (those cut short by --grace too): every version's workers end now,
      // also those of a lease a request cut short has not released yet.
      await holder?.close({ now: true });
      await shadowHolder?.close({ now: true });
    }
    return { cut };
  }

  return { fastify, load, check, drain };
}

/** What answers one version's requests: its own queue and search workers. */
interface Runner {
  scheduler: SearchScheduler;
  close(): Promise<void>;
}

/** A version as the answers and the log lines name it. */
function modelField(version: { name: string; version: number | null } | undefined): { name: string; version: number | null } | null {
  return version ? { name: version.name, version: version.version } : null;
}

function routeOf(request: FastifyRequest): string {
  return request.routeOptions.url ?? 'unknown';
}

function queueFull(): HttpError {
  return new HttpError(503, 'queue_full', 'the queue is full (--queue): try again later', { 'retry-after': '1' });
}

/** A rejected search, a parser's or fastify's error, as the status, code and message answered. */
function httpErrorOf(err: Error & { statusCode?: number; code?: string }): HttpError {
  if (err instanceof HttpError) return err;
  if (err instanceof QueueFull) return queueFull();
  if (err instanceof SearchFault)
    return new HttpError(500, 'worker_failed', `${err.message}; the search workers were started again: retry`);
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new HttpError(413, 'too_large', 'the body is larger than --max-body');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new HttpError(415, 'unsupported_media_type', 'send application/json or application/x-ndjson');
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new HttpError(400, 'bad_json', 'malformed JSON: the body is empty');
  }
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new HttpError(status, 'bad_request', err.message);
  return new HttpError(500, 'internal', 'internal error (see the server log)');
}

/** An error inside an NDJSON body: a bad line as `npc classify` reports it (`line 3: …`), else as any request's. */
function ndjsonError(err: unknown): HttpError {
  if (err instanceof InputError) {
    const where = (err.where ?? '').replace(/^<stdin>:/, 'line ').replace(/^<stdin>$/, 'body');
    return new HttpError(400, 'bad_line', `${where}: ${err.message}`);
  }
  if (err instanceof LineTooLong) return new HttpError(413, 'too_large', err.message);
  return httpErrorOf(err as Error);
}

/** Checks a JSON body: {"text"} or {"texts": [...]} (at most maxBatch), optional "neighbors" (at most the rows). */
function checkBody(body: unknown, maxBatch: number, rows: number): { texts: string[]; single: boolean; neighbors: number } {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError(400, 'bad_request', 'the body must be a JSON object with "text" or "texts"');
  const { text, texts, neighbors } = body as Record<string, unknown>;
  let n = 0;
  if (neighbors !== undefined) {
    if (typeof neighbors !== 'number' || !Number.isInteger(neighbors) || neighbors < 0)
      throw new HttpError(400, 'bad_request', 'neighbors: must be an integer ≥ 0');
    if (neighbors > rows) throw new HttpError(400, 'bad_request', `neighbors: ${neighbors} is more than the model's ${rows} rows`);
    n = neighbors;
  }
  if (text !== undefined && texts !== undefined) throw new HttpError(400, 'bad_request', 'give "text" or "texts", not both');
  if (texts !== undefined) {
    if (!Array.isArray(texts)) throw new HttpError(400, 'bad_request', 'texts: must be an array of strings');
    if (texts.length === 0) throw new HttpError(400, 'bad_request', 'texts: must hold at least one text');
    if (texts.length > maxBatch) throw new HttpError(413, 'too_large', `texts: ${texts.length} texts, more than --max-batch ${maxBatch}`);
    texts.forEach((t, i) => checkText(t, `texts[${i}]`));
    return { texts: texts as string[], single: false, neighbors: n };
  }
  if (text === undefined) throw new HttpError(400, 'bad_request', 'text: missing (give "text" or "texts")');
  checkText(text, 'text');
  return { texts: [text as string], single: true, neighbors: n };
}

function checkText(value: unknown, field: string): void {
  if (typeof value !== 'string')
    throw new HttpError(400, 'bad_request', `${field}: must be a string, not ${value === null ? 'null' : typeof value}`);
  if (value === '') throw new HttpError(400, 'bad_request', `${field}: is empty`);
}

async function* listRecords(records: readonly LabeledRecord[]): AsyncGenerator<LabeledRecord> {
  yield* records;
}

/** One prediction as the JSON routes answer it (labels written as JSON text: big integers keep every digit). */
function predictionJson(result: Prediction, names: ReadonlyMap<Label, string> | undefined): string {
  const members: [string, string][] = [['prediction', toJson(result.prediction)]];
  if (result.prediction !== null) {
    const name = names?.get(result.prediction);
    if (name !== undefined) members.push(['prediction_name', JSON.stringify(name)]);
  }
  members.push(
    ['confidence', toJson(result.confidence)],
    ['distance', toJson(result.distance)],
    ['abstained', result.abstained === true ? 'true' : 'false'],
  );
  if (result.skipped) members.push(['error', JSON.stringify(result.skipped)]);
  if (result.neighbors) members.push(['neighbors', toJson(result.neighbors)]);
  return `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;
}

class LineTooLong extends Error {}

/** Passes an NDJSON body through, failing at a line longer than `max` bytes (nothing holds it whole). */
class LineLimit extends Transform {
  /** Set when a line was too long (the reader reports it wrapped in its own error). */
  failure: LineTooLong | undefined;
  private run = 0;
  private line = 1;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      const end = nl < 0 ? chunk.length : nl;
      this.run += end - start;
      if (this.run > this.max) {
        this.failure = new LineTooLong(`line ${this.line}: longer than --max-body ${this.max} bytes`);
        return done(this.failure);
      }
      if (nl < 0) break;
      this.run = 0;
      this.line++;
      start = nl + 1;
    }
    done(null, chunk);
  }
}

/** The OpenAPI 3 document of the routes, from their schemas. */
function openapi(routes: readonly { method: string; url: string; schema: object }[]): object {
  const paths: Record<string, Record<string, object>> = {};
  for (const { method, url, schema } of routes) {
    const s = schema as { summary?: string; description?: string; body?: object; response?: Record<string, object> };
    for (const verb of method.split(',')) {
      if (verb === 'HEAD') continue;
      const responses = Object.fromEntries(
        Object.entries(s.response ?? {}).map(([status, body]) => {
          const { description, ...rest } = body as { description?: string };
          const type = url === '/metrics' ? 'text/plain' : 'application/json';
          return [status, { description: description ?? (status === '200' ? 'OK' : 'error'), content: { [type]: { schema: rest } } }];
        }),
      );
      paths[url] ??= {};
      paths[url][verb.toLowerCase()] = {
        summary: s.summary,
        ...(s.description ? { description: s.description } : {}),
        ...(s.body
          ? {
              requestBody: {
                required: true,
                content: { 'application/json': { schema: s.body }, [NDJSON]: { schema: { type: 'string' } } },
              },
            }
          : {}),
        responses,
      };
    }
  }
  return { openapi: '3.1.0', info: { title: 'npc serve', version: '1' }, paths };
}
