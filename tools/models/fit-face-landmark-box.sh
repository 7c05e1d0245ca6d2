#!/usr/bin/env bash
# Fits and checks the map from our detector's faces to the box convention of dlib's shape
# predictor (the constants of FaceAnalyzer.landmarkBox), on faces-fairface-dev minus the
# images of the test fixture, and reports fit and held-out agreement with the reference
# package (see tools/models/fit_face_landmark_box.py). Writes out/face-reference-all.json (cache of
# the reference's results) and out/bench-faces-ours.json (our detections).
# Usage: tools/models/fit-face-landmark-box.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
dataset=../shared/datasets/faces-fairface-dev
[ -f "$dataset/labels.csv" ] || { echo "error: no $dataset/labels.csv" >&2; exit 2; }
source tools/models/faces-venv.sh
mkdir -p out
photo=out/bench-faces-12mp.jpg
[ -f "$photo" ] || "$venv/bin/python" tools/bench/bench_faces.py make-photo ../shared/datasets/portraits/obama.jpg "$photo"
swift build -c release --product bench-faces >&2
"$(swift build -c release --show-bin-path)/bench-faces" Models "$dataset" "$photo" 1 > out/bench-faces-ours.json
"$venv/bin/python" tools/models/fit_face_landmark_box.py
