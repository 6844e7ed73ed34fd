/**
 * The deployment files of docs/serving/ against npc itself. The Kubernetes manifests parse, run `npc serve`
 * with flags its --help lists, name one port everywhere and leave the drain room inside
 * terminationGracePeriodSeconds; a real `npc serve` started with the container's arguments and environment
 * (the model from a repository under the manifest's models:/ URI) answers its probes and Prometheus's path;
 * the init container's script, run here, fetches and checks an artifact and refuses a wrong sha256 or a
 * damaged one. The nginx snippet agrees with --max-body and --timeout, `nginx -t` accepts it, and a real
 * nginx in front of the real server terminates TLS, checks the caller, passes the API through and keeps
 * /metrics inside. The Prometheus job passes `promtool check config`, and a real Prometheus running it scrapes
 * a pod by the manifest's annotations. There is no Kubernetes cluster here: `kubectl` is not run.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { cleanupTmp, makeTmp, run, sha256File, shell, waitFor } from '../helpers/failure-tools.js';
import { requirePrerequisite, spawnProblem } from '../helpers/prerequisites.js';
import { freePort, promtool, requirePrometheus, requirePromtool } from '../helpers/prometheus.js';
import { npcBin, repoRoot } from '../helpers/run-npc.js';
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
  volumeMounts?: { name: string; mountPath: string }[];
}
interface Manifest {
  kind: string;
  metadata: { name: string };
  spec: {
    replicas?: number;
    template?: {
      metadata: { annotations: Record<string, string> };
      spec: { terminationGracePeriodSeconds: number; containers: Container[]; initContainers?: Container[] };
    };
    ports?: { port: number; targetPort: string | number }[];
    ingress?: { ports: { port: string | number }[] }[];
  };
}

/** The documents of a YAML file in docs/serving/, with their parse errors. */
function load(file: string): { errors: unknown[]; value: Manifest }[] {
  const parsed = parseAllDocuments(readFileSync(join(DIR, file), 'utf8'));
  return (Array.isArray(parsed) ? parsed : [parsed]).map((d) => ({ errors: d.errors, value: d.toJS() as Manifest }));
}
const documents = load('kubernetes.yaml');
const byKind = (kind: string): Manifest => {
  const found = documents.filter((d) => d.value?.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0].value;
};
/** The Deployment of kubernetes.yaml (the model from the repository) and of kubernetes-artifact.yaml (an init container). */
const DEPLOYMENTS = ['kubernetes.yaml', 'kubernetes-artifact.yaml'];
const deploymentOf = (file: string): Manifest => {
  const found = load(file).filter((d) => d.value?.kind === 'Deployment');
  expect(found, file).toHaveLength(1);
  return found[0].value;
};
const deployment = (): Manifest => deploymentOf('kubernetes.yaml');
const containerOf = (d: Manifest): Container => d.spec.template!.spec.containers[0];
const container = (): Container => containerOf(deployment());

/** The value after `--flag` in a container's args (by default the server's of kubernetes.yaml). */
function flag(name: string, c: Container = container()): string {
  const args = c.args;
  const at = args.indexOf(name);
  expect(at, `${name} in the container's args`).toBeGreaterThanOrEqual(0);
  return args[at + 1];
}

/** A port of a probe, the Service or the NetworkPolicy (a name or a number) as a container's port number. */
function portNumber(port: string | number, c: Container = container()): number | undefined {
  if (typeof port === 'number') return port;
  return c.ports.find((p) => p.name === port)?.containerPort;
}

/** The container's args without --host and --port (the tests listen on 127.0.0.1 and a free port). */
function argsForTest(c: Container): string[] {
  return c.args.flatMap((a, i) => (i % 2 === 0 && a !== '--host' && a !== '--port' ? [a, c.args[i + 1]] : []));
}

