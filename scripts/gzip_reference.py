#!/usr/bin/env python3
"""Write test/fixtures/gzip-lengths.json: reference gzip level-9 lengths from CPython.

    python3 scripts/gzip_reference.py            # (re)write the fixture
    python3 scripts/gzip_reference.py --check    # exit 1 if the committed fixture is stale

A development tool only (stdlib, never a runtime dependency of npc). Every case is
C(s) = len(gzip.compress(s.encode("utf-8"), compresslevel=9)), the paper's definition.

Big inputs are NOT stored: a case holds a *recipe* that this script and
test/fixtures/recipes.ts expand to the same string. The recipe language (keep both sides
identical; test/unit/compress.test.ts checks the PRNG vectors, the vocabulary hashes and the
sha256 of every expanded case):

  {"kind": "literal", "text": s}                      s itself (own sentences only, never dataset rows)
  {"kind": "repeat", "unit": u, "count": n}           u repeated n times
  {"kind": "concat", "parts": [r1, r2, ...]}          expansions joined by a single " "
  {"kind": "words", "seed": s, "bytes": b, "vocab": v}
        PRNG = mulberry32(s). Repeat: w = VOCAB[v][next() % len], p = next() % 16,
        sep = ". " if p == 0, ", " if p == 1, "\\n" if p == 2, else " "; append the code points
        of w + sep one at a time, stopping for good at the first code point whose UTF-8 bytes
        would make the total exceed b. (So the result has between b-3 and b UTF-8 bytes.)
  {"kind": "chars", "seed": s, "count": n, "range": [lo, hi]}
        PRNG = mulberry32(s); n code points, each lo + next() % (hi - lo + 1) (no surrogates in range).

mulberry32, all arithmetic unsigned 32-bit (M = 2**32 - 1; imul(x, y) = (x * y) & M):
  state = s & M
  next(): state = (state + 0x6D2B79F5) & M; t = state
          t = imul(t ^ (t >> 15), t | 1)
          t = t ^ ((t + imul(t ^ (t >> 7), t | 61)) & M)
          return t ^ (t >> 14)

Each case also records, for reviewers and for the test's category checks, the expanded UTF-8
size and sha256, and the deflate block structure of CPython's output ("blocks": [[btype, n]],
btype 0 = stored with n bytes, 1 = fixed / 2 = dynamic Huffman with n literal/length symbols,
end-of-block excluded), found by a small inflater below. zlib closes a block after 16,383
symbols (sym_end = (lit_bufsize - 1) * 3 at memLevel 8), so "boundary" cases are picked by
search to land just below, on and just above that count.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURE = os.path.join(ROOT, "test", "fixtures", "gzip-lengths.json")

M32 = 0xFFFFFFFF
SYMBOLS_PER_BLOCK = 16383

# Fixed vocabularies for "words" recipes. Must equal VOCAB in test/fixtures/recipes.ts
# (the fixture stores the sha256 of "\n".join(words) so a drift is caught).
VOCAB = {
    "ascii": [
        "the", "of", "and", "to", "in", "a", "is", "that", "for", "on", "with", "as",
        "market", "shares", "rose", "fell", "percent", "company", "said", "quarter",
        "profit", "team", "season", "game", "coach", "players", "won", "lost", "match",
        "government", "minister", "election", "officials", "talks", "president", "police",
        "software", "network", "computer", "internet", "users", "security", "space",
        "scientists", "research", "launch", "oil", "prices", "record", "year", "week",
        "Monday", "Tuesday", "report", "new", "first", "after", "over", "against", "plan",
        "(Reuters)", "AP", "#39;s", "--",
    ],
    "mixed": [
        "caf\u00e9", "na\u00efve", "Stra\u00dfe", "\u00fcber", "se\u00f1or", "\u00e9t\u00e9",
        "\u0434\u0430\u043d\u043d\u044b\u0435", "\u03b1\u03bb\u03c6\u03b1",
        "\u6771\u4eac", "\u5317\u4eac", "\u30c7\u30fc\u30bf", "\ud55c\uad6d\uc5b4",
        "\u0645\u0631\u062d\u0628\u0627", "\u0928\u092e\u0938\u094d\u0924\u0947",
        "\U0001F600", "\U0001F680", "\U0001F44D\U0001F3FD", "\U0001F1EF\U0001F1F5",
        "e\u0301", "a\u0308\u0304", "\u2014", "\u20ac5", "100\u00a0km", "\U00020000",
        "the", "and", "of", "market", "news", "data", "city", "river",
    ],
}


def mulberry32(seed: int):
    state = seed & M32

    def nxt() -> int:
        nonlocal state
        state = (state + 0x6D2B79F5) & M32
        t = state
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t = t ^ ((t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32)
        return (t ^ (t >> 14)) & M32

    return nxt


def utf8_len_of_code_point(ch: str) -> int:
    cp = ord(ch)
    return 1 if cp < 0x80 else 2 if cp < 0x800 else 3 if cp < 0x10000 else 4


def build(recipe: dict) -> str:
    kind = recipe["kind"]
    if kind == "literal":
        return recipe["text"]
    if kind == "repeat":
        return recipe["unit"] * recipe["count"]
    if kind == "concat":
        return " ".join(build(p) for p in recipe["parts"])
    if kind == "words":
        vocab = VOCAB[recipe["vocab"]]
        rnd = mulberry32(recipe["seed"])
        limit = recipe["bytes"]
        out: list[str] = []
        size = 0
        while True:
            word = vocab[rnd() % len(vocab)]
            p = rnd() % 16
            sep = ". " if p == 0 else ", " if p == 1 else "\n" if p == 2 else " "
            for ch in word + sep:
                n = utf8_len_of_code_point(ch)
                if size + n > limit:
                    return "".join(out)
                out.append(ch)
                size += n
    if kind == "chars":
        lo, hi = recipe["range"]
        if not (0 <= lo <= hi <= 0x10FFFF) or (lo <= 0xDFFF and hi >= 0xD800):
            raise ValueError(f"bad code point range {recipe['range']!r}")
        rnd = mulberry32(recipe["seed"])
        span = hi - lo + 1
        return "".join(chr(lo + rnd() % span) for _ in range(recipe["count"]))
    raise ValueError(f"unknown recipe kind {kind!r}")


# --- a minimal inflater that reports the block structure (not the data) -------------------


class _Bits:
    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0  # bit position

    def bits(self, n: int) -> int:
        v = 0
        for i in range(n):
            byte = self.data[self.pos >> 3]
            v |= ((byte >> (self.pos & 7)) & 1) << i
            self.pos += 1
        return v

    def align(self) -> None:
        self.pos = (self.pos + 7) & ~7


def _huffman(lengths: list[int]) -> dict:
    """Canonical Huffman table keyed by (length, code read MSB-first)."""
    max_len = max(lengths) if lengths else 0
    bl_count = [0] * (max_len + 1)
    for l in lengths:
        if l:
            bl_count[l] += 1
    # RFC 1951 3.2.2
    code = 0
    next_code = [0] * (max_len + 1)
    bl_count[0] = 0
    for bits in range(1, max_len + 1):
        code = (code + bl_count[bits - 1]) << 1
        next_code[bits] = code
    table = {}
    for sym, l in enumerate(lengths):
        if l:
            table[(l, next_code[l])] = sym
            next_code[l] += 1
    return table


def _decode(br: _Bits, table: dict) -> int:
    code = 0
    for length in range(1, 16):
        code = (code << 1) | br.bits(1)
        sym = table.get((length, code))
        if sym is not None:
            return sym
    raise ValueError("bad Huffman code")


_LEN_EXTRA = [0] * 8 + [1] * 4 + [2] * 4 + [3] * 4 + [4] * 4 + [5] * 4 + [0]
_DIST_EXTRA = [0, 0, 0, 0] + [i // 2 for i in range(2, 28)]
_FIXED_LIT = _huffman([8] * 144 + [9] * 112 + [7] * 24 + [8] * 8)
_FIXED_DIST = _huffman([5] * 30)
_CL_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]


def deflate_blocks(gz: bytes) -> list[list[int]]:
    if gz[:3] != b"\x1f\x8b\x08" or gz[3] != 0:
        raise ValueError("expected a plain gzip member with no optional header fields")
    br = _Bits(gz[10:-8])
    blocks = []
    while True:
        final = br.bits(1)
        btype = br.bits(2)
        if btype == 0:
            br.align()
            n = br.bits(16)
            br.bits(16)
            br.pos += 8 * n
            blocks.append([0, n])
        else:
            if btype == 1:
                lit, dist = _FIXED_LIT, _FIXED_DIST
            elif btype == 2:
                hlit, hdist, hclen = br.bits(5) + 257, br.bits(5) + 1, br.bits(4) + 4
                cl = [0] * 19
                for i in range(hclen):
                    cl[_CL_ORDER[i]] = br.bits(3)
                cl_table = _huffman(cl)
                lengths: list[int] = []
                while len(lengths) < hlit + hdist:
                    s = _decode(br, cl_table)
                    if s < 16:
                        lengths.append(s)
                    elif s == 16:
                        lengths += [lengths[-1]] * (3 + br.bits(2))
                    elif s == 17:
                        lengths += [0] * (3 + br.bits(3))
                    else:
                        lengths += [0] * (11 + br.bits(7))
                lit, dist = _huffman(lengths[:hlit]), _huffman(lengths[hlit:])
            else:
                raise ValueError("reserved block type")
            symbols = 0
            while True:
                s = _decode(br, lit)
                if s == 256:
                    break
                symbols += 1
                if s > 256:
                    br.bits(_LEN_EXTRA[s - 257])
                    br.bits(_DIST_EXTRA[_decode(br, dist)])
            blocks.append([btype, symbols])
        if final:
            return blocks


# --- the cases -----------------------------------------------------------------------------

# Own sentences (never dataset rows).
ASCII_SENTENCES = [
    "The quick brown fox jumps over the lazy dog.",
    "Shares of the regional bank rose 4 percent on Tuesday after it raised its full-year outlook.",
    "The home team scored twice in the final ten minutes to win the cup.",
    "Engineers at the lab said the new chip uses half the power of the old one.",
    "Officials met again on Friday, but the talks ended without an agreement.",
    "A small satellite built by students reached orbit early this morning.",
    "Oil prices fell for a third day as stockpiles grew more than expected.",
    "The coach said his players were tired but happy with the result.",
    "Voters in the northern province will choose a new governor next month.",
    "The software update fixes a security flaw that let attackers read private files.",
    "Heavy rain closed two bridges and delayed trains across the valley.",
    "Profit for the quarter was $1.2 billion, or 45 cents a share.",
    "She finished the marathon in 2 hours, 21 minutes and 7 seconds.",
    "Researchers found that the plant grows faster in cooler soil.",
    "The museum will reopen in May after a two-year renovation.",
    "Fans waited outside the stadium for hours in the cold.",
    "The central bank left interest rates unchanged at 2.5%.",
    "Hackers used stolen passwords to break into dozens of accounts.",
    "The minister resigned on Sunday, citing personal reasons.",
    "A new study says most people check their phones within minutes of waking up.",
    "lowercase only words without any punctuation at all",
    "ALL CAPS HEADLINE: MARKETS RALLY ON JOBS DATA",
    "Tabs\tand\ttabs\tbetween\twords",
    "Line one\nLine two\r\nLine three\rLine four",
    "   leading and trailing spaces   ",
    "Quotes: \"double\", 'single', `back`; brackets [x] {y} (z) <w>.",
    "Escapes as text: \\n \\t \\\\ \\u0041 #36;10 #39;s quot;hi quot; &lt;b&gt;",
    "0123456789" * 3,
    "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~",
    "x",
    "ab",
    "abc",
    "abcd",
    "aaa",
    "aaaa",
    "abababab",
    "Mississippi",
    "to be or not to be, that is the question; to be or not to be",
    "The cat sat on the mat. The cat sat on the hat. The cat sat on the bat.",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z",
    "AbCdEfGhIjKlMnOpQrStUvWxYz",
    "http://example.com/path?query=1&other=two#frag",
    "user@example.org wrote: > quoted text > more quoted text",
    "2004-08-15 12:34:56 UTC",
    "\x01\x02\x03\x1b[31mred\x1b[0m\x7f",
    "end with newline\n",
    "\n",
    " ",
    "  ",
    ".",
]

MULTIBYTE_SENTENCES = [
    "Le caf\u00e9 de la gare a ferm\u00e9 ses portes apr\u00e8s trente ans.",
    "Die Stra\u00dfe war \u00fcber Nacht gesperrt, sagte die Polizei.",
    "El se\u00f1or Mu\u00f1oz lleg\u00f3 a Espa\u00f1a el mi\u00e9rcoles.",
    "\u0426\u0435\u043d\u044b \u043d\u0430 \u043d\u0435\u0444\u0442\u044c \u0441\u043d\u043e\u0432\u0430 \u0432\u044b\u0440\u043e\u0441\u043b\u0438 \u0432 \u043f\u043e\u043d\u0435\u0434\u0435\u043b\u044c\u043d\u0438\u043a.",
    "\u0397 \u03bf\u03bc\u03ac\u03b4\u03b1 \u03ba\u03ad\u03c1\u03b4\u03b9\u03c3\u03b5 \u03c4\u03bf\u03bd \u03c4\u03b5\u03bb\u03b9\u03ba\u03cc.",
    "\u6771\u4eac\u682a\u5f0f\u5e02\u5834\u306f\u4eca\u65e5\u3001\u5927\u5e45\u306b\u4e0a\u6607\u3057\u305f\u3002",
    "\u5317\u4eac\u5e02\u653f\u5e9c\u5ba3\u5e03\u4e86\u65b0\u7684\u4ea4\u901a\u8ba1\u5212\u3002",
    "\uc11c\uc6b8\uc758 \ub0a0\uc528\ub294 \ub9d1\uace0 \ub530\ub73b\ud558\ub2e4.",
    "\u0627\u0644\u0633\u0648\u0642 \u0645\u0641\u062a\u0648\u062d\u0629 \u0627\u0644\u064a\u0648\u0645 \u062d\u062a\u0649 \u0627\u0644\u0645\u0633\u0627\u0621.",
    "\u0928\u0908 \u0926\u093f\u0932\u094d\u0932\u0940 \u092e\u0947\u0902 \u092c\u093e\u0930\u093f\u0936 \u0939\u0941\u0908\u0964",
    "\u05e9\u05dc\u05d5\u05dd \u05e2\u05d5\u05dc\u05dd",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    "Emoji: \U0001F600\U0001F680\U0001F389 and a thumbs up \U0001F44D\U0001F3FD.",
    "Family \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466 and flags \U0001F1EF\U0001F1F5\U0001F1FA\U0001F1F8",
    "Combining: e\u0301 a\u0308 o\u0302 n\u0303 c\u0327 (decomposed) vs \u00e9 \u00e4 \u00f4 \u00f1 \u00e7 (composed)",
    "Z\u0351\u036b\u0343a\u0352\u0310\u0302l\u0360\u0346g\u0358\u0342o\u0357\u0311 text",
    "Math: \u2200x \u2208 \u211d, x\u00b2 \u2265 0; \u2211 \u222b \u221e \u2260 \u2248",
    "Currency: \u20ac10, \u00a35, \u00a5300, \u20b9100, \u20bf0.5",
    "Supplementary CJK: \U00020000\U0002A6D6\U0002F800 and math \U0001D400\U0001D538",
    "Mixed ASCII \u00e9\u20ac\U0001F600 widths 1-2-3-4 bytes",
    "Non-breaking\u00a0space, zero\u200bwidth, soft\u00adhyphen, BOM\ufeffinside",
    "\u00e9",
    "\u20ac",
    "\U0001F600",
    "\u4e2d",
    "\u0301",
    "\U0010FFFF",
    "\uffff",
    "\u00ff\u0100\u07ff\u0800\ufffd\U00010000",
    "\u65e5\u672c\u8a9e\u306e\u6587\u7ae0\u3068English\u304c\u6df7\u3056\u3063\u3066\u3044\u307e\u3059\u3002",
]

NUL_TEXTS = [
    "\x00",
    "\x00\x00",
    "\x00" * 3,
    "\x00" * 10,
    "a\x00b",
    "\x00leading NUL",
    "trailing NUL\x00",
    "NUL in the\x00middle of\x00a sentence",
    "\x00\x01\x00\x01\x00\x01",
    "\x00 \x00 \x00",
]


def literal(text: str) -> dict:
    return {"kind": "literal", "text": text}


def add(cases: list, case_id: str, recipe: dict) -> None:
    cases.append({"id": case_id, "recipe": recipe})


def boundary_sizes(make, lo: int, hi: int, target_blocks: int) -> int:
    """Smallest n in [lo, hi] whose output has >= target_blocks blocks (binary search)."""
    def nblocks(n):
        return len(deflate_blocks(gzip.compress(build(make(n)).encode("utf-8"), compresslevel=9)))

    if nblocks(hi) < target_blocks or nblocks(lo) >= target_blocks:
        raise RuntimeError(f"boundary search range [{lo}, {hi}] does not bracket {target_blocks} blocks")
    while lo + 1 < hi:
        mid = (lo + hi) // 2
        if nblocks(mid) >= target_blocks:
            hi = mid
        else:
            lo = mid
    return hi


def make_cases() -> list:
    cases: list = []
    add(cases, "empty", literal(""))
    for i, t in enumerate(["a", "Z", " ", "\n", "\t", "~", "0", "\x7f", "\x01"]):
        add(cases, f"one-byte-{i}", literal(t))
    for i, t in enumerate(NUL_TEXTS):
        add(cases, f"nul-{i}", literal(t))
    for i, t in enumerate(ASCII_SENTENCES):
        add(cases, f"ascii-{i}", literal(t))
    for i, t in enumerate(MULTIBYTE_SENTENCES):
        add(cases, f"utf8-{i}", literal(t))

    # Concatenations a + " " + b, the shape NCD compresses (query first).
    pool = ASCII_SENTENCES[:20] + MULTIBYTE_SENTENCES[:15]
    pairs = [(i, (i * 7 + 3) % len(pool)) for i in range(len(pool))]
    pairs += [(i, i) for i in range(0, len(pool), 5)]  # x + " " + x
    for i, j in pairs:
        add(cases, f"pair-{i}-{j}", {"kind": "concat", "parts": [literal(pool[i]), literal(pool[j])]})
    add(cases, "pair-empty-empty", {"kind": "concat", "parts": [literal(""), literal("")]})
    add(cases, "pair-empty-x", {"kind": "concat", "parts": [literal(""), literal(pool[0])]})
    add(cases, "pair-x-empty", {"kind": "concat", "parts": [literal(pool[0]), literal("")]})
    add(cases, "pair-nul-utf8", {"kind": "concat", "parts": [literal(NUL_TEXTS[7]), literal(MULTIBYTE_SENTENCES[12])]})
    add(cases, "triple", {"kind": "concat", "parts": [literal(pool[1]), literal(pool[2]), literal(pool[3])]})

    # Long repeats: match length caps at 258, window at 32 KiB, plus big counts.
    counts = [1, 2, 3, 4, 5, 8, 100, 255, 256, 257, 258, 259, 260, 261, 262, 515, 516, 517, 518,
              1000, 4096, 16383, 16384, 32767, 32768, 32769, 32770, 65535, 65536, 65537, 100000, 300000]
    for n in counts:
        add(cases, f"repeat-a-{n}", {"kind": "repeat", "unit": "a", "count": n})
    for n in [1, 2, 128, 129, 130, 131, 256, 16383, 16384, 16385, 32768, 40000, 65536]:
        add(cases, f"repeat-ab-{n}", {"kind": "repeat", "unit": "ab", "count": n})
    for unit, ns in [("abc", [86, 87, 10923, 20000]), ("\x00", [258, 259, 32768, 70000]),
                     ("\u00e9", [129, 130, 16384, 20000]), ("\u4e2d", [86, 87, 11000]),
                     ("\U0001F600", [64, 65, 8192, 9000]), ("the cat ", [5000]),
                     ("e\u0301", [500, 20000]), ("abcdefghijklmnopqrstuvwxyz0123456789", [1000])]:
        for n in ns:
            add(cases, f"repeat-{unit.encode('utf-8').hex()}-{n}", {"kind": "repeat", "unit": unit, "count": n})

    # Pseudo-random prose, from 1 KB to 100 KB (incl. ~20 KB and ~70 KB, both vocabularies).
    for seed, size in [(1, 1000), (2, 5000), (3, 16000), (4, 16384), (5, 19000), (6, 20000), (7, 20000),
                       (8, 21000), (9, 32767), (10, 32768), (11, 40000), (12, 65536), (13, 69000),
                       (14, 70000), (15, 70000), (16, 72000), (17, 100000), (18, 140000), (19, 250000), (0, 20000), (0xFFFFFFFF, 70000),
                       (0x80000000, 20000), (123456789, 50000)]:
        add(cases, f"words-ascii-s{seed}-{size}", {"kind": "words", "seed": seed, "bytes": size, "vocab": "ascii"})
    for seed, size in [(21, 1000), (22, 20000), (23, 20000), (24, 33000), (25, 70000), (26, 70000), (27, 100000), (28, 200000)]:
        add(cases, f"words-mixed-s{seed}-{size}", {"kind": "words", "seed": seed, "bytes": size, "vocab": "mixed"})
    # Long pairs, as NCD builds them.
    for a, b in [(31, 32), (33, 33)]:
        w = {"kind": "words", "seed": a, "bytes": 20000, "vocab": "ascii"}
        v = {"kind": "words", "seed": b, "bytes": 20000, "vocab": "ascii"}
        add(cases, f"pair-words-s{a}-s{b}-20000", {"kind": "concat", "parts": [w, v]})
    add(cases, "pair-words-mixed-70000", {"kind": "concat", "parts": [
        {"kind": "words", "seed": 34, "bytes": 35000, "vocab": "mixed"},
        {"kind": "words", "seed": 35, "bytes": 35000, "vocab": "mixed"}]})
    add(cases, "pair-literal-words", {"kind": "concat", "parts": [
        literal(ASCII_SENTENCES[1]), {"kind": "words", "seed": 36, "bytes": 20000, "vocab": "ascii"}]})
    add(cases, "pair-words-literal", {"kind": "concat", "parts": [
        {"kind": "words", "seed": 37, "bytes": 20000, "vocab": "ascii"}, literal(MULTIBYTE_SENTENCES[13])]})

    # Literal-heavy random characters, so the symbol count tracks the length. The block
    # closes after 16,383 symbols: sweep dense around the first and second closes, found by
    # search (below / exactly at / above), plus a coarse sweep.
    for name, seed, cps in [("printable", 41, [0x20, 0x7E]), ("printable", 42, [0x20, 0x7E]),
                            ("cjk", 43, [0x4E00, 0x4E00 + 199])]:
        def make(n, seed=seed, cps=cps):
            return {"kind": "chars", "seed": seed, "count": n, "range": cps}
        for target in (2, 3):
            first = boundary_sizes(make, 1000, 200000, target)
            # first: smallest count with `target` blocks; sweep first-4 .. first+4
            for n in range(first - 4, first + 5):
                add(cases, f"chars-{name}-s{seed}-{n}", make(n))
        if seed == 41:
            for n in range(14000, 19001, 500):
                add(cases, f"chars-{name}-s{seed}-{n}", make(n))

    # Input that ends in a match (its first 40 characters again), so the 16,383rd symbol can
    # be tallied inside the main loop: zlib then closes that block and adds an empty last block.
    def tail_match(n):
        return {"kind": "concat", "parts": [
            {"kind": "chars", "seed": 44, "count": n, "range": [0x20, 0x7E]},
            {"kind": "chars", "seed": 44, "count": 40, "range": [0x20, 0x7E]}]}
    first = boundary_sizes(tail_match, 1000, 200000, 2)
    for n in range(first - 3, first + 4):
        add(cases, f"tail-match-s44-{n}", tail_match(n))
    return cases


def compute(cases: list) -> None:
    for case in cases:
        data = build(case["recipe"]).encode("utf-8")
        out = gzip.compress(data, compresslevel=9)
        case["length"] = len(out)
        case["bytes"] = len(data)
        case["sha256"] = hashlib.sha256(data).hexdigest()
        case["blocks"] = deflate_blocks(out)
        # the block parser walked the whole stream: it must end exactly at the trailer
        if zlib.decompress(out, 31) != data:
            raise AssertionError(case["id"])


def prng_vectors() -> list:
    vectors = []
    for seed in [0, 1, 7, 42, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 123456789]:
        rnd = mulberry32(seed)
        first = [rnd() for _ in range(8)]
        for _ in range(100000 - 8 - 1):
            rnd()
        vectors.append({"seed": seed, "first": first, "at100000": rnd()})
    return vectors


def document() -> dict:
    cases = make_cases()
    ids = [c["id"] for c in cases]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise AssertionError(f"duplicate ids: {sorted(dupes)}")
    compute(cases)
    return {
        "generator": "scripts/gzip_reference.py",
        "definition": "length = len(gzip.compress(text.encode('utf-8'), compresslevel=9)) in CPython",
        "python": platform.python_version(),
        "zlib": zlib.ZLIB_RUNTIME_VERSION,
        "symbolsPerBlock": SYMBOLS_PER_BLOCK,
        "vocabSha256": {k: hashlib.sha256("\n".join(v).encode("utf-8")).hexdigest() for k, v in VOCAB.items()},
        "prng": prng_vectors(),
        "cases": cases,
    }


def serialize(doc: dict) -> str:
    # One case per line keeps diffs readable; ASCII-only so no tool can re-normalise the text.
    head = {k: v for k, v in doc.items() if k != "cases"}
    lines = json.dumps(head, ensure_ascii=True, indent=1)[:-2]
    body = ",\n".join("  " + json.dumps(c, ensure_ascii=True, separators=(",", ":")) for c in doc["cases"])
    return lines + ',\n "cases": [\n' + body + "\n ]\n}\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if the fixture differs from a fresh run")
    ap.add_argument("--out", default=FIXTURE)
    args = ap.parse_args()
    doc = document()
    text = serialize(doc)
    json.loads(text)  # well-formed
    if args.check:
        with open(args.out, encoding="utf-8") as f:
            old = json.load(f)
        # python/zlib versions may differ between machines; the lengths must not.
        strip = lambda d: {k: v for k, v in d.items() if k not in ("python", "zlib")}
        if strip(old) != strip(doc):
            print(f"{args.out} is stale: re-run scripts/gzip_reference.py", file=sys.stderr)
            return 1
        print(f"{args.out}: {len(doc['cases'])} cases up to date")
        return 0
    with open(args.out, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    print(f"wrote {args.out}: {len(doc['cases'])} cases", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
