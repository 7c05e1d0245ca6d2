#!/usr/bin/env bash
# The inspection benchmark over every product set (`inspect benchmark`): lookout-aliens,
# industrial/casting-impeller and industrial/kolektorsdd x the datasets README's two protocols
# (lookout: 20 good + 10 defective photos train; good-only: every train/good photo) x seeds
# 1, 2, 3. Per run: image AUROC, F1 at the saved model's own threshold, the best F1 any
# threshold reaches on the test photos, their gap, pixel AUROC, PRO and the marked areas' IoU
# where masks exist, training seconds and scoring images/s; then mean and worst. Writes
# out/bench-categories.csv and .json, and prints the machine line first.
# Arguments go to `inspect benchmark`, for instance a development run:
#     tools/bench/bench-categories.sh --categories industrial/kolektorsdd --protocols lookout --seeds 1
#     tools/bench/bench-categories.sh --max-train 200     # caps good-only training sets (not the protocol)
# Run from the repository root. Datasets: $INSPECT_DATASETS, else ../shared/datasets.
# INSPECT=PATH uses a built inspect instead of building one (BENCH_TENSORS=PATH likewise for the
# machine line's bench-tensors), so a test build's binaries are not rebuilt with other flags.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
datasets="${INSPECT_DATASETS:-../shared/datasets}"
[ -d "$datasets" ] || { echo "no $datasets: set INSPECT_DATASETS to the shared datasets folder" >&2; exit 2; }
if [ -z "${INSPECT:-}" ]; then swift build -c release --product inspect >&2; fi
machine=$(tools/machine-speed.sh)
echo "$machine"
mkdir -p out
"${INSPECT:-$(swift build -c release --show-bin-path)/inspect}" benchmark --datasets "$datasets" \
    --csv out/bench-categories.csv --json out/bench-categories.json --note "$machine" "$@"
