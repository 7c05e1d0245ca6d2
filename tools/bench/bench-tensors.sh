#!/usr/bin/env bash
# Tensors benchmark: our SGEMM against NumPy/OpenBLAS measured in the same run, on 1 and 2
# threads, plus depthwise-convolution throughput against the measured memory bandwidth.
#
#   tools/bench/bench-tensors.sh            (from the repository root)
#
# Builds bench-tensors in release, creates tools/.venv-bench with numpy from PyPI (its wheel
# bundles OpenBLAS) on first use, and for each thread count runs ours and OpenBLAS back to
# back. OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the NumPy runs only, so that
# OpenBLAS picks its kernel for this CPU. Timings on a shared machine are noisy: compare the
# ratios, and re-run before drawing conclusions (BENCH_SECONDS=3 gives each measurement more
# runs to take the best of). Raw lines are kept in out/bench-tensors.txt.
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build -c release --product bench-tensors >&2
BENCH=.build/release/bench-tensors

VENV=tools/.venv-bench
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import numpy' 2>/dev/null; then
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install --quiet numpy >&2
fi

mkdir -p out
RAW=out/bench-tensors.txt
LOAD_BEFORE=$(cut -d" " -f1-3 /proc/loadavg)
: > "$RAW"
THREAD_COUNTS="${BENCH_THREADS:-1 2}"
# Ours and OpenBLAS alternate for BENCH_ROUNDS rounds (default 2) and each keeps its best, so
# both see the machine in the same states.
ROUNDS="${BENCH_ROUNDS:-2}"
for t in $THREAD_COUNTS; do
    for _ in $(seq "$ROUNDS"); do
        "$BENCH" --threads "$t" gemm | tee -a "$RAW" > out/.bench-ours.txt
        shapes=$(awk '{for (i = 1; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } print v["m"] "," v["n"] "," v["k"]}' out/.bench-ours.txt)
        # shellcheck disable=SC2086
        env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE OPENBLAS_NUM_THREADS="$t" \
            "$VENV/bin/python" tools/bench/bench_numpy_gemm.py "$t" $shapes >> "$RAW"
    done
    "$BENCH" --threads "$t" bandwidth depthwise >> "$RAW"
done
rm -f out/.bench-ours.txt

echo "load average before: $LOAD_BEFORE, after: $(cut -d" " -f1-3 /proc/loadavg)"
echo "numpy $("$VENV/bin/python" -c 'import numpy; print(numpy.__version__)'), CPU: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') ($(nproc) cores)"
awk '
function field(name,   i, kv) { for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == name) return kv[2] } return "" }
$1 == "gemm"  { key = field("m") "x" field("n") "x" field("k") "/" field("threads")
                if (!(key in ours)) { order[++n] = key; name[key] = field("shape") }
                if (field("gflops") + 0 > ours[key] + 0) ours[key] = field("gflops") }
$1 == "numpy" { key = field("m") "x" field("n") "x" field("k") "/" field("threads")
                if (field("gflops") + 0 > ref[key] + 0) ref[key] = field("gflops") }
$1 == "bandwidth" { bw[field("kind") "/" field("threads")] = field("gbps") }
$1 == "peak" { peak[field("threads")] = field("gflops") }
$1 == "depthwise" { dw[++d] = field("shape") " " field("threads") " " field("gbps") " " field("gflops") }
END {
    printf "\nSGEMM GFLOPS, best of the rounds (M x N x K; effnet_* are EfficientNet-Lite0 1x1 convolutions at 224x224)\n"
    printf "%-22s %-18s %7s %10s %10s %7s\n", "shape", "MxNxK", "threads", "ours", "OpenBLAS", "ratio"
    for (i = 1; i <= n; i++) {
        key = order[i]; split(key, parts, "/")
        ratio = (ref[key] > 0) ? sprintf("%.2f", ours[key] / ref[key]) : "n/a"
        printf "%-22s %-18s %7s %10.1f %10.1f %7s\n", name[key], parts[1], parts[2], ours[key], ref[key], ratio
    }
    for (t in peak) printf "measured FMA peak, %s thread(s): %.1f GFLOPS\n", t, peak[t]
    printf "\nDepthwise convolution (NHWC, ReLU6, SAME) vs measured memory bandwidth\n"
    printf "%-26s %7s %8s %8s %14s %14s\n", "layer", "threads", "GB/s", "GFLOPS", "copy GB/s", "triad GB/s"
    for (i = 1; i <= d; i++) {
        split(dw[i], f, " ")
        printf "%-26s %7s %8.1f %8.1f %14.1f %14.1f\n", f[1], f[2], f[3], f[4], bw["copy/" f[2]], bw["triad/" f[2]]
    }
}' "$RAW"
