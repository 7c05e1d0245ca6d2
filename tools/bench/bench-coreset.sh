#!/usr/bin/env bash
# The default coreset selection (auto: exact up to 32,768 good training patches, two-stage
# above) or, with COMPARE=two-stage, the two-stage selection everywhere (per-photo candidates on
# a 64-long random projection, then one greedy selection), against exact greedy k-center over
# every patch on full features: `inspect benchmark` runs every development category under both
# protocols, once with each selection, and the script prints each run's image AUROC both ways,
# their difference, and the largest.
# Everything else (folds, threshold, head) is the same code on the same seed. Arguments go to
# `inspect benchmark` (default: --seeds 1). The exact runs take several times longer
# (casting-impeller good-only selects from 4.6 million patches).
# Run from the repository root: tools/bench/bench-coreset.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
datasets="${INSPECT_DATASETS:-../shared/datasets}"
[ -d "$datasets" ] || { echo "no $datasets: set INSPECT_DATASETS to the shared datasets folder" >&2; exit 2; }
if [ -z "${INSPECT:-}" ]; then swift build -c release --product inspect >&2; fi
inspect="${INSPECT:-$(swift build -c release --show-bin-path)/inspect}"
[ $# -gt 0 ] || set -- --seeds 1
tools/machine-speed.sh
mkdir -p out
compare="${COMPARE:-auto}"
for selection in "$compare" exact; do
    echo "== $selection" >&2
    "$inspect" benchmark --datasets "$datasets" --coreset-selection "$selection" \
        --csv "out/bench-coreset-$selection.csv" --json "out/bench-coreset-$selection.json" "$@" >&2
done
python3 - "out/bench-coreset-$compare.json" out/bench-coreset-exact.json "$compare" <<'PY'
import json, sys
def runs(path):
    return {(r["category"], r["benchmarkProtocol"], r["seed"]): r for r in json.load(open(path))["runs"]}
two, exact = runs(sys.argv[1]), runs(sys.argv[2])
name = sys.argv[3]
print(f"| category | protocol | seed | AUROC {name} | AUROC exact | {name} - exact | train s {name} | train s exact |")
print("|---|---|---|---|---|---|---|---|")
worst = 0.0
for key in sorted(two):
    a, b = two[key], exact.get(key)
    if b is None or a["imageAUROC"] is None or b["imageAUROC"] is None:
        continue
    d = a["imageAUROC"] - b["imageAUROC"]
    worst = max(worst, abs(d))
    print(f"| {key[0]} | {key[1]} | {key[2]} | {a['imageAUROC']:.4f} | {b['imageAUROC']:.4f} | {d:+.4f} | {a['trainSeconds']:.1f} | {b['trainSeconds']:.1f} |")
print(f"largest |difference|: {worst:.4f}")
PY
