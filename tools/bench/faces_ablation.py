"""Second half of tools/bench/faces-ablation.sh: one row of label figures per bench-faces JSON (one
box-jitter fraction each) beside the reference package's, whose results are cached in out/.

  python faces_ablation.py DATASET ours-0.json ours-0.01.json ..."""
import csv
import os
import sys
import json

from bench_faces import reference_predictions, score, whole_year_predictions


def main(dataset, runs):
    labels = list(csv.DictReader(open(os.path.join(dataset, "labels.csv"))))
    cache = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "out")
    reference, seconds = reference_predictions(dataset, labels, cache=cache)
    print(f"reference package: {'ran in ' + format(seconds, '.0f') + ' s' if seconds else 'cached results'} (out/)")
    header = (f"{'':>10s} {'no face':>7s} | {'own images':^17s} | {'images both find':^32s} | {'12-MP ms, median':^18s}\n"
              f"{'jitter':>10s} {'':>7s} | {'age':>8s} {'gender':>8s} | {'n':>4s} {'age':>13s} {'gender':>13s} | {'total':>8s} {'after det':>9s}")
    print(header)

    def row(name, own, both, latency=("", "")):
        print(f"{name:>10s} {own['no_face']:7d} | {own['age_in_range']:8.3f} {own['gender_accuracy']:8.3f} | {both['found']:4d} "
              f"{both['age_in_range']:7.3f} ({both['age_correct']:3d}) {both['gender_accuracy']:7.3f} ({both['gender_correct']:3d}) | "
              f"{latency[0]:>8s} {latency[1]:>9s}")

    rows = []
    for path in runs:
        ours = json.load(open(path))
        predictions = whole_year_predictions(ours)
        both = [r for r in labels if r["file"] in predictions and r["file"] in reference]
        rows.append((ours, predictions, both))
        row(f"{ours['box_jitter']:.2f}", score(labels, predictions), score(both, predictions),
            (f"{ours['latency_ms_median']:.1f}", f"{ours['latency_ms_after_detection_median']:.1f}"))
    # The reference over the images both find (the same set for every run when our detector is
    # unchanged; shown for the first run's set).
    if rows:
        both = rows[0][2]
        row("reference", score(labels, reference), score(both, reference))
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2:])
