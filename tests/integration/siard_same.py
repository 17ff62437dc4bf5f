#!/usr/bin/env python3
"""siard_same.py A B: exit 0 when the two .siard archives hold the same bytes
up to header/metadata.xml (which carries the export's time, and comes last),
apart from the modification time of each entry's local header. Says where
they differ otherwise."""
import sys
import zipfile


def prefix(path):
    data = bytearray(open(path, "rb").read())
    z = zipfile.ZipFile(path)
    infos = z.infolist()
    if not infos or infos[-1].filename != "header/metadata.xml":
        sys.exit(f"{path}: header/metadata.xml is not the last entry")
    cut = infos[-1].header_offset
    for i in infos[:-1]:
        data[i.header_offset + 10:i.header_offset + 14] = b"\0" * 4  # DOS time and date
    return bytes(data[:cut]), [(i.filename, i.header_offset) for i in infos[:-1]]


a, ea = prefix(sys.argv[1])
b, eb = prefix(sys.argv[2])
if ea != eb:
    sys.exit(f"entries or offsets differ: {ea[:3]}... against {eb[:3]}...")
if a != b:
    at = next(k for k in range(min(len(a), len(b))) if a[k] != b[k]) if len(a) == len(b) else min(len(a), len(b))
    sys.exit(f"bytes differ from offset {at}")
print(f"{len(ea)} entries, {len(a)} bytes the same")
