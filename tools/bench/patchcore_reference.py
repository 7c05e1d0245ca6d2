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

With --train-manifest and --test-manifest (Lookout JSON lines: source-ref, anomaly-label,
anomaly-mask-ref; `inspect benchmark --write-splits DIR` writes them), the split comes from the
manifests (the good photos of the training one train), and when test photos have masks the
anomaly maps are made as the paper does (patch distances upsampled bilinearly to the input
size, Gaussian blur of sigma 4) and compared with the masks at the input size: pixel AUROC and
PRO (per-region overlap up to 30% false-positive pixels), each computed exactly as our
PixelMetrics does (4096 score levels between the global minimum and maximum; 8-connected
regions).
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


def read_manifest(path):
    """[(image path, is anomalous, mask path or None)] of a Lookout JSON-lines manifest."""
    folder = os.path.dirname(os.path.abspath(path))
    rows = []
    for line in open(path):
        if not line.strip():
            continue
        entry = json.loads(line)
        resolve = lambda p: p if os.path.isabs(p) else os.path.normpath(os.path.join(folder, p))
        mask = entry.get("anomaly-mask-ref")
        rows.append((resolve(entry["source-ref"]), int(entry["anomaly-label"]) == 1, resolve(mask) if mask else None))
    return rows


def patch_distances(patches, memory):
    """Each patch's distance to its nearest memory patch."""
    return torch.cdist(patches, memory).min(dim=1).values


def anomaly_map(distances, grid, size, sigma=4.0):
    """PatchCore's map: the patch-distance grid upsampled bilinearly to the input size
    (half-pixel centres), then a Gaussian blur of `sigma` pixels, kernel radius ceil(4 sigma),
    edges clamped."""
    h8, w8 = grid
    up = F.interpolate(distances.reshape(1, 1, h8, w8), size=(size[1], size[0]), mode="bilinear", align_corners=False)
    radius = int(np.ceil(4 * sigma))
    x = torch.arange(-radius, radius + 1, dtype=torch.float32)
    kernel = torch.exp(-x ** 2 / (2 * sigma ** 2))
    kernel = kernel / kernel.sum()
    up = F.conv2d(F.pad(up, (radius, radius, 0, 0), mode="replicate"), kernel.reshape(1, 1, 1, -1))
    up = F.conv2d(F.pad(up, (0, 0, radius, radius), mode="replicate"), kernel.reshape(1, 1, -1, 1))
    return up[0, 0].numpy()


BINS = 4096


def binned(maps):
    low = min(float(m.min()) for m in maps)
    high = max(float(m.max()) for m in maps)
    scale = (BINS - 1) / (high - low) if high > low else 0.0
    return [np.floor((m.astype(np.float32) - np.float32(low)) * np.float32(scale)).astype(np.int64).clip(0, BINS - 1) for m in maps]


def pixel_auroc(maps, masks):
    positive, negative = np.zeros(BINS), np.zeros(BINS)
    for b, mask in zip(binned(maps), masks):
        positive += np.bincount(b[mask], minlength=BINS)
        negative += np.bincount(b[~mask], minlength=BINS)
    below = np.concatenate([[0.0], np.cumsum(negative)[:-1]])
    return float((positive * (below + negative / 2)).sum() / (positive.sum() * negative.sum()))


