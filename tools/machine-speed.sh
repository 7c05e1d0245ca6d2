#!/usr/bin/env bash
# One line for the benchmarks: this machine's speed in the same run, so figures from runs on
# different days (or hosts of different speed) can be compared. Measured by bench-tensors:
# one core's SIMD16 FMA throughput (the GEMM kernels' ceiling) and its copy bandwidth, after
# the CPU as the kernel reports it: model name, family/model, clock, and the widest vector
# instructions it offers (a SIMD16 kernel is one AVX-512 register or two AVX2 registers, so
# the same build runs about twice as fast on an AVX-512 host).
# Usage (from the repository root): tools/machine-speed.sh (BENCH_TENSORS=PATH uses a built
# bench-tensors instead of building one).
set -euo pipefail
cd "$(dirname "$0")/.."
bench_tensors="${BENCH_TENSORS:-}"
if [ -z "$bench_tensors" ]; then
    swift build -c release --product bench-tensors >&2
    bench_tensors="$(swift build -c release --show-bin-path)/bench-tensors"
fi
out=$("$bench_tensors" --threads 1 bandwidth)
peak=$(echo "$out" | sed -n 's/^peak kind=fma .*gflops=\([0-9.]*\).*/\1/p')
copy=$(echo "$out" | sed -n 's/^bandwidth kind=copy .*gbps=\([0-9.]*\).*/\1/p')
field() { grep -m 1 "^$1[[:space:]]*:" /proc/cpuinfo | sed "s/^[^:]*: //"; }
vectors=AVX2
grep -qw avx512f /proc/cpuinfo && vectors=AVX-512
grep -qw avx2 /proc/cpuinfo || vectors="SSE only"
echo "cpu in this run: $(field 'model name'), family $(field 'cpu family') model $(field 'model'), $(field 'cpu MHz' | cut -d. -f1) MHz, $vectors"
echo "machine in this run: FMA peak ${peak} GFLOPS on one core, copy bandwidth ${copy} GB/s, load average $(cut -d' ' -f1 /proc/loadavg) on $(nproc) cores"
