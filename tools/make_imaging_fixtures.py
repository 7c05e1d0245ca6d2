#!/usr/bin/env python3
"""Writes the Imaging test fixtures into Tests/ImagingTests/Fixtures.

Reference writers and decoders: Pillow (JPEG, EXIF, palette PNG) and pypng (every PNG
colour type and bit depth, interlacing, tRNS), both from PyPI. For each fixture it stores
the encoded file and the pixels a correct decoder must produce (`*.expected`: raw 8-bit
bytes, rows top to bottom, channels interleaved), described in `manifest.json`:

- PNG expectations come from the source arrays themselves (ground truth): n-bit grey is
  scaled as v * 255 / (2^n - 1), 16-bit samples as round(v * 255 / 65535), palette entries
  are expanded, tRNS becomes an alpha channel.
- JPEG expectations are Pillow's decode of the same file (libjpeg-turbo, ISLOW IDCT, fancy
  upsampling), after ImageOps.exif_transpose for the orientation fixtures; CMYK is Pillow's
  convert("RGB"). `tolerance` is the largest per-sample difference a test accepts.

Run: tools/make-imaging-fixtures.sh (creates the venv), or with a Python that has
pillow, pypng and numpy: python tools/make_imaging_fixtures.py
"""
import io
import json
import os
import struct
import sys
import zlib

import numpy as np
import png  # pypng
from PIL import Image, ImageOps

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "ImagingTests", "Fixtures")

manifest = []


