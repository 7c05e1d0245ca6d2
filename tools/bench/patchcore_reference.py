"""Plain PatchCore in PyTorch over the same EfficientNet-Lite0 weights: the reference engine of
tools/bench/bench-inspection.sh.

PatchCore (Roth et al., CVPR 2022) as the paper describes it, memory only, trained on the good
images alone: stride-8 and stride-16 feature maps, each averaged over its 3x3 neighbourhood
(padding not counted), the stride-16 map upsampled bilinearly to the stride-8 grid and
concatenated; a greedy k-center coreset of 10% of the training patches (distances on a
Gaussian random projection to 128 dimensions); a test patch's score is the Euclidean distance
to its nearest memory patch, the image score the largest patch score reweighted by eq. 7.
Photos are decoded by Pillow, converted to RGB and resized (antialiased bilinear) to the
same input size as our model, 320x224 for 550x380 photos.

Prints one JSON line: image AUROC and scoring throughput (decode included, `--threads` torch
threads) over the test images. Usage (from tools/bench/bench-inspection.sh):
    python tools/bench/patchcore_reference.py --weights Models/efficientnet-lite0.safetensors \
        --card Models/efficientnet-lite0.json --train-good DIR --test-good DIR --test-bad DIR
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models"))
import effnet_reference  # noqa: E402


def images_in(folder):
    names = [n for n in os.listdir(folder) if n.lower().endswith((".png", ".jpg", ".jpeg"))]
    return [os.path.join(folder, n) for n in sorted(names, key=lambda n: (len(n), n))]


def input_size(path, long_side=320, multiple=32):
    """The same rule as our InputSize.fitting: the longer side becomes `long_side`, aspect kept,
    both sides rounded to multiples of `multiple`."""
    w, h = Image.open(path).size
    scale = long_side / max(w, h)
    return tuple(max(multiple, round(v * scale / multiple) * multiple) for v in (w, h))


def load(path, size, mean, std):
    image = Image.open(path).convert("RGB").resize(size, Image.BILINEAR, reducing_gap=None)
    x = (np.asarray(image, dtype=np.float32) - mean) / std
    return torch.from_numpy(x.transpose(2, 0, 1).copy())


def patch_features(model, batch):
    """[N * H8 * W8, C8 + C16] locally aggregated patch features (PatchCore section 3.1)."""
    with torch.no_grad():
        _, taps = model.forward_with_taps(batch)
    s8 = F.avg_pool2d(taps["stride8"], 3, 1, 1, count_include_pad=False)
    s16 = F.avg_pool2d(taps["stride16"], 3, 1, 1, count_include_pad=False)
    s16 = F.interpolate(s16, size=s8.shape[-2:], mode="bilinear", align_corners=False)
    combined = torch.cat([s8, s16], dim=1)
    n, c, h, w = combined.shape
    return combined.permute(0, 2, 3, 1).reshape(n, h * w, c)


def greedy_coreset(patches, count, seed=0):
    """k-center greedy on a Gaussian random projection (Sener and Savarese 2018)."""
    generator = torch.Generator().manual_seed(seed)
    projection = torch.randn(patches.shape[1], 128, generator=generator) / 128 ** 0.5
    points = patches @ projection
    squared = (points ** 2).sum(1)
    chosen = [int(torch.randint(len(points), (1,), generator=generator))]
    distance = torch.full((len(points),), float("inf"))
    for _ in range(count - 1):
        centre = points[chosen[-1]]
        distance = torch.minimum(distance, squared - 2 * (points @ centre) + squared[chosen[-1]])
        chosen.append(int(distance.argmax()))
    return patches[chosen]


def image_score(patches, memory, neighbours=9):
    """Largest nearest-neighbour distance, reweighted by eq. 7 of the paper."""
    distances = torch.cdist(patches, memory)
    nearest, index = distances.min(dim=1)
    worst = int(nearest.argmax())
    anchor = memory[index[worst]]
    closest = torch.cdist(anchor[None], memory)[0].topk(neighbours, largest=False).indices
    to_neighbours = torch.cdist(patches[worst][None], memory[closest])[0]
    weight = 1 - torch.softmax(to_neighbours, 0)[0]
    return float(weight * nearest[worst])


def auroc(scores, labels):
    scores, labels = np.asarray(scores), np.asarray(labels, dtype=bool)
    positive, negative = scores[labels], scores[~labels]
    greater = (positive[:, None] > negative[None, :]).sum() + 0.5 * (positive[:, None] == negative[None, :]).sum()
    return float(greater / (len(positive) * len(negative)))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--weights", required=True)
    parser.add_argument("--card", required=True)
    parser.add_argument("--train-good", required=True)
    parser.add_argument("--test-good", required=True)
    parser.add_argument("--test-bad", required=True)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--coreset", type=float, default=0.1)
    parser.add_argument("--scores-csv", help="write path,Score per test image (for the benchmark's best-F1 figure)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    card = json.load(open(args.card))
    mean = np.array(card["input"]["normalization"]["mean"], dtype=np.float32)
    std = np.array(card["input"]["normalization"]["std"], dtype=np.float32)
    model = effnet_reference.load_committed(args.weights)

    train = images_in(args.train_good)
    size = input_size(train[0])
    start = time.perf_counter()
    patches = torch.cat([patch_features(model, load(p, size, mean, std)[None])[0] for p in train])
    memory = greedy_coreset(patches, max(1, round(len(patches) * args.coreset)))
    train_seconds = time.perf_counter() - start

    test = [(p, False) for p in images_in(args.test_good)] + [(p, True) for p in images_in(args.test_bad)]
    start = time.perf_counter()
    scores = []
    batch = 4
    for i in range(0, len(test), batch):
        paths = [p for p, _ in test[i:i + batch]]
        features = patch_features(model, torch.stack([load(p, size, mean, std) for p in paths]))
        scores += [image_score(f, memory) for f in features]
    score_seconds = time.perf_counter() - start
    labels = [label for _, label in test]
    if args.scores_csv:
        with open(args.scores_csv, "w") as out:
            out.write("path,Score\n" + "".join(f"{p},{s:.6f}\n" for (p, _), s in zip(test, scores)))
    print(json.dumps({
        "engine": f"PyTorch {torch.__version__}, {args.threads} threads",
        "input": f"{size[0]}x{size[1]}",
        "memory_patches": len(memory),
        "image_auroc": round(auroc(scores, labels), 4),
        "train_seconds": round(train_seconds, 2),
        "images_per_second": round(len(test) / score_seconds, 2),
    }))


if __name__ == "__main__":
    main()
