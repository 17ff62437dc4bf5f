#!/usr/bin/env python3
"""Compares revpack's WXR with WordPress's own export_wp() output, item by item.

usage: compare.py REVPACK.wxr.xml WORDPRESS.xml [--premap] [--expect-diff WHERE:FIELD]...

Both files are parsed; the channel, authors, categories, tags, terms, and
every item (its fields, categories, postmeta, comments and commentmeta) are
compared. Differences that formats/wxr.md documents are not counted:
  - the channel's pubDate (the time of each export);
  - the order of items (WordPress's depends on an index the server picks;
    revpack writes ID order): items are matched by wp:post_id.
--premap first applies revpack's mapping of values XML cannot carry
(control characters to control pictures, U+FFFE/U+FFFF to U+FFFD) to
WordPress's bytes, and escapes the bare "&" WordPress leaves in comment
author URLs, which no XML parser accepts otherwise; values WordPress
itself re-encodes (utf8_encode() of a value that is not UTF-8) then agree.
--expect-diff names a field that must differ (a documented difference);
the comparison fails if it does not.
Prints what was compared, with counts, and every difference; exit 1 on any.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = {
    "wp": "http://wordpress.org/export/1.2/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "excerpt": "http://wordpress.org/export/1.2/excerpt/",
    "dc": "http://purl.org/dc/elements/1.1/",
}
WP = "{%s}" % NS["wp"]


def premap(data: bytes) -> bytes:
    text = data.decode("utf-8", errors="strict")
    out = []
    for ch in text:
        c = ord(ch)
        if c < 0x20 and ch not in "\t\n\r":
            out.append(chr(0x2400 + c))
        elif c in (0xFFFE, 0xFFFF):
            out.append("\uFFFD")
        else:
            out.append(ch)
    # a bare "&" (WordPress writes comment author URLs unescaped)
    text = re.sub(r"&(?![A-Za-z][A-Za-z0-9]*;|#[0-9]+;|#x[0-9A-Fa-f]+;)", "&amp;", "".join(out))
    return text.encode("utf-8")


def local(tag):
    if tag.startswith("{"):
        uri, name = tag[1:].split("}")
        for p, u in NS.items():
            if u == uri:
                return p + ":" + name
    return tag


def text(e):
    return e.text or "" if e is not None else None


def meta_list(parent, tag):
    return [(text(m.find("wp:meta_key", NS)), text(m.find("wp:meta_value", NS))) for m in parent.findall(tag, NS)]


def parse(path, do_premap):
    data = open(path, "rb").read()
    if do_premap:
        data = premap(data)
    root = ET.fromstring(data)
    ch = root.find("channel")
    site = {}
    for tag in ("title", "link", "description", "language", "wp:wxr_version", "wp:base_site_url", "wp:base_blog_url"):
        site[tag] = text(ch.find(tag, NS))
    authors = {}
    for a in ch.findall("wp:author", NS):
        authors[text(a.find("wp:author_id", NS))] = {local(c.tag): c.text or "" for c in a}
    groups = {}
    for kind in ("wp:category", "wp:tag", "wp:term"):
        lst = []
        for t in ch.findall(kind, NS):
            d = {local(c.tag): c.text or "" for c in t if local(c.tag) != "wp:termmeta"}
            d["termmeta"] = meta_list(t, "wp:termmeta")
            lst.append(d)
        groups[kind] = lst
    items = {}
    order = []
    for it in ch.findall("item"):
        pid = text(it.find("wp:post_id", NS))
        fields = {}
        cats = []
        comments = {}
        for c in it:
            name = local(c.tag)
            if name == "category":
                cats.append((c.get("domain"), c.get("nicename"), c.text or ""))
            elif name in ("wp:postmeta", "wp:comment"):
                continue
            elif name == "guid":
                fields[name] = (c.text or "", c.get("isPermaLink"))
            else:
                fields[name] = c.text or ""
        for cm in it.findall("wp:comment", NS):
            cid = text(cm.find("wp:comment_id", NS))
            d = {local(c.tag): c.text or "" for c in cm if local(c.tag) != "wp:commentmeta"}
            d["commentmeta"] = meta_list(cm, "wp:commentmeta")
            comments[cid] = d
        items[pid] = {"fields": fields, "categories": cats, "postmeta": meta_list(it, "wp:postmeta"),
                      "comments": comments}
        order.append(pid)
    return site, authors, groups, items, order


def main():
    args = sys.argv[1:]
    do_premap = "--premap" in args
    expect = set()
    rest = []
    i = 0
    while i < len(args):
        if args[i] == "--premap":
            pass
        elif args[i] == "--expect-diff":
            i += 1
            expect.add(args[i])
        else:
            rest.append(args[i])
        i += 1
    ours, theirs = rest
    a = parse(ours, False)
    b = parse(theirs, do_premap)
    diffs = []
    seen_expected = set()
    n = {"channel fields": 0, "authors": 0, "author fields": 0, "terms": 0, "term fields": 0, "termmeta": 0,
         "items": 0, "item fields": 0, "item categories": 0, "postmeta": 0, "comments": 0, "comment fields": 0,
         "commentmeta": 0}

    def diff(where, field, x, y):
        key = f"{where}:{field}"
        if key in expect:
            seen_expected.add(key)
            return
        diffs.append(f"{where} {field}: revpack {x!r} / WordPress {y!r}")

    for k in b[0]:
        n["channel fields"] += 1
        if a[0].get(k) != b[0][k]:
            diff("channel", k, a[0].get(k), b[0][k])
    if set(a[1]) != set(b[1]):
        diff("channel", "authors", sorted(a[1]), sorted(b[1]))
    for aid in b[1]:
        n["authors"] += 1
        for f, v in b[1][aid].items():
            n["author fields"] += 1
            if a[1].get(aid, {}).get(f) != v:
                diff(f"author {aid}", f, a[1].get(aid, {}).get(f), v)
    for kind in ("wp:category", "wp:tag", "wp:term"):
        x, y = a[2][kind], b[2][kind]
        if [t.get("wp:term_id") for t in x] != [t.get("wp:term_id") for t in y]:
            diff("channel", kind + " list/order", [t.get("wp:term_id") for t in x], [t.get("wp:term_id") for t in y])
        for tx, ty in zip(x, y):
            n["terms"] += 1
            n["termmeta"] += len(ty["termmeta"])
            for f in set(tx) | set(ty):
                n["term fields"] += 1
                if tx.get(f) != ty.get(f):
                    diff(f"{kind} {ty.get('wp:term_id')}", f, tx.get(f), ty.get(f))
    ia, ib = a[3], b[3]
    if set(ia) != set(ib):
        diff("items", "post ids", sorted(set(ia) - set(ib), key=int), sorted(set(ib) - set(ia), key=int))
    for pid in sorted(set(ia) & set(ib), key=int):
        x, y = ia[pid], ib[pid]
        n["items"] += 1
        for f in set(x["fields"]) | set(y["fields"]):
            n["item fields"] += 1
            if x["fields"].get(f) != y["fields"].get(f):
                diff(f"post {pid}", f, x["fields"].get(f), y["fields"].get(f))
        n["item categories"] += len(y["categories"])
        if x["categories"] != y["categories"]:
            diff(f"post {pid}", "categories", x["categories"], y["categories"])
        n["postmeta"] += len(y["postmeta"])
        if len(x["postmeta"]) != len(y["postmeta"]):
            diff(f"post {pid}", "postmeta", x["postmeta"], y["postmeta"])
        else:
            for mx, my in zip(x["postmeta"], y["postmeta"]):
                if mx != my:
                    diff(f"post {pid}", f"postmeta {my[0]}", mx, my)
        if set(x["comments"]) != set(y["comments"]):
            diff(f"post {pid}", "comment ids", sorted(x["comments"]), sorted(y["comments"]))
        for cid in y["comments"]:
            cx, cy = x["comments"].get(cid, {}), y["comments"][cid]
            n["comments"] += 1
            n["commentmeta"] += len(cy["commentmeta"])
            for f in set(cx) | set(cy):
                n["comment fields"] += 1
                if cx.get(f) != cy.get(f):
                    diff(f"comment {cid}", f, cx.get(f), cy.get(f))
    print("compared: " + ", ".join(f"{v} {k}" for k, v in n.items()))
    if a[4] != b[4]:
        print("item order differs (documented: revpack writes ID order)")
    for e in sorted(expect - seen_expected):
        diffs.append(f"expected a documented difference at {e}, found none")
    for e in sorted(seen_expected):
        print(f"documented difference seen: {e}")
    for d in diffs:
        print("DIFF", d)
    print(f"{len(diffs)} differences")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main())
