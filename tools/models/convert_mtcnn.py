"""Converts the MTCNN face detector (Zhang et al. 2016) weights shipped in the PyPI wheel
facenet-pytorch==2.6.0 (MIT licence; data/pnet.pt, rnet.pt, onet.pt: PyTorch state dicts) into
Models/face-detector.safetensors + Models/face-detector.json, and writes a parity fixture
(Tests/FacesTests/Fixtures/mtcnn-parity.safetensors): each net's outputs computed by PyTorch
with facenet-pytorch's own layer definitions on fixed random inputs.

Layouts: conv weights [out, in, kh, kw] -> HWIO; PReLU slopes [C]; linear [out, in]. RNet and
ONet flatten their last feature map after permuting NCHW -> NWHC (facenet-pytorch's port of the
Caffe model), so the first dense layer's input columns are re-ordered to our NHWC flatten.
Every state-dict entry must be consumed; anything unexpected stops the conversion.
Run: tools/models/convert-mtcnn.sh"""
import io
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import torch
from safetensors.numpy import save_file

from face_models_common import CACHE, FIXTURES, MODELS, sha256_of

PACKAGE, VERSION = "facenet-pytorch", "2.6.0"
WHEEL = "facenet_pytorch-2.6.0-py3-none-any.whl"

# (net, layer, kind, flatten map (H, W, C) of the dense layer's input or None)
LAYERS = {
    "pnet": [("conv1", "conv"), ("prelu1", "prelu"), ("conv2", "conv"), ("prelu2", "prelu"), ("conv3", "conv"),
             ("prelu3", "prelu"), ("conv4_1", "conv"), ("conv4_2", "conv")],
    "rnet": [("conv1", "conv"), ("prelu1", "prelu"), ("conv2", "conv"), ("prelu2", "prelu"), ("conv3", "conv"),
             ("prelu3", "prelu"), ("dense4", "dense", (3, 3, 64)), ("prelu4", "prelu"), ("dense5_1", "dense"),
             ("dense5_2", "dense")],
    "onet": [("conv1", "conv"), ("prelu1", "prelu"), ("conv2", "conv"), ("prelu2", "prelu"), ("conv3", "conv"),
             ("prelu3", "prelu"), ("conv4", "conv"), ("prelu4", "prelu"), ("dense5", "dense", (3, 3, 128)),
             ("prelu5", "prelu"), ("dense6_1", "dense"), ("dense6_2", "dense"), ("dense6_3", "dense")],
}


def fetch():
    os.makedirs(CACHE, exist_ok=True)
    path = os.path.join(CACHE, WHEEL)
    if not os.path.exists(path):
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "-q", f"{PACKAGE}=={VERSION}", "-d", CACHE], check=True)
    return path


def convert(net, state):
    tensors, used = {}, set()
    for spec in LAYERS[net]:
        name, kind = spec[0], spec[1]
        if kind == "conv":
            w, b = state[f"{name}.weight"].numpy(), state[f"{name}.bias"].numpy()
            tensors[f"{net}.{name}.weight"] = np.ascontiguousarray(w.transpose(2, 3, 1, 0))
            tensors[f"{net}.{name}.bias"] = b
            used |= {f"{name}.weight", f"{name}.bias"}
        elif kind == "prelu":
            tensors[f"{net}.{name}.weight"] = state[f"{name}.weight"].numpy()
            used.add(f"{name}.weight")
        else:
            w, b = state[f"{name}.weight"].numpy(), state[f"{name}.bias"].numpy()
            if len(spec) == 3:
                h, wd, c = spec[2]
                # torch column index (w * H + h) * C + c  ->  ours (h * W + w) * C + c
                w = w.reshape(-1, wd, h, c).transpose(0, 2, 1, 3).reshape(w.shape[0], -1)
            tensors[f"{net}.{name}.weight"] = np.ascontiguousarray(w)
            tensors[f"{net}.{name}.bias"] = b
            used |= {f"{name}.weight", f"{name}.bias"}
    left = set(state) - used
    if left:
        sys.exit(f"error: {net}: state-dict entries not understood: {sorted(left)}")
    return {k: v.astype(np.float32) for k, v in tensors.items()}


