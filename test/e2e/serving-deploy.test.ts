/**
 * The deployment files of docs/serving/ against npc itself: the Kubernetes manifest parses, runs
 * `npc serve` with flags its --help lists, names one port everywhere, leaves the drain room inside
 * terminationGracePeriodSeconds, and a real `npc serve` started with the container's arguments and
 * environment answers its probes (and Prometheus's annotation path). The nginx snippet agrees with the
 * manifest's --max-body and --timeout, `nginx -t` accepts it, and a real nginx in front of a real npc
 * serve terminates TLS, checks the caller, passes the API through and keeps /metrics inside. The
 * Prometheus job passes `promtool check config`. There is no Kubernetes cluster here: `kubectl` is not run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cleanupTmp, makeTmp, run, waitFor } from '../helpers/failure-tools.js';
import { requirePrerequisite, spawnProblem } from '../helpers/prerequisites.js';
import { promtool, requirePromtool } from '../helpers/prometheus.js';
import { repoRoot } from '../helpers/run-npc.js';
import { HANG_GUARD_MS, type Served, startServe } from '../helpers/serve.js';

const DIR = join(repoRoot, 'docs', 'serving');

interface HttpProbe {
  httpGet: { path: string; port: string | number };
}
interface Container {
  name: string;
  image: string;
  command: string[];
  args: string[];
  env?: { name: string; value: string }[];
  ports: { name: string; containerPort: number }[];
  resources: { requests: { cpu: string; memory: string }; limits: { memory: string } };
  startupProbe: HttpProbe;
  livenessProbe: HttpProbe;
  readinessProbe: HttpProbe;
  lifecycle: { preStop: { exec: { command: string[] } } };
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    template?: {
      metadata: { annotations: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; containers: Container[] };
    };
    ports?: { port: number; targetPort: string | number }[];
    ingress?: { ports: { port: string | number }[] }[];
  };
}

const parsed = parseAllDocuments(readFileSync(join(DIR, 'kubernetes.yaml'), 'utf8'));
const documents = (Array.isArray(parsed) ? parsed : [parsed]).map((d) => ({ errors: d.errors, value: d.toJS() as Manifest }));
const byKind = (kind: string): Manifest => {
  const found = documents.filter((d) => d.value?.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0].value;
};
const deployment = (): Manifest => byKind('Deployment');
const container = (): Container => deployment().spec.template!.spec.containers[0];

/** The value after `--flag` in the container's args. */
function flag(name: string): string {
  const args = container().args;
  const at = args.indexOf(name);
  expect(at, `${name} in the container's args`).toBeGreaterThanOrEqual(0);
  return args[at + 1];
}

