#!/usr/bin/env python3
"""Check a rendered guide against the package it describes.

Usage: check.py PACKAGE RENDER.jsonl
RENDER.jsonl is render.py's output (with --dom --text) for data/index.html
then the guide pages of every site. Prints one line per finding, "ok ..."
or "BAD ...", and the restore commands as "restore NAME<TAB>line" lines.
"""
import html.parser
import json
import os
import re
import sys
import urllib.parse
import xml.etree.ElementTree as ET

NS = {"i": "urn:revpack:inventory:1"}


class Dom(html.parser.HTMLParser):
    """Cells of every table by id, text of every element with an id, links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tables = {}      # id -> [[cell text, ...], ...] (tbody rows)
        self.by_id = {}       # id -> text
        self.links = []       # href values
        self.ids = set()
        self.stack = []       # open elements: (tag, id)
        self.table = None
        self.row = None
        self.cell = None
        self.in_body = False
        self.lang = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if "id" in a:
            self.ids.add(a["id"])
        if tag == "a" and "href" in a:
            self.links.append(a["href"])
        if tag in ("br", "meta", "img", "hr", "link", "input"):
            return
        self.stack.append((tag, a.get("id")))
        if a.get("id"):
            self.by_id.setdefault(a["id"], "")
        if tag == "table" and a.get("id"):
            self.table = a["id"]
            self.tables[self.table] = []
        elif tag == "tbody":
            self.in_body = True
        elif tag == "tr" and self.table and self.in_body:
            self.row = []
        elif tag in ("td", "th") and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        while self.stack:
            t, _ = self.stack.pop()
            if t == tag:
                break
        if tag in ("td", "th") and self.row is not None and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            self.tables[self.table].append(self.row)
            self.row = None
        elif tag == "tbody":
            self.in_body = False
        elif tag == "table":
            self.table = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data
        for _, i in self.stack:
            if i:
                self.by_id[i] += data


def num(s):
    digits = re.sub(r"[^0-9]", "", s)
    return int(digits) if digits else None


def main():
    pkg, jsonl = sys.argv[1], sys.argv[2]
    data = os.path.join(pkg, "data")
    inv = ET.parse(os.path.join(data, "inventory.xml")).getroot()
    pages = [json.loads(l) for l in open(jsonl, encoding="utf-8")]
    bad = 0

    def say(okay, what):
        nonlocal bad
        print(("ok " if okay else "BAD ") + what)
        bad += 0 if okay else 1

    index = Dom()
    index.feed(pages[0]["dom"])
    lang = index.lang
    say(lang in ("fr", "en"), "index.html: lang attribute %s" % lang)

    # every source's tables and their row counts
    for s in inv.findall("i:source", NS):
        name = s.get("name")
        want = []
        for t in s.findall("i:table", NS):
            want.append(((t.get("schema") + "." if t.get("schema") else "") + t.get("name"), int(t.get("rows"))))
        got = [(r[0], num(r[1])) for r in index.tables.get("tables-" + name, [])]
        say(sorted(got) == sorted(want), "source %s: %d tables with their row counts (got %d)" % (name, len(want), len(got)))
        summary = [r for r in index.tables.get("summary-table", []) if r and r[0] == name]
        total = sum(n for _, n in want)
        say(len(summary) == 1 and re.sub(r"[^0-9]", " ", summary[0][2]).split()[:2] == [str(len(want)), str(total)],
            "summary: %s has %d tables, %d rows" % (name, len(want), total))
        cmd = index.by_id.get("restore-" + name)
        say(cmd is not None, "restore commands for %s" % name)
        for line in (cmd or "").splitlines():
            print("restore %s\t%s" % (name, line))

    # WordPress content: per type and status, database and WXR
    for w in inv.findall("i:content/i:wordpress", NS):
        site = w.get("site")
        want = [(int(p.get("database")), int(p.get("wxr"))) for p in w.findall("i:posts", NS)]
        rows = index.tables.get("counts-" + site, [])
        got = [(num(r[2]), num(r[3])) for r in rows]
        say(got == want, "site %s: counts per type and status (%d rows)" % (site, len(want)))
        summary = [r for r in index.tables.get("summary-table", []) if r and r[0] == site]
        say(len(summary) == 1 and num(summary[0][2]) == int(w.get("items")),
            "summary: %s has %s items" % (site, w.get("items")))

    # media
    for m in inv.findall("i:media", NS):
        rows = [r for r in index.tables.get("media-table", []) if r and r[0].rstrip("/").endswith("/" + m.get("name"))]
        say(len(rows) == 1 and num(rows[0][1]) == int(m.get("files")),
            "media %s: %s files" % (m.get("name"), m.get("files")))

    # every link of every page leads to a file of the package (or an anchor in it)
    for p in pages:
        d = Dom()
        d.feed(p["dom"])
        base = urllib.parse.unquote(urllib.parse.urlparse(p["url"]).path)
        for href in d.links:
            u = urllib.parse.urlparse(href)
            if u.scheme or u.netloc:
                say(False, "%s links outside the package: %s" % (os.path.basename(base), href))
                continue
            target = os.path.normpath(os.path.join(os.path.dirname(base), urllib.parse.unquote(u.path))) if u.path else base
            okay = os.path.exists(target) and os.path.realpath(target).startswith(os.path.realpath(pkg) + os.sep)
            if okay and u.fragment:
                t = Dom()
                t.feed(open(target, encoding="utf-8").read() if os.path.isfile(target) else "")
                okay = u.fragment in t.ids
            if not okay:
                say(False, "%s: broken link %s" % (os.path.basename(base), href))
        for k in ("outside", "blocked"):
            say(not p[k], "%s: nothing %s (%s)" % (os.path.basename(base), k, ", ".join(p[k])))
        say(p["probe"] is None, "%s: no injected script ran (probe %r)" % (os.path.basename(base), p["probe"]))
    print("links checked")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
