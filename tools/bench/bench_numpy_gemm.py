#!/usr/bin/env python3
"""NumPy/OpenBLAS SGEMM reference for tools/bench/bench-tensors.sh.

Usage: bench_numpy_gemm.py THREADS M,N,K [M,N,K ...]
Prints one line per shape, in the same format and with the same timing method as
bench-tensors (one warm-up, then the best of repeated runs over BENCH_SECONDS, default 1 s):
    numpy m=M n=N k=K threads=T gflops=G
Set OPENBLAS_NUM_THREADS=THREADS in the environment (the thread count is fixed when
OpenBLAS loads); THREADS is only echoed.
"""
import os
import sys
import time

import numpy as np


def best_time(fn, budget=float(os.environ.get("BENCH_SECONDS", "1"))):
    fn()
    best = float("inf")
    start = time.perf_counter()
    runs = 0
    while runs < 3 or (time.perf_counter() - start < budget and runs < 5000):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
        runs += 1
    return best


def main():
    threads = sys.argv[1]
    rng = np.random.default_rng(1)
    for spec in sys.argv[2:]:
        m, n, k = (int(v) for v in spec.split(","))
        a = rng.uniform(-1, 1, (m, k)).astype(np.float32)
        b = rng.uniform(-1, 1, (k, n)).astype(np.float32)
        c = np.empty((m, n), dtype=np.float32)
        seconds = best_time(lambda: np.matmul(a, b, out=c))
        print(f"numpy m={m} n={n} k={k} threads={threads} gflops={2.0 * m * n * k / seconds * 1e-9:.2f}", flush=True)


if __name__ == "__main__":
    main()
