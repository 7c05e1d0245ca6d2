# Shared setup of tools/bench/bench-faces.sh and tools/bench/faces-ablation.sh (sourced, not run): checks
# the dataset and the portrait, activates the faces venv (tools/models/faces-venv.sh), makes the
# 12-MP latency photo (and its EXIF-rotated twin) in out/ once and builds bench-faces. Expects
# $dataset; sets $photo, $photo_rotated and $bin.
portrait=../shared/datasets/portraits/obama.jpg
[ -f "$dataset/labels.csv" ] || { echo "error: no $dataset/labels.csv (pass the dataset folder)" >&2; exit 2; }
[ -f "$portrait" ] || { echo "error: no $portrait for the latency photo" >&2; exit 2; }
source tools/models/faces-venv.sh
mkdir -p out
photo=out/bench-faces-12mp.jpg
photo_rotated=out/bench-faces-12mp-exif6.jpg
[ -f "$photo" ] && [ -f "$photo_rotated" ] || "$venv/bin/python" tools/bench/bench_faces.py make-photo "$portrait" "$photo"
# BENCH_FACES=PATH uses a built bench-faces instead of building one.
bin="${BENCH_FACES:-}"
if [ -z "$bin" ]; then
    swift build -c release --product bench-faces >&2
    bin=$(swift build -c release --show-bin-path)/bench-faces
fi
