#!/usr/bin/env bash
# Box-jitter ablation for the faces pipeline: runs bench-faces on faces-fairface-dev with
# FaceAnalyzer.boxJitter at 0, 0.01 ... 0.05 (or the fractions given in JITTERS) and prints the
# label figures of each beside the reference package's. The reference's results are cached in
# out/ (gitignored), so only the first run pays for the slow reference.
# Usage: tools/faces-ablation.sh [DATASET_DIR] [REPEATS]      (JITTERS="0 0.03" to choose)
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=${1:-../shared/datasets/faces-fairface-dev}
repeats=${2:-5}
jitters=${JITTERS:-0 0.01 0.02 0.03 0.04 0.05}
portrait=../shared/datasets/portraits/obama.jpg
[ -f "$dataset/labels.csv" ] || { echo "error: no $dataset/labels.csv (pass the dataset folder)" >&2; exit 2; }
[ -f "$portrait" ] || { echo "error: no $portrait for the latency photo" >&2; exit 2; }
source tools/faces-venv.sh
mkdir -p out
photo=out/bench-faces-12mp.jpg
[ -f "$photo" ] || "$venv/bin/python" tools/bench_faces.py make-photo "$portrait" "$photo"
swift build -c release --product bench-faces >&2
bin=$(swift build -c release --show-bin-path)/bench-faces
runs=()
for j in $jitters; do
    echo "box jitter $j ..." >&2
    "$bin" Models "$dataset" "$photo" "$repeats" --box-jitter "$j" > "out/faces-ablation-$j.json"
    runs+=("out/faces-ablation-$j.json")
done
"$venv/bin/python" tools/faces_ablation.py "$dataset" "${runs[@]}"
