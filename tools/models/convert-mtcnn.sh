#!/usr/bin/env bash
# Regenerates Models/face-detector.{safetensors,json} (MTCNN from facenet-pytorch==2.6.0) and
# Tests/FacesTests/Fixtures/mtcnn-parity.safetensors. Own venv with the CPU torch wheel.
set -euo pipefail
cd "$(dirname "$0")/../.."
venv=tools/.venv-mtcnn
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "torch==2.13.0" "numpy==2.4.6" "safetensors==0.7.0"
"$venv/bin/python" tools/models/convert_mtcnn.py
