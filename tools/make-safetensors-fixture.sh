#!/usr/bin/env bash
# Regenerates Tests/NetworksTests/Fixtures with the reference safetensors package.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=tools/.venv-fixtures
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "safetensors==0.7.0" "numpy>=2"
"$venv/bin/python" tools/make_safetensors_fixture.py
