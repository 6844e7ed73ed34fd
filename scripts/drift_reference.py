#!/usr/bin/env python3
"""Reference values for npc drift's statistics, computed independently with scipy and numpy.

Writes test/fixtures/drift-reference.json: for seeded inputs (with many tied values, as NCDs have), the
two-sample KS statistic (scipy.stats.ks_2samp) and the asymptotic p-value npc uses (scipy.special.kolmogorov
at lambda = (sqrt(ne) + 0.12 + 0.11/sqrt(ne)) * D), the population stability index over the reference
deciles (numpy.quantile, linear), and Pearson's chi-square test of homogeneity of label counts
(scipy.stats.chi2_contingency, no continuity correction) with the total variation distance.

    python3 scripts/drift_reference.py > test/fixtures/drift-reference.json
"""
import json
import math
import random

import numpy as np
from scipy.special import kolmogorov
from scipy.stats import chi2_contingency, ks_2samp


def ks_case(ref, cur):
    d = float(ks_2samp(ref, cur).statistic)
    ne = len(ref) * len(cur) / (len(ref) + len(cur))
    lam = (math.sqrt(ne) + 0.12 + 0.11 / math.sqrt(ne)) * d
    return {"reference": ref, "current": cur, "d": d, "p": float(kolmogorov(lam)),
            "scipy_asymp_p": float(ks_2samp(ref, cur, method="asymp").pvalue)}


def psi_case(ref, cur):
    edges = sorted(set(float(e) for e in np.quantile(np.array(ref), [i / 10 for i in range(1, 10)])))
    def shares(values):
        bins = np.searchsorted(np.array(edges), np.array(values), side="left")  # v <= e goes to that bin
        counts = np.bincount(bins, minlength=len(edges) + 1)
        return counts / len(values)
    r = np.maximum(shares(ref), 1e-4)
    c = np.maximum(shares(cur), 1e-4)
    return {"reference": ref, "current": cur, "edges": edges, "psi": float(np.sum((c - r) * np.log(c / r)))}


def label_case(ref, cur):
    labels = sorted(set(ref) | set(cur))
    table = [[ref.get(l, 0) for l in labels], [cur.get(l, 0) for l in labels]]
    res = chi2_contingency(table, correction=False)
    nr, nc = sum(table[0]), sum(table[1])
    tvd = sum(abs(a / nr - b / nc) for a, b in zip(*table)) / 2
    return {"reference": ref, "current": cur, "chi2": float(res.statistic), "dof": int(res.dof),
            "p": float(res.pvalue), "tvd": tvd}


def main():
    rng = random.Random(20261205)
    ks, psis, labels = [], [], []
    for n, m, shift, digits in [(50, 60, 0.0, 2), (200, 150, 0.03, 2), (500, 500, 0.0, 3), (400, 700, 0.05, 3), (1000, 800, 0.01, 2), (30, 1000, 0.1, 2)]:
        ref = [round(min(1.1, max(0.0, rng.gauss(0.6, 0.12))), digits) for _ in range(n)]
        cur = [round(min(1.1, max(0.0, rng.gauss(0.6 + shift, 0.12))), digits) for _ in range(m)]
        ks.append(ks_case(ref, cur))
        psis.append(psi_case(ref, cur))
    for shares_r, shares_c, n in [([0.25] * 4, [0.25] * 4, 500), ([0.4, 0.3, 0.2, 0.1], [0.25] * 4, 500), ([0.5, 0.5], [0.45, 0.55], 1000)]:
        names = ["World", "Sports", "Business", "Sci/Tech"][: len(shares_r)]
        ref = {}
        cur = {}
        for _ in range(n):
            a = rng.choices(names, shares_r)[0]
            b = rng.choices(names, shares_c)[0]
            ref[a] = ref.get(a, 0) + 1
            cur[b] = cur.get(b, 0) + 1
        labels.append(label_case(ref, cur))
    print(json.dumps({"ks": ks, "psi": psis, "labels": labels}))


if __name__ == "__main__":
    main()
