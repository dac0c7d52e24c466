#!/usr/bin/env python3
"""Regenerates the MediaIOTests fixtures (dev-time only; run with /opt/psref/bin/python).

    /opt/psref/bin/python Tests/MediaIOTests/Fixtures/make_fixtures.py

PNG variants are written by the tiny encoder below (struct + zlib) so that bit depth, color type,
tRNS and interlacing are exactly controlled; their expected RGB8 decodes go to png_expected.json,
computed here independently: 16-bit -> 8-bit is round(v / 257), grey is replicated, alpha is
composited onto black as round(c * a / 255).

JPEG fixtures are written with Pillow (libjpeg-turbo); their *.expected.png references are Pillow's
decode (default islow IDCT + fancy upsampling), after ImageOps.exif_transpose for the EXIF ones, and
convert("RGB") for grey/CMYK.

samples_golden.json holds reference values for the fetched sample images (scripts/fetch-assets.sh):
size, an 8x8 grid of pixels and per-channel means from Pillow's decode, plus an OpenCV INTER_AREA
downscale of grace_hopper.jpg and an INTER_LINEAR upscale of a fixture for the resize tests.
"""

import io
import json
import os
import struct
import zlib

import cv2
import numpy as np
from PIL import Image, ImageOps

HERE = os.path.dirname(os.path.abspath(__file__))


def samples_dir():
    if os.environ.get("POSESCOPE_SAMPLES"):
        return os.environ["POSESCOPE_SAMPLES"]
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return os.path.join(cache, "posescope", "samples")


# ---------------------------------------------------------------------------------------------------
# Minimal PNG writer.


def chunk(kind, data):
    body = kind + data
    return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)


def pack_row(samples, bit_depth):
    """Samples (ints) of one row to bytes for the given bit depth."""
    if bit_depth == 8:
        return bytes(samples)
    if bit_depth == 16:
        return b"".join(struct.pack(">H", s) for s in samples)
    per_byte = 8 // bit_depth
    out = bytearray()
    for i in range(0, len(samples), per_byte):
        group = samples[i : i + per_byte]
        byte = 0
        for k in range(per_byte):
            byte <<= bit_depth
            if k < len(group):
                byte |= group[k]
        out.append(byte)
    return bytes(out)


def write_png(name, width, height, channels, color_type, bit_depth, rows, plte=None, trns=None,
              interlace=False, gamma=None):
    """rows: list of height lists of width*channels samples."""
    raw = bytearray()
    if not interlace:
        for row in rows:
            raw += b"\x00" + pack_row(row, bit_depth)
    else:
        passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
                  (0, 1, 1, 2)]
        for x0, y0, dx, dy in passes:
            xs = list(range(x0, width, dx))
            if not xs:
                continue
            for y in range(y0, height, dy):
                samples = []
                for x in xs:
                    samples += rows[y][x * channels : (x + 1) * channels]
                raw += b"\x00" + pack_row(samples, bit_depth)
    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, color_type, 0, 0, 1 if interlace else 0)
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
    if gamma is not None:
        data += chunk(b"gAMA", struct.pack(">I", gamma))
    if plte is not None:
        data += chunk(b"PLTE", bytes(c for rgb in plte for c in rgb))
    if trns is not None:
        data += chunk(b"tRNS", trns)
    data += chunk(b"IDAT", zlib.compress(bytes(raw), 9)) + chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def over_black(c, a):
    return (c * a + 127) // 255


