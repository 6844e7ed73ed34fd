/**
 * The HTTP/1.1 server under fastify, with what stopping does to open connections made explicit. Node's
 * `server.close()` closes the connections idle after a response but keeps, with no limit, one that has
 * not sent a request yet: a client that connects and sends nothing (a preconnecting proxy, a port check)
 * holds the drain up until `--grace` runs out. Here, once closing:
 * - a connection that has answered requests and has none in progress is closed at once (as Node does; a
 *   client sending on it at that very moment sees the reset every HTTP/1.1 keep-alive client must handle);
 * - a connection that has sent nothing yet is kept, so that a request on its way is answered (while
 *   stopping, the routes answer 503 with `Connection: close`); one still silent FRESH_CONNECTION_MS after
 *   it was accepted is closed, as Go's net/http Shutdown does;
 * - a connection whose last response started before closing (so without `Connection: close`) is closed
 *   as soon as that response is done.
 * A connection the kernel has queued and this process has not accepted yet when the listening socket
 * closes is reset by the kernel: its request was never read.
 */
import { type IncomingMessage, type RequestListener, Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How long a connection that has sent nothing may stay open once the server is closing (Go's value). */
export const FRESH_CONNECTION_MS = 5000;

interface ConnectionState {
  acceptedAt: number;
  /** Requests received on it so far. */
  requests: number;
  /** Requests received and not yet answered. */
  inProgress: number;
}

export class DrainingServer extends Server<typeof IncomingMessage, typeof ServerResponse> {
  readonly #connections = new Map<Socket, ConnectionState>();
  #closing = false;

  constructor(handler: RequestListener) {
    super(handler);
    this.on('connection', (socket: Socket) => {
      this.#connections.set(socket, { acceptedAt: Date.now(), requests: 0, inProgress: 0 });
      socket.once('close', () => this.#connections.delete(socket));
    });
    this.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      const state = this.#connections.get(socket);
      if (!state) return;
      state.requests++;
      state.inProgress++;
      response.once('close', () => {
        state.inProgress--;
        if (this.#closing && state.inProgress === 0) socket.destroy();
      });
    });
  }

  /** Stops accepting; the callback runs once every connection is closed (see the file's comment). */
  override close(callback?: (err?: Error) => void): this {
    this.#closing = true;
    return super.close(callback);
  }

  /** Called by close(): closes the connections that have answered and wait for nothing (see above). */
  override closeIdleConnections(): void {
    const now = Date.now();
    for (const [socket, state] of this.#connections) {
      if (state.inProgress > 0) continue;
      if (state.requests > 0) {
        socket.destroy();
        continue;
      }
      const closeIfSilent = (): void => {
        if (state.requests === 0) socket.destroy();
      };
      const left = FRESH_CONNECTION_MS - (now - state.acceptedAt);
      if (left <= 0) closeIfSilent();
      else setTimeout(closeIfSilent, left).unref();
    }
  }
}