def pattern(width, height, channels, maxval, seed):
    """A deterministic image with gradients, a bright square and noise, so every sample
    value range and every position matters."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width]
    planes = []
    for c in range(channels):
        base = (x * (c + 1) * 37 + y * (3 - c) * 53) % (maxval + 1)
        noise = rng.integers(0, maxval + 1, size=(height, width))
        plane = np.where((x + y + c) % 3 == 0, noise, base)
        plane[1:3, 1:3] = maxval
        plane[height - 1, width - 1] = 0
        planes.append(plane)
    return np.stack(planes, axis=-1).astype(np.int64)


def record(name, expected, tolerance=0, **info):
    expected = np.ascontiguousarray(expected, dtype=np.uint8)
    height, width = expected.shape[:2]
    channels = 1 if expected.ndim == 2 else expected.shape[2]
    with open(os.path.join(OUT, name + ".expected"), "wb") as f:
        f.write(expected.tobytes())
    entry = {"file": name, "width": width, "height": height, "channels": channels,
             "tolerance": tolerance}
    entry.update(info)
    manifest.append(entry)


def scale_to_8(values, bitdepth):
    maxval = (1 << bitdepth) - 1
    return np.floor(values * 255.0 / maxval + 0.5).astype(np.uint8)


def write_pypng(name, array, bitdepth, greyscale, alpha, interlace=False, transparent=None):
    height, width, channels = array.shape
    writer = png.Writer(width=width, height=height, greyscale=greyscale, alpha=alpha,
                        bitdepth=bitdepth, interlace=interlace, transparent=transparent)
    with open(os.path.join(OUT, name), "wb") as f:
        writer.write(f, array.reshape(height, width * channels).tolist())


def png_fixtures():
    width, height = 13, 7  # odd sizes: partial bytes at row ends for 1/2/4-bit
    seed = 1
    # Grey at every depth, grey+alpha, RGB and RGBA at 8 and 16 bits; some interlaced.
    cases = [
        ("gray", 1, True, False), ("gray", 2, True, False), ("gray", 4, True, False),
        ("gray", 8, True, False), ("gray", 16, True, False),
        ("grayalpha", 8, True, True), ("grayalpha", 16, True, True),
        ("rgb", 8, False, False), ("rgb", 16, False, False),
        ("rgba", 8, False, True), ("rgba", 16, False, True),
    ]
    for kind, depth, grey, alpha in cases:
        channels = (1 if grey else 3) + (1 if alpha else 0)
        for interlace in (False, True):
            if interlace and depth not in (1, 8, 16):
                continue
            seed += 1
            data = pattern(width, height, channels, (1 << depth) - 1, seed)
            name = f"png-{kind}{depth}{'-interlaced' if interlace else ''}.png"
            write_pypng(name, data, depth, grey, alpha, interlace)
            record(name, scale_to_8(data, depth), 0, format="PNG", colorType=kind, bitDepth=depth,
                   interlaced=interlace)

    # Grey and RGB with a tRNS transparent colour: that colour gets alpha 0, others 255.
    for kind, grey in (("gray", True), ("rgb", False)):
        seed += 1
        channels = 1 if grey else 3
        data = pattern(width, height, channels, 255, seed)
        key = tuple(int(v) for v in data[0, 0])
        name = f"png-{kind}8-trns.png"
        write_pypng(name, data, 8, grey, False, transparent=key[0] if grey else key)
        alpha = np.where(np.all(data == np.array(key), axis=-1), 0, 255)[..., None]
        record(name, np.concatenate([data, alpha], axis=-1), 0, format="PNG",
               colorType=kind + "-trns", bitDepth=8, interlaced=False)

    # Palette images at 1, 2, 4 and 8 bits (pypng), with and without tRNS, one interlaced.
    rng = np.random.default_rng(99)
    for depth in (1, 2, 4, 8):
        for trns in (False, True):
            for interlace in ((False, True) if depth == 8 and trns else (False,)):
                entries = 1 << depth if depth < 8 else 200
                colours = rng.integers(0, 256, size=(entries, 3))
                alphas = rng.integers(0, 256, size=entries)
                palette = [tuple(int(v) for v in c) + ((int(a),) if trns else ())
                           for c, a in zip(colours, alphas)]
                index = pattern(width, height, 1, entries - 1, depth * 10 + trns)[..., 0]
                name = f"png-palette{depth}{'-trns' if trns else ''}{'-interlaced' if interlace else ''}.png"
                writer = png.Writer(width=width, height=height, palette=palette, bitdepth=depth,
                                    interlace=interlace)
                with open(os.path.join(OUT, name), "wb") as f:
                    writer.write(f, index.tolist())
                table = np.array(palette)
                record(name, table[index], 0, format="PNG", colorType="palette", bitDepth=depth,
                       interlaced=interlace, transparency=trns)

    # Cross-check: Pillow reads every 8-bit RGB(A)/grey fixture as we expect it to.
    for entry in manifest:
        if entry.get("bitDepth") == 8 and entry["colorType"] in ("rgb", "rgba", "gray"):
            got = np.asarray(Image.open(os.path.join(OUT, entry["file"])))
            want = np.fromfile(os.path.join(OUT, entry["file"] + ".expected"), dtype=np.uint8)
            assert got.tobytes() == want.tobytes(), entry["file"]


def upright_test_card(width, height):
    """An asymmetric picture: four differently coloured quadrants and a dark corner mark,
    so every flip and rotation gives a different image."""
    card = np.zeros((height, width, 3), dtype=np.uint8)
    card[: height // 2, : width // 2] = (220, 40, 40)
    card[: height // 2, width // 2:] = (40, 200, 60)
    card[height // 2:, : width // 2] = (40, 60, 210)
    card[height // 2:, width // 2:] = (230, 220, 50)
    card[0:4, 0:4] = (10, 10, 10)
    return card


# For orientation o, the stored pixels are the upright card turned by the inverse of what
# the viewer applies (Pillow's exif_transpose methods).
INVERSE_FOR_ORIENTATION = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_90,   # viewer turns 90 clockwise (ROTATE_270); store turned back
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_270,
}


def jpeg_fixtures():
    rgb = pattern(40, 24, 3, 255, 7).astype(np.uint8)
    # Smooth content keeps JPEG close to the source, so tests can also check absolute values.
    y, x = np.mgrid[0:24, 0:40]
    smooth = np.stack([x * 6, y * 10, 255 - x * 3], axis=-1).clip(0, 255).astype(np.uint8)

    def save(name, image, **options):
        image.save(os.path.join(OUT, name), **options)
        return Image.open(os.path.join(OUT, name))

    decoded = save("jpeg-baseline.jpg", Image.fromarray(smooth), quality=92)
    record("jpeg-baseline.jpg", np.asarray(decoded.convert("RGB")), 1, format="JPEG",
           source="smooth", progressive=False)
    decoded = save("jpeg-baseline-444.jpg", Image.fromarray(rgb), quality=95, subsampling=0)
    record("jpeg-baseline-444.jpg", np.asarray(decoded), 1, format="JPEG", progressive=False)
    decoded = save("jpeg-progressive.jpg", Image.fromarray(smooth), quality=90, progressive=True)
    record("jpeg-progressive.jpg", np.asarray(decoded), 1, format="JPEG", source="smooth",
           progressive=True)
    decoded = save("jpeg-gray.jpg", Image.fromarray(smooth[..., 1]), quality=90)
    record("jpeg-gray.jpg", np.asarray(decoded), 1, format="JPEG", progressive=False)
    decoded = save("jpeg-gray-progressive.jpg", Image.fromarray(smooth[..., 0]), quality=90,
                   progressive=True)
    record("jpeg-gray-progressive.jpg", np.asarray(decoded), 1, format="JPEG", progressive=True)

    # CMYK: Pillow writes an Adobe APP14 marker and inverted samples, as Photoshop does.
    cmyk = Image.fromarray(smooth).convert("CMYK")
    decoded = save("jpeg-cmyk-adobe.jpg", cmyk, quality=95)
    assert decoded.mode == "CMYK"
    record("jpeg-cmyk-adobe.jpg", np.asarray(decoded.convert("RGB")), 3, format="JPEG",
           colorType="cmyk", progressive=False)

    # DCT-scaled decode: Pillow's draft() asks libjpeg for 1/4 size, as our minimumSize does.
    big = np.stack([np.mgrid[0:96, 0:128][1] * 2, np.mgrid[0:96, 0:128][0] * 2,
                    np.full((96, 128), 90)], axis=-1).clip(0, 255).astype(np.uint8)
    Image.fromarray(big).save(os.path.join(OUT, "jpeg-large.jpg"), quality=90)
    drafted = Image.open(os.path.join(OUT, "jpeg-large.jpg"))
    drafted.draft("RGB", (32, 24))
    drafted = np.asarray(drafted.convert("RGB"))
    assert drafted.shape == (24, 32, 3), drafted.shape
    record("jpeg-large.jpg", drafted, 1, format="JPEG", minimumWidth=30, minimumHeight=20,
           scaleDenominator=4)

    # EXIF orientations 1-8 on JPEG, and one PNG with an eXIf chunk.
    card = Image.fromarray(upright_test_card(24, 16))
    for orientation, inverse in INVERSE_FOR_ORIENTATION.items():
        stored = card if inverse is None else card.transpose(inverse)
        exif = Image.Exif()
        exif[0x0112] = orientation
        name = f"jpeg-exif-orientation-{orientation}.jpg"
        stored.save(os.path.join(OUT, name), quality=95, subsampling=0, exif=exif.tobytes())
        upright = ImageOps.exif_transpose(Image.open(os.path.join(OUT, name)))
        assert upright.size == card.size, (orientation, upright.size)
        record(name, np.asarray(upright.convert("RGB")), 1, format="JPEG", orientation=orientation,
               storedWidth=stored.size[0], storedHeight=stored.size[1])
    exif = Image.Exif()
    exif[0x0112] = 6
    stored = card.transpose(INVERSE_FOR_ORIENTATION[6])
    stored.save(os.path.join(OUT, "png-exif-orientation-6.png"), exif=exif.tobytes())
    upright = ImageOps.exif_transpose(Image.open(os.path.join(OUT, "png-exif-orientation-6.png")))
    assert np.array_equal(np.asarray(upright), np.asarray(card))
    record("png-exif-orientation-6.png", np.asarray(card), 0, format="PNG", orientation=6,
           storedWidth=stored.size[0], storedHeight=stored.size[1])


def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_fixtures():
    """Files whose headers claim 24000x24000 pixels with almost no data behind them."""
    ihdr = struct.pack(">IIBBBBB", 24000, 24000, 8, 2, 0, 0, 0)
    idat = zlib.compress(b"\x00" + b"\x00" * 3 * 24000)
    with open(os.path.join(OUT, "bomb-24000.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))
    # A real small JPEG whose SOF0 dimensions are rewritten.
    buffer = io.BytesIO()
    Image.new("RGB", (16, 16), (128, 128, 128)).save(buffer, "JPEG", quality=90)
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, 24000, 24000)
    with open(os.path.join(OUT, "bomb-24000.jpg"), "wb") as f:
        f.write(bytes(data))


def resize_fixtures():
    """Pillow's BILINEAR (support widened when shrinking) and BOX resizes of one source,
    and its convert("L"), for our .antialiased, .area and grey conversion. BOX only at
    integer ratios: Pillow's box takes whole pixels by their centres, our area filter
    weights partly covered pixels by coverage, and the two agree only there."""
    source = pattern(50, 36, 3, 255, 11).astype(np.uint8)
    source[10:30, 5:20] = (250, 250, 250)  # a hard edge, where filters differ most
    Image.fromarray(source).save(os.path.join(OUT, "resize-source.png"))
    resizes = [((17, 11), "BILINEAR", "antialiased"), ((80, 61), "BILINEAR", "antialiased"),
               ((10, 12), "BOX", "area"), ((25, 18), "BOX", "area")]
    for size, pillow_filter, ours in resizes:
        resized = Image.fromarray(source).resize(size, getattr(Image.Resampling, pillow_filter))
        name = f"resize-{ours}-{size[0]}x{size[1]}"
        record(name, np.asarray(resized), 1, source="resize-source.png", filter=ours)
    grey = Image.fromarray(source).convert("L")
    record("convert-gray", np.asarray(grey), 0, source="resize-source.png", filter="gray")


def main():
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        if name != ".keep":
            os.remove(os.path.join(OUT, name))
    png_fixtures()
    jpeg_fixtures()
    bomb_fixtures()
    resize_fixtures()
    with open(os.path.join(OUT, "manifest.json"), "w") as f:
        json.dump({"generator": "tools/make_imaging_fixtures.py",
                   "pillow": Image.__version__, "pypng": png.__version__,
                   "fixtures": manifest}, f, indent=1)
    total = sum(os.path.getsize(os.path.join(OUT, n)) for n in os.listdir(OUT))
    print(f"wrote {len(manifest)} fixtures ({total // 1024} KiB) to {os.path.relpath(OUT, ROOT)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
