#!/usr/bin/env node
// npm run check:html — renders the HTML reports of `npc eval --html` and `npc drift --html` in a real
// browser (headless Chromium, Debian's `chromium` package: apt-get install chromium) and checks them:
// nothing is fetched (no external reference, no script), the browser logs no console error, and the
// screenshot is not blank. The screenshots are kept for a person to look at (paths printed). It ends
// with `check:html: PASSED: …` or `check:html: FAILED: …`; without Chromium it says SKIPPED, and fails
// under CI=true, naming it.
//
//   npm run check:html                 # makes the two pages from examples/ and checks them
//   node scripts/check-html.mjs a.html  # checks given pages
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inflateSync } from 'node:zlib';

const root = fileURLToPath(new URL('..', import.meta.url));
const chromium = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p));
if (!chromium) {
  const missing = 'no Chromium (/usr/bin/chromium or /usr/bin/chromium-browser; apt-get install chromium)';
  if (process.env.CI) {
    console.log(`check:html: FAILED: ${missing}; failing because CI is set`);
    process.exit(1);
  }
  console.log(`check:html: SKIPPED: ${missing}`);
  process.exit(0);
}
const out = mkdtempSync(join(tmpdir(), 'npc-html-'));

let pages = process.argv.slice(2).map((p) => resolve(p));
if (pages.length === 0) {
  const npc = (args) => spawnSync(process.execPath, [join(root, 'bin/npc.js'), ...args], { cwd: root, encoding: 'utf8' });
  const train = 'examples/headlines.jsonl';
  const test = 'examples/headlines-test.jsonl';
  const evalPage = join(out, 'eval.html');
  const driftPage = join(out, 'drift.html');
  const e = npc(['eval', '--train', train, '--test', test, '-k', '1,2,3', '-q', '--html', evalPage]);
  if (e.status !== 0) throw new Error(`npc eval failed: ${e.stderr}`);
  const d = npc(['drift', '--train', train, '--reference', test, '--current', train, '--html', driftPage]);
  if (d.status !== 0 && d.status !== 3) throw new Error(`npc drift failed: ${d.stderr}`);
  pages = [evalPage, driftPage];
}

/** Decodes an 8-bit RGB or RGBA PNG (what Chromium writes) into its pixels. */
function decodePng(buf) {
  let pos = 8;
  let width = 0;
  let height = 0;
  let channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const length = buf.readUInt32BE(pos);
    const type = buf.toString('latin1', pos + 4, pos + 8);
    const data = buf.subarray(pos + 8, pos + 8 + length);
    if (type === 'IHDR') {
      width = data.readUInt32BE(0);
      height = data.readUInt32BE(4);
      if (data[8] !== 8 || (data[9] !== 2 && data[9] !== 6))
        throw new Error(`unsupported PNG (bit depth ${data[8]}, colour type ${data[9]})`);
      channels = data[9] === 6 ? 4 : 3;
    } else if (type === 'IDAT') idat.push(data);
    pos += 12 + length;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? pixels[y * stride + x - channels] : 0;
      const b = y > 0 ? pixels[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? pixels[(y - 1) * stride + x - channels] : 0;
      let v = line[x];
      if (filter === 1) v += a;
      else if (filter === 2) v += b;
      else if (filter === 3) v += (a + b) >> 1;
      else if (filter === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      pixels[y * stride + x] = v & 0xff;
    }
  }
  return { width, height, channels, pixels };
}

let failed = 0;
for (const page of pages) {
  const html = readFileSync(page, 'utf8');
  const problems = [];
  if (/<script\b/i.test(html)) problems.push('it has a script');
  if (/(?:src|href)\s*=\s*["']?(?:https?:|\/\/|file:)/i.test(html)) problems.push('it refers to something outside the page');
  const shot = join(out, `${page.replace(/.*\//, '').replace(/\.html$/, '')}.png`);
  const r = spawnSync(
    chromium,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      `--user-data-dir=${mkdtempSync(join(tmpdir(), 'npc-chromium-'))}`,
      '--enable-logging=stderr',
      '--v=0',
      '--hide-scrollbars',
      '--window-size=1100,2400',
      `--screenshot=${shot}`,
      pathToFileURL(page).href,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  const consoleErrors = (r.stderr ?? '').split('\n').filter((l) => /CONSOLE|Uncaught|Failed to load resource/.test(l));
  if (consoleErrors.length) problems.push(`console: ${consoleErrors.join(' | ')}`);
  if (!existsSync(shot))
    problems.push(`no screenshot (chromium exit ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' ')})`);
  else {
    const { width, height, channels, pixels } = decodePng(readFileSync(shot));
    let ink = 0;
    const colours = new Set();
    for (let i = 0; i < width * height; i++) {
      const [red, green, blue] = [pixels[i * channels], pixels[i * channels + 1], pixels[i * channels + 2]];
      if (red < 235 || green < 235 || blue < 235) ink++;
      if (colours.size < 1000) colours.add((red << 16) | (green << 8) | blue);
    }
    const share = ink / (width * height);
    console.log(
      `check:html: ${page}: screenshot ${shot} (${width}×${height}), ${(100 * share).toFixed(1)}% of the pixels not white, ${colours.size}${colours.size === 1000 ? '+' : ''} colours`,
    );
    if (share < 0.02 || colours.size < 10) problems.push('the screenshot is blank');
  }
  if (problems.length) {
    failed++;
    console.log(`check:html: FAILED ${page}: ${problems.join('; ')}`);
  } else console.log(`check:html: ok ${page}`);
}
if (failed) console.log(`check:html: FAILED: ${failed} of ${pages.length} pages`);
else console.log(`check:html: PASSED: ${pages.length} pages rendered by ${chromium}, nothing fetched, no console error, not blank`);
process.exit(failed ? 1 : 0);