/** A port of a probe, the Service or the NetworkPolicy (a name or a number) as the container's port number. */
function portNumber(port: string | number): number | undefined {
  if (typeof port === 'number') return port;
  return container().ports.find((p) => p.name === port)?.containerPort;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('docs/serving/kubernetes.yaml', () => {
  it('parses as YAML into one Deployment, one Service and one NetworkPolicy', () => {
    expect(documents.flatMap((d) => d.errors)).toEqual([]);
    expect(documents.map((d) => d.value.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'Service']);
    expect(deployment().spec.replicas).toBeGreaterThan(1);
    expect(deployment().spec.template!.spec.containers).toHaveLength(1);
  });

  it('runs npc serve, with only flags that npc serve --help lists, each given a value', async () => {
    expect(container().command).toEqual(['npc', 'serve']);
    const help = await run(['serve', '--help'], { timeoutMs: HANG_GUARD_MS });
    expect(help.code).toBe(0);
    const listed = new Set([...help.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]));
    expect(listed.has('--grace')).toBe(true);
    const args = container().args;
    const flags = args.filter((_a, i) => i % 2 === 0);
    for (const f of flags) expect(listed, f).toContain(f);
    for (const value of args.filter((_a, i) => i % 2 === 1)) expect(value.startsWith('--'), value).toBe(false);
    expect(args.length % 2).toBe(0);
    expect(flag('--host')).toBe('0.0.0.0');
  });

  it('names one port for the server, its probes, the Service, the NetworkPolicy and the Prometheus annotation', () => {
    const port = Number(flag('--port'));
    const c = container();
    expect(c.ports.map((p) => p.containerPort)).toEqual([port]);
    for (const probe of [c.startupProbe, c.livenessProbe, c.readinessProbe]) expect(portNumber(probe.httpGet.port)).toBe(port);
    const service = byKind('Service');
    expect(service.spec.ports!.map((p) => portNumber(p.targetPort))).toEqual([port]);
    const policy = byKind('NetworkPolicy');
    expect(policy.spec.ingress!.flatMap((rule) => rule.ports.map((p) => portNumber(p.port)))).toEqual([port]);
    const annotations = deployment().spec.template!.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(port);
    expect(annotations['prometheus.io/path']).toBe('/metrics');
  });

  it('probes liveness on /healthz and readiness on /readyz', () => {
    expect(container().livenessProbe.httpGet.path).toBe('/healthz');
    expect(container().readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('gives the drain room: the preStop sleep and --grace fit in terminationGracePeriodSeconds, and --timeout is at most --grace', () => {
    const period = deployment().spec.template!.spec.terminationGracePeriodSeconds;
    const grace = Number(flag('--grace'));
    const preStop = container().lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const sleep = Number(preStop[1]);
    expect(sleep).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(0);
    expect(period).toBeGreaterThan(grace);
    expect(sleep + grace).toBeLessThan(period);
    expect(Number(flag('--timeout'))).toBeLessThanOrEqual(grace);
  });

  it('starts as many search workers as the CPUs it requests, and limits memory to two models', () => {
    expect(Number(flag('--jobs'))).toBe(Number(container().resources.requests.cpu));
    const gi = (q: string): number => Number(/^(\d+)Gi$/.exec(q)![1]);
    expect(gi(container().resources.limits.memory)).toBe(2 * gi(container().resources.requests.memory));
  });
});

// A real npc serve run with the container's arguments and environment (all but --host and --port, which
// the test sets to 127.0.0.1 and a free port), the model registered under the manifest's models:/ URI in a
// repository that NPC_MODEL_REPOSITORY names, as the shared volume does in the pod.
let server: Served | undefined;
let dir: string;
beforeAll(async () => {
  dir = makeTmp('npc-serving-deploy-');
  const uri = /^models:\/([^@/]+)@(.+)$/.exec(flag('--model'));
  expect(uri, 'the manifest serves a models:/NAME@ALIAS URI').not.toBeNull();
  const [, name, alias] = uri!;
  const repository = join(dir, 'repository');
  const env = { NPC_MODEL_REPOSITORY: repository };
  const model = join(dir, 'model.npcm');
  for (const args of [
    ['model', 'build', '--train', 'examples/headlines.jsonl', '-o', model, '--name', name, '-q'],
    ['model', 'register', model, '--name', name],
    ['model', 'alias', name, alias, '1'],
  ]) {
    const r = await run(args, { env, timeoutMs: HANG_GUARD_MS });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  expect(container().env).toContainEqual({ name: 'NPC_MODEL_REPOSITORY', value: expect.any(String) as string });
  const args = container().args;
  const kept = args.flatMap((a, i) => (i % 2 === 0 && a !== '--host' && a !== '--port' ? [a, args[i + 1]] : []));
  server = await startServe(kept, { env });
}, 2 * HANG_GUARD_MS);

afterAll(async () => {
  const stopped = await server?.stop();
  if (stopped) expect(stopped.code).toBe(0);
  cleanupTmp();
});

describe('npc serve run as the manifest runs it', () => {
  it('answers 200 on the liveness, readiness and startup probe paths and on the Prometheus path', async () => {
    const c = container();
    const paths = [c.livenessProbe, c.readinessProbe, c.startupProbe].map((p) => p.httpGet.path);
    paths.push(deployment().spec.template!.metadata.annotations['prometheus.io/path']);
    for (const p of paths) {
      const response = await fetch(`${server!.url}${p}`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
      expect(response.status, p).toBe(200);
      await response.text();
    }
    const metrics = await (await fetch(`${server!.url}/metrics`, { signal: AbortSignal.timeout(HANG_GUARD_MS) })).text();
    expect(metrics).toMatch(/^npc_model_info\{name="news",version="1",/m);
  });
});

describe('docs/serving/prometheus-kubernetes.yml', () => {
  const config = readFileSync(join(DIR, 'prometheus-kubernetes.yml'), 'utf8');

  it('keeps the job name and scrape interval of the scrape config in docs/serving.md', () => {
    const serving = readFileSync(join(repoRoot, 'docs', 'serving.md'), 'utf8');
    const single = /```yaml\n(scrape_configs:[\s\S]*?)```/.exec(serving);
    expect(single).not.toBeNull();
    const job = (text: string): { job_name: string; scrape_interval: string } =>
      (parseAllDocuments(text) as unknown as { toJS(): { scrape_configs: { job_name: string; scrape_interval: string }[] } }[])[0].toJS()
        .scrape_configs[0];
    expect(job(config).job_name).toBe(job(single![1]).job_name);
    expect(job(config).scrape_interval).toBe(job(single![1]).scrape_interval);
    for (const annotation of ['scrape', 'port', 'path'])
      expect(config).toContain(`__meta_kubernetes_pod_annotation_prometheus_io_${annotation}`);
  });

  it("passes promtool check config, its pods found as Kubernetes service discovery finds the manifest's pods", (ctx) => {
    if (!requirePromtool('the Kubernetes scrape config check')) return ctx.skip();
    // Debian's Prometheus is built without Kubernetes service discovery: the discovery is replaced by a
    // static target carrying the labels Kubernetes discovery gives a pod of the manifest.
    const annotations = deployment().spec.template!.metadata.annotations;
    const labels = Object.entries(annotations)
      .map(([k, v]) => `__meta_kubernetes_pod_annotation_${k.replace(/[./]/g, '_')}: '${v}'`)
      .join(', ');
    const file = join(dir, 'prometheus.yml');
    const replaced = config.replace(
      /kubernetes_sd_configs:\n\s+- role: pod\n/,
      `static_configs:\n      - targets: ['10.0.0.7']\n        labels: { ${labels}, __meta_kubernetes_namespace: default, __meta_kubernetes_pod_name: npc-serve-0 }\n`,
    );
    expect(replaced).not.toBe(config);
    writeFileSync(file, replaced);
    const check = promtool(['check', 'config', file]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });
});

/** `directive value;` of the nginx snippet (the first one). */
function nginxDirective(text: string, name: string): string {
  const m = new RegExp(`^\\s*${name}\\s+([^;]+);`, 'm').exec(text);
  expect(m, name).not.toBeNull();
  return m![1].trim();
}

/** nginx's sizes (`64m`, `1k`, bytes) and times (`20s`, `1m`) in bytes and seconds. */
function nginxSize(value: string): number {
  const m = /^(\d+)([kKmMgG]?)$/.exec(value)!;
  return Number(m[1]) * { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g'];
}
function nginxSeconds(value: string): number {
  const m = /^(\d+)(ms|s|m|h)?$/.exec(value)!;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[(m[2] ?? 's') as 'ms' | 's' | 'm' | 'h'];
}

describe('docs/serving/nginx.conf', () => {
  const snippet = readFileSync(join(DIR, 'nginx.conf'), 'utf8');

  it('lets through every body npc serve accepts, and waits longer than --timeout for an answer', () => {
    expect(nginxSize(nginxDirective(snippet, 'client_max_body_size'))).toBeGreaterThanOrEqual(Number(flag('--max-body')));
    expect(nginxSeconds(nginxDirective(snippet, 'proxy_read_timeout'))).toBeGreaterThan(Number(flag('--timeout')));
    expect(nginxDirective(snippet, 'proxy_request_buffering')).toBe('off');
    expect(nginxDirective(snippet, 'proxy_buffering')).toBe('off');
  });

  describe('under a real nginx', () => {
    const ok = requirePrerequisite(
      'the nginx config tests',
      'nginx (Debian package nginx-light)',
      spawnProblem(spawnSync('nginx', ['-v'], { encoding: 'utf8' })),
    );
    let conf: string;
    let port: number;
    let nginxDir: string;

    beforeAll(async () => {
      if (!ok) return;
      nginxDir = makeTmp('npc-nginx-');
      port = await freePort();
      const openssl = spawnSync(
        'openssl',
        [
          'req',
          '-x509',
          '-newkey',
          'rsa:2048',
          '-nodes',
          '-days',
          '1',
          '-subj',
          '/CN=localhost',
          '-keyout',
          join(nginxDir, 'tls.key'),
          '-out',
          join(nginxDir, 'tls.crt'),
        ],
        { encoding: 'utf8' },
      );
      expect(openssl.status, openssl.stderr).toBe(0);
      const hash = spawnSync('openssl', ['passwd', '-apr1', 'secret'], { encoding: 'utf8' });
      expect(hash.status, hash.stderr).toBe(0);
      writeFileSync(join(nginxDir, 'npc.htpasswd'), `caller:${hash.stdout.trim()}\n`);
      const upstream = new URL(server!.url).host;
      const site = snippet
        .replace(/server npc-serve[^;]*;/, `server ${upstream};`)
        .replace(/listen 443 ssl;/, `listen 127.0.0.1:${port} ssl;`)
        .replace('/etc/nginx/tls/', `${nginxDir}/`)
        .replace('/etc/nginx/tls/', `${nginxDir}/`)
        .replace('/etc/nginx/npc.htpasswd', join(nginxDir, 'npc.htpasswd'));
      expect(site).not.toContain('/etc/nginx');
      writeFileSync(join(nginxDir, 'site.conf'), site);
      conf = join(nginxDir, 'nginx.conf');
      const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `    ${t}_temp_path ${join(nginxDir, t)};`);
      writeFileSync(
        conf,
        [
          'daemon off;',
          'master_process off;',
          `pid ${join(nginxDir, 'nginx.pid')};`,
          `error_log ${join(nginxDir, 'error.log')};`,
          'events {}',
          'http {',
          '    access_log off;',
          ...temp,
          `    include ${join(nginxDir, 'site.conf')};`,
          '}',
          '',
        ].join('\n'),
      );
    }, HANG_GUARD_MS);

    it('nginx -t accepts it', (ctx) => {
      if (!ok) return ctx.skip();
      const check = spawnSync('nginx', ['-t', '-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf], { encoding: 'utf8' });
      expect(check.stderr).toContain('test is successful');
      expect(check.status).toBe(0);
    });

    it('terminates TLS, refuses unknown callers, passes /v1/ through, keeps /metrics and the probes inside, and lets npc answer a too-large body', async (ctx) => {
      if (!ok) return ctx.skip();
      const nginx = spawn('nginx', ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let exited = false;
      nginx.once('exit', () => (exited = true));
      try {
        const base = `https://127.0.0.1:${port}`;
        const curl = (args: string[], input?: string): { status: string; body: string } => {
          const r = spawnSync('curl', ['-sk', '--max-time', '60', '-w', '\\n%{http_code}', ...args], { input, encoding: 'utf8' });
          expect(r.error).toBeUndefined();
          const at = r.stdout.lastIndexOf('\n');
          return { body: r.stdout.slice(0, at), status: r.stdout.slice(at + 1) };
        };
        const up = await waitFor(() => !exited && curl([`${base}/`]).status !== '000', HANG_GUARD_MS);
        expect(up, readFileSync(join(nginxDir, 'error.log'), 'utf8')).toBe(true);
        const auth = ['-u', 'caller:secret'];
        const json = ['-H', 'content-type: application/json'];
        const classified = curl([...auth, ...json, '-d', '{"text": "Rangers win the cup after a late goal"}', `${base}/v1/classify`]);
        expect(classified.status).toBe('200');
        expect(JSON.parse(classified.body)).toMatchObject({ model: { name: 'news', version: 1 } });
        expect(curl([...json, '-d', '{"text": "a"}', `${base}/v1/classify`]).status).toBe('401');
        for (const p of ['/metrics', '/healthz', '/readyz']) expect(curl([...auth, `${base}${p}`]).status, p).toBe('404');
        expect(curl([...auth, `${base}/openapi.json`]).status).toBe('200');
        const big = JSON.stringify({ text: 'x'.repeat(Number(flag('--max-body'))) });
        const refused = curl([...auth, ...json, '--data-binary', '@-', `${base}/v1/classify`], big);
        expect(refused.status).toBe('413');
        expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'too_large' } });
      } finally {
        if (!exited) {
          const gone = new Promise((resolve) => nginx.once('exit', resolve));
          nginx.kill('SIGTERM');
          await gone;
        }
      }
    });
  });
});
