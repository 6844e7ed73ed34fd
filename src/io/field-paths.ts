/**
 * Which field holds the text (`--text-field`) and the label (`--label-field`): a name, a dot path into
 * nested JSON objects (`meta.title`), or, for the text, several of them joined with one space
 * (`title,description`, as AG News builds its text). A literal dot, comma or backslash in a name is
 * written `\.`, `\,`, `\\`. CSV and TSV columns have no nesting: there a path is a single column name.
 */
import { InputError } from '../errors.js';

/** A parsed spec: one path for a label; one or more for a text (joined with one space). */
export interface FieldSpec {
  /** The spec as given, for messages and as a key. */
  spec: string;
  paths: string[][];
}

/** Splits `spec` on unescaped commas into paths, each on unescaped dots into keys. */
export function parseFieldSpec(spec: string): FieldSpec {
  const paths: string[][] = [];
  let keys: string[] = [];
  let key = '';
  for (let i = 0; i < spec.length; i++) {
    const c = spec[i];
    if (c === '\\' && i + 1 < spec.length) {
      key += spec[++i];
    } else if (c === '.') {
      keys.push(key);
      key = '';
    } else if (c === ',') {
      keys.push(key);
      paths.push(keys);
      keys = [];
      key = '';
    } else {
      key += c;
    }
  }
  keys.push(key);
  paths.push(keys);
  return { spec, paths };
}

/** `["meta", "title"]` → `meta.title` (escaping what needs it), for messages. */
export function pathName(path: readonly string[]): string {
  return path.map((k) => k.replace(/[\\.,]/g, (c) => `\\${c}`)).join('.');
}

/** Why a spec cannot be used: an empty key, or (for a label, or a CSV column) more than one path or key. */
export function fieldSpecProblem(field: FieldSpec, options: { single?: boolean; flat?: boolean }): string | undefined {
  if (field.paths.some((p) => p.some((k) => k === '')))
    return `${JSON.stringify(field.spec)} has an empty name (write a literal dot as \\., a comma as \\,)`;
  if (options.single && field.paths.length > 1) return `${JSON.stringify(field.spec)} names several fields; a label is one field`;
  if (options.flat && field.paths.some((p) => p.length > 1))
    return `${JSON.stringify(field.spec)} is a nested path, but CSV and TSV columns have no nesting (escape a dot in a column name as \\.)`;
  return undefined;
}

/**
 * The text and label specs of a CSV or TSV file: parsed and checked as column names (flat; one for the
 * label). Throws a one-line InputError naming the flag and `source`.
 */
export function parseColumnSpecs(textField: string, labelField: string, source: string): { textSpec: FieldSpec; labelSpec: FieldSpec } {
  const textSpec = parseFieldSpec(textField);
  const labelSpec = parseFieldSpec(labelField);
  const textProblem = fieldSpecProblem(textSpec, { flat: true });
  if (textProblem) throw new InputError(`--text-field ${textProblem}`, source);
  const labelProblem = fieldSpecProblem(labelSpec, { single: true, flat: true });
  if (labelProblem) throw new InputError(`--label-field ${labelProblem}`, source);
  return { textSpec, labelSpec };
}

export type PathLookup = { found: true; value: unknown } | { found: false; message: string };

/** The value at `path` in a parsed JSON object, or why there is none (missing, or a step through a non-object). */
export function lookup(object: Record<string, unknown>, path: readonly string[]): PathLookup {
  let current: unknown = object;
  for (let i = 0; i < path.length; i++) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) {
      return { found: false, message: `"${pathName(path.slice(0, i))}" is not an object (looking for "${pathName(path)}")` };
    }
    if (!Object.prototype.hasOwnProperty.call(current, path[i])) {
      // A key with a dot in it (`{"a.b": …}`) is reached with the dot escaped: say so when the object has one.
      const dotted = [...path.slice(0, i), path.slice(i).join('.')];
      const hint =
        path.length - i > 1 && Object.prototype.hasOwnProperty.call(current, dotted[i])
          ? ` (the object has a key "${dotted[i]}": write its dot as \\. to name it, ${pathName(dotted)})`
          : '';
      return { found: false, message: `missing "${pathName(path)}"${hint}` };
    }
    current = (current as Record<string, unknown>)[path[i]];
  }
  return { found: true, value: current };
}
