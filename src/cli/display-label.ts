/**
 * Labels as the report tables show them (text and HTML): one line, at most DISPLAY_LABEL_MAX characters.
 * A label holding a control character (a line end, a tab, …) is shown as its JSON string, quoted with
 * every such character escaped (`"Sports\nand games"`); a label longer than the limit is cut and ends
 * with "…". JSON output and predictions always carry the full value.
 */

/** The most characters (code points) a label takes in a table. */
export const DISPLAY_LABEL_MAX = 40;

/** C0 and C1 controls, DEL, and the Unicode line and paragraph separators. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const CONTROL_NOT_JSON_ESCAPED = /[\u007f-\u009f\u2028\u2029]/g;

/** `label` (already formatted: a name, a number, a string) as a table shows it. */
export function displayLabel(label: string): string {
  let shown = label;
  if (CONTROL.test(shown)) {
    // JSON.stringify escapes U+0000–U+001F, `"` and `\`; the rest are escaped the same way by hand.
    shown = JSON.stringify(shown).replace(CONTROL_NOT_JSON_ESCAPED, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  }
  const chars = Array.from(shown);
  return chars.length <= DISPLAY_LABEL_MAX ? shown : `${chars.slice(0, DISPLAY_LABEL_MAX - 1).join('')}…`;
}

/** `format` followed by displayLabel: the label formatter of a table. */
export function forDisplay<T>(format: (label: T) => string): (label: T) => string {
  return (label) => displayLabel(format(label));
}
