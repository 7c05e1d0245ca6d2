#!/usr/bin/env bash
# Regenerates Tests/ImagingTests/Fixtures with Pillow and pypng in their own venv.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=tools/.venv-fixtures
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/pip" install -q "pillow==13.0.0" "pypng==0.20220715.0" "numpy>=2"
"$venv/bin/python" tools/make_imaging_fixtures.py
