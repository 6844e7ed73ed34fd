import { readFileSync } from 'node:fs';

let cached: string | undefined;

/** npc's version from package.json (read once). */
export function npcVersion(): string {
  cached ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return cached;
}
