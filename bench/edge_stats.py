#!/usr/bin/python3
"""edge_stats.py — do the borders of a result differ from their neighbours
more than rows and columns inside the picture do? (issue 17)

    edge_stats.py IMAGE [IMAGE ...]

For each image (anything ImageMagick's `convert` reads) prints, in 0..255
units averaged over the pixels and the three channels:
  top, bottom   mean |row 0 - row 1|, mean |row H-1 - row H-2|
  left, right   mean |col 0 - col 1|, mean |col W-1 - col W-2|
  rows, cols    the same between neighbouring rows / columns inside the
                picture (every adjacent pair that touches no border line)
  worst         max(top/rows, bottom/rows, left/cols, right/cols)
Exits 1 if any worst ratio exceeds 2 (the criterion of issue 17).
Standard library only (Debian's /usr/bin/python3 has no numpy).
"""
import subprocess
import sys


def read_ppm(path):
    """RGB bytes, width, height via `convert IMAGE -depth 8 ppm:-`."""
    data = subprocess.run(["convert", path, "-alpha", "off", "-depth", "8", "ppm:-"],
                          check=True, stdout=subprocess.PIPE).stdout
    fields, pos = [], 0
    while len(fields) < 4:                     # P6 W H MAXVAL, whitespace separated
        while data[pos:pos + 1].isspace():
            pos += 1
        start = pos
        while not data[pos:pos + 1].isspace():
            pos += 1
        fields.append(data[start:pos])
    pos += 1
    if fields[0] != b"P6" or int(fields[3]) != 255:
        raise ValueError("%s: unexpected PPM header %r" % (path, fields))
    w, h = int(fields[1]), int(fields[2])
    return data[pos:pos + 3 * w * h], w, h


def line_diff(px, w, a, b, along_rows):
    """Mean |line a - line b| (rows if along_rows, else columns)."""
    s = 0
    if along_rows:
        ra, rb = px[3 * w * a:3 * w * (a + 1)], px[3 * w * b:3 * w * (b + 1)]
        s = sum(abs(x - y) for x, y in zip(ra, rb))
        return s / len(ra)
    h = len(px) // (3 * w)
    for y in range(h):
        o = 3 * w * y
        for c in range(3):
            s += abs(px[o + 3 * a + c] - px[o + 3 * b + c])
    return s / (3 * h)


def stats(path):
    px, w, h = read_ppm(path)
    rows = [line_diff(px, w, y, y + 1, True) for y in range(1, h - 2)]
    cols = [line_diff(px, w, x, x + 1, False) for x in range(1, w - 2)]
    r = {
        "top": line_diff(px, w, 0, 1, True),
        "bottom": line_diff(px, w, h - 1, h - 2, True),
        "left": line_diff(px, w, 0, 1, False),
        "right": line_diff(px, w, w - 1, w - 2, False),
        "rows": sum(rows) / len(rows),
        "cols": sum(cols) / len(cols),
    }
    r["worst"] = max(r["top"] / r["rows"], r["bottom"] / r["rows"],
                     r["left"] / r["cols"], r["right"] / r["cols"])
    return w, h, r


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    print("| image | size | top | bottom | left | right | rows inside | cols inside | worst ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    bad = False
    for path in sys.argv[1:]:
        w, h, r = stats(path)
        print("| %s | %dx%d | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |"
              % (path, w, h, r["top"], r["bottom"], r["left"], r["right"],
                 r["rows"], r["cols"], r["worst"]))
        bad |= r["worst"] > 2
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
