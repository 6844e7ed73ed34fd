#!/usr/bin/env python3
"""Reference gzip-NCD nearest neighbours, computed the way the paper's code does.

    python3 scripts/reference_neighbors.py --train train.jsonl.gz --test test.jsonl.gz \\
        --start 0 --n 50 --m 10 > neighbors.json
    python3 scripts/reference_neighbors.py --train rows.jsonl --test rows.jsonl --leave-one-out --m 12

A development tool only (stdlib, never a runtime dependency of npc); test/differential/reference-neighbors.test.ts
runs it and requires npc's `kneighbors` to return exactly the same lists.

  C(s)      = len(gzip.compress(s.encode("utf-8"), compresslevel=9))
  NCD(x, y) = (C(x + " " + y) - min(C(x), C(y))) / max(C(x), C(y))   x = test text, y = training text
  order     = (NCD ascending, training row index ascending)

Input files hold one {"label": ..., "text": ...} per line, optionally gzip-compressed (detected by
the magic bytes). Output, on stdout:

  [{"index": <test row>, "neighbors": [[<train row>, <ncd>], ...]}, ...]

with the M nearest training rows per test row; rows are 0-based positions in the files. NCDs are
printed by json.dumps, i.e. repr: the shortest text that round-trips to the same double.
--strip applies Python's str.strip() (Unicode whitespace as Python defines it) to every text before
compressing.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys


def C(s: str) -> int:
    return len(gzip.compress(s.encode("utf-8"), compresslevel=9))


def read_texts(path: str, strip: bool) -> list[str]:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    texts = []
    for lineno, line in enumerate(raw.decode("utf-8").split("\n"), 1):
        if not line.strip():
            continue
        row = json.loads(line)
        text = row.get("text") if isinstance(row, dict) else None
        if not isinstance(text, str):
            raise SystemExit(f"{path}:{lineno}: expected an object with a string \"text\"")
        texts.append(text.strip() if strip else text)
    return texts


def neighbors(x: str, train: list[str], c_train: list[int], m: int, exclude: int = -1) -> list[list]:
    cx = C(x)
    scored = []
    for i, (y, cy) in enumerate(zip(train, c_train)):
        if i == exclude:
            continue
        cxy = C(x + " " + y)
        scored.append(((cxy - min(cx, cy)) / max(cx, cy), i))
    scored.sort()  # (ncd, index): ties broken by the lower training index
    return [[i, d] for d, i in scored[:m]]


def main() -> int:
    ap = argparse.ArgumentParser(description="Reference gzip-NCD nearest neighbours (CPython gzip level 9).")
    ap.add_argument("--train", required=True, help="training JSONL(.gz)")
    ap.add_argument("--test", required=True, help="test JSONL(.gz)")
    ap.add_argument("--start", type=int, default=0, help="first test row (0-based), default 0")
    ap.add_argument("--n", type=int, default=None, help="number of test rows, default: all from --start")
    ap.add_argument("--m", type=int, default=10, help="neighbours per test row, default 10")
    ap.add_argument("--strip", action="store_true", help="strip surrounding whitespace of every text first")
    ap.add_argument("--leave-one-out", action="store_true",
                    help="test = train: each row against all the others (its own row left out, nothing else)")
    args = ap.parse_args()
    if args.start < 0 or (args.n is not None and args.n < 0) or args.m < 1:
        ap.error("--start and --n must be >= 0, --m >= 1")

    train = read_texts(args.train, args.strip)
    test = read_texts(args.test, args.strip)
    if args.leave_one_out and test != train:
        ap.error("--leave-one-out needs --test to be the same rows as --train")
    end = len(test) if args.n is None else args.start + args.n
    if end > len(test):
        ap.error(f"test rows [{args.start}, {end}) out of range: the test file has {len(test)} rows")
    c_train = [C(y) for y in train]

    out = [{"index": j, "neighbors": neighbors(test[j], train, c_train, args.m, j if args.leave_one_out else -1)}
           for j in range(args.start, end)]
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
