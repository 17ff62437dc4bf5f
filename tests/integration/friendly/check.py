#!/usr/bin/env python3
"""Checks the friendly CSV files of a package against the database they were
exported from (tests/integration/friendly_csv.sh, formats/friendly-csv.md).

    check.py PKG DIALECT LANG DEFAULTS_FILE DB [XLSX_DIR]

PKG is the bag's root (a folder, or a ZIP extracted). Prints one line per
check, "PASS what" or "FAIL what: detail", and "MEDIA path sha256 bytes" for
every file media.csv says is in the package (the shell checks them with
sha256sum). XLSX_DIR holds each CSV as LibreOffice Calc read it (NAME.xlsx):
every cell is compared with what Python's csv module reads.
"""
import csv
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
import zipfile

pkg, dialect, lang, defaults, db = sys.argv[1:6]
xlsx_dir = sys.argv[6] if len(sys.argv) > 6 else None
site = os.path.join(pkg, "data/content/wordpress/www.mutuelle-exemple.fr")
sep = ";" if dialect == "excel-fr" else ","
FORMULA = ("=", "+", "-", "@", "\t", "\r")
EXCLUDED = ("revision", "customize_changeset", "oembed_cache", "user_request")


def ok(what, cond, detail=""):
    print(("PASS " if cond else "FAIL ") + what + ("" if cond else ": " + str(detail)[:400]), flush=True)
    return cond


def sql(query):
    """Rows of a query, every value as text (sent as hex: bytes exact)."""
    out = subprocess.run(["mariadb", "--defaults-file=" + defaults, "-N", "-B", db, "-e", query],
                         check=True, capture_output=True).stdout.decode()
    rows = []
    for line in out.splitlines():
        rows.append([None if v == "NULL" else bytes.fromhex(v).decode("utf-8", "surrogateescape")
                     for v in line.split("\t")])
    return rows


def count(query):
    return int(subprocess.run(["mariadb", "--defaults-file=" + defaults, "-N", "-B", db, "-e", query],
                              check=True, capture_output=True).stdout)


def shown(v):
    """A site's text as the friendly files show it."""
    v = v or ""
    return "'" + v if v.startswith(FORMULA) else v


HEADERS = {
    "fr": {
        "posts": ["ID", "Type", "Titre", "Adresse publique", "Statut", "Date de publication", "Dernière modification",
                  "Auteur", "Catégories", "Étiquettes", "Autres termes", "Protégé par mot de passe", "Commentaires",
                  "Extrait", "Texte", "HTML"],
        "comments": ["ID", "ID de la publication", "Titre de la publication", "Auteur", "E-mail", "Site web",
                     "Adresse IP", "Date", "Statut", "Type", "Réponse au commentaire (ID)", "Texte"],
        "users": ["ID", "Identifiant", "Nom affiché", "Prénom", "Nom", "Surnom", "E-mail", "Site web", "Inscription",
                  "Rôle", "Biographie"],
        "media": ["ID", "Titre", "Fichier dans le paquet", "Présent dans le paquet", "Taille (octets)", "SHA-256",
                  "Type MIME", "Texte alternatif", "Légende", "Description", "Date de mise en ligne", "Auteur",
                  "Rattaché à (ID)", "Fichier sur le site", "Adresse publique"],
        "type": ["ID", "Titre", "Adresse publique", "Statut", "Date de publication", "Dernière modification", "Auteur",
                 "Parent (ID)", "Termes", "Extrait", "Texte", "HTML"],
        "other": "Autres champs", "yes": "oui", "no": "non",
        "cut": "… [texte coupé : ", "published": "Publié", "approved": "Approuvé", "admin": "Administrateur",
    },
    "en": {
        "posts": ["ID", "Type", "Title", "Public URL", "Status", "Publication date", "Last modified", "Author",
                  "Categories", "Tags", "Other terms", "Password protected", "Comments", "Excerpt", "Text", "HTML"],
        "comments": ["ID", "Post ID", "Post title", "Author", "Email", "Website", "IP address", "Date", "Status",
                     "Type", "Reply to comment (ID)", "Text"],
        "users": ["ID", "Login", "Display name", "First name", "Last name", "Nickname", "Email", "Website",
                  "Registered", "Role", "Biographical info"],
        "media": ["ID", "Title", "File in the package", "In the package", "Size (bytes)", "SHA-256", "MIME type",
                  "Alt text", "Caption", "Description", "Uploaded", "Author", "Attached to (ID)", "File on the site",
                  "Public URL"],
        "type": ["ID", "Title", "Public URL", "Status", "Publication date", "Last modified", "Author", "Parent (ID)",
                 "Terms", "Excerpt", "Text", "HTML"],
        "other": "Other fields", "yes": "yes", "no": "no",
        "cut": "… [text cut: ", "published": "Published", "approved": "Approved", "admin": "Administrator",
    },
}[lang]