def per_region_overlap(maps, masks, limit=0.3):
    from scipy.ndimage import label
    overlap, negative, regions = np.zeros(BINS), np.zeros(BINS), 0
    for b, mask in zip(binned(maps), masks):
        labels, count = label(mask, structure=np.ones((3, 3), dtype=int))  # 8-connected regions
        regions += count
        negative += np.bincount(b[labels == 0], minlength=BINS)
        if count:
            sizes = np.bincount(labels.ravel())
            inside = labels > 0
            overlap += np.bincount(b[inside], weights=1.0 / sizes[labels[inside]], minlength=BINS)
    negatives = negative.sum()
    area, previous_fpr, previous_pro, above_neg, above_overlap = 0.0, 0.0, 0.0, 0.0, 0.0
    for bin in range(BINS - 1, -1, -1):
        above_neg += negative[bin]
        above_overlap += overlap[bin]
        fpr, pro = above_neg / negatives, above_overlap / regions
        if fpr >= limit:
            t = (limit - previous_fpr) / (fpr - previous_fpr) if fpr > previous_fpr else 0.0
            area += (limit - previous_fpr) * (previous_pro + (previous_pro + t * (pro - previous_pro))) / 2
            return area / limit
        area += (fpr - previous_fpr) * (previous_pro + pro) / 2
        previous_fpr, previous_pro = fpr, pro
    return area / limit


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
    parser.add_argument("--train-good")
    parser.add_argument("--test-good")
    parser.add_argument("--test-bad")
    parser.add_argument("--train-manifest", help="Lookout JSON lines; its good photos train (instead of --train-good)")
    parser.add_argument("--test-manifest", help="Lookout JSON lines with optional masks (instead of --test-good/--test-bad)")
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--coreset", type=float, default=0.1)
    parser.add_argument("--scores-csv", help="write path,Score per test image (for the benchmark's best-F1 figure)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    card = json.load(open(args.card))
    mean = np.array(card["input"]["normalization"]["mean"], dtype=np.float32)
    std = np.array(card["input"]["normalization"]["std"], dtype=np.float32)
    model = effnet_reference.load_committed(args.weights)

    if args.train_manifest:
        train = [p for p, bad, _ in read_manifest(args.train_manifest) if not bad]
    else:
        train = images_in(args.train_good)
    size = input_size(train[0])
    start = time.perf_counter()
    patches = torch.cat([patch_features(model, load(p, size, mean, std)[None])[0] for p in train])
    memory = greedy_coreset(patches, max(1, round(len(patches) * args.coreset)))
    train_seconds = time.perf_counter() - start

    if args.test_manifest:
        rows = read_manifest(args.test_manifest)
        test, masks = [(p, bad) for p, bad, _ in rows], [m for _, _, m in rows]
    else:
        test = [(p, False) for p in images_in(args.test_good)] + [(p, True) for p in images_in(args.test_bad)]
        masks = [None] * len(test)
    with_masks = any(m is not None for m in masks)
    grid = (size[1] // 8, size[0] // 8)
    start = time.perf_counter()
    scores, maps = [], []
    batch = 4
    for i in range(0, len(test), batch):
        paths = [p for p, _ in test[i:i + batch]]
        features = patch_features(model, torch.stack([load(p, size, mean, std) for p in paths]))
        scores += [image_score(f, memory) for f in features]
        if with_masks:
            maps += [anomaly_map(patch_distances(f, memory), grid, size) for f in features]
    score_seconds = time.perf_counter() - start
    labels = [label for _, label in test]
    pixel = {}
    if with_masks:
        kept_maps, truths = [], []
        for (path, bad), mask, m in zip(test, masks, maps):
            if mask is not None:
                # Two-tap bilinear between pixel centres, as `inspect` resizes masks.
                grey = torch.from_numpy(np.asarray(Image.open(mask).convert("L"), dtype=np.float32))
                truth = (F.interpolate(grey[None, None], size=(size[1], size[0]), mode="bilinear",
                                       align_corners=False)[0, 0] >= 128).numpy()
            elif not bad:
                truth = np.zeros((size[1], size[0]), dtype=bool)
            else:
                continue  # an anomalous photo without a mask stays out of the pixel figures
            kept_maps.append(m)
            truths.append(truth)
        pixel = {"pixel_auroc": round(pixel_auroc(kept_maps, truths), 4), "pro": round(per_region_overlap(kept_maps, truths), 4),
                 "pixel_images": len(kept_maps)}
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
        **pixel,
    }))


if __name__ == "__main__":
    main()
