/**
 * JSON text beyond what JSON.parse / JSON.stringify do: writing values that hold big integers exactly,
 * and finding the source text of one member of an object line (to read a number without rounding it).
 * Node 20 has neither `JSON.rawJSON` nor the reviver's `source`, so both are done here.
 */

/**
 * JSON.stringify's output for plain data (objects, arrays, strings, finite numbers, booleans, null),
 * with one addition: a bigint is written as its exact decimal digits. Undefined members are left out
 * and non-finite numbers become null, as JSON.stringify does.
 */
export function toJson(value: unknown): string {
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'string':
    case 'number':
    case 'boolean':
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((v) => (v === undefined || typeof v === 'function' ? 'null' : toJson(v))).join(',')}]`;
      if (ArrayBuffer.isView(value)) return toJson(Array.from(value as unknown as ArrayLike<number>));
      const parts: string[] = [];
      for (const key of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined || typeof v === 'function') continue;
        parts.push(`${JSON.stringify(key)}:${toJson(v)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      return 'null';
  }
}

/**
 * The top-level members of the JSON object `text`, in order, each with the source text of its value
 * (repeated keys are listed each time). `text` must already be valid JSON (JSON.parse accepted it).
 */
export function objectMembers(text: string): { name: string; value: string }[] {
  const members: { name: string; value: string }[] = [];
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return members;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] !== '}') {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // the ':'
    const valueEnd = skipValue(text, i);
    members.push({ name, value: text.slice(i, valueEnd) });
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return members;
}

/**
 * The source text of the value of the top-level member `key` of the JSON object `text` (the last one,
 * as JSON.parse keeps the last of repeated keys), or undefined.
 */
export function rawMemberText(text: string, key: string): string | undefined {
  let found: string | undefined;
  for (const member of objectMembers(text)) if (member.name === key) found = member.value;
  return found;
}

/** The source text of the value at a path of nested objects (`["meta", "id"]`), or undefined. */
export function rawPathText(text: string, path: readonly string[]): string | undefined {
  let current: string | undefined = text;
  for (const key of path) {
    if (current === undefined) return undefined;
    current = rawMemberText(current, key);
  }
  return current;
}

/**
 * `text` (a JSON object, valid) with members appended after its last member, every byte of `text`
 * kept as it was (numbers are not re-read; key order, spacing before the closing brace and after it
 * stay). `members` are already JSON.
 */
export function appendMembers(text: string, members: readonly [string, string][]): string {
  const close = text.lastIndexOf('}');
  const body = text.slice(0, close).trimEnd();
  const space = text.slice(body.length, close);
  const added = members.map(([name, value]) => `${JSON.stringify(name)}:${value}`).join(',');
  if (added === '') return text;
  return `${body}${body.endsWith('{') ? '' : ','}${added}${space}${text.slice(close)}`;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    i++;
  }
  return i;
}

/** `text[i]` is the opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') j++;
    else if (c === '"') return j + 1;
  }
  return text.length;
}

function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') return skipString(text, i);
  if (c === '{' || c === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const d = text[j];
      if (d === '"') j = skipString(text, j) - 1;
      else if (d === '{' || d === '[') depth++;
      else if (d === '}' || d === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && !',}] \t\n\r'.includes(text[j])) j++;
  return j;
}

/** A JSON number token as an exact decimal: digits without leading zeros, and a power of ten. */
interface Decimal {
  negative: boolean;
  digits: string;
  exponent: number;
}

function parseDecimal(token: string): Decimal | undefined {
  const m = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/.exec(token);
  if (!m) return undefined;
  const fraction = m[3] ?? '';
  let digits = (m[2] + fraction).replace(/^0+/, '');
  let exponent = Number(m[4] ?? 0) - fraction.length;
  if (digits === '') return { negative: false, digits: '0', exponent: 0 };
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  digits = digits.slice(0, digits.length - trailing);
  exponent += trailing;
  return { negative: m[1] === '-', digits, exponent };
}

/**
 * A JSON number token read exactly: a number when the double holds the written value exactly (every
 * integer up to 2^53, and decimals whose shortest double spelling has the same value, like 0.1), a
 * bigint for a larger integer (12345678901234567890 stays 12345678901234567890), and undefined when
 * the value cannot be held exactly (a fraction with more digits than a double keeps).
 */
export function exactNumber(token: string): number | bigint | undefined {
  const d = parseDecimal(token);
  if (d === undefined) return undefined;
  if (d.digits === '0') return 0;
  if (d.exponent >= 0) {
    if (d.digits.length + d.exponent > 400) return undefined; // far beyond any label; refuse rather than build huge integers
    const big = BigInt(d.digits + '0'.repeat(d.exponent)) * (d.negative ? -1n : 1n);
    const asNumber = Number(big);
    return Number.isSafeInteger(asNumber) ? asNumber : big;
  }
  const value = Number(token);
  if (!Number.isFinite(value)) return undefined;
  // The shortest spelling of the double (String may use an exponent, like 1e-7: parseDecimal reads it).
  const back = parseDecimal(String(value));
  return back !== undefined && back.negative === d.negative && back.digits === d.digits && back.exponent === d.exponent ? value : undefined;
}