# ---- the files, their dialect, their columns --------------------------------
types = [r[0] for r in sql("SELECT HEX(post_type) FROM wp_posts WHERE post_type NOT IN ('post','page','attachment',"
                           + ",".join("'%s'" % t for t in EXCLUDED)
                           + ") AND post_status <> 'auto-draft' GROUP BY post_type ORDER BY BINARY post_type")]
names = ["posts", "comments", "users", "media"] + ["type-" + t for t in types]
ok("the files: the four fixed ones and one per other post type (%s)" % ", ".join(types),
   sorted(n for n in os.listdir(site) if n.endswith(".csv")) == sorted(n + ".csv" for n in names),
   sorted(os.listdir(site)))

tables = {}
for name in names:
    raw = open(os.path.join(site, name + ".csv"), "rb").read()
    ok(name + ": " + ("starts with a UTF-8 BOM" if dialect == "excel-fr" else "has no BOM"),
       raw.startswith(b"\xef\xbb\xbf") == (dialect == "excel-fr"), raw[:8])
    ok(name + ": records end with CRLF", raw.endswith(b"\r\n"), raw[-8:])
    text = raw.decode("utf-8-sig")
    ok(name + ": the header is separated by '%s'" % sep, sep in text.split("\r\n", 1)[0], text[:80])
    rows = list(csv.reader(open(os.path.join(site, name + ".csv"), encoding="utf-8-sig", newline=""),
                           delimiter=sep, strict=True))
    tables[name] = rows
    ok(name + ": every record has the header's number of fields",
       all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows])
    bad = [(i, k, c[:40]) for i, r in enumerate(rows) for k, c in enumerate(r) if c.startswith(FORMULA)]
    ok(name + ": no cell a spreadsheet would run as a formula", not bad, bad)

for kind in ("posts", "comments", "users", "media"):
    ok(kind + ": the documented columns (" + lang + ")", tables[kind][0] == HEADERS[kind], tables[kind][0])
for t in types:
    keys = [r[0] for r in sql("SELECT HEX(m.meta_key) FROM wp_postmeta m JOIN wp_posts p ON p.ID = m.post_id "
                              "WHERE p.post_type = UNHEX('%s') AND p.post_status <> 'auto-draft' "
                              "AND BINARY m.meta_key <> '_edit_lock' GROUP BY BINARY m.meta_key ORDER BY MIN(m.meta_id)"
                              % t.encode().hex())]
    want = HEADERS["type"] + [shown(k) for k in keys] + [HEADERS["other"]]
    ok("type-%s: the documented columns, then its meta keys in order" % t, tables["type-" + t][0] == want,
       tables["type-" + t][0])

# ---- rows: as many as the database says -------------------------------------
EXPORTED = "post_status <> 'auto-draft' AND post_type NOT IN (%s)" % ",".join("'%s'" % t for t in EXCLUDED)
want_rows = {
    "posts": count("SELECT COUNT(*) FROM wp_posts WHERE post_type IN ('post','page') AND " + EXPORTED),
    "comments": count("SELECT COUNT(*) FROM wp_comments c JOIN wp_posts p ON p.ID = c.comment_post_ID "
                      "WHERE c.comment_approved <> 'spam' AND p." + EXPORTED.replace(" AND post_type", " AND p.post_type")),
    "users": count("SELECT COUNT(*) FROM wp_users"),
    "media": count("SELECT COUNT(*) FROM wp_posts WHERE post_type = 'attachment' AND " + EXPORTED),
}
for t in types:
    want_rows["type-" + t] = count("SELECT COUNT(*) FROM wp_posts WHERE post_type = UNHEX('%s') AND %s"
                                   % (t.encode().hex(), EXPORTED))
for name in names:
    ok("%s: %d rows, as the database says" % (name, want_rows[name]), len(tables[name]) - 1 == want_rows[name],
       len(tables[name]) - 1)

# ---- inventory.xml -------------------------------------------------------------
ns = {"i": "urn:revpack:inventory:1"}
inv = ET.parse(os.path.join(pkg, "data/inventory.xml")).getroot()
listed = {os.path.basename(f.get("path"))[:-4]: f for f in inv.iterfind("i:content/i:wordpress/i:friendlyCsv", ns)}
ok("inventory.xml lists every file", sorted(listed) == sorted(names), sorted(listed))
for name in names:
    f = listed.get(name)
    if f is None:
        continue
    rows = tables[name]
    neutral = sum(1 for r in rows for c in r if len(c) > 1 and c[0] == "'" and c[1] in "=+-@\t\r")
    ok(name + ": inventory rows, columns and neutralised cells as in the file",
       (int(f.get("rows")), int(f.get("columns")), int(f.get("neutralisedCells")))
       == (len(rows) - 1, len(rows[0]), neutral), (dict(f.attrib), neutral))

