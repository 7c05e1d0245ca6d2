#!/usr/bin/env bash
# Inspection benchmark on ../shared/datasets/lookout-aliens with its README protocol: train on
# the first 20 normal + first 10 anomalous images (numeric file order), test on the other 88.
# Prints training time, image AUROC, precision/recall/F1 at the model's own threshold, the
# ablation table, and scoring throughput (550x380 PNG, decoding included).
# The model is the fused one (memory + fine-tuned head) when anomalous images are given.
# No reference engine runs here yet (a PyTorch PatchCore over the same extractor is the
# intended one; the issue quotes its AUROC, 0.993, for scale).
# Run from the repository root: tools/bench-inspection.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="../shared/datasets/lookout-aliens"
[ -d "$data/normal" ] && [ -d "$data/anomaly" ] || { echo "no $data: nothing to benchmark" >&2; exit 2; }
swift build -c release --product inspect >&2
inspect="$(swift build -c release --show-bin-path)/inspect"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
split() {  # split SRC_SUBDIR TRAIN_COUNT KIND
    mkdir -p "$work/train/$3" "$work/test/$3"
    ls "$data/$1" | sort -n | head -n "$2" | while read -r f; do cp "$data/$1/$f" "$work/train/$3/"; done
    ls "$data/$1" | sort -n | tail -n +"$(($2 + 1))" | while read -r f; do cp "$data/$1/$f" "$work/test/$3/"; done
}
split normal 20 good
split anomaly 10 bad

start=$(date +%s.%N)
"$inspect" train "$work/train/good" "$work/train/bad" --name aliens --model-store "$work/models" \
    --test-good "$work/test/good" --test-bad "$work/test/bad" > "$work/train.txt" 2>/dev/null
train_s=$(echo "$(date +%s.%N) - $start" | bc)
field() { grep -E "^  $1 " "$work/train.txt" | awk '{print $NF}'; }

# Scoring: the 88 test images, wall time and CPU time of the whole command.
/usr/bin/time -f "%e %U %S" -o "$work/time.txt" "$inspect" score "$work/test" --model aliens \
    --model-store "$work/models" > "$work/scores.csv" 2> "$work/score-summary.txt"
read -r wall user sys < "$work/time.txt"
count=$(($(wc -l < "$work/scores.csv") - 1))
cores=$(nproc)
load=$(cut -d' ' -f1 /proc/loadavg)

echo "lookout-aliens, README protocol: train 20 good + 10 anomalous, test 38 good + 50 anomalous"
printf "%-34s %s\n" "train (decode, features, CV)" "$(printf '%.1f s' "$train_s")  (bar: < 90 s)"
printf "%-34s %s\n" "image AUROC (fused model)" "$(field 'image AUROC')  (bar: >= 0.99)"
printf "%-34s %s\n" "precision / recall / F1" "$(field precision) / $(field recall) / $(field F1)  (bar: F1 >= 0.95)"
grep -E "TP|FP" "$work/train.txt" | sed 's/^ */  /'
printf "%-34s %s\n" "chosen stride-8 weight" "$(grep -o '"stride8Weight" : [0-9.]*' "$work/models/aliens/model.json" | awk '{print $3}')"
printf "%-34s %s\n" "scoring, wall clock" "$(echo "scale=1; $count / $wall" | bc) images/s ($count images in ${wall} s; load average $load on $cores cores)"
printf "%-34s %s\n" "scoring, per CPU second" "$(echo "scale=1; $count / ($user + $sys)" | bc) images/s (x$cores cores = $(echo "scale=1; $cores * $count / ($user + $sys)" | bc) images/s when the machine is idle)  (bar: >= 40)"
echo
echo "Ablation (same split; each model at its own threshold, chosen by cross-validation on the 30 training images):"
echo "| model | image AUROC | F1 at own threshold | precision | recall |"
echo "|---|---|---|---|---|"
sed -n '/^Ablation/,/^[A-Z]/p' "$work/train.txt" | grep -E '^  (fused|memory alone|fine-tuned head alone) ' |
    sed -E 's/^  (fused|memory alone|fine-tuned head alone) +/\1|/' |
    awk -F'|' '{split($2, v, " +"); printf "| %s | %s | %s | %s | %s |\n", $1, v[1], v[2], v[3], v[4]}'
grep -E "^Head:" "$work/train.txt" || echo "(no supervised head: trained on good images only)"
echo "Out-of-fold on the training images (what the fusion weight and thresholds were chosen on):"
sed -n '/^Cross-validation/,/fine-tuned head alone/p' "$work/train.txt" | tail -n +2
grep -E "^Slowest" "$work/train.txt"
