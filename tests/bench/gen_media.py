#!/usr/bin/env python3
"""gen_media.py - a deterministic WordPress-shaped uploads tree for the media benchmark.

Usage: gen_media.py SIZE_MB DIR [SEED]

Writes DIR (which must not exist) as wp-content/uploads looks on a site that
has run for ten years: YEAR/MONTH folders; images uploaded with the
thumbnails WordPress makes of them (-150x150, -300x200, -768x512,
-1024x683); PDF brochures and forms; office files; a few videos; some text
(CSS, SVG, TXT, JSON) and a handful of names with accents and spaces.
Image, PDF, office and video bytes are random (as incompressible as the real
formats); text is French words. The same SIZE_MB and SEED always give the
same tree, byte for byte. Prints "files bytes" when done.
"""
import os
import random
import sys

WORDS = ("assurance contrat sinistre garantie prime adhérent mutuelle résiliation "
         "échéance avenant franchise indemnité déclaration été santé prévoyance").split()

# kind, extension, weight, size range in bytes (log-uniform)
KINDS = (
    ("image", "jpg", 52, (60 << 10, 3 << 20)),
    ("image", "png", 14, (20 << 10, 1 << 20)),
    ("pdf", "pdf", 14, (80 << 10, 6 << 20)),
    ("office", "docx", 5, (20 << 10, 1 << 20)),
    ("office", "xlsx", 3, (10 << 10, 512 << 10)),
    ("video", "mp4", 1, (8 << 20, 96 << 20)),
    ("text", "css", 3, (2 << 10, 80 << 10)),
    ("text", "svg", 4, (1 << 10, 40 << 10)),
    ("text", "txt", 2, (200, 20 << 10)),
    ("text", "json", 2, (500, 30 << 10)),
)
THUMBS = ((150, 150), (300, 200), (768, 512), (1024, 683))
ODD_NAMES = ("Conditions générales", "photo été (1)", "Procès-verbal AG", "l'équipe du siège",
             "tarifs 2024 – santé")


def log_uniform(r, lo, hi):
    return int(lo * (hi / lo) ** r.random())


def text_bytes(r, size):
    out, n = [], 0
    while n < size:
        w = r.choice(WORDS)
        out.append(w)
        n += len(w.encode()) + 1
    return " ".join(out).encode()[:size]


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__.strip().splitlines()[2])
    size_mb, root = int(sys.argv[1]), sys.argv[2]
    seed = int(sys.argv[3]) if len(sys.argv) == 4 else 20241
    if size_mb < 1:
        sys.exit("gen_media.py: SIZE_MB must be 1 or more")
    r = random.Random(seed)
    os.makedirs(root)
    target = size_mb * 1000 * 1000
    weights = [k[2] for k in KINDS]
    total = files = 0
    n = 0
    while total < target:
        kind, ext, _, (lo, hi) = r.choices(KINDS, weights)[0]
        year, month = 2015 + (n * 7) % 10, 1 + (n * 5) % 12
        folder = os.path.join(root, str(year), "%02d" % month)
        os.makedirs(folder, exist_ok=True)
        stem = r.choice(ODD_NAMES) + " %d" % n if n % 97 == 0 else "upload-%06d" % n
        n += 1
        size = log_uniform(r, lo, hi)
        variants = [(stem, size)]
        if kind == "image":
            variants += [("%s-%dx%d" % (stem, w, h), max(2048, size * w // 2400)) for w, h in THUMBS]
        for name, sz in variants:
            data = text_bytes(r, sz) if kind == "text" else r.randbytes(sz)
            with open(os.path.join(folder, name + "." + ext), "wb") as f:
                f.write(data)
            total += sz
            files += 1
    print(files, total)


if __name__ == "__main__":
    main()
