// The last step of `npm run build`: writes dist/.build-stamp, the sha256 of everything the build compiles
// or copies (src/ but its README files, and the two tsconfig files). The end-to-end tests run dist/ through
// bin/npc.js; they compare this stamp with the sources (sourceStamp below) and refuse a dist/ built from
// other sources, so a test never passes or fails on yesterday's build. Not shipped (package.json "files").
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const STAMP_FILE = join('dist', '.build-stamp');

function filesUnder(root, dir) {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(root, path);
    return entry.isFile() && !entry.name.endsWith('.md') ? [path] : [];
  });
}

/** The sha256 (hex) of the build's inputs under `root`: each file's path and bytes, in path order. */
export function sourceStamp(root) {
  const files = [...filesUnder(root, 'src'), 'tsconfig.json', 'tsconfig.build.json'];
  const hash = createHash('sha256');
  for (const file of files.sort()) {
    const bytes = readFileSync(join(root, file));
    hash.update(`${file.split('\\').join('/')}\0${bytes.length}\0`).update(bytes);
  }
  return hash.digest('hex');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL('..', import.meta.url));
  writeFileSync(join(root, STAMP_FILE), sourceStamp(root) + '\n');
}
