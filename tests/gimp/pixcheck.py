#!/usr/bin/python3
"""pixcheck.py — tiny PNG / raw-float reader (stdlib only) for the real-GIMP tests.

  pixcheck.py info   A.png                 -> "WIDTHxHEIGHT channels=C"
  pixcheck.py diff   A.png B.png           -> mean |A-B| over colour channels (0..255 scale)
  pixcheck.py alpha  A.png B.png           -> max |alphaA-alphaB| (0..255 scale)
  pixcheck.py region A.png B.png X Y W H   -> "inside=<mean diff> outside=<mean diff>"
  pixcheck.py same   A.png B.png           -> "same N" when every decoded sample is
                                              equal, else "differ K of N max M"
  pixcheck.py finite A.raw                 -> "finite N min max" or "nonfinite K of N"
                                              (raw little-endian float32 samples)

Colour comparisons use the first channel of gray images and the first three
of RGB(A).  Non-interlaced 8/16-bit gray, GA, RGB, RGBA only (what GIMP's
file-png-save2 writes here).
"""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 4: 2, 6: 4}


def read_png(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise ValueError(path + ": not a PNG file")
    pos, idat = 8, []
    width = height = depth = ctype = None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            if interlace or ctype not in CHANNELS or depth not in (8, 16):
                raise ValueError(path + ": unsupported PNG variant")
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    nch = CHANNELS[ctype]
    bpp = nch * depth // 8
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):   # undo the PNG row filter (spec section 9)
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 255
            elif ftype == 2:
                line[i] = (line[i] + b) & 255
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 255
        rows.append(line)
        prev = line
    # samples scaled to 0..255 floats
    pix = []
    for line in rows:
        if depth == 8:
            vals = list(line)
        else:
            vals = [((line[i] << 8) | line[i + 1]) / 257.0 for i in range(0, len(line), 2)]
        pix.append(vals)
    return width, height, nch, pix


def colour_channels(nch):
    return [0] if nch in (1, 2) else [0, 1, 2]


def alpha_channel(nch):
    return {2: 1, 4: 3}.get(nch)


def mean_diff(a, b, inside=None):
    wa, ha, na, pa = a
    wb, hb, nb, pb = b
    if (wa, ha) != (wb, hb):
        raise ValueError("sizes differ: %dx%d vs %dx%d" % (wa, ha, wb, hb))
    ca, cb = colour_channels(na), colour_channels(nb)
    if len(ca) != len(cb):
        raise ValueError("channel layouts differ")
    tot_in = tot_out = 0.0
    n_in = n_out = 0
    for y in range(ha):
        for x in range(wa):
            d = sum(abs(pa[y][x * na + c] - pb[y][x * nb + d2]) for c, d2 in zip(ca, cb)) / len(ca)
            if inside is None or inside(x, y):
                tot_in += d
                n_in += 1
            else:
                tot_out += d
                n_out += 1
    return (tot_in / n_in if n_in else 0.0), (tot_out / n_out if n_out else 0.0)


def main(argv):
    cmd = argv[1]
    if cmd == "info":
        w, h, n, _ = read_png(argv[2])
        print("%dx%d channels=%d" % (w, h, n))
    elif cmd == "diff":
        print("%.4f" % mean_diff(read_png(argv[2]), read_png(argv[3]))[0])
    elif cmd == "alpha":
        a, b = read_png(argv[2]), read_png(argv[3])
        ia, ib = alpha_channel(a[2]), alpha_channel(b[2])
        if ia is None or ib is None:
            print("noalpha")
            return 0
        m = max(abs(a[3][y][x * a[2] + ia] - b[3][y][x * b[2] + ib])
                for y in range(a[1]) for x in range(a[0]))
        print("%.4f" % m)
    elif cmd == "region":
        x0, y0, w, h = (int(v) for v in argv[4:8])
        inside, outside = mean_diff(read_png(argv[2]), read_png(argv[3]),
                                    lambda x, y: x0 <= x < x0 + w and y0 <= y < y0 + h)
        print("inside=%.4f outside=%.4f" % (inside, outside))
    elif cmd == "same":
        a, b = read_png(argv[2]), read_png(argv[3])
        if a[:3] != b[:3]:
            print("differ size %dx%dx%d vs %dx%dx%d" % (a[:3] + b[:3]))
            return 0
        diffs = [abs(p - q) for ra, rb in zip(a[3], b[3]) for p, q in zip(ra, rb)]
        k = sum(1 for d in diffs if d)
        print("same %d" % len(diffs) if k == 0 else
              "differ %d of %d max %d" % (k, len(diffs), max(diffs)))
    elif cmd == "finite":
        with open(argv[2], "rb") as f:
            raw = f.read()
        vals = struct.unpack("<%df" % (len(raw) // 4), raw[:len(raw) // 4 * 4])
        bad = sum(1 for v in vals if v != v or v in (float("inf"), float("-inf")))
        if bad or not vals:
            print("nonfinite %d of %d" % (bad, len(vals)))
        else:
            print("finite %d %.4f %.4f" % (len(vals), min(vals), max(vals)))
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
