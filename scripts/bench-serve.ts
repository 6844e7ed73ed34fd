/**
 * npm run bench:serve — `npc serve` under load, as ratios against `npc eval` on the same model measured in the
 * same run (the machine is shared and noisy: compare ratios, not absolute figures).
 *
 *   npm run bench:serve -- [--rows N] [--requests R] [--jobs J] [--time-limit S] [--quick] [--out FILE]
 *
 * The model: the stand-in of scripts/bench.ts section 5 (the AG News train head repeated, each copy's text
 * with " [n]" appended, n = copy number; 120,000 rows by default, --rows N keeps the first N), built once by
 * `npc model build --reference-rows 1` into a temp folder (deleted afterwards). The requests: the first R AG
 * News test texts (headline and description), as `{"text": …}` bodies, in turn.
 * 1. The baseline: `npc eval --model M --test <the R texts> --jobs J --json`: its search time per query
 *    (elapsed_s / queries) and its pairs/s.
 * 2. `npc serve --model models:/standin@production --poll 0 --jobs J --port 0` on 127.0.0.1 (M registered as
 *    version 1 of a temporary repository; version 2 is the same rows built again), loaded by autocannon at concurrency 1, 8 and 32
 *    (each phase at most R requests and S seconds): p50/p90/p99 latency, requests/s and pairs/s (200s ×
 *    rows / duration); c=1 p50 and p99 against eval's time per query, c=8 pairs/s against eval's; the
 *    server's RSS (VmHWM and the highest VmRSS sampled from /proc/<pid>/status).
 * 2b. A swap under load (the server of 2, 4 clients): after a few answers the alias moves to version 2 and
 *    the server gets SIGHUP: no failed request, both versions named in the answers, the last by version 2,
 *    and the peak RSS while both versions are held.
 * 3. Overload: a server with --queue 16 under 64 connections (4× what it admits): every response a 200 or
 *    a 503, no connection error; its peak RSS against the peak of the server of 2 at capacity.
 * 4. SIGTERM under load (a server of its own logging each request received, 8 clients, a new connection per
 *    request): every request the server received is answered (its log's count = the 200s + 503s), and
 *    how many failed (a connection the kernel queued when the listening socket closed is reset, unread).
 * 5. A worker killed under load: test/helpers/npc-with-faulty-worker.mjs with NPC_FAULT=exit-once (the
 *    first search worker exits at its first request, the later ones are real): the server logs the
 *    restart and every request answered after the last 500 is a 200.
 * Prints a Markdown table and writes the figures as JSON (default bench-results/bench-serve-<date>.json).
 * Traffic goes to 127.0.0.1 only; every loop is bounded in requests and in time.
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { agNewsDir, agNewsRows } from './ag-news-texts.js';

const { values } = parseArgs({
  options: {
    rows: { type: 'string' },
    requests: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    'time-limit': { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
  },
});
const QUICK = values.quick;
const ROWS = Number(values.rows ?? (QUICK ? 12_000 : 120_000));
const REQUESTS = Number(values.requests ?? (QUICK ? 60 : 200));
const JOBS = Number(values.jobs);
const TIME_LIMIT_S = Number(values['time-limit'] ?? (QUICK ? 60 : 180));
for (const [name, v] of [
  ['--rows', ROWS],
  ['--requests', REQUESTS],
  ['--jobs', JOBS],
  ['--time-limit', TIME_LIMIT_S],
] as const)
  if (!Number.isInteger(v) || v < 1) {
    console.error(`bench:serve: ${name} must be a positive integer`);
    process.exit(2);
  }
const OVERLOAD_QUEUE = 16;
const OVERLOAD_CONNECTIONS = 4 * OVERLOAD_QUEUE;
/** Longest wait for one server event (listening, ready, exit): a run that needs more has hung. */
const HANG_GUARD_MS = 120_000;

const root = fileURLToPath(new URL('..', import.meta.url));
const npcBin = join(root, 'bin', 'npc.js');
const faultyEntry = join(root, 'test', 'helpers', 'npc-with-faulty-worker.mjs');
const dataDir = agNewsDir('bench:serve');

