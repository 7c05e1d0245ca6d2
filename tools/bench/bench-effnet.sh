#!/usr/bin/env bash
# EfficientNet-Lite0 inference at 224x224: our Swift network (bench-networks) against ONNX
# Runtime on the same network and weights (exported from tools/models/effnet_reference.py with the
# committed Models/efficientnet-lite0.safetensors), in the same run: batch-1 latency (median of
# many passes) and batch-32 throughput, on 1 and 2 threads, with ratios and peak RSS, and our
# achieved GFLOPS (0.77 GFLOP per image, 2 per multiply-add) as a share of the FMA peak that
# tools/machine-speed.sh measures on one core, times the threads.
# Ours and ONNX Runtime alternate (ROUNDS times, best median kept) so that load from other
# processes on the machine hits both alike.
# Usage: tools/bench/bench-effnet.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/models/effnet-venv.sh
runs1=${RUNS1:-100}; runs32=${RUNS32:-8}; rounds=${ROUNDS:-2}
if [ "${1:-}" = "--quick" ]; then runs1=20; runs32=3; rounds=1; fi
onnx=out/efficientnet-lite0.onnx
if [ ! -f "$onnx" ] || [ Models/efficientnet-lite0.safetensors -nt "$onnx" ]; then
    "$venv/bin/python" tools/bench/bench_effnet_ort.py export Models "$onnx" 2>/dev/null
fi
# BENCH_NETWORKS=PATH uses a built bench-networks instead of building one.
ours_bin="${BENCH_NETWORKS:-}"
if [ -z "$ours_bin" ]; then
    swift build -c release --product bench-networks >&2
    ours_bin=$(swift build -c release --show-bin-path)/bench-networks
fi
ours() { "$ours_bin" --models Models --threads "$1" --batch "$2" --runs "$3" --warmup 3; }
ort() { OMP_NUM_THREADS="$1" "$venv/bin/python" tools/bench/bench_effnet_ort.py run "$onnx" --threads "$1" --batch "$2" --runs "$3" --warmup 3; }
field() { sed -E "s/.*$1=([0-9.]+).*/\1/" <<<"$2"; }
# Best (lowest) median over the rounds; prints the line that had it.
best() {
    local engine=$1 threads=$2 batch=$3 runs=$4 line bestline="" bestms=""
    for _ in $(seq "$rounds"); do
        line=$($engine "$threads" "$batch" "$runs")
        if [ -z "$bestms" ] || awk -v a="$(field median_ms "$line")" -v b="$bestms" 'BEGIN { exit !(a < b) }'; then
            bestline=$line; bestms=$(field median_ms "$line")
        fi
    done
    echo "$bestline"
}
machine=$(tools/machine-speed.sh)
echo "$machine"
peak_per_core=$(sed -n 's/.*FMA peak \([0-9.]*\) GFLOPS on one core.*/\1/p' <<<"$machine")
echo "EfficientNet-Lite0, 224x224, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
rows=()
flops=()
share() { awk -v g="$1" -v p="$peak_per_core" -v t="$2" 'BEGIN { if (p > 0) printf "%.1f GFLOPS, %.0f%% of %.0f", g, 100 * g / (p * t), p * t; else printf "%.1f GFLOPS", g }'; }
ours_peak=0
for threads in 1 2; do
    o=$(best ours "$threads" 1 "$runs1"); r=$(best ort "$threads" 1 "$runs1")
    rows+=("batch 1, $threads thread(s)|$(field median_ms "$o") ms|$(field median_ms "$r") ms|$(ratio "$(field median_ms "$r")" "$(field median_ms "$o")")x|$(field cpu_ms_per_image "$o")|$(field cpu_ms_per_image "$r")")
    o32=$(best ours "$threads" 32 "$runs32"); r32=$(best ort "$threads" 32 "$runs32")
    rows+=("batch 32, $threads thread(s)|$(field images_per_s "$o32") img/s|$(field images_per_s "$r32") img/s|$(ratio "$(field images_per_s "$o32")" "$(field images_per_s "$r32")")x|$(field cpu_ms_per_image "$o32")|$(field cpu_ms_per_image "$r32")")
    flops+=("batch 1, $threads thread(s): $(share "$(field gflops "$o")" "$threads");  batch 32: $(share "$(field gflops "$o32")" "$threads")")
    ours_peak=$(awk -v a="$ours_peak" -v b="$(field peak_rss_mb "$o32")" 'BEGIN { print (b > a ? b : a) }')
    ort_peak=$(field peak_rss_mb "$r32")
done
printf '%-22s %14s %16s %7s   %s\n' "" "ours" "ONNX Runtime" "ratio" "CPU ms/image ours / ORT"
for row in "${rows[@]}"; do
    IFS='|' read -r label o r x co cr <<<"$row"
    printf '%-22s %14s %16s %7s   %s / %s\n' "$label" "$o" "$r" "$x" "$co" "$cr"
done
echo "ratio > 1: ours faster (latency: ORT ms / ours ms; throughput: ours / ORT). Wall times: median"
echo "of the runs, best of $rounds round(s); CPU ms/image: process CPU time per image (all threads)."
echo "ours, achieved GFLOPS against the FMA peak of the threads used:"
printf '  %s\n' "${flops[@]}"
echo "peak RSS of one inference process: ours $(field peak_rss_mb "$(ours 1 1 5)") MB at batch 1, ${ours_peak} MB at batch 32;"
echo "ONNX Runtime (in Python) ${ort_peak} MB at batch 32"
