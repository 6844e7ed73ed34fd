/**
 * What the drain on SIGTERM does to connections that are open but carry no request in progress: one the
 * server accepted whose request has not arrived yet is kept and its request answered (Node's own close
 * would reset it), and one that never sends anything does not hold the exit up. Every wait is for an
 * event (a line, a response, a refused connection, the exit) with a hang guard; no duration is asserted.
 */
import { get } from 'node:http';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SENTENCES } from '../fixtures/sentences.js';
import { cleanupTmp, makeTmp } from '../helpers/failure-tools.js';
import { HANG_GUARD_MS, post, startServe, writeLargeServeModel } from '../helpers/serve.js';

const dir = makeTmp('npc-serve-drain-');
const large = join(dir, 'large.npcm');
const texts = (n: number): string[] => Array.from({ length: n }, (_, i) => `${SENTENCES[i % 6][1]} and then some more words ${i}`);

beforeAll(async () => {
  await writeLargeServeModel(large);
}, HANG_GUARD_MS);

afterAll(() => cleanupTmp());

/** A TCP connection to the server's port, resolved once connected; `received` collects what it is sent. */
async function openConnection(url: string): Promise<{ socket: Socket; ended: Promise<{ data: string; error?: string }> }> {
  const { hostname, port } = new URL(url);
  const socket = connect({ host: hostname, port: Number(port) });
  let data = '';
  const ended = new Promise<{ data: string; error?: string }>((resolve) => {
    let error: string | undefined;
    socket.on('data', (chunk: Buffer) => (data += chunk.toString('utf8')));
    socket.on('error', (err: NodeJS.ErrnoException) => (error = err.code ?? err.message));
    socket.on('close', () => resolve({ data, error }));
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  return { socket, ended };
}

/** GET `url` on a connection of its own (no pooled keep-alive connection), resolved with the status. */
function getOnce(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, headers: { connection: 'close' }, timeout: HANG_GUARD_MS }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
  });
}

/** Resolves once a new connection to `url` is refused: the server has closed its listening socket. */
async function listenerClosed(url: string): Promise<void> {
  const guard = Date.now() + HANG_GUARD_MS;
  while (Date.now() < guard) {
    try {
      await getOnce(`${url}/healthz`);
    } catch (err) {
      // Refused: the listening socket is closed. Reset: this probe was queued by the kernel, unaccepted,
      // when it closed (the kernel resets such connections).
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ECONNREFUSED' || code === 'ECONNRESET') return;
      throw err;
    }
  }
  throw new Error('the server kept accepting connections after SIGTERM (hang guard)');
}

describe('rows 183–184: SIGTERM and connections without a request in progress', () => {
  const started = (server: { line: (p: RegExp) => Promise<string> }) =>
    server.line(/"msg":"request received".*"route":"\/v1\/classify"|"route":"\/v1\/classify".*"msg":"request received"/);

  it('row 183: a connection accepted before SIGTERM whose request arrives after the listener closed gets an answer (503 stopping, Connection: close), not a reset', async () => {
    const server = await startServe(['--model', large, '--jobs', '1', '--max-batch', '64', '--log-level', 'debug']);
    // A long request keeps the drain open while the connection below is used.
    const running = post(`${server.url}/v1/classify`, { texts: texts(64) });
    await started(server);
    const waiting = await openConnection(server.url);
    // The kernel queues connections in order and the server accepts every queued one before it reads a
    // later one's request: once this answer is back, the connection above has been accepted by the server.
    expect(await getOnce(`${server.url}/healthz`)).toBe(200);
    server.child.kill('SIGTERM');
    await server.line(/^npc: SIGTERM: stopping/);
    await listenerClosed(server.url);
    const body = JSON.stringify({ text: 'Stocks slump as oil prices climb' });
    waiting.socket.write(
      `POST /v1/classify HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const { data, error } = await waiting.ended;
    expect(error).toBeUndefined();
    expect(data).toMatch(/^HTTP\/1\.1 503 /);
    expect(data).toMatch(/\r\nconnection: close\r\n/i);
    expect(data).toContain('{"error":{"code":"stopping","message":"the server is stopping"}}');
    expect((await running).status).toBe(200);
    const done = await server.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/^npc: stopped$/m);
  });

  it('row 184: a connection that never sends a request does not hold the drain up (closed by the server; exit 0 long before --grace 3600)', async () => {
    const server = await startServe(['--model', large, '--jobs', '1', '--grace', '3600']);
    const silent = await openConnection(server.url);
    expect(await getOnce(`${server.url}/healthz`)).toBe(200);
    server.child.kill('SIGTERM');
    const { data } = await silent.ended;
    expect(data).toBe('');
    const done = await server.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toMatch(/^npc: stopped$/m);
  });
});
