"""Pillow's decode + resize throughput on a folder, the reference for tools/bench/bench-imaging.sh.

Same work as our bench-imaging: open, decode (with JPEG draft mode, Pillow's DCT scaling,
when the size allows), convert to RGB, resize to SIZE x SIZE with BILINEAR (antialiased).
With --processes 2 the files are split over a process pool (Pillow releases no parallelism
within one image). Prints: "pillow processes=N images=K seconds=T images_per_s=R".
"""
import argparse
import os
import time
from multiprocessing import Pool

from PIL import Image

EXTENSIONS = {".png", ".jpg", ".jpeg"}


def work(path, size):
    with Image.open(path) as image:
        image.draft("RGB", (size, size))
        image = image.convert("RGB").resize((size, size), Image.Resampling.BILINEAR)
        return image.size[0] == size


def one_pass(files, size, pool):
    if pool is None:
        return sum(work(f, size) for f in files)
    return sum(pool.starmap(work, [(f, size) for f in files], chunksize=4))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("folder")
    parser.add_argument("--size", type=int, default=224)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--seconds", type=float, default=3)
    args = parser.parse_args()
    files = sorted(os.path.join(root, name) for root, _, names in os.walk(args.folder)
                   for name in names if os.path.splitext(name)[1].lower() in EXTENSIONS)
    pool = Pool(args.processes) if args.processes > 1 else None
    one_pass(files, args.size, pool)  # warm-up
    images, start = 0, time.perf_counter()
    while time.perf_counter() - start < args.seconds:
        images += one_pass(files, args.size, pool)
    seconds = time.perf_counter() - start
    print(f"pillow processes={args.processes} images={images} seconds={seconds:.3f} "
          f"images_per_s={images / seconds:.1f}")


if __name__ == "__main__":
    main()
