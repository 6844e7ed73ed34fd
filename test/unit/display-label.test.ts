import { describe, expect, it } from 'vitest';
import { DISPLAY_LABEL_MAX, displayLabel, forDisplay } from '../../src/cli/display-label.js';

describe('displayLabel: labels as the report tables show them', () => {
  it('a short one-line label is shown as it is', () => {
    expect(displayLabel('business')).toBe('business');
    expect(displayLabel('')).toBe('');
    expect(displayLabel('x'.repeat(DISPLAY_LABEL_MAX))).toBe('x'.repeat(DISPLAY_LABEL_MAX));
  });

  it('a label longer than 40 characters keeps its first 39 and ends with …', () => {
    expect(DISPLAY_LABEL_MAX).toBe(40);
    const long = 'abcdefghij'.repeat(300);
    const shown = displayLabel(long);
    expect(shown).toBe(`${long.slice(0, 39)}…`);
    expect(Array.from(shown)).toHaveLength(40);
    expect(displayLabel('y'.repeat(41))).toBe(`${'y'.repeat(39)}…`);
  });

  it('a label with a line end, tab or other control character is shown as its JSON string, on one line', () => {
    expect(displayLabel('Sports\nand games')).toBe('"Sports\\nand games"');
    expect(displayLabel('a\r\nb\tc')).toBe('"a\\r\\nb\\tc"');
    expect(displayLabel('nul\u0000')).toBe('"nul\\u0000"');
    // Those JSON leaves as they are: DEL, C1 controls, the Unicode line and paragraph separators.
    expect(displayLabel('a\u007fb\u0085c\u2028d\u2029e')).toBe('"a\\u007fb\\u0085c\\u2028d\\u2029e"');
    // A quote or backslash alone is no reason to quote the label.
    expect(displayLabel('say "hi" \\ bye')).toBe('say "hi" \\ bye');
  });

  it('escaping comes first, then the cut: a long multi-line label is one line of 40 characters', () => {
    const shown = displayLabel(`${'line\n'.repeat(1000)}end`);
    expect(shown).not.toMatch(/[\n\r]/);
    expect(shown).toBe(`${`"${'line\\n'.repeat(7)}`.slice(0, 39)}…`);
  });

  it('the cut counts characters, not UTF-16 units: an emoji is never split', () => {
    const emoji = '😀'.repeat(50);
    const shown = displayLabel(emoji);
    expect(shown).toBe(`${'😀'.repeat(39)}…`);
    expect(shown).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
  });

  it('forDisplay shortens what a formatter gives', () => {
    const show = forDisplay((n: number) => `label ${n}\n`);
    expect(show(7)).toBe('"label 7\\n"');
  });
});
