#!/usr/bin/env bash
# Decode + resize to 224x224 throughput: our Imaging layer against Pillow, same files,
# same run. Usage: tools/bench/bench-imaging.sh [FOLDER] (default ../shared/datasets/lookout-aliens)
set -euo pipefail
cd "$(dirname "$0")/../.."
folder=${1:-../shared/datasets/lookout-aliens}
[ -d "$folder" ] || { echo "error: no folder $folder (pass one as the first argument)" >&2; exit 2; }
venv=tools/.venv-bench-imaging
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q "pillow==13.0.0"
fi
swift build -c release --product bench-imaging >&2
bin=$(swift build -c release --show-bin-path)/bench-imaging
echo "decode + convert to RGB + resize to 224x224, $(find "$folder" -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.jpeg' \) | wc -l) files in $folder"
ours1=$("$bin" "$folder" --threads 1)
pil1=$("$venv/bin/python" tools/bench/bench_pillow_decode.py "$folder" --processes 1)
ours2=$("$bin" "$folder" --threads 2)
pil2=$("$venv/bin/python" tools/bench/bench_pillow_decode.py "$folder" --processes 2)
rate() { sed -E 's/.*images_per_s=([0-9.]+).*/\1/' <<<"$1"; }
printf '%-28s %12s %12s %8s\n' "threads" "ours img/s" "Pillow img/s" "ratio"
for pair in "1 thread / 1 process|$ours1|$pil1" "2 threads / 2 processes|$ours2|$pil2"; do
    IFS='|' read -r label o p <<<"$pair"
    printf '%-28s %12s %12s %8s\n' "$label" "$(rate "$o")" "$(rate "$p")" \
        "$(awk -v a="$(rate "$o")" -v b="$(rate "$p")" 'BEGIN { printf "%.2f", a / b }')"
done