# ---- values as the database holds them ----------------------------------------
posts = {r[0]: r for r in tables["posts"][1:]}
db_posts = {r[0]: r for r in sql("SELECT HEX(CONCAT(ID)), HEX(post_title), HEX(post_content), HEX(post_status) FROM wp_posts "
                                 "WHERE post_type IN ('post','page') AND " + EXPORTED)}
bad = [i for i in db_posts if posts.get(i, [None] * 16)[2] != shown(db_posts[i][1])]
ok("posts: every title as stored (accents, emoji, quotes, no-break spaces)", not bad, bad)


def units(s):
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in s)


cut = [i for i in db_posts if units(db_posts[i][2]) > 32767]
bad = [i for i in db_posts if i not in cut and posts.get(i, [None] * 16)[15] != shown(db_posts[i][2])]
ok("posts: every HTML as stored (CR LF, tabs, backslashes, emoji)", not bad, bad)
ok("the test made a post longer than a spreadsheet cell", len(cut) == 1, cut)
for i in cut:
    cell = posts[i][15]
    at = cell.find(HEADERS["cut"])
    ok("post %s: its HTML cut to at most 32,767 characters" % i, units(cell) <= 32767, units(cell))
    ok("post %s: the cut HTML starts as stored and ends with the marker" % i,
       at > 1000 and db_posts[i][2].startswith(cell[:at]) and cell.endswith("dump.sql]")
       and ("%d " % units(db_posts[i][2])) in cell[at:], cell[at:])
ok("inventory: the cut cells counted (the long post's text and HTML)",
   int(listed["posts"].get("cutCells")) == sum(1 for r in tables["posts"] for c in r if HEADERS["cut"] in c) == 2,
   listed["posts"].get("cutCells"))
ok("posts: statuses in words", posts["2"][4] == HEADERS["published"], posts["2"][4])
ok("posts: the password-protected page said so, its password not shown",
   posts["7"][11] == HEADERS["yes"] and not any("adherent-2024" in c for r in tables["posts"] for c in r), posts["7"])

users = {r[0]: r for r in tables["users"][1:]}
db_users = sql("SELECT HEX(CONCAT(ID)), HEX(user_login), HEX(display_name), HEX(user_email), HEX(user_pass), "
               "HEX(user_activation_key) FROM wp_users")
ok("users: login, display name and e-mail as stored",
   all(users.get(u[0], [None] * 11)[1:3] + [users.get(u[0], [None] * 11)[6]] == [shown(u[1]), shown(u[2]), shown(u[3])]
       for u in db_users), users)
ok("users: the administrator's role in words", users["1"][9] == HEADERS["admin"], users["1"])
secrets = [s for u in db_users for s in (u[4], u[5]) if s]
everything = b"".join(open(os.path.join(site, n + ".csv"), "rb").read() for n in names)
ok("no password hash nor activation key in any friendly file (%d looked for)" % len(secrets),
   secrets and not any(s.encode() in everything for s in secrets), len(secrets))
ok("no column holds user_pass or user_activation_key",
   not any(c in ("user_pass", "user_activation_key") for n in names for c in tables[n][0]))

comments = {r[0]: r for r in tables["comments"][1:]}
db_comments = sql("SELECT HEX(CONCAT(comment_ID)), HEX(comment_author), HEX(comment_author_email) FROM wp_comments "
                  "WHERE comment_approved <> 'spam'")
bad = [c[0] for c in db_comments if c[0] in comments and comments[c[0]][3:5] != [shown(c[1]), shown(c[2])]]
ok("comments: author and e-mail as stored", not bad, bad)

# ---- formula payloads: neutralised here, exact in the database CSV --------------
form = {r[0]: dict(zip(tables["type-flamingo_inbound"][0], r)) for r in tables["type-flamingo_inbound"][1:]}
title = HEADERS["type"][1]
ok("=HYPERLINK(...) of a form entry neutralised",
   form["37"][title] == "'=HYPERLINK(\"https://phishing.example/\",\"Cliquez ici\")", form["37"][title])
ok("+33 ... (a phone field) neutralised", form["37"]["_field_your-phone"] == "'+33 6 98 76 54 32")
ok("-2 % ... (a message) neutralised", form["37"]["_field_your-message"].startswith("'-2 % sur ma cotisation"))
ok("@SUM(A1) (a name) neutralised", form["38"]["_field_your-name"] == "'@SUM(A1)")
ok("+1 neutralised", form["38"]["_field_your-phone"] == "'+1")
ok("a checkbox field shown as its values", form["36"]["_field_garanties"] == "Santé, Prévoyance",
   form["36"]["_field_garanties"])
