"""How often the population stability index of `inspect monitor` exceeds 0.25 by chance.

Replicates DriftStatistics/PopulationStability.swift (inner quantile edges, one bin per 30
values of the smaller sample, half-count smoothing) in NumPy and draws same-distribution and
shifted normal samples; docs/MONITORING.md quotes its 40-and-40 line.
Run: python3 tools/drift/psi_noise.py"""
import bisect

import numpy as np


def edges(reference, quantiles):
    s = np.sort(reference)
    if s[0] == s[-1]:
        c = float(s[0])
        return [c - max(abs(c) * 1e-9, 1e-12), c]
    out = []
    for k in range(1, quantiles):
        v = float(np.quantile(s, k / quantiles))
        if not out or out[-1] != v:
            out.append(v)
    return out


def psi(reference, current):
    q = max(2, min(10, min(len(reference), len(current)) // 30))
    e = edges(reference, q)
    bins = len(e) + 1

    def shares(values):
        counts = np.zeros(bins)
        for v in values:
            counts[bisect.bisect_left(e, v)] += 1
        return (counts + 0.5) / (len(values) + 0.5 * bins)

    a, x = shares(current), shares(reference)
    return float(np.sum((a - x) * np.log(a / x)))


rng = np.random.default_rng(1)
for n, m in [(30, 30), (40, 40), (80, 80), (300, 300)]:
    same = np.array([psi(rng.normal(size=n), rng.normal(size=m)) for _ in range(1000)])
    shifted = np.array([psi(rng.normal(size=n), rng.normal(size=m) + 1) for _ in range(1000)])
    print(f"{n} and {m}: same distribution P(PSI > 0.25) = {(same > 0.25).mean():.3f} (mean {same.mean():.3f}); "
          f"shifted by one sd P(PSI > 0.25) = {(shifted > 0.25).mean():.2f}")
