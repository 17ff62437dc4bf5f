#!/usr/bin/env python3
"""Crafts hostile variants of a valid package ZIP, one per refusal of
`revpack verify NAME.zip` (formats/bag.md, "What verify refuses").

Usage: hostile_zip.py VALID.zip OUTDIR

VALID.zip must hold the bag under one top folder, written by Python's
zipfile (no data descriptors, no archive comment), with at least one
deflated .csv entry and one stored .siard entry. For every case this writes
OUTDIR/<case>/<stem>.zip (the file keeps the valid archive's name, so that
the top folder still matches it) and prints one tab-separated line:

    case  exit  kind  entry  regex

exit is the exit code verify must give; kind is PROBLEM or NOTE; entry is
the entry the line must name ("-" for the archive itself); regex must match
the rest of that line. Raw byte surgery is used wherever zipfile cannot
express the lie (names, sizes, offsets, flags, end records).
"""
import os
import struct
import sys
import zlib

LOCAL_SIG = 0x04034B50
CENTRAL_SIG = 0x02014B50
EOCD_SIG = 0x06054B50
Z64_EOCD_SIG = 0x06064B50
Z64_LOC_SIG = 0x07064B50


class Entry:
    """One entry: the central record's fields, the local extra field and
    the raw (possibly compressed) data. local_* override what the local
    header says; offset overrides where the central record points."""

    def __init__(self, **kw):
        self.name = b""
        self.ver_made = (3 << 8) | 20
        self.ver_needed = 20
        self.flags = 0
        self.method = 0
        self.mtime = 0
        self.mdate = 0x21
        self.crc = 0
        self.csize = 0
        self.usize = 0
        self.cextra = b""
        self.lextra = b""
        self.comment = b""
        self.int_attr = 0
        self.ext_attr = 0o100644 << 16
        self.data = b""
        self.local = {}      # field -> value written in the local header instead
        self.offset = None   # central record's local header offset, when forced
        self.__dict__.update(kw)

    def copy(self, **kw):
        e = Entry(**self.__dict__)
        e.local = dict(self.local)
        e.__dict__.update(kw)
        return e


def u16(b, o):
    return struct.unpack_from("<H", b, o)[0]


def u32(b, o):
    return struct.unpack_from("<I", b, o)[0]


def read_zip(path):
    b = open(path, "rb").read()
    eocd = b.rfind(struct.pack("<I", EOCD_SIG))
    if eocd < 0 or u16(b, eocd + 20) != 0:
        sys.exit("hostile_zip.py: %s: expected an archive without comment" % path)
    n = u16(b, eocd + 10)
    cd = u32(b, eocd + 16)
    if n == 0xFFFF or cd == 0xFFFFFFFF:
        sys.exit("hostile_zip.py: %s: ZIP64 input not handled" % path)
    entries = []
    p = cd
    for _ in range(n):
        assert u32(b, p) == CENTRAL_SIG
        (ver_made, ver_needed, flags, method, mtime, mdate, crc, csize, usize,
         nlen, xlen, clen, _disk, int_attr, ext_attr, off) = struct.unpack_from(
            "<HHHHHHIIIHHHHHII", b, p + 4)
        name = b[p + 46:p + 46 + nlen]
        cextra = b[p + 46 + nlen:p + 46 + nlen + xlen]
        comment = b[p + 46 + nlen + xlen:p + 46 + nlen + xlen + clen]
        p += 46 + nlen + xlen + clen
        assert u32(b, off) == LOCAL_SIG and not flags & 8
        lnlen, lxlen = u16(b, off + 26), u16(b, off + 28)
        lextra = b[off + 30 + lnlen:off + 30 + lnlen + lxlen]
        start = off + 30 + lnlen + lxlen
        entries.append(Entry(name=name, ver_made=ver_made, ver_needed=ver_needed,
                             flags=flags, method=method, mtime=mtime, mdate=mdate,
                             crc=crc, csize=csize, usize=usize, cextra=cextra,
                             lextra=lextra, comment=comment, int_attr=int_attr,
                             ext_attr=ext_attr, data=b[start:start + csize]))
    return entries


