// Loaded with `node --import` (NODE_OPTIONS) by the test that checks which commands load `npc data get`'s
// archive readers: resolving `tar-stream` or `yauzl` fails with `<name> was loaded`, so a command that
// never imports them runs as usual and `npc data get` (the control) fails.
import { register } from 'node:module';

const hooks = `
export async function resolve(specifier, context, next) {
  if (specifier === 'tar-stream' || specifier === 'yauzl') throw new Error(specifier + ' was loaded');
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`);
