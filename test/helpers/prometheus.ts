/**
 * A real Prometheus (Debian's `prometheus` package) for the tests: started on 127.0.0.1 on a free port,
 * with its storage in a temporary folder and a scrape config that scrapes one target (`host:port`, path
 * /metrics) every second. Its HTTP API is polled, each request and each wait bounded, so a test waits for
 * the event it needs and never sleeps a fixed time. It is stopped by its PID: by `stop()` (call it in
 * afterAll) and, should the test process end first, by a process-exit hook.
 *
 * Also `promtool`, from the same package, to check an exposition or a rules file.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { requirePrerequisite, spawnProblem } from './prerequisites.js';

/** True when `prometheus` runs here; else see requirePrerequisite (CI: throws, naming it). */
export function requirePrometheus(test: string): boolean {
  return requirePrerequisite(
    test,
    'prometheus (Debian package prometheus)',
    spawnProblem(spawnSync('prometheus', ['--version'], { encoding: 'utf8' })),
  );
}

/** True when `promtool` runs here; else see requirePrerequisite (CI: throws, naming it). */
export function requirePromtool(test: string): boolean {
  return requirePrerequisite(
    test,
    'promtool (Debian package prometheus)',
    spawnProblem(spawnSync('promtool', ['--version'], { encoding: 'utf8' })),
  );
}

/** `promtool check metrics` on an exposition (stdin) or `promtool check rules` on a file: its exit status and output. */
export function promtool(args: string[], input?: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', args, { input, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}` };
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface PrometheusOptions {
  /** The target to scrape, `host:port` (its /metrics). */
  target: string;
  /** How long any one wait (start, target up, a query's result) may take before the test fails: 60 s by default. */
  hangGuardMs?: number;
}

export interface QueryResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RunningPrometheus {
  url: string;
  pid: number;
  /** Resolves when the target's last scrape succeeded. */
  waitForTargetUp(): Promise<void>;
  /** An instant query through /api/v1/query. */
  query(expr: string): Promise<QueryResult[]>;
  /** Polls the query until `accept` takes its result (a scrape may not have seen the value yet). */
  waitForQuery(expr: string, accept: (result: QueryResult[]) => boolean): Promise<QueryResult[]>;
  /** Stops the process (SIGTERM, then SIGKILL if it lingers) and removes its folder. */
  stop(): Promise<void>;
}

export async function startPrometheus(options: PrometheusOptions): Promise<RunningPrometheus> {
  const guard = options.hangGuardMs ?? 60_000;
  const dir = mkdtempSync(path.join(tmpdir(), 'npc-prometheus-'));
  const config = path.join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    [
      'global:',
      '  scrape_interval: 1s',
      '  scrape_timeout: 1s',
      '  evaluation_interval: 1s',
      'scrape_configs:',
      '  - job_name: npc',
      '    static_configs:',
      `      - targets: ['${options.target}']`,
      '',
    ].join('\n'),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    'prometheus',
    [
      `--config.file=${config}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `prometheus exited (${signal ?? `code ${code}`}); its last log lines:\n${log}`;
  });
  child.once('error', (error) => {
    exited = `prometheus could not start: ${error.message}`;
  });
  const pid = child.pid;
  const killOnExit = (): void => {
    try {
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', killOnExit);

  let stopped = false;
  async function stop(): Promise<void> {
    if (stopped) return;
    stopped = true;
    process.removeListener('exit', killOnExit);
    if (exited === undefined && pid !== undefined) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      process.kill(pid, 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await gone;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  }

  async function getJson(route: string): Promise<unknown> {
    const response = await fetch(`${url}${route}`, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${route}: HTTP ${response.status}`);
    return response.json();
  }

  /** Polls `probe` until it returns a value, failing when prometheus exits or the hang guard passes. */
  async function poll<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + guard;
    let last = '';
    for (;;) {
      if (exited !== undefined) throw new Error(`${what}: ${exited}`);
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (error) {
        last = (error as Error).message;
      }
      if (Date.now() > deadline)
        throw new Error(`${what}: not within ${guard} ms${last ? ` (last: ${last})` : ''}; prometheus log:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  async function query(expr: string): Promise<QueryResult[]> {
    const body = (await getJson(`/api/v1/query?query=${encodeURIComponent(expr)}`)) as { status: string; data: { result: QueryResult[] } };
    if (body.status !== 'success') throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
    return body.data.result;
  }

  try {
    if (pid === undefined) throw new Error(exited ?? 'prometheus could not start');
    await poll('prometheus ready', async () => {
      const response = await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(5_000) });
      return response.ok ? true : undefined;
    });
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    url,
    pid,
    stop,
    query,
    async waitForTargetUp() {
      await poll(`the target ${options.target} up`, async () => {
        const body = (await getJson('/api/v1/targets')) as { data: { activeTargets: { health: string; lastError: string }[] } };
        const target = body.data.activeTargets[0];
        if (target?.health === 'up') return true;
        if (target?.lastError) throw new Error(target.lastError);
        return undefined;
      });
    },
    async waitForQuery(expr, accept) {
      return poll(`the query ${expr}`, async () => {
        const result = await query(expr);
        return accept(result) ? result : undefined;
      });
    },
  };
}