def make_pngs():
    expected = {}
    w, h = 5, 3

    # 16-bit RGB: mostly exact multiples of 257, plus values that exercise rounding.
    rows16, exp = [], []
    special = [0x0000, 0xFFFF, 0x1234, 0x807F, 0x8080, 0x00FF, 0x0080, 0x7F80]
    k = 0
    for y in range(h):
        row = []
        for x in range(w):
            for c in range(3):
                if (x + y) % 2 == 0:
                    v = special[k % len(special)]
                else:
                    v = ((x * 40 + y * 70 + c * 25) % 256) * 257
                k += 1
                row.append(v)
        rows16.append(row)
        exp.append([round(v / 257) for v in row])
    write_png("rgb16.png", w, h, 3, 2, 16, rows16)
    expected["rgb16.png"] = exp

    # 8-bit grey.
    rows = [[(x * 60 + y * 17) % 256 for x in range(w)] for y in range(h)]
    write_png("gray8.png", w, h, 1, 0, 8, rows)
    expected["gray8.png"] = [[v for v in row for _ in range(3)] for row in rows]

    # 1-bit grey (width not a multiple of 8: exercises bit packing).
    w1, h1 = 11, 3
    rows = [[(x + y) % 2 for x in range(w1)] for y in range(h1)]
    write_png("gray1.png", w1, h1, 1, 0, 1, rows)
    expected["gray1.png"] = [[v * 255 for v in row for _ in range(3)] for row in rows]

    # 8-bit grey + alpha.
    rows, exp = [], []
    for y in range(h):
        row, erow = [], []
        for x in range(w):
            g = (x * 50 + 30 + y * 11) % 256
            a = [255, 0, 128, 64, 200][x] if y != 1 else 255 - x * 51
            row += [g, a]
            erow += [over_black(g, a)] * 3
        rows.append(row)
        exp.append(erow)
    write_png("graya8.png", w, h, 2, 4, 8, rows)
    expected["graya8.png"] = exp

    # 8-bit palette, no transparency.
    plte = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (12, 34, 56), (200, 100, 50), (255, 255, 255)]
    rows = [[(x + 2 * y) % len(plte) for x in range(w)] for y in range(h)]
    write_png("palette8.png", w, h, 1, 3, 8, rows, plte=plte)
    expected["palette8.png"] = [[c for i in row for c in plte[i]] for row in rows]

    # 4-bit palette with tRNS (per-entry alpha).
    plte4 = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (240, 180, 60)]
    alphas = [255, 0, 128, 77]
    rows = [[(x * 3 + y) % 4 for x in range(w)] for y in range(h)]
    write_png("palette4_trns.png", w, h, 1, 3, 4, rows, plte=plte4, trns=bytes(alphas))
    expected["palette4_trns.png"] = [
        [over_black(c, alphas[i]) for i in row for c in plte4[i]] for row in rows
    ]

    # 8-bit RGBA.
    rows, exp = [], []
    for y in range(h):
        row, erow = [], []
        for x in range(w):
            rgb = [(x * 51 + 10) % 256, (y * 97 + 20) % 256, (x * y * 33 + 200) % 256]
            a = [255, 0, 1, 128, 254][(x + y) % 5]
            row += rgb + [a]
            erow += [over_black(c, a) for c in rgb]
        rows.append(row)
        exp.append(erow)
    write_png("rgba8.png", w, h, 4, 6, 8, rows)
    expected["rgba8.png"] = exp

    # 16-bit RGBA, fully opaque and fully transparent pixels only (composite is then exact).
    rows, exp = [], []
    for y in range(h):
        row, erow = [], []
        for x in range(w):
            rgb = [((x * 70 + y * 30 + c * 90) % 256) * 257 for c in range(3)]
            a = 0xFFFF if (x + y) % 3 else 0
            row += rgb + [a]
            erow += [v // 257 if a else 0 for v in rgb]
        rows.append(row)
        exp.append(erow)
    write_png("rgba16.png", w, h, 4, 6, 16, rows)
    expected["rgba16.png"] = exp

    # 8-bit RGB, Adam7 interlaced, 9x9 so every pass has pixels.
    wi, hi = 9, 9
    rows = [[(x * 29 + y * 7 + c * 83) % 256 for x in range(wi) for c in range(3)] for y in range(hi)]
    write_png("rgb8_interlaced.png", wi, hi, 3, 2, 8, rows, interlace=True)
    expected["rgb8_interlaced.png"] = rows

    # 8-bit RGB declaring linear gamma (gAMA 1.0): decoded as the stored values, like Pillow/OpenCV.
    rows = [[v for _ in range(4) for v in (g, g, g)] for g in (0, 64, 128, 255)]
    write_png("rgb8_gamma1.png", 4, 4, 3, 2, 8, rows, gamma=100000)
    expected["rgb8_gamma1.png"] = rows

    with open(os.path.join(HERE, "png_expected.json"), "w") as f:
        json.dump(expected, f, indent=None, separators=(",", ":"))
        f.write("\n")


# ---------------------------------------------------------------------------------------------------
# JPEG fixtures.

BLOCK_COLORS = [(220, 30, 30), (30, 200, 40), (40, 50, 220), (240, 230, 40), (250, 250, 250), (10, 10, 10)]


def block_image():
    """48x32: a 3x2 grid of 16x16 solid blocks, so orientation changes are easy to see."""
    img = Image.new("RGB", (48, 32))
    for i, color in enumerate(BLOCK_COLORS):
        bx, by = i % 3, i // 3
        img.paste(color, (bx * 16, by * 16, bx * 16 + 16, by * 16 + 16))
    return img


def exif_bytes(orientation, big_endian):
    """APP1 payload: "Exif\\0\\0" + TIFF header + IFD0 with a junk tag and the orientation tag."""
    e = ">" if big_endian else "<"
    tiff = (b"MM" if big_endian else b"II") + struct.pack(e + "HI", 42, 8)
    entries = [
        struct.pack(e + "HHI", 0x010F, 2, 4) + b"Cam\x00",  # Make, ASCII, fits in the value field
        struct.pack(e + "HHIH", 0x0112, 3, 1, orientation) + b"\x00\x00",
    ]
    ifd = struct.pack(e + "H", len(entries)) + b"".join(entries) + struct.pack(e + "I", 0)
    return b"Exif\x00\x00" + tiff + ifd


def save_jpeg_with_expected(img, name, **kwargs):
    path = os.path.join(HERE, name)
    img.save(path, "JPEG", **kwargs)
    decoded = Image.open(path)
    decoded = ImageOps.exif_transpose(decoded).convert("RGB")
    decoded.save(os.path.join(HERE, name.replace(".jpg", ".expected.png")))


def make_jpegs():
    base = block_image()
    save_jpeg_with_expected(base, "orient6_be.jpg", quality=95, subsampling=0, exif=exif_bytes(6, True))
    save_jpeg_with_expected(base, "orient3_le.jpg", quality=95, subsampling=0, exif=exif_bytes(3, False))
    save_jpeg_with_expected(base, "progressive420.jpg", quality=90, subsampling=2, progressive=True)
    gray = Image.fromarray(np.add.outer(np.arange(24) * 9, np.arange(40) * 5).clip(0, 255).astype(np.uint8))
    save_jpeg_with_expected(gray, "gray.jpg", quality=92)
    save_jpeg_with_expected(base.convert("CMYK"), "cmyk.jpg", quality=95)
    # 64x64 4:2:0 with a restart marker after every MCU row (RST0..RST2), for the resync test.
    grad = np.zeros((64, 64, 3), np.uint8)
    grad[:, :, 0] = np.arange(64)[None, :] * 4
    grad[:, :, 1] = np.arange(64)[:, None] * 4
    grad[:, :, 2] = 128
    save_jpeg_with_expected(Image.fromarray(grad), "restart.jpg", quality=90, restart_marker_rows=1)


# ---------------------------------------------------------------------------------------------------
# Golden values for the fetched samples and for resizing.


def grid(arr, n=8):
    h, w = arr.shape[:2]
    points = []
    for j in range(n):
        for i in range(n):
            x = (w - 1) * i // (n - 1)
            y = (h - 1) * j // (n - 1)
            points.append([x, y] + [int(v) for v in arr[y, x]])
    return points


def describe(arr):
    return {
        "width": int(arr.shape[1]),
        "height": int(arr.shape[0]),
        "points": grid(arr),
        "mean": [round(float(arr[:, :, c].mean()), 4) for c in range(3)],
    }


def make_golden():
    images = os.path.join(samples_dir(), "images")
    golden = {"images": {}, "resize": {}}
    for name in ["bus.jpg", "zidane.jpg", "grace_hopper.jpg", "astronaut.png"]:
        arr = np.asarray(Image.open(os.path.join(images, name)).convert("RGB"))
        golden["images"][name] = describe(arr)
        bgr = cv2.imread(os.path.join(images, name), cv2.IMREAD_COLOR)
        diff = np.abs(bgr[:, :, ::-1].astype(int) - arr.astype(int)).max()
        print(f"{name}: {arr.shape[1]}x{arr.shape[0]}, Pillow vs OpenCV max abs diff {diff}")
    hopper = np.asarray(Image.open(os.path.join(images, "grace_hopper.jpg")).convert("RGB"))
    down = cv2.resize(hopper, (200, 230), interpolation=cv2.INTER_AREA)
    golden["resize"]["grace_hopper.jpg@200x230"] = describe(down)
    down2 = cv2.resize(hopper, (128, 150), interpolation=cv2.INTER_AREA)
    golden["resize"]["grace_hopper.jpg@128x150"] = describe(down2)
    interlaced = np.asarray(Image.open(os.path.join(HERE, "rgb8_interlaced.png")).convert("RGB"))
    up = cv2.resize(interlaced, (20, 14), interpolation=cv2.INTER_LINEAR)
    golden["resize"]["rgb8_interlaced.png@20x14"] = {
        "width": 20,
        "height": 14,
        "pixels": [int(v) for v in up.reshape(-1)],
    }
    with open(os.path.join(HERE, "samples_golden.json"), "w") as f:
        json.dump(golden, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    make_pngs()
    make_jpegs()
    make_golden()
