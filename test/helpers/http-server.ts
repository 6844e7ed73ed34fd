/**
 * A tiny HTTP server on 127.0.0.1 (port 0) for download tests: serves given routes, or misbehaves on
 * purpose (404, 500, an HTML page, a truncated body, a connection reset). Tests never contact any other host.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type RouteMode =
  /** 200 with the body (the default). */
  | 'ok'
  | '404'
  | '500'
  /** 200, Content-Type text/html, a login-page-like HTML body instead of the file. */
  | 'html'
  /** 200 with the full Content-Length, but only half the body, then the connection is closed. */
  | 'truncate'
  /** 200 without Content-Length (connection: close), half the body, then a clean close: looks complete. */
  | 'truncate-silent'
  /** 200, some of the body, then a TCP reset (ECONNRESET). */
  | 'reset'
  /** 200 with the full Content-Length, the body in `chunkBytes` pieces `delayMs` apart: a download that takes a while. */
  | 'slow';

export interface Route {
  body?: Buffer | string;
  mode?: RouteMode;
  contentType?: string;
  /** For mode 'slow': bytes per write and the pause between writes. */
  chunkBytes?: number;
  delayMs?: number;
}

export interface TestServer {
  /** Base URL with a trailing slash, e.g. `http://127.0.0.1:40123/`. */
  url: string;
  port: number;
  /** Paths requested so far, in order. */
  requests: string[];
  /** Replace or add a route. */
  route(path: string, route: Route): void;
  close(): Promise<void>;
}

export async function startServer(routes: Record<string, Route> = {}): Promise<TestServer> {
  const table = new Map(Object.entries(routes));
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    requests.push(path);
    const route = table.get(path);
    const mode = route?.mode ?? (route ? 'ok' : '404');
    const body = Buffer.from(route?.body ?? '');
    const half = body.subarray(0, Math.floor(body.length / 2));
    switch (mode) {
      case 'ok':
        res.writeHead(200, { 'content-type': route?.contentType ?? 'text/plain; charset=utf-8', 'content-length': body.length });
        res.end(body);
        return;
      case '404':
        res.writeHead(404, { 'content-type': 'text/plain' });
        res.end('Not Found');
        return;
      case '500':
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end('Internal Server Error');
        return;
      case 'html': {
        const page = '<!DOCTYPE html>\n<html><head><title>Sign in</title></head><body><form>Log in to continue</form></body></html>\n';
        res.writeHead(200, { 'content-type': route?.contentType ?? 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
        res.end(page);
        return;
      }
      case 'truncate':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
        res.write(half, () => res.socket?.end());
        return;
      case 'truncate-silent':
        res.shouldKeepAlive = false;
        res.useChunkedEncodingByDefault = false;
        res.writeHead(200, { 'content-type': 'text/plain', connection: 'close' });
        res.end(half);
        return;
      case 'slow': {
        res.writeHead(200, { 'content-type': route?.contentType ?? 'text/csv', 'content-length': body.length });
        const chunkBytes = route?.chunkBytes ?? 64 * 1024;
        let offset = 0;
        const next = (): void => {
          if (res.destroyed) return;
          const chunk = body.subarray(offset, Math.min(body.length, offset + chunkBytes));
          offset += chunk.length;
          if (offset >= body.length) {
            res.end(chunk);
            return;
          }
          res.write(chunk);
          const t = setTimeout(() => {
            timers.delete(t);
            next();
          }, route?.delayMs ?? 40);
          timers.add(t);
        };
        next();
        return;
      }
      case 'reset':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': body.length });
        res.write(half, () => setTimeout(() => res.socket?.resetAndDestroy(), 20));
        return;
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    requests,
    route(path, route) {
      table.set(path, route);
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port on 127.0.0.1 where nothing listens (for "connection refused"). */
export async function closedPort(): Promise<number> {
  const server = await startServer();
  const port = server.port;
  await server.close();
  return port;
}
