#!/usr/bin/env bash
# Training at scale on ../shared/datasets/industrial/casting-impeller, good-only: the first
# 100 / 300 / 1000 / 2875 photos of train/good (natural file order, as `sort -V`), each model
# then scoring all of test/ (262 good, 453 defective). Per size: train seconds (wall clock of
# `inspect train --no-holdout-report`, model loading included), peak RSS of training
# (/usr/bin/time -v), memory patches, image AUROC, precision / recall / F1 at the model's own
# threshold, and scoring images/s (`inspect score` over the 715 test photos, decoding and
# model loading included).
# In the same run, the PyTorch PatchCore reference (tools/bench/patchcore_reference.py, venv of
# tools/models/effnet-venv.sh) trains on the 300-photo case with the same memory size (its
# --coreset is our memory patches / training patches) and scores the same test photos; the
# script prints its train seconds (its own measure: features and coreset, without loading
# Python and torch), its AUROC, and the ratio to ours.
# SIZES="100 300" runs fewer sizes; BENCH_REFERENCE=0 skips the reference; INSPECT=PATH uses
# that inspect binary instead of building one.
# Run from the repository root: tools/bench/bench-scaling.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
data="../shared/datasets/industrial/casting-impeller"
[ -d "$data/train/good" ] && [ -d "$data/test/good" ] || { echo "no $data: nothing to benchmark" >&2; exit 2; }
if [ -z "${INSPECT:-}" ]; then swift build -c release --product inspect >&2; fi
if [ "${BENCH_REFERENCE:-1}" != 0 ]; then source tools/models/effnet-venv.sh; fi
inspect="${INSPECT:-$(swift build -c release --show-bin-path)/inspect}"
data="$(cd "$data" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
sizes=${SIZES:-"100 300 1000 2875"}

# Image AUROC and precision / recall / F1 at the model's threshold from a scores CSV whose
# paths name test/good or test/defective.
metrics() {
    python3 - "$1" <<'PY'
import csv, sys
rows = [r for r in csv.DictReader(open(sys.argv[1])) if r["Score"]]
data = [(float(r["Score"]), "/defective/" in r["path"], r["IsAnomalous"] == "true") for r in rows]
pos = [s for s, bad, _ in data if bad]; neg = [s for s, bad, _ in data if not bad]
auc = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg) / (len(pos) * len(neg))
tp = sum(1 for _, bad, flag in data if bad and flag); fp = sum(1 for _, bad, flag in data if flag and not bad)
fn = sum(1 for _, bad, flag in data if bad and not flag)
precision = tp / max(tp + fp, 1); recall = tp / max(tp + fn, 1)
f1 = 2 * tp / max(2 * tp + fp + fn, 1)
print(f"{auc:.4f} {precision:.3f} {recall:.3f} {f1:.3f}")
PY
}

tools/machine-speed.sh
echo "casting-impeller, good-only: train on the first N photos of train/good, test on all of test/ (262 good, 453 defective)"
echo "| photos | train s | peak RSS MB | memory patches | image AUROC | precision | recall | F1 at own threshold | scoring images/s |"
echo "|---|---|---|---|---|---|---|---|---|"
for n in $sizes; do
    mkdir -p "$work/train-$n"
    ls "$data/train/good" | sort -V | sed -n "1,${n}p" | while read -r f; do ln -s "$data/train/good/$f" "$work/train-$n/$f"; done
    /usr/bin/time -v -o "$work/time-$n.txt" "$inspect" train "$work/train-$n" --name "c$n" --model-store "$work/models" \
        --no-holdout-report > "$work/train-$n.txt" 2> "$work/progress-$n.txt"
    train_s=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/time-$n.txt" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; print s }')
    rss_mb=$(( $(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/time-$n.txt") / 1024 ))
    patches=$(sed -n 's/^Memory: \([0-9]*\) patches.*/\1/p' "$work/train-$n.txt")
    start=$(date +%s.%N)
    "$inspect" score "$data/test" --model "c$n" --model-store "$work/models" > "$work/scores-$n.csv" 2>/dev/null
    score_s=$(echo "$(date +%s.%N) - $start" | bc)
    count=$(($(wc -l < "$work/scores-$n.csv") - 1))
    read -r auc precision recall f1 <<<"$(metrics "$work/scores-$n.csv")"
    printf "| %s | %.1f | %s | %s | %s | %s | %s | %s | %.1f |\n" "$n" "$train_s" "$rss_mb" "$patches" "$auc" "$precision" "$recall" "$f1" \
        "$(echo "$count / $score_s" | bc -l)"
    eval "train_s_$n=$train_s; auc_$n=$auc; patches_$n=$patches"
done
echo "Time per phase (largest run):"
grep -E "^Time per phase" "$work/train-$(echo "$sizes" | awk '{print $NF}').txt" || true

if [ "${BENCH_REFERENCE:-1}" != 0 ] && [[ " $sizes " == *" 300 "* ]]; then
    # The same memory size: our memory patches over the 300 photos' patches (40x40 each at 320x320).
    ratio=$(echo "scale=6; $patches_300 / (300 * 1600)" | bc)
    ref=$("$venv/bin/python" tools/bench/patchcore_reference.py --weights Models/efficientnet-lite0.safetensors \
        --card Models/efficientnet-lite0.json --train-good "$work/train-300" --test-good "$data/test/good" \
        --test-bad "$data/test/defective" --threads "$(nproc)" --coreset "$ratio")
    field() { python3 -c "import json,sys; print(json.loads(sys.argv[1])[sys.argv[2]])" "$ref" "$1"; }
    echo
    echo "Reference on the 300-photo case, memory of $(field memory_patches) patches (coreset $ratio): $(field engine)"
    echo "| 300 photos | ours | reference | ratio |"
    echo "|---|---|---|---|"
    echo "| train seconds | $train_s_300 | $(field train_seconds) | reference / ours = $(echo "scale=2; $(field train_seconds) / $train_s_300" | bc) |"
    echo "| image AUROC | $auc_300 | $(field image_auroc) | ours - reference = $(echo "scale=4; $auc_300 - $(field image_auroc)" | bc) |"
    echo "| scoring images/s | see above | $(field images_per_second) | |"
fi
