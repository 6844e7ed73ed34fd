// Loaded with `node --import` (NODE_OPTIONS) by the test that checks which commands load the server's
// modules: resolving `fastify` fails with `fastify was loaded`, so a command that never imports it runs
// as usual and `npc serve` (the control) fails.
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'fastify') throw new Error('fastify was loaded');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