def main():
    wheel = fetch()
    sys.path.insert(0, os.path.join(CACHE, "facenet-src"))
    with zipfile.ZipFile(wheel) as archive:
        licence = archive.read("facenet_pytorch-2.6.0.dist-info/LICENSE.md").decode().splitlines()[0].strip()
        archive.extractall(os.path.join(CACHE, "facenet-src"), [n for n in archive.namelist() if n.startswith("facenet_pytorch/models/mtcnn.py")])
        states = {net: torch.load(io.BytesIO(archive.read(f"facenet_pytorch/data/{net}.pt")), map_location="cpu", weights_only=True)
                  for net in LAYERS}
        members = {net: sha256_of(archive.read(f"facenet_pytorch/data/{net}.pt")) for net in LAYERS}
    tensors = {}
    for net, state in states.items():
        tensors.update(convert(net, state))
    os.makedirs(MODELS, exist_ok=True)
    path = os.path.join(MODELS, "face-detector.safetensors")
    save_file(tensors, path, metadata={"source": f"{PACKAGE}=={VERSION}"})
    card = {
        "name": "face-detector", "task": "face detection with 5 landmarks",
        "architecture": "MTCNN (Zhang, Zhang, Li, Qiao 2016): P-Net (fully convolutional proposals, 12x12 cells, "
                        "stride 2), R-Net (24x24 refinement), O-Net (48x48 output with 5 landmarks); PReLU",
        "input": {"color_order": "RGB", "normalization": "(byte - 127.5) * 0.0078125", "layout": "NHWC"},
        "defaults": {"thresholds": [0.6, 0.7, 0.7], "scale_factor": 0.709, "min_face": 20},
        "source": {"package": PACKAGE, "version": VERSION, "wheel_sha256": sha256_of(wheel),
                   "members": {f"facenet_pytorch/data/{n}.pt": h for n, h in members.items()}},
        "license": licence, "attribution": "Timothy Esler (facenet-pytorch); MTCNN weights ported from the "
                                            "authors' Caffe model (kpzhang93/MTCNN_face_detection_alignment)",
        "file": {"name": "face-detector.safetensors", "sha256": sha256_of(path), "bytes": os.path.getsize(path)},
    }
    with open(os.path.join(MODELS, "face-detector.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print(f"wrote Models/face-detector.safetensors ({os.path.getsize(path)} bytes) and its card")

    # Parity fixture: facenet-pytorch's own modules on fixed inputs.
    # The P/R/O-Net classes of the wheel's mtcnn.py (without its relative detect_face import).
    origin = os.path.join(CACHE, "facenet-src", "facenet_pytorch", "models", "mtcnn.py")
    source = open(origin).read().split("class MTCNN")[0].replace("from .utils.detect_face import detect_face, extract_face", "")
    namespace = {}
    exec(compile(source, origin, "exec"), namespace)
    rng = np.random.default_rng(5)
    fixture = {}
    for net, size in (("pnet", (1, 3, 30, 40)), ("rnet", (2, 3, 24, 24)), ("onet", (2, 3, 48, 48))):
        module = namespace[net[0].upper() + "Net"](pretrained=False)
        module.load_state_dict(states[net])
        module.eval()
        x = rng.uniform(-1, 1, size).astype(np.float32)
        with torch.no_grad():
            outputs = module(torch.from_numpy(x))
        fixture[f"{net}.input"] = np.ascontiguousarray(x.transpose(0, 2, 3, 1))
        for i, o in enumerate(outputs):
            o = o.numpy()
            fixture[f"{net}.output{i}"] = np.ascontiguousarray(o.transpose(0, 2, 3, 1) if o.ndim == 4 else o)
    os.makedirs(FIXTURES, exist_ok=True)
    save_file(fixture, os.path.join(FIXTURES, "mtcnn-parity.safetensors"), metadata={"made_by": "tools/models/convert_mtcnn.py"})
    print("wrote Tests/FacesTests/Fixtures/mtcnn-parity.safetensors")


if __name__ == "__main__":
    main()