interface Row {
  label: number;
  text: string;
}
const rowsOf = (file: string): Row[] => agNewsRows(dataDir, file);
const jsonl = (rows: Row[]): string => rows.map((r) => JSON.stringify({ label: r.label, text: r.text }) + '\n').join('');

/** VmHWM and VmRSS of a process, in MB (undefined once it has exited). */
function memoryOf(pid: number): { hwmMB: number; rssMB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmMB: kb('VmHWM') / 1024, rssMB: kb('VmRSS') / 1024 };
  } catch {
    return undefined;
  }
}

interface Server {
  url: string;
  pid: number;
  child: ChildProcessWithoutNullStreams;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first stderr line matching `pattern`; rejects at exit or after the hang guard. */
  line(pattern: RegExp): Promise<string>;
  /** How many stderr lines (the info request lines aside) match `pattern`. */
  count(pattern: RegExp): number;
  /** The highest VmRSS sampled (every 50 ms) since the last call, and VmHWM now. */
  memory(): { peakRssMB: number; hwmMB: number };
  kill(): Promise<void>;
}

/** Starts `npc serve --host 127.0.0.1 --port 0 ...args` (through `entry`) and waits for `npc: ready`. */
async function startServer(args: string[], entry = npcBin, env: NodeJS.ProcessEnv = {}): Promise<Server> {
  const child = spawn(process.execPath, [entry, 'serve', '--host', '127.0.0.1', '--port', '0', ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  child.stdin.end();
  child.stdout.resume();
  // The request log lines (info) are read and dropped; the others are kept for the waits below.
  let kept = '';
  let partial = '';
  let exited = false;
  const waiters = new Set<() => void>();
  child.stderr.on('data', (d: Buffer) => {
    const lines = (partial + d.toString('utf8')).split('\n');
    partial = lines.pop()!;
    for (const l of lines) if (!l.includes('"level":30')) kept += l + '\n';
    for (const w of [...waiters]) w();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => {
      exited = true;
      for (const w of [...waiters]) w();
      done({ code, signal });
    }),
  );
  const line = (pattern: RegExp): Promise<string> =>
    new Promise((ok, fail) => {
      const guard = setTimeout(() => finish(() => fail(new Error(`bench:serve: no line matching ${pattern}:\n${kept}`))), HANG_GUARD_MS);
      const finish = (then: () => void): void => {
        clearTimeout(guard);
        waiters.delete(check);
        then();
      };
      const check = (): void => {
        const found = kept.split('\n').find((l) => pattern.test(l));
        if (found !== undefined) finish(() => ok(found));
        else if (exited) finish(() => fail(new Error(`bench:serve: npc serve exited before a line matching ${pattern}:\n${kept}`)));
      };
      waiters.add(check);
      check();
    });
  const serving = await line(/^npc: serving .* on http:\/\//);
  await line(/^npc: ready: /);
  let peak = 0;
  const sampler = setInterval(() => {
    const m = memoryOf(child.pid!);
    if (m) peak = Math.max(peak, m.rssMB);
  }, 50);
  void exit.then(() => clearInterval(sampler));
  return {
    url: /(http:\/\/\S+)$/.exec(serving)![1],
    pid: child.pid!,
    child,
    exit,
    line,
    count: (pattern) => kept.split('\n').filter((l) => pattern.test(l)).length,
    memory: () => {
      const m = memoryOf(child.pid!);
      const result = { peakRssMB: Math.max(peak, m?.rssMB ?? 0), hwmMB: m?.hwmMB ?? NaN };
      peak = 0;
      return result;
    },
    kill: async () => {
      if (!exited) child.kill('SIGKILL');
      await exit;
    },
  };
}

interface LoadFigures {
  connections: number;
  sent: number;
  durationS: number;
  statuses: Record<string, number>;
  errors: number;
  timeouts: number;
  p50: number;
  p90: number;
  p99: number;
  requestsPerS: number;
  pairsPerS: number;
  peakRssMB: number;
  hwmMB: number;
}

/** autocannon at `connections`, at most `amount` requests and TIME_LIMIT_S seconds, cycling the bodies. */
function load(server: Server, connections: number, amount: number, bodies: string[]): Promise<LoadFigures> {
  let next = 0;
  return new Promise((ok, fail) => {
    const instance = autocannon(
      {
        url: `${server.url}/v1/classify`,
        connections,
        amount,
        timeout: TIME_LIMIT_S,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
      },
      (error, result) => {
        clearTimeout(limit);
        if (error) return fail(error instanceof Error ? error : new Error(String(error)));
        const statuses: Record<string, number> = {};
        for (const [code, s] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = s.count ?? 0;
        const ok200 = statuses['200'] ?? 0;
        const sent = Object.values(statuses).reduce((a, b) => a + b, 0);
        ok({
          connections,
          sent,
          durationS: result.duration,
          statuses,
          errors: result.errors,
          timeouts: result.timeouts,
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          requestsPerS: ok200 / result.duration,
          pairsPerS: (ok200 * ROWS) / result.duration,
          ...server.memory(),
        });
      },
    );
    const limit = setTimeout(() => instance.stop(), TIME_LIMIT_S * 1000);
  });
}

interface LoopFigures {
  /** Requests whose connection was made (sent). */
  sent: number;
  /** Connections refused (the server no longer listening): these requests were never accepted. */
  refused: number;
  statuses: Record<string, number>;
  /** Statuses in the order the responses arrived. */
  order: number[];
  /** Requests sent and not answered (reset, closed, timed out): their error codes. */
  failed: string[];
  /** The model version each 200 answer names ("model": {"version"}), in the order they arrived. */
  versions: (number | null)[];
}

/**
 * POSTs `body` on a connection of its own (no keep-alive: a connection the server closes while idle is not
 * mistaken for a request it dropped); resolves with the status and the body once the whole response is read.
 */
function post(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((ok, fail) => {
    const request = httpRequest(
      url,
      {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        timeout: TIME_LIMIT_S * 1000,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => ok({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', fail);
      },
    );
    request.on('timeout', () => request.destroy(Object.assign(new Error('timed out'), { code: 'TIMEOUT' })));
    request.on('error', fail);
    request.end(body);
  });
}

/**
 * `connections` HTTP clients in turn, each sending its next request when the last is answered; at most
 * `amount` requests and TIME_LIMIT_S seconds; a client stops at a refused connection. `onResponse` is told of
 * every answer.
 */
async function loop(
  url: string,
  connections: number,
  amount: number,
  bodies: string[],
  onResponse?: (answered: number) => void,
): Promise<LoopFigures> {
  const figures: LoopFigures = { sent: 0, refused: 0, statuses: {}, order: [], failed: [], versions: [] };
  const deadline = Date.now() + TIME_LIMIT_S * 1000;
  let issued = 0;
  const client = async (): Promise<void> => {
    while (issued < amount && Date.now() < deadline) {
      const body = bodies[issued++ % bodies.length];
      try {
        const { status, body: answer } = await post(`${url}/v1/classify`, body);
        figures.sent++;
        if (status === 200) figures.versions.push((JSON.parse(answer) as { model: { version: number | null } }).model.version);
        figures.statuses[status] = (figures.statuses[status] ?? 0) + 1;
        figures.order.push(status);
        onResponse?.(figures.order.length);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
        if (code === 'ECONNREFUSED') {
          figures.refused++;
          return;
        }
        figures.sent++;
        figures.failed.push(code);
      }
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return figures;
}

function npc(args: string[]): string {
  const res = spawnSync(process.execPath, [npcBin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'pipe'] });
  if (res.status !== 0) throw new Error(`bench:serve: npc ${args.join(' ')} failed (${res.status}): ${res.stderr}`);
  return res.stdout;
}

const loadBefore = loadavg();
const startedAt = new Date();
const train = rowsOf('train.first2000.jsonl.gz');
const headlines = rowsOf('test.jsonl.gz').slice(0, REQUESTS);
const bodies = headlines.map((r) => JSON.stringify({ text: r.text }));
const dir = mkdtempSync(join(tmpdir(), 'npc-bench-serve-'));
const servers: Server[] = [];
const progress = (msg: string): boolean => process.stderr.write(`bench:serve: ${msg}\n`);
try {
  const standIn: Row[] = [];
  for (let n = 1; standIn.length < ROWS; n++)
    for (const r of train) if (standIn.length < ROWS) standIn.push({ label: r.label, text: `${r.text} [${n}]` });
  writeFileSync(join(dir, 'standin.jsonl'), jsonl(standIn));
  writeFileSync(join(dir, 'requests.jsonl'), jsonl(headlines));
  const model = join(dir, 'standin.npcm');
  progress(`building the ${ROWS.toLocaleString('en-US')}-row stand-in model`);
  npc(['model', 'build', '--train', join(dir, 'standin.jsonl'), '-o', model, '--reference-rows', '1', '-q']);

  // The served model comes from a repository by alias, so that the swap phase can move it: version 2 holds
  // the same rows, built again (another card, so other bytes).
  const repo = join(dir, 'repository');
  const model2 = join(dir, 'standin-v2.npcm');
  npc(['model', 'build', '--train', join(dir, 'standin.jsonl'), '-o', model2, '--reference-rows', '1', '--description', 'version 2', '-q']);
  for (const file of [model, model2]) npc(['model', 'register', file, '--name', 'standin', '--repository', repo]);
  npc(['model', 'alias', 'standin', 'production', '1', '--repository', repo]);

  progress(`npc eval --jobs ${JOBS} of ${REQUESTS} texts`);
  const evalJson = JSON.parse(
    npc(['eval', '--model', model, '--test', join(dir, 'requests.jsonl'), '--jobs', String(JOBS), '--json', '-q']),
  ) as {
    elapsed_s: number;
    pairs: number;
    pairs_per_second: number;
  };
  const evalQueries = evalJson.pairs / ROWS;
  const evalMsPerQuery = (evalJson.elapsed_s / evalQueries) * 1000;

  progress('npc serve: concurrency 1, 8, 32');
  const servedArgs = ['--model', 'models:/standin@production', '--repository', repo, '--poll', '0', '--jobs', String(JOBS)];
  const server = await startServer(servedArgs);
  servers.push(server);
  const atReady = server.memory();
  // Warm-up (not measured): the workers' JIT, and the engine prepares its rows from its third query on.
  await loop(server.url, 1, Math.min(10, REQUESTS), bodies);
  server.memory();
  const c1 = await load(server, 1, REQUESTS, bodies);
  progress(`c=1: p50 ${c1.p50} ms, p99 ${c1.p99} ms`);
  const c8 = await load(server, 8, REQUESTS, bodies);
  progress(`c=8: ${Math.round(c8.pairsPerS)} pairs/s`);
  const c32 = await load(server, 32, REQUESTS, bodies);
  progress(`c=32: ${Math.round(c32.pairsPerS)} pairs/s`);
  const capacityHwmMB = server.memory().hwmMB;

  progress('a swap under load: the alias moved to version 2, then SIGHUP');
  let moved = false;
  const switched = server.line(/^npc: SIGHUP: .* switched from /).then(
    () => true,
    () => false,
  );
  const swap = await loop(server.url, 4, REQUESTS, bodies, (answered) => {
    if (!moved && answered >= Math.min(16, Math.floor(REQUESTS / 4))) {
      moved = true;
      npc(['model', 'alias', 'standin', 'production', '2', '--repository', repo]);
      server.child.kill('SIGHUP');
    }
  });
  const swapLogged = moved && (await switched);
  const swapPeak = server.memory();
  const firstV2 = swap.versions.indexOf(2);
  const swapFigures = {
    sent: swap.sent,
    statuses: swap.statuses,
    failed: swap.failed,
    version_1: swap.versions.filter((v) => v === 1).length,
    version_2: swap.versions.filter((v) => v === 2).length,
    switch_logged: swapLogged,
    // Requests that started before the switch may end after the first version-2 answer: counted, not an error.
    version_1_after_first_version_2: firstV2 < 0 ? 0 : swap.versions.slice(firstV2).filter((v) => v === 1).length,
    last_answer_version: swap.versions.at(-1) ?? null,
    peak_rss_mb: swapPeak.peakRssMB,
    hwm_mb: swapPeak.hwmMB,
  };

  progress('SIGTERM under load');
  await server.kill();
  // A server of its own, logging each request as it is received (debug): the requests it read are
  // counted against the answers the clients got.
  const draining = await startServer([...servedArgs, '--log-level', 'debug']);
  servers.push(draining);
  let signalled = false;
  const sigterm = await loop(draining.url, 8, REQUESTS, bodies, (answered) => {
    if (!signalled && answered >= Math.min(16, Math.floor(REQUESTS / 2))) {
      signalled = true;
      draining.child.kill('SIGTERM');
    }
  });
  if (!signalled) draining.child.kill('SIGTERM');
  const sigtermExit = await Promise.race([
    draining.exit,
    new Promise<undefined>((done) => setTimeout(() => done(undefined), HANG_GUARD_MS)),
  ]);
  const sigtermAnswered = Object.values(sigterm.statuses).reduce((a, b) => a + b, 0);
  const sigtermReceived = draining.count(
    /"msg":"request received".*"route":"\/v1\/classify"|"route":"\/v1\/classify".*"msg":"request received"/,
  );

  progress(`overload: --queue ${OVERLOAD_QUEUE}, ${OVERLOAD_CONNECTIONS} connections`);
  const small = await startServer(['--model', model, '--jobs', String(JOBS), '--queue', String(OVERLOAD_QUEUE)]);
  servers.push(small);
  const overload = await load(small, OVERLOAD_CONNECTIONS, 4 * REQUESTS, bodies);
  await small.kill();

  progress('a worker killed under load');
  const faulty = await startServer(['--model', model, '--jobs', String(JOBS)], faultyEntry, { NPC_FAULT: 'exit-once' });
  servers.push(faulty);
  const died = faulty.line(/a search worker died; the workers were started again/).then(
    () => true,
    () => false,
  );
  const killed = await loop(faulty.url, 8, REQUESTS, bodies);
  const restartLogged = await died;
  const last500 = killed.order.lastIndexOf(500);
  const after = killed.order.slice(last500 + 1);
  await faulty.kill();

  const loadAfter = loadavg();
  const figures = {
    date: startedAt.toISOString(),
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    load_average_before: loadBefore,
    load_average_after: loadAfter,
    rows: ROWS,
    requests: REQUESTS,
    jobs: JOBS,
    time_limit_s: TIME_LIMIT_S,
    eval: {
      queries: evalQueries,
      elapsed_s: evalJson.elapsed_s,
      ms_per_query: evalMsPerQuery,
      pairs_per_second: evalJson.pairs_per_second,
    },
    rss_at_ready_mb: atReady.hwmMB,
    c1,
    c8,
    c32,
    ratios: {
      c1_p50_to_eval: c1.p50 / evalMsPerQuery,
      c1_p99_to_eval: c1.p99 / evalMsPerQuery,
      c8_pairs_to_eval: c8.pairsPerS / evalJson.pairs_per_second,
    },
    capacity_hwm_mb: capacityHwmMB,
    overload: { ...overload, queue: OVERLOAD_QUEUE, hwm_to_capacity: overload.hwmMB / capacityHwmMB },
    swap: swapFigures,
    sigterm: {
      ...sigterm,
      order: undefined,
      versions: undefined,
      answered: sigtermAnswered,
      received_by_server: sigtermReceived,
      exit: sigtermExit ?? 'hung',
    },
    worker_killed: {
      sent: killed.sent,
      statuses: killed.statuses,
      failed: killed.failed,
      restart_logged: restartLogged,
      answered_after_last_500: after.length,
      all_200_after_last_500: after.every((s) => s === 200),
    },
  };

  const f = (x: number, d = 0): string => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
  const st = (s: Record<string, number>): string =>
    Object.entries(s)
      .map(([k, v]) => `${v} × ${k}`)
      .join(', ') || 'none';
  const phase = (name: string, p: LoadFigures): string =>
    `| ${name} | ${f(p.p50)} / ${f(p.p90)} / ${f(p.p99)} ms | ${f(p.requestsPerS, 2)} | ${f(p.pairsPerS)} | ${f(p.sent)} in ${f(p.durationS, 1)} s (${st(p.statuses)}; ${p.errors} errors) | ${f(p.peakRssMB)} MB |`;
  const yes = (b: boolean): string => (b ? 'yes' : 'NO');
  const table = [
    `${startedAt.toISOString()}, Node ${process.version}, ${cpus().length} cores (${figures.cpu}), load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter.map((l) => l.toFixed(2)).join(' ')} after`,
    `${f(ROWS)}-row stand-in, ${REQUESTS} AG News test texts, --jobs ${JOBS}, each phase at most ${REQUESTS} requests (overload ${4 * REQUESTS}) and ${TIME_LIMIT_S} s`,
    '',
    '| measure | value |',
    '|---|---:|',
    `| npc eval: search time per query; pairs/s | ${f(evalMsPerQuery, 1)} ms; ${f(evalJson.pairs_per_second)} |`,
    `| c=1 p50 / eval's time per query (target ≤ 1.25×) | ${f(figures.ratios.c1_p50_to_eval, 2)}× |`,
    `| c=1 p99 / eval's time per query (target ≤ 2×) | ${f(figures.ratios.c1_p99_to_eval, 2)}× |`,
    `| c=8 pairs/s / eval's (target ≥ 90 %) | ${f(100 * figures.ratios.c8_pairs_to_eval, 1)} % |`,
    `| server RSS: ready; VmHWM after the capacity phases | ${f(atReady.hwmMB)} MB; ${f(capacityHwmMB)} MB |`,
    `| overload (--queue ${OVERLOAD_QUEUE}, ${OVERLOAD_CONNECTIONS} connections): responses | ${st(overload.statuses)}; ${overload.errors} connection errors, ${overload.timeouts} timeouts |`,
    `| overload: every response 200 or 503, no connection error | ${yes(overload.errors === 0 && Object.keys(overload.statuses).every((s) => s === '200' || s === '503'))} |`,
    `| overload: VmHWM; against the peak at capacity (target ≤ 1.2×) | ${f(overload.hwmMB)} MB; ${f(overload.hwmMB / capacityHwmMB, 2)}× |`,
    `| a swap under load (4 connections; alias moved to version 2 and SIGHUP): responses; failed | ${st(swap.statuses)}; ${swap.failed.length} |`,
    `| a swap: answers by version 1, by version 2; switch logged; last answer's version | ${swapFigures.version_1}, ${swapFigures.version_2}; ${yes(swapLogged)}; ${swapFigures.last_answer_version} |`,
    `| a swap: zero failed requests and both versions seen | ${yes(swap.failed.length === 0 && Object.keys(swap.statuses).every((k) => k === '200') && swapFigures.version_1 > 0 && swapFigures.version_2 > 0)} |`,
    `| a swap: peak VmRSS while both versions were held (target ≤ 2 GB) | ${f(swapPeak.peakRssMB)} MB |`,
    `| SIGTERM under load: sent; answered; refused after it stopped listening; failed | ${sigterm.sent}; ${sigtermAnswered} (${st(sigterm.statuses)}); ${sigterm.refused}; ${sigterm.failed.length}${sigterm.failed.length ? ` (${sigterm.failed.join(', ')})` : ''} |`,
    `| SIGTERM: requests the server received (its log); every one answered; exit | ${sigtermReceived}; ${yes(sigtermReceived === sigtermAnswered)}; ${sigtermExit ? `code ${sigtermExit.code}` : 'hung'} |`,
    `| SIGTERM: no request failed (a reset here is a connection the kernel queued and npc never accepted) | ${yes(sigterm.failed.length === 0 && sigtermAnswered === sigterm.sent)} |`,
    `| a worker killed: responses; restart logged | ${st(killed.statuses)}; ${yes(restartLogged)} |`,
    `| a worker killed: answered after the last 500, all 200 | ${after.length}, ${yes(after.length > 0 && after.every((s) => s === 200))} |`,
    '',
    '| concurrency | p50 / p90 / p99 | requests/s | pairs/s | requests | peak VmRSS |',
    '|---|---:|---:|---:|---|---:|',
    phase('1', c1),
    phase('8', c8),
    phase('32', c32),
    phase(`${OVERLOAD_CONNECTIONS} (overload)`, overload),
  ].join('\n');
  console.log(table);
  const out = values.out ?? join(root, 'bench-results', `bench-serve-${startedAt.toISOString().slice(0, 19).replace(/:/g, '-')}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(figures, null, 2) + '\n');
  progress(`figures written to ${out}`);
} finally {
  for (const s of servers) await s.kill();
  rmSync(dir, { recursive: true, force: true });
}
