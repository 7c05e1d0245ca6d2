#!/usr/bin/env bash
# Box-jitter ablation for the faces pipeline: runs bench-faces on faces-fairface-dev with
# FaceAnalyzer.boxJitter at 0, 0.01 ... 0.05 (or the fractions given in JITTERS) and prints the
# label figures of each beside the reference package's. The reference's results are cached in
# out/ (gitignored), so only the first run pays for the slow reference.
# Usage: tools/bench/faces-ablation.sh [DATASET_DIR] [REPEATS]      (JITTERS="0 0.03" to choose)
set -euo pipefail
cd "$(dirname "$0")/../.."
dataset=${1:-../shared/datasets/faces-fairface-dev}
repeats=${2:-5}
jitters=${JITTERS:-0 0.01 0.02 0.03 0.04 0.05}
source tools/bench/faces-bench-setup.sh
runs=()
for j in $jitters; do
    echo "box jitter $j ..." >&2
    "$bin" Models "$dataset" "$photo" "$repeats" --box-jitter "$j" > "out/faces-ablation-$j.json"
    runs+=("out/faces-ablation-$j.json")
done
"$venv/bin/python" tools/bench/faces_ablation.py "$dataset" "${runs[@]}"