def local_header(e):
    f = dict(ver_needed=e.ver_needed, flags=e.flags, method=e.method, mtime=e.mtime,
             mdate=e.mdate, crc=e.crc, csize=e.csize, usize=e.usize, name=e.name,
             extra=e.lextra)
    f.update(e.local)
    return struct.pack("<IHHHHHIIIHH", LOCAL_SIG, f["ver_needed"], f["flags"], f["method"],
                       f["mtime"], f["mdate"], f["crc"], f["csize"], f["usize"],
                       len(f["name"]), len(f["extra"])) + f["name"] + f["extra"]


def central_record(e, off):
    return struct.pack("<IHHHHHHIIIHHHHHII", CENTRAL_SIG, e.ver_made, e.ver_needed, e.flags,
                       e.method, e.mtime, e.mdate, e.crc, e.csize, e.usize, len(e.name),
                       len(e.cextra), len(e.comment), 0, e.int_attr, e.ext_attr,
                       off) + e.name + e.cextra + e.comment


def write_zip(entries, raw_locals=None, eocd_count=None, zip64=None):
    """The archive bytes. raw_locals: {index: bytes} replaces an entry's
    local header and data; zip64: dict of ZIP64 end-record overrides (the
    classic end record then says 0xFFFF / 0xFFFFFFFF)."""
    out = bytearray()
    offsets = []
    for i, e in enumerate(entries):
        offsets.append(len(out))
        if raw_locals and i in raw_locals:
            out += raw_locals[i]
        else:
            out += local_header(e) + e.data
    cd = len(out)
    for e, off in zip(entries, offsets):
        out += central_record(e, off if e.offset is None else e.offset)
    cdsize = len(out) - cd
    n = len(entries) if eocd_count is None else eocd_count
    if zip64 is not None:
        z = dict(count=n, cdsize=cdsize, cd=cd, locator_offset=None)
        z.update(zip64)
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", Z64_EOCD_SIG, 44, 45, 45, 0, 0, z["count"], z["count"],
                           z["cdsize"], z["cd"])
        loc = z64 if z["locator_offset"] is None else z["locator_offset"]
        out += struct.pack("<IIQI", Z64_LOC_SIG, 0, loc, 1)
        out += struct.pack("<IHHHHIIH", EOCD_SIG, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", EOCD_SIG, 0, 0, n, n, cdsize, cd, 0)
    return bytes(out)


def stored(name, data, **kw):
    return Entry(name=name, data=data, crc=zlib.crc32(data), csize=len(data), usize=len(data), **kw)


def deflated(name, data):
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return Entry(name=name, method=8, data=raw, crc=zlib.crc32(data), csize=len(raw),
                 usize=len(data))


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    valid, outdir = sys.argv[1], sys.argv[2]
    stem = os.path.basename(valid)
    base = read_zip(valid)
    top = base[0].name.split(b"/")[0]

    def pick(pred, what):
        for i, e in enumerate(base):
            if pred(e):
                return i
        sys.exit("hostile_zip.py: no %s entry in %s" % (what, valid))

    big_csv = max((e.usize for e in base if e.name.endswith(b".csv") and e.method == 8), default=-1)
    ci = pick(lambda e: e.name.endswith(b".csv") and e.method == 8 and e.usize == big_csv, "deflated .csv")
    si = pick(lambda e: e.name.endswith(b".siard") and e.method == 0, "stored .siard")
    csv, siard = base[ci].name, base[si].name
    cases = []

    def case(name, exit_code, kind, entry, regex, data):
        d = os.path.join(outdir, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, stem), "wb") as f:
            f.write(data)
        shown = "-" if entry is None else entry.decode("utf-8", "backslashreplace")
        cases.append("\t".join([name, str(exit_code), kind, shown, regex]))

    def with_entries(change):
        es = [e.copy() for e in base]
        change(es)
        return write_zip(es)

    def added(name, data=b"hello\n", **kw):
        return with_entries(lambda es: es.append(stored(name, data, **kw)))

    def changed(i, **kw):
        def f(es):
            local = kw.pop("local", None)
            es[i].__dict__.update(kw)
            if local:
                es[i].local.update(local)
        return with_entries(f)

    # Names.
    case("dotdot", 1, "PROBLEM", top + b"/data/../../evil.txt", r"\.\.",
         added(top + b"/data/../../evil.txt"))
    case("absolute", 1, "PROBLEM", b"/tmp/evil.txt", r"absolute", added(b"/tmp/evil.txt"))
    case("drive_letter", 1, "PROBLEM", b"C:/evil.txt", r"drive letter", added(b"C:/evil.txt"))
    case("backslash", 1, "PROBLEM", top + b"/data\\evil.txt", r"backslash",
         added(top + b"/data\\evil.txt"))
    case("duplicate", 1, "PROBLEM", csv, r"duplicate",
         with_entries(lambda es: es.append(es[ci].copy())))
    case("case_duplicate", 1, "NOTE", csv.upper().replace(top.upper(), top, 1),
         r"letter case", added(csv.upper().replace(top.upper(), top, 1)))
    case("bad_utf8", 1, "PROBLEM", top + b"/data/\xe9t\xe9.txt", r"UTF-8",
         added(top + b"/data/\xe9t\xe9.txt"))
    uname = csv[:-3] + b"txt"
    upath = struct.pack("<HHBI", 0x7075, 5 + len(uname), 1, zlib.crc32(csv)) + uname
    case("unicode_path", 1, "PROBLEM", csv, r"Unicode Path", changed(ci, cextra=upath))
    case("outside_top", 1, "PROBLEM", b"other/x.txt", r"outside the top folder",
         added(b"other/x.txt"))
    case("root_file", 1, "PROBLEM", b"README.txt", r"outside the top folder",
         added(b"README.txt"))
    case("unlisted", 1, "PROBLEM", top + b"/data/extra.txt", r"not listed",
         added(top + b"/data/extra.txt"))
    case("file_under_file", 1, "PROBLEM", csv + b"/x.txt", r"which is a file",
         added(csv + b"/x.txt"))
    case("folder_with_data", 1, "PROBLEM", top + b"/data/d/", r"folder entry",
         added(top + b"/data/d/", b"data", ext_attr=(0o40755 << 16) | 0x10))

    # Kinds and encryption.
    case("symlink", 1, "PROBLEM", csv, r"symbolic link",
         changed(ci, ext_attr=(0o120777 << 16)))
    case("encrypted", 1, "PROBLEM", csv, r"encrypted",
         changed(ci, flags=base[ci].flags | 1))
    aes = struct.pack("<HHH2sBH", 0x9901, 7, 2, b"AE", 3, 8)  # AE-2, AES-256, deflate
    case("aes", 1, "PROBLEM", csv, r"encrypted",
         changed(ci, method=99, cextra=aes, lextra=aes))
    case("method", 1, "PROBLEM", csv, r"method 12", changed(ci, method=12))

    # Local header against central directory.
    other = bytearray(csv)
    other[-5] = ord("X")
    case("name_mismatch", 1, "PROBLEM", csv, r"local header",
         changed(ci, local={"name": bytes(other)}))
    case("size_mismatch", 1, "PROBLEM", csv, r"local header",
         changed(ci, local={"usize": base[ci].usize + 1}))

    # Overlaps: an entry hidden inside another's data; data running into
    # the central directory.
    inner = stored(top + b"/data/inner.txt", b"inner\n")
    inner_bytes = local_header(inner) + inner.data

    def overlap(es):
        outer = stored(top + b"/data/outer.bin", inner_bytes)
        es.append(outer)
        es.append(inner)
    es = [e.copy() for e in base]
    overlap(es)
    before = sum(len(local_header(e)) + len(e.data) for e in base)  # outer's local header
    es[-1].offset = before + 30 + len(es[-2].name)  # inner's header: outer's data
    raw = {len(es) - 1: b""}  # inner has no bytes of its own
    case("overlap", 1, "PROBLEM", inner.name, r"overlaps", write_zip(es, raw_locals=raw))
    last = len(base) - 1
    grow = 40 if base[last].method == 0 else 0  # a stored entry's sizes stay equal
    case("into_central", 1, "PROBLEM", base[last].name, r"central directory",
         changed(last, csize=base[last].csize + 40, usize=base[last].usize + grow))

    # A local header no central record points at, after the CSV's data:
    # streaming unzip tools (bsdtar reading a pipe) extract it over the CSV.
    shadow = stored(csv, b"forged,row\n")
    es = [e.copy() for e in base]
    case("hidden_local", 1, "PROBLEM", None, r"belong to no entry",
         write_zip(es, raw_locals={ci: local_header(es[ci]) + es[ci].data + local_header(shadow) + shadow.data}))

    # Sizes and truncation.
    grow = 10 ** 7 if base[last].method == 0 else 0
    case("beyond_end", 1, "PROBLEM", base[last].name, r"beyond the end",
         changed(last, csize=base[last].csize + 10 ** 7, usize=base[last].usize + grow))
    case("stored_size_lie", 1, "PROBLEM", siard, r"stored",
         changed(si, usize=base[si].usize + 1))
    # A listed entry that inflates to 10 MB but declares 100 bytes: reading
    # must stop at byte 101.
    bomb = deflated(csv, b"0123456789" * 1000000)
    case("bomb", 1, "PROBLEM", csv, r"more than the 100 bytes.*stopped at byte 101",
         changed(ci, data=bomb.data, csize=bomb.csize, crc=bomb.crc, usize=100))
    case("crc", 1, "PROBLEM", csv, r"CRC", changed(ci, crc=base[ci].crc ^ 1))
    data = bytearray(base[ci].data)
    data[len(data) // 2] ^= 0x55
    case("byte_changed", 1, "PROBLEM", csv, r"(CRC|deflate|damaged|SHA-256)",
         changed(ci, data=bytes(data)))
    whole = write_zip(base)
    case("truncated", 1, "PROBLEM", None, r"truncated", whole[:len(whole) // 2])
    case("truncated_eocd", 1, "PROBLEM", None, r"truncated", whole[:-5])
    cut = whole[:len(whole) - 22 - 30] + whole[len(whole) - 22:]  # 30 bytes of the last record gone
    case("cut_central", 1, "PROBLEM", None, r"central directory", cut)
    case("count_lie", 1, "PROBLEM", None, r"entries", write_zip(base, eocd_count=len(base) + 1))

    # ZIP64 lies.
    case("zip64_count", 1, "PROBLEM", None, r"ZIP64.*entries|entries.*ZIP64",
         write_zip(base, zip64={"count": len(base) + 1}))
    case("zip64_locator", 1, "PROBLEM", None, r"ZIP64",
         write_zip(base, zip64={"locator_offset": len(whole) * 4}))
    z64 = struct.pack("<HHQQ", 1, 16, base[ci].usize + 1000, base[ci].csize)
    real = {"csize": base[ci].csize, "usize": base[ci].usize}  # the local header keeps the truth
    case("zip64_size_lie", 1, "PROBLEM", csv, r"local header",
         changed(ci, csize=0xFFFFFFFF, usize=0xFFFFFFFF, cextra=z64, local=dict(real)))
    case("zip64_short", 1, "PROBLEM", csv, r"ZIP64",
         changed(ci, csize=0xFFFFFFFF, usize=0xFFFFFFFF, cextra=struct.pack("<HHQ", 1, 8, base[ci].usize),
                 local=dict(real)))

    # Accepted with a note.
    def renamed(es):
        for e in es:
            e.name = b"renamed" + e.name[len(top):]
    case("top_folder_renamed", 0, "NOTE", None, r"top folder", with_entries(renamed))

    def deflate_siard(es):
        raw = es[si].data
        d = deflated(es[si].name, raw)
        es[si] = es[si].copy(method=8, data=d.data, csize=d.csize)
    case("siard_deflated", 0, "NOTE", siard, r"stored", with_entries(deflate_siard))

    def dirs(es):
        seen = set()
        for e in list(es):
            parts = e.name.split(b"/")[:-1]
            for k in range(1, len(parts) + 1):
                d = b"/".join(parts[:k]) + b"/"
                if d not in seen:
                    seen.add(d)
                    es.append(stored(d, b"", ext_attr=(0o40755 << 16) | 0x10))
    case("folder_entries", 0, "-", b"-", r"", with_entries(dirs))

    print("\n".join(cases))


if __name__ == "__main__":
    main()