describe('docs/serving/kubernetes.yaml', () => {
  it('parses as YAML into one Deployment, one Service and one NetworkPolicy', () => {
    expect(documents.flatMap((d) => d.errors)).toEqual([]);
    expect(documents.map((d) => d.value.kind).sort()).toEqual(['Deployment', 'NetworkPolicy', 'Service']);
  });

  it('names one port for the server, the Service and the NetworkPolicy', () => {
    const port = Number(flag('--port'));
    const service = byKind('Service');
    expect(service.spec.ports!.map((p) => portNumber(p.targetPort))).toEqual([port]);
    const policy = byKind('NetworkPolicy');
    expect(policy.spec.ingress!.flatMap((rule) => rule.ports.map((p) => portNumber(p.port)))).toEqual([port]);
  });

  it('limits memory to two models (a hot swap holds both) and requests one', () => {
    const gi = (q: string): number => Number(/^(\d+)Gi$/.exec(q)![1]);
    expect(gi(container().resources.limits.memory)).toBe(2 * gi(container().resources.requests.memory));
  });
});

describe.each(DEPLOYMENTS)('the Deployment of docs/serving/%s', (file) => {
  const d = (): Manifest => deploymentOf(file);
  const c = (): Container => containerOf(d());

  it('parses as YAML, with more than one replica of one container', () => {
    expect(load(file).flatMap((doc) => doc.errors)).toEqual([]);
    expect(d().spec.replicas).toBeGreaterThan(1);
    expect(d().spec.template!.spec.containers).toHaveLength(1);
  });

  it('runs npc serve, with only flags that npc serve --help lists, each given a value', async () => {
    expect(c().command).toEqual(['npc', 'serve']);
    const help = await run(['serve', '--help'], { timeoutMs: HANG_GUARD_MS });
    expect(help.code).toBe(0);
    const listed = new Set([...help.stdout.matchAll(/^\s+(?:-\w, )?(--[a-z-]+)/gm)].map((m) => m[1]));
    expect(listed.has('--grace')).toBe(true);
    const args = c().args;
    expect(args.length % 2).toBe(0);
    for (const f of args.filter((_a, i) => i % 2 === 0)) expect(listed, f).toContain(f);
    for (const value of args.filter((_a, i) => i % 2 === 1)) expect(value.startsWith('--'), value).toBe(false);
    expect(flag('--host', c())).toBe('0.0.0.0');
  });

  it("names one port for the server, its probes, the Prometheus annotation and kubernetes.yaml's Service", () => {
    const port = Number(flag('--port', c()));
    expect(c().ports.map((p) => p.containerPort)).toEqual([port]);
    for (const probe of [c().startupProbe, c().livenessProbe, c().readinessProbe]) expect(portNumber(probe.httpGet.port, c())).toBe(port);
    const annotations = d().spec.template!.metadata.annotations;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(Number(annotations['prometheus.io/port'])).toBe(port);
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    expect(byKind('Service').spec.ports!.map((p) => portNumber(p.targetPort, c()))).toEqual([port]);
  });

  it('probes liveness on /healthz and readiness on /readyz', () => {
    expect(c().livenessProbe.httpGet.path).toBe('/healthz');
    expect(c().readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('gives the drain room: the preStop sleep and --grace fit in terminationGracePeriodSeconds, and --timeout is at most --grace', () => {
    const period = d().spec.template!.spec.terminationGracePeriodSeconds;
    const grace = Number(flag('--grace', c()));
    const preStop = c().lifecycle.preStop.exec.command;
    expect(preStop[0]).toBe('sleep');
    const sleep = Number(preStop[1]);
    expect(sleep).toBeGreaterThan(0);
    expect(grace).toBeGreaterThan(0);
    expect(period).toBeGreaterThan(grace);
    expect(sleep + grace).toBeLessThan(period);
    expect(Number(flag('--timeout', c()))).toBeLessThanOrEqual(grace);
  });

  it('starts as many search workers as the CPUs it requests', () => {
    expect(Number(flag('--jobs', c()))).toBe(Number(c().resources.requests.cpu));
  });
});

// A real npc serve run with the container's arguments and environment (all but --host and --port, which
// the test sets to 127.0.0.1 and a free port), the model registered under the manifest's models:/ URI in a
// repository that NPC_MODEL_REPOSITORY names, as the shared volume does in the pod.
let server: Served | undefined;
let dir: string;
let model: string;
beforeAll(async () => {
  dir = makeTmp('npc-serving-deploy-');
  const uri = /^models:\/([^@/]+)@(.+)$/.exec(flag('--model'));
  expect(uri, 'the manifest serves a models:/NAME@ALIAS URI').not.toBeNull();
  const [, name, alias] = uri!;
  const repository = join(dir, 'repository');
  const env = { NPC_MODEL_REPOSITORY: repository };
  model = join(dir, 'model.npcm');
  for (const args of [
    ['model', 'build', '--train', 'examples/headlines.jsonl', '-o', model, '--name', name, '-q'],
    ['model', 'register', model, '--name', name],
    ['model', 'alias', name, alias, '1'],
  ]) {
    const r = await run(args, { env, timeoutMs: HANG_GUARD_MS });
    expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  expect(container().env).toContainEqual({ name: 'NPC_MODEL_REPOSITORY', value: expect.any(String) as string });
  server = await startServe(argsForTest(container()), { env });
}, 2 * HANG_GUARD_MS);

afterAll(async () => {
  const stopped = await server?.stop();
  if (stopped) expect(stopped.code).toBe(0);
  cleanupTmp();
});

describe('npc serve run as kubernetes.yaml runs it', () => {
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

describe("kubernetes-artifact.yaml's init container", () => {
  const init = (): Container => deploymentOf('kubernetes-artifact.yaml').spec.template!.spec.initContainers![0];
  const server = (): Container => containerOf(deploymentOf('kubernetes-artifact.yaml'));

  /** The init container's script run here: its /model/ moved to a temporary folder, `npc` the built one. */
  async function runInit(
    artifact: string,
    sha256: string,
  ): Promise<{ status: number | null; stdout: string; stderr: string; folder: string }> {
    const folder = makeTmp('npc-init-');
    const bin = join(folder, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npc'), `#!/bin/sh\nexec "${process.execPath}" "${npcBin}" "$@"\n`, { mode: 0o755 });
    const mount = init().volumeMounts![0].mountPath;
    expect(init().command).toEqual(['sh', '-c']);
    const script = init().args[0].replaceAll(`${mount}/`, `${folder}/`);
    expect(script).not.toContain(`${mount}/`);
    const r = await shell(script, {
      env: { PATH: `${bin}:${process.env.PATH ?? ''}`, MODEL_URL: pathToFileURL(artifact).href, MODEL_SHA256: sha256 },
      timeoutMs: HANG_GUARD_MS,
    });
    return { ...r, folder };
  }

  it('names the artifact and its sha256 in its environment', () => {
    const env = Object.fromEntries((init().env ?? []).map((e) => [e.name, e.value]));
    expect(env.MODEL_URL).toMatch(/^https:\/\//);
    expect(env.MODEL_SHA256).toMatch(/^[0-9a-f]{64}$/);
    expect(init().args[0]).toContain('npc model verify');
    expect(init().args[0]).toContain('sha256sum -c');
  });

  it("downloads the artifact, checks its sha256 and npc model verify passes it; npc serve run with the server container's args then serves it", async () => {
    const r = await runInit(model, sha256File(model));
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/: OK\n/);
    expect(r.stdout).toMatch(new RegExp(`^OK .*model\\.npcm: model news, 64 rows, sha256 ${sha256File(model)}$`, 'm'));
    expect(r.status).toBe(0);
    const mount = init().volumeMounts![0].mountPath;
    const args = argsForTest(server()).map((a) => a.replace(`${mount}/`, `${r.folder}/`));
    const served = await startServe(args);
    try {
      for (const p of [server().livenessProbe, server().readinessProbe].map((probe) => probe.httpGet.path)) {
        const response = await fetch(`${served.url}${p}`, { signal: AbortSignal.timeout(HANG_GUARD_MS) });
        expect(response.status, p).toBe(200);
        await response.text();
      }
    } finally {
      expect((await served.stop()).code).toBe(0);
    }
  });

  it('fails (the pod does not start) when the download is not the sha256 it names', async () => {
    const r = await runInit(model, '0'.repeat(64));
    expect(r.stdout).toContain('FAILED');
    expect(r.status).not.toBe(0);
  });

  it('fails when the artifact has the sha256 it names but npc model verify refuses it', async () => {
    const damaged = join(makeTmp('npc-damaged-'), 'model.npcm');
    const bytes = readFileSync(model);
    const firstText = (JSON.parse(readFileSync(join(repoRoot, 'examples', 'headlines.jsonl'), 'utf8').split('\n')[0]) as { text: string })
      .text;
    const at = bytes.indexOf(Buffer.from(firstText));
    expect(at).toBeGreaterThan(0);
    bytes[at] ^= 0x20; // a training text's letter changed: texts.bin no longer has the sha256 SHA256SUMS lists
    writeFileSync(damaged, bytes);
    const r = await runInit(damaged, sha256File(damaged));
    expect(r.stdout).toContain(': OK');
    expect(r.stderr).toMatch(/^npc: .*model\.npcm: /m);
    expect(r.status).toBe(1);
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

  /**
   * The job with Kubernetes discovery replaced by static targets carrying the labels it gives pods (Debian's
   * Prometheus is built without Kubernetes discovery): a pod of the manifest, its annotations as they are
   * but for the port (`port`), and a pod without annotations. `interval` replaces the scrape interval.
   */
  function withPods(port: string, interval?: string): string {
    const annotations = { ...deployment().spec.template!.metadata.annotations, 'prometheus.io/port': port };
    const labels = Object.entries(annotations)
      .map(([k, v]) => `__meta_kubernetes_pod_annotation_${k.replace(/[./-]/g, '_')}: '${v}'`)
      .join(', ');
    const pods = [
      `static_configs:`,
      `      - targets: ['127.0.0.1']`,
      `        labels: { ${labels}, __meta_kubernetes_namespace: default, __meta_kubernetes_pod_name: npc-serve-0 }`,
      `      - targets: ['127.0.0.1:1']`,
      `        labels: { __meta_kubernetes_namespace: default, __meta_kubernetes_pod_name: other-0 }`,
      '',
    ].join('\n');
    const replaced = config.replace(/kubernetes_sd_configs:\n\s+- role: pod\n/, pods);
    expect(replaced).not.toBe(config);
    return interval === undefined ? replaced : replaced.replace(/scrape_interval: \S+/, `scrape_interval: ${interval}`);
  }

  it('passes promtool check config', (ctx) => {
    if (!requirePromtool('the Kubernetes scrape config check')) return ctx.skip();
    const file = join(dir, 'prometheus-check.yml');
    writeFileSync(file, withPods(deployment().spec.template!.metadata.annotations['prometheus.io/port']));
    const check = promtool(['check', 'config', file]);
    expect(check.output).toContain('SUCCESS');
    expect(check.status).toBe(0);
  });

  it("makes a real Prometheus scrape a pod by the manifest's annotations, at its pod address and annotated path, and leave a pod without them", async (ctx) => {
    if (!requirePrometheus('the Kubernetes scrape job under a real Prometheus')) return ctx.skip();
    const folder = makeTmp('npc-prometheus-k8s-');
    const file = join(folder, 'prometheus.yml');
    const served = new URL(server!.url);
    writeFileSync(file, withPods(served.port, '1s'));
    const port = await freePort();
    const prometheus = spawn(
      'prometheus',
      [`--config.file=${file}`, `--storage.tsdb.path=${join(folder, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', 'ignore', 'ignore'] },
    );
    let exited = false;
    prometheus.once('exit', () => (exited = true));
    interface Targets {
      activeTargets: { labels: Record<string, string>; scrapeUrl: string; health: string }[];
      droppedTargets: unknown[];
    }
    let targets: Targets | undefined;
    try {
      const until = Date.now() + HANG_GUARD_MS;
      while (!exited && Date.now() < until) {
        try {
          const response = await fetch(`http://127.0.0.1:${port}/api/v1/targets`, { signal: AbortSignal.timeout(5_000) });
          targets = ((await response.json()) as { data: Targets }).data;
          if (targets.activeTargets.some((t) => t.health === 'up')) break;
        } catch {
          // not listening yet
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(targets?.activeTargets).toHaveLength(1);
      const [pod] = targets!.activeTargets;
      expect(pod.health).toBe('up');
      expect(pod.labels).toMatchObject({ job: 'npc', pod: 'npc-serve-0', namespace: 'default' });
      expect(pod.scrapeUrl).toBe(`http://127.0.0.1:${served.port}/metrics`);
      expect(targets!.droppedTargets).toHaveLength(1);
    } finally {
      if (!exited) {
        const gone = new Promise((resolve) => prometheus.once('exit', resolve));
        prometheus.kill('SIGTERM');
        await gone;
      }
    }
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

  it('holds JSON bodies to --max-body and lets NDJSON streams be longer, and waits longer than --timeout for an answer', () => {
    const sizes = [...snippet.matchAll(/^\s*client_max_body_size\s+([^;]+);/gm)].map((m) => nginxSize(m[1]));
    expect(sizes).toEqual([expect.any(Number) as number, Number(flag('--max-body'))]);
    expect(sizes[0]).toBeGreaterThan(Number(flag('--max-body')));
    expect(snippet).toContain(`larger than ${flag('--max-body')} bytes`);
    const timeouts = [...snippet.matchAll(/^\s*proxy_read_timeout\s+([^;]+);/gm)].map((m) => nginxSeconds(m[1]));
    expect(timeouts).toHaveLength(2);
    for (const t of timeouts) expect(t).toBeGreaterThan(Number(flag('--timeout')));
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

    it("terminates TLS, refuses unknown callers, passes /v1/ through, keeps /metrics and the probes inside, refuses a too-large JSON body with npc's 413 and streams a long NDJSON body", async (ctx) => {
      if (!ok) return ctx.skip();
      const nginx = spawn('nginx', ['-p', nginxDir, '-e', join(nginxDir, 'error.log'), '-c', conf], {
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let exited = false;
      nginx.once('exit', () => (exited = true));
      try {
        const base = `https://127.0.0.1:${port}`;
        const curl = (args: string[], input?: string): { status: string; body: string } => {
          const r = spawnSync('curl', ['-sk', '--max-time', '60', '-w', '\\n%{http_code}', ...args], {
            input,
            encoding: 'utf8',
            maxBuffer: 64 << 20,
          });
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
        expect(refused.status, readFileSync(join(nginxDir, 'error.log'), 'utf8')).toBe('413');
        expect(JSON.parse(refused.body)).toMatchObject({ error: { code: 'too_large' } });
        // A body of exactly --max-body bytes reaches npc (npc's own answer: the text is valid JSON).
        const fits = JSON.stringify({ text: 'x'.repeat(Number(flag('--max-body')) - 20) });
        const padded = fits + ' '.repeat(Number(flag('--max-body')) - Buffer.byteLength(fits));
        expect(Buffer.byteLength(padded)).toBe(Number(flag('--max-body')));
        expect(curl([...auth, ...json, '--data-binary', '@-', `${base}/v1/classify`], padded).status).toBe('200');
        // An NDJSON stream longer than --max-body in all, each line shorter, streams through.
        const lines = Array.from({ length: 40 }, (_v, i) => JSON.stringify({ id: i, text: `Rangers win the cup ${'y'.repeat(40_000)}` }));
        const ndjson = lines.join('\n') + '\n';
        expect(Buffer.byteLength(ndjson)).toBeGreaterThan(Number(flag('--max-body')));
        const streamed = curl([...auth, '-H', 'content-type: application/x-ndjson', '--data-binary', '@-', `${base}/v1/classify`], ndjson);
        expect(streamed.status, readFileSync(join(nginxDir, 'error.log'), 'utf8')).toBe('200');
        const answers = streamed.body
          .trimEnd()
          .split('\n')
          .map((l) => JSON.parse(l) as { id: number; prediction: unknown });
        expect(answers.map((a) => a.id)).toEqual(lines.map((_l, i) => i));
        expect(answers.every((a) => a.prediction !== undefined)).toBe(true);
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