ok("the title the test set to +1 ... neutralised", posts["15"][2] == "'+1 000 € offerts", posts["15"][2])
ok("the first name the test set to @SUM(A1) neutralised", users["3"][3] == "'@SUM(A1)", users["3"])
ok("the comment author the test set to -2 ... neutralised", comments["5"][3] == "'-2 Marc O'Neil", comments["5"])
dbcsv = os.path.join(pkg, "data/database/wp/csv")


def db_csv(table):
    return list(csv.reader(open(os.path.join(dbcsv, table + ".csv"), encoding="utf-8-sig", newline=""),
                           delimiter=sep, strict=True))


wp_posts = {r[0]: r for r in db_csv("wp_posts")[1:]}
meta = [r for r in db_csv("wp_postmeta")[1:]]
ok("the database CSV keeps =HYPERLINK(...) exact",
   wp_posts["37"][5] == "=HYPERLINK(\"https://phishing.example/\",\"Cliquez ici\")", wp_posts["37"][5])
ok("the database CSV keeps +1 ..., -2 ..., @SUM(A1) exact",
   wp_posts["15"][5] == "+1 000 € offerts"
   and any(r[1] == "37" and r[2] == "_field_your-message" and r[3].startswith("-2 %") for r in meta)
   and any(r[1] == "38" and r[2] == "_field_your-name" and r[3] == "@SUM(A1)" for r in meta))

# ---- media.csv: the files in the package ----------------------------------------
for r in tables["media"][1:]:
    if r[3] == HEADERS["yes"]:
        print("MEDIA\t%s\t%s\t%s" % (r[2], r[5], r[4]))
present = [r for r in tables["media"][1:] if r[3] == HEADERS["yes"]]
ok("media: every attachment's file in the package", len(present) == len(tables["media"]) - 1, tables["media"])
ok("media: MIME types as stored", sorted(r[6] for r in tables["media"][1:])
   == sorted(r[0] for r in sql("SELECT HEX(post_mime_type) FROM wp_posts WHERE post_type = 'attachment'")))

# ---- LibreOffice Calc read them the same, and ran no formula --------------------
if xlsx_dir:
    NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main"}

    def column(ref):
        n = 0
        for ch in re.match(r"[A-Z]+", ref).group(0):
            n = n * 26 + ord(ch) - 64
        return n - 1

    def sheet(path):
        z = zipfile.ZipFile(path)
        strings = []
        if "xl/sharedStrings.xml" in z.namelist():
            for si in ET.fromstring(z.read("xl/sharedStrings.xml")).findall("m:si", NS):
                strings.append("".join(t.text or "" for t in si.iter("{%s}t" % NS["m"])))
        rows, formulas = [], 0
        for r in ET.fromstring(z.read("xl/worksheets/sheet1.xml")).iter("{%s}row" % NS["m"]):
            row = {}
            for c in r.findall("m:c", NS):
                t, v = c.get("t", "n"), c.find("m:v", NS)
                formulas += c.find("m:f", NS) is not None
                if t == "s":
                    row[column(c.get("r"))] = ("s", strings[int(v.text)])
                elif t == "inlineStr":
                    row[column(c.get("r"))] = ("s", "".join(x.text or "" for x in c.iter("{%s}t" % NS["m"])))
                else:
                    row[column(c.get("r"))] = (t, None if v is None else v.text)
            rows.append((int(r.get("r")), row))
        return rows, formulas

    def same(cell, got):
        if cell == "":
            return got is None
        if got is None:
            return False
        kind, value = got
        if kind == "s":
            # a CR as OOXML escapes it, or as XML reads a CR LF: LF
            value = value.replace("_x000D_\n", "\n").replace("_x000D_", "\n").replace("\r\n", "\n")
            return value == cell.replace("\r\n", "\n").replace("\r", "\n")
        if kind == "n":
            try:
                return float(value) == float(cell.replace(",", "."))
            except ValueError:
                return False
        return False

    for name in names:
        path = os.path.join(xlsx_dir, name + ".xlsx")
        if not ok(name + ": LibreOffice Calc opened it", os.path.exists(path), path):
            continue
        rows, formulas = sheet(path)
        ok(name + ": LibreOffice ran no formula", formulas == 0, formulas)
        want = tables[name]
        ok(name + ": LibreOffice sees the same rows", [r for r, _ in rows] == list(range(1, len(want) + 1)),
           (len(rows), len(want)))
        diff = []
        for (no, row), csvrow in zip(rows, want):
            extra = [k for k in row if k >= len(csvrow)]
            diff += [(no, k, row[k]) for k in extra]
            diff += [(no, k, c[:30], row.get(k)) for k, c in enumerate(csvrow) if not same(c, row.get(k))]
        ok(name + ": LibreOffice sees every cell as Python's csv reads it (%d cells)"
           % sum(len(r) for r in want), not diff, diff[:5])
