#!/usr/bin/env python3
"""Reference values for `npc drift` on real data, computed without npc: CPython's gzip, scipy and numpy.

Writes test/fixtures/drift-data-reference.json for the cases test/e2e/drift.test.ts runs: the first 1,000
rows of the AG News training head (train.first2000) as the training set, and reference / current sets
taken from AG News test rows 0-1,999 and R8 test rows 0-999 exactly as the test takes them. For every row of a set:

  nearest distance = the smallest NCD(x, y) over the training rows (as scripts/reference_neighbors.py:
                     C(s) = len(gzip.compress(s.encode(), 9)), NCD = (C(x + " " + y) - min) / max)
  prediction       = the strict vote of the k = 2 nearest (order: NCD, then training row): the label
                     with most votes, among tied labels the one whose nearest neighbour is nearest

and for each case the two-sample KS statistic of the nearest distances (scipy.stats.ks_2samp), its
asymptotic p-value as npc computes it (scipy.special.kolmogorov at lambda = (sqrt(ne) + 0.12 +
0.11/sqrt(ne)) * D, the formula npc documents) beside scipy's own p-value, and Pearson's chi-square test
of homogeneity of the predicted labels (scipy.stats.chi2_contingency, no continuity correction).

A development tool (never a runtime dependency of npc). About 3 million gzip calls: a few minutes.

    python3 scripts/drift_data_reference.py --data ../shared/data > test/fixtures/drift-data-reference.json
"""
from __future__ import annotations

import argparse
import gzip
import json
import math
import os
import sys
from multiprocessing import Pool

import numpy as np
from scipy.special import kolmogorov
from scipy.stats import chi2_contingency, ks_2samp

K = 2
TRAIN_ROWS = 1000
TRAIN: list[tuple[object, str]] = []
C_TRAIN: list[int] = []


def C(s: str) -> int:
    return len(gzip.compress(s.encode("utf-8"), compresslevel=9))


def read_rows(path: str) -> list[tuple[object, str]]:
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    rows = []
    for line in raw.decode("utf-8").split("\n"):
        if line.strip():
            row = json.loads(line)
            rows.append((row["label"], row["text"]))
    return rows


def init(train: list[tuple[object, str]]) -> None:
    TRAIN[:] = train
    C_TRAIN[:] = [C(text) for _, text in train]


def nearest(x: str) -> tuple[float, str]:
    """The nearest distance of x and the strict k = 2 vote of its nearest training rows (as a JSON label)."""
    cx = C(x)
    scored = []
    for i, ((_, y), cy) in enumerate(zip(TRAIN, C_TRAIN)):
        scored.append(((C(x + " " + y) - min(cx, cy)) / max(cx, cy), i))
    scored.sort()
    labels = [json.dumps(TRAIN[i][0]) for _, i in scored[:K]]
    counts = {label: labels.count(label) for label in labels}
    best = max(counts.values())
    vote = next(label for label in labels if counts[label] == best)
    return scored[0][0], vote


def ks_case(ref: list[float], cur: list[float]) -> dict:
    d = float(ks_2samp(ref, cur).statistic)
    ne = len(ref) * len(cur) / (len(ref) + len(cur))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    return {"d": d, "p": float(kolmogorov(lam)), "scipy_p": float(ks_2samp(ref, cur).pvalue)}


def label_case(ref: list[str], cur: list[str]) -> dict:
    labels = sorted(set(ref) | set(cur))
    table = [[ref.count(l) for l in labels], [cur.count(l) for l in labels]]
    res = chi2_contingency(np.array(table), correction=False)
    return {"reference": dict(zip(labels, table[0])), "current": dict(zip(labels, table[1])),
            "chi2": float(res.statistic), "dof": int(res.dof), "p": float(res.pvalue)}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", required=True, help="the shared data folder (holds ag_news/ and r8/)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    train = read_rows(os.path.join(args.data, "ag_news", "train.first2000.jsonl.gz"))[:TRAIN_ROWS]
    ag = [text for _, text in read_rows(os.path.join(args.data, "ag_news", "test.jsonl.gz"))[:2000]]
    r8 = [text for _, text in read_rows(os.path.join(args.data, "r8", "test.jsonl.gz"))[:1000]]
    # The test's seeded shuffle of AG News rows 0-1,999 (a stable sort by (i * 2654435761) mod 4294967291).
    shuffled = [ag[i] for i in sorted(range(len(ag)), key=lambda i: (i * 2654435761) % 4294967291)]
    texts = ag + r8
    with Pool(args.jobs, initializer=init, initargs=(train,)) as pool:
        measured = dict(zip(texts, pool.map(nearest, texts, chunksize=20)))
    cases = {
        "ag_random_halves": (shuffled[:1000], shuffled[1000:]),
        "ag_vs_r8": (ag[:1000], r8),
        "ag_contiguous_halves": (ag[:1000], ag[1000:]),
    }
    out = {}
    for name, (ref, cur) in cases.items():
        rd = [measured[t][0] for t in ref]
        cd = [measured[t][0] for t in cur]
        out[name] = {"k": K, "reference_rows": len(ref), "current_rows": len(cur), "ks": ks_case(rd, cd),
                     "labels": label_case([measured[t][1] for t in ref], [measured[t][1] for t in cur])}
    json.dump(out, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
