/**
 * npc's HTTP server as a library (`npc-gzip/server`): a subpath of its own, so that fastify and pino are
 * loaded only by programs that serve. `buildServer(options)` gives the fastify instance (listen on it),
 * `load()` (the model and its search workers), `check()` (follow a moved alias now) and `drain(grace)`;
 * `new ServeMetrics(options)` is the Prometheus observer `npc serve` passes (GET /metrics); docs/serving.md
 * describes the API.
 */
export { buildServer, HttpError } from './app/serve/server.js';
export type { CheckReport, NpcServer, ServedModel, ServeOptions } from './app/serve/server.js';
export type { ServedModelInfo, ServeObserver } from './app/serve/observer.js';
export { ServeMetrics } from './app/serve/metrics.js';
export type { ServeMetricsOptions } from './app/serve/metrics.js';
