#!/usr/bin/env python3
"""Deterministic generator of a WordPress-shaped MariaDB database (revpack benchmark).

Usage: gen_wp.py --size-mb N --out DIR [--seed S] [--schema FILE]

Writes DIR/schema.sql (the CREATE TABLEs of the WordPress core tables, taken
verbatim from fixtures/mariadb/wordpress.sql) and one tab-separated file per
table, DIR/<table>.tsv, in the default format of LOAD DATA (fields
separated by TAB, rows by LF, backslash escapes, \\N for NULL). Prints the
name of each table on stdout when its file is complete, so a loader can start
on it at once. Standard library only; the same seed and size give the same
bytes on every run.

Shape at 1000 MB (bench_wp_1000, measured): 170,000 wp_posts rows (58,600
posts with 4 KB of Gutenberg or classic-editor HTML on average, 3,000 pages,
65,800 revisions, 42,500 attachments, 60 menu items), 853,000 wp_postmeta rows
(10.6 per post), 112,000 comments (2.1 per published post) with their
commentmeta, 3,000 users with 14 usermeta each, 2,000 categories and tags, 690
options. French text with accents and French typography, NULLs in the meta
tables, zero dates on drafts, CRLF in classic posts, tabs and backslashes in
code blocks, and a few large values (pages of 1-3 MB, options of 0.6-2 MB; the
largest of each kind has the same size at every scale).
"""

import argparse
import os
import random
import re
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from frtext import NBSP, NNBSP, Text, esc, euros, slugify  # noqa: E402

SITE = "https://www.mutuelle-exemple.fr"
CORE_TABLES = [
    "wp_commentmeta", "wp_comments", "wp_links", "wp_options", "wp_postmeta",
    "wp_posts", "wp_term_relationships", "wp_term_taxonomy", "wp_termmeta",
    "wp_terms", "wp_usermeta", "wp_users",
]
# Characters of LOAD DATA input per MB of SUM(data_length) once loaded,
# calibrated on MariaDB 10.11 so that bench_wp_1000 holds about 1000 MB;
# only used to decide when to stop (small sizes come out larger: the few
# large values have a fixed size).
TSV_BYTES_PER_DATA_MB = 730_000


def php(v):
    """PHP serialize(), as WordPress stores arrays in options and meta."""
    if v is None:
        return "N;"
    if v is True or v is False:
        return "b:%d;" % int(v)
    if isinstance(v, int):
        return "i:%d;" % v
    if isinstance(v, float):
        return "d:%r;" % v
    if isinstance(v, str):
        return 's:%d:"%s";' % (len(v.encode("utf-8")), v)
    if isinstance(v, (list, tuple)):
        v = dict(enumerate(v))
    parts = []
    for k, x in v.items():
        parts.append(php(k) + php(x))
    return "a:%d:{%s}" % (len(v), "".join(parts))


class Table:
    def __init__(self, out, name):
        self.name = name
        self.path = os.path.join(out, name + ".tsv")
        self.f = open(self.path, "w", encoding="utf-8", newline="\n")
        self.buf = []
        self.rows = 0
        self.bytes = 0

    def row(self, line):
        self.buf.append(line)
        if len(self.buf) >= 2000:
            self.flush()

    def flush(self):
        if self.buf:
            data = "\n".join(self.buf) + "\n"
            self.f.write(data)
            self.rows += len(self.buf)
            self.bytes += len(data)  # characters: close enough to bytes for a stop rule
            self.buf = []

    def close(self):
        self.flush()
        self.f.close()
        print(self.name, flush=True)


def fmt_time(t):
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(t))


def paris(t):
    """Local time in Paris (UTC+1, UTC+2 from April to October: near enough)."""
    month = time.gmtime(t).tm_mon
    return t + (7200 if 4 <= month <= 10 else 3600)


ZERO = "0000-00-00 00:00:00"


class Site:
    def __init__(self, size_mb, seed, out):
        self.rng = random.Random(seed)
        self.text = Text(self.rng)
        self.out = out
        self.size_mb = size_mb
        self.target = size_mb * TSV_BYTES_PER_DATA_MB
        self.t0 = 1325376000  # 2012-01-01
        self.t1 = 1730332800  # 2024-10-31

    # --------------------------------------------------------------- pools --
    def make_pools(self):
        rng, tx = self.rng, self.text
        self.paras = []
        for _ in range(6000):
            s = tx.sentences(rng.randint(2, 7))
            r = rng.random()
            if r < 0.15:
                w = s.split(" ")
                i = rng.randrange(len(w))
                w[i] = "<strong>" + w[i] + "</strong>"
                s = " ".join(w)
            elif r < 0.25:
                w = s.split(" ")
                i = rng.randrange(len(w))
                w[i] = f'<a href="{SITE}/{slugify(tx.title())}/">{w[i]}</a>'
                s = " ".join(w)
            elif r < 0.30:
                w = s.split(" ")
                i = rng.randrange(len(w))
                w[i] = "<em>" + w[i] + "</em>"
                s = " ".join(w)
            self.paras.append(s)
        self.headings = [tx.title() for _ in range(800)]
        self.lists = []
        for _ in range(800):
            items = [tx.sentence(3, 10) for _ in range(rng.randint(3, 7))]
            self.lists.append(items)
        self.codes = [
            "C:\\Mutuelle\\Exports\\décomptes_2023.csv\n\tcolonne\tvaleur\n",
            "SELECT * FROM adherents WHERE nom LIKE 'D\\'Arcy%';\n",
            "regex : ^\\d{5}$ (code postal)\n\t→ 75011\n",
            "chemin\\vers\\fichier\\n n'est pas un saut de ligne\n",
        ]

    def block_content(self, n_blocks, classic, img_ids):
        """Post content: Gutenberg blocks, or classic-editor HTML with CRLF."""
        rng = self.rng
        parts = []
        for i in range(n_blocks):
            r = rng.random()
            if classic:
                if r < 0.12:
                    parts.append("<h3>" + rng.choice(self.headings) + "</h3>")
                elif r < 0.20:
                    parts.append("<ul>\r\n" + "\r\n".join(
                        "\t<li>" + x + "</li>" for x in rng.choice(self.lists)) + "\r\n</ul>")
                else:
                    parts.append(rng.choice(self.paras))
                continue
            if r < 0.12:
                parts.append('<!-- wp:heading -->\n<h2 class="wp-block-heading">'
                             + rng.choice(self.headings) + "</h2>\n<!-- /wp:heading -->")
            elif r < 0.20:
                parts.append("<!-- wp:list -->\n<ul>"
                             + "".join("<!-- wp:list-item -->\n<li>" + x + "</li>\n<!-- /wp:list-item -->"
                                       for x in rng.choice(self.lists))
                             + "</ul>\n<!-- /wp:list -->")
            elif r < 0.25 and img_ids:
                iid = rng.choice(img_ids)
                parts.append('<!-- wp:image {"id":%d,"sizeSlug":"large","linkDestination":"none"} -->\n'
                             '<figure class="wp-block-image size-large"><img src="%s/wp-content/uploads/'
                             'photo-%d-1024x683.jpg" alt="%s" class="wp-image-%d"/></figure>\n'
                             '<!-- /wp:image -->' % (iid, SITE, iid, rng.choice(self.headings), iid))
            elif r < 0.252:
                parts.append('<!-- wp:code -->\n<pre class="wp-block-code"><code>'
                             + rng.choice(self.codes) + "</code></pre>\n<!-- /wp:code -->")
            elif r < 0.27:
                parts.append('<!-- wp:quote -->\n<blockquote class="wp-block-quote"><!-- wp:paragraph -->\n<p>«'
                             + NBSP + rng.choice(self.paras) + NBSP + "»</p>\n<!-- /wp:paragraph --></blockquote>\n"
                             "<!-- /wp:quote -->")
            else:
                parts.append("<!-- wp:paragraph -->\n<p>" + rng.choice(self.paras)
                             + "</p>\n<!-- /wp:paragraph -->")
        return ("\r\n\r\n" if classic else "\n\n").join(parts)

    def big_table_page(self, target_bytes):
        """A large page: the whole schedule of benefits as one HTML table."""
        rng = self.rng
        rows = ['<!-- wp:table -->\n<figure class="wp-block-table"><table><thead><tr><th>Acte</th>'
                "<th>Formule Essentielle</th><th>Formule Équilibre</th><th>Formule Sérénité</th>"
                "</tr></thead><tbody>"]
        n = len(rows[0])
        while n < target_bytes:
            r = "<tr><td>%s</td><td>%d\u00a0%%</td><td>%d\u00a0%%</td><td>%s</td></tr>" % (
                rng.choice(self.headings), rng.choice((100, 125, 150)),
                rng.choice((150, 200, 250)), euros(rng, 20, 900))
            rows.append(r)
            n += len(r.encode("utf-8"))
        rows.append("</tbody></table></figure>\n<!-- /wp:table -->")
        return "".join(rows)

    # ------------------------------------------------------------ generate --
    def run(self):
        rng, tx = self.rng, self.text
        self.make_pools()
        T = {n: Table(self.out, n) for n in CORE_TABLES}
        n_users = max(10, self.size_mb * 3)
        n_authors = max(3, min(25, n_users // 4))
        n_cats = 40
        n_tags = max(60, self.size_mb * 2)

        # wp_links: empty since WordPress 3.5, as on most sites.
        T["wp_links"].close()

        # ----------------------------------------------------- users --
        umeta_id = 0
        for uid in range(1, n_users + 1):
            first, last = tx.person()
            login = slugify(first + "." + last) + (str(uid) if uid > n_authors else "")
            email = login + "@" + rng.choice(("exemple.fr", "courriel.example", "example.org", "exemple.net"))
            reg = self.t0 + (self.t1 - self.t0) * (uid - 1) // n_users + rng.randrange(86400)
            role = "administrator" if uid == 1 else ("editor" if uid <= 4 else
                                                    ("author" if uid <= n_authors else "subscriber"))
            pw = "$P$B" + "".join(rng.choices("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789./", k=27))
            url = "" if rng.random() < 0.8 else "https://" + slugify(last) + ".example.com"
            T["wp_users"].row("\t".join((
                str(uid), esc(login[:60]), pw, esc(login[:50]), esc(email), url, fmt_time(reg),
                "" if rng.random() < 0.9 else "%d:$P$B%s" % (reg, "x" * 27), "0", esc(f"{first} {last}"))))
            meta = [
                ("nickname", login), ("first_name", first), ("last_name", last),
                ("description", tx.sentences(rng.randint(1, 3)) if uid <= n_authors else ""),
                ("rich_editing", "true"), ("syntax_highlighting", "true"),
                ("comment_shortcuts", "false"), ("admin_color", "fresh"), ("use_ssl", "0"),
                ("show_admin_bar_front", "true"), ("locale", "fr_FR" if rng.random() < 0.3 else ""),
                ("wp_capabilities", php({role: True})),
                ("wp_user_level", str({"administrator": 10, "editor": 7, "author": 2}.get(role, 0))),
                ("dismissed_wp_pointers", "" if rng.random() < 0.7 else "theme_editor_notice,plugin_editor_notice"),
            ]
            if uid <= n_authors or rng.random() < 0.1:
                tokens = {}
                for _ in range(rng.randint(1, 3)):
                    h = "%064x" % rng.getrandbits(256)
                    tokens[h] = {"expiration": reg + 1209600, "ip": "192.0.2.%d" % rng.randint(1, 254),
                                 "ua": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
                                 "login": reg}
                meta.append(("session_tokens", php(tokens)))
            if uid <= n_authors:
                meta.append(("wp_dashboard_quick_press_last_post_id", str(rng.randint(1, 9999))))
                meta.append(("wp_user-settings", "libraryContent=browse&editor=tinymce&mfold=o"))
                meta.append(("wp_user-settings-time", str(reg + 3600)))
            if rng.random() < 0.05:
                meta.append(("community-events-location", None))  # a NULL value
            for k, v in meta:
                umeta_id += 1
                T["wp_usermeta"].row("%d\t%d\t%s\t%s" % (umeta_id, uid, k, "\\N" if v is None else esc(v)))
        T["wp_users"].close()
        T["wp_usermeta"].close()

        # ----------------------------------------------------- terms --
        terms = []  # (term_id, name, slug, taxonomy, parent)
        tid = 0
        tid += 1
        terms.append((tid, "Non classé", "non-classe", "category", 0))
        for i in range(n_cats - 1):
            tid += 1
            name = tx.title()[:60]
            parent = 0 if i < 10 or rng.random() < 0.5 else rng.randint(2, 11)
            terms.append((tid, name, slugify(name)[:190] + "-%d" % tid, "category", parent))
        first_tag = tid + 1
        for _ in range(n_tags):
            tid += 1
            name = " ".join(rng.choices(tx.words, k=rng.randint(1, 3)))
            terms.append((tid, name, slugify(name)[:190] + "-%d" % tid, "post_tag", 0))
        last_tag = tid
        tid += 1
        menu_tt = tid
        terms.append((tid, "Menu principal", "menu-principal", "nav_menu", 0))
        tid += 1
        terms.append((tid, "Pied de page", "pied-de-page", "nav_menu", 0))
        for fmt in ("post-format-gallery", "post-format-video", "post-format-aside"):
            tid += 1
            terms.append((tid, fmt, fmt, "post_format", 0))
        n_terms = tid
        counts = [0] * (n_terms + 1)

        # ----------------------------------------------------- posts --
        rel = T["wp_term_relationships"]
        pm = T["wp_postmeta"]
        cm = T["wp_comments"]
        cmm = T["wp_commentmeta"]
        posts = T["wp_posts"]
        meta_id = 0
        comment_id = 0
        cmeta_id = 0
        post_id = 0
        img_ids = []
        n_big = 0
        max_big = max(2, self.size_mb // 150)

        def meta(pid, key, value):
            nonlocal meta_id
            meta_id += 1
            r = rng.random()
            if r < 0.002:
                key_s = "\\N"
            else:
                key_s = esc(key)
            if value is None or r > 0.985:
                val_s = "\\N"
            else:
                val_s = esc(value)
            pm.row("%d\t%d\t%s\t%s" % (meta_id, pid, key_s, val_s))

        def post_row(pid, author, t, status, content, title, excerpt, name, parent, guid,
                     ptype, mime="", comment_count=0, menu_order=0, comment_status="open"):
            local = fmt_time(paris(t))
            gmt = fmt_time(t)
            if status in ("draft", "auto-draft"):
                date_gmt = ZERO
            else:
                date_gmt = gmt
            mt = t + rng.randrange(0, 86400 * 30)
            posts.row("\t".join((
                str(pid), str(author), local, date_gmt, content, esc(title), esc(excerpt), status,
                comment_status, "closed" if ptype != "post" else "open",
                "" if rng.random() > 0.002 else "motdepasse", name, "", "",
                fmt_time(paris(mt)), fmt_time(mt) if date_gmt != ZERO else ZERO, "",
                str(parent), guid, str(menu_order), ptype, mime, str(comment_count))))

        # Menu items first, as a theme set-up would make them.
        for i in range(60):
            post_id += 1
            t = self.t0 + 3600 * i
            post_row(post_id, 1, t, "publish", "", "" if i % 3 else tx.title(), "", str(post_id), 0,
                     f"{SITE}/?p={post_id}", "nav_menu_item", menu_order=i + 1, comment_status="closed")
            for k, v in (("_menu_item_type", "post_type"), ("_menu_item_menu_item_parent", "0"),
                         ("_menu_item_object_id", str(rng.randint(1, 500))), ("_menu_item_object", "page"),
                         ("_menu_item_target", ""), ("_menu_item_classes", php([""])),
                         ("_menu_item_xfn", ""), ("_menu_item_url", "")):
                meta(post_id, k, v)
            rel.row("%d\t%d\t0" % (post_id, menu_tt + (i >= 40)))
            counts[menu_tt + (i >= 40)] += 1

        approx_total = self.target
        seq = 0
        while True:
            written = posts.bytes + pm.bytes + cm.bytes + cmm.bytes + rel.bytes
            if written >= approx_total:
                break
            seq += 1
            frac = min(1.0, written / approx_total)
            t = self.t0 + int((self.t1 - self.t0) * frac) + rng.randrange(0, 86400)
            author = rng.randint(1, n_authors)
            is_page = rng.random() < 0.05
            ptype = "page" if is_page else "post"
            st = rng.random()
            status = ("publish" if st < 0.90 else "draft" if st < 0.95 else
                      "private" if st < 0.97 else "trash" if st < 0.99 else "auto-draft")
            classic = t < 1546300800 and rng.random() < 0.8  # before 2019: the classic editor

            # attachments of this post (they come first: the post shows them)
            pid = post_id + 1
            n_att = 0 if rng.random() < 0.45 else rng.choice((1, 1, 1, 2))
            post_id += 1 + n_att
            atts = list(range(pid + 1, pid + 1 + n_att))
            n_blocks = max(1, int(rng.lognormvariate(1.9, 0.55)))
            # Large pages: the first, early and of 3 MB, is the largest at
            # every scale (so peak memory compares across scales); then one
            # every 2,500 posts, of 1-3 MB.
            big = False
            if seq == 50 or (n_big < max_big and seq % 2500 == 1250):
                big = True
                n_big += 1
            if big:
                raw = self.big_table_page(3_000_000 if seq == 50 else rng.randint(1_000_000, 2_900_000))
                ptype = "page"
            else:
                raw = self.block_content(n_blocks, classic, atts or img_ids[-50:])
            content = esc(raw)
            title = tx.title()
            slug = slugify(title)[:180] if status != "auto-draft" else ""
            excerpt = "" if rng.random() < 0.85 else tx.sentence()
            n_comments = 0
            if status == "publish" and ptype == "post":
                n_comments = min(60, int(rng.expovariate(1 / 2.6)))
            post_row(pid, author, t, status, content, title, excerpt, slug, 0,
                     f"{SITE}/?p={pid}" if ptype == "post" else f"{SITE}/?page_id={pid}",
                     ptype, comment_count=n_comments)

            # its meta
            meta(pid, "_edit_lock", "%d:%d" % (t + rng.randrange(86400 * 60), author))
            meta(pid, "_edit_last", str(author))
            if atts:
                meta(pid, "_thumbnail_id", str(atts[0]))
            if ptype == "page":
                meta(pid, "_wp_page_template", rng.choice(("default", "page-pleine-largeur.php", "default")))
            if rng.random() < 0.9:
                meta(pid, "_yoast_wpseo_title", title + " %%sep%% %%sitename%%" if rng.random() < 0.4 else title)
                meta(pid, "_yoast_wpseo_metadesc", tx.sentence(12, 25))
                meta(pid, "_yoast_wpseo_focuskw", " ".join(rng.choices(tx.words, k=2)))
                meta(pid, "_yoast_wpseo_content_score", str(rng.choice((30, 60, 90))))
                meta(pid, "_yoast_wpseo_estimated-reading-time-minutes", str(max(1, n_blocks // 3)))
                meta(pid, "_yoast_wpseo_primary_category", str(rng.randint(1, n_cats)))
                meta(pid, "_yoast_wpseo_wordproof_timestamp", "")
            if rng.random() < 0.12:
                meta(pid, "_wp_old_slug", slugify(tx.title())[:180])
            if rng.random() < 0.3:
                meta(pid, "niveau_garantie", rng.choice(("Essentielle", "Équilibre", "Sérénité", "Sérénité+")))
                meta(pid, "public_cible", rng.choice(("particuliers", "professionnels", "seniors", "étudiants")))
            if rng.random() < 0.05:
                meta(pid, "_encloseme", "1")
            if rng.random() < 0.02:
                meta(pid, "_pingme", "1")
            meta(pid, "footnotes", "")

            # attachments
            for aid in atts:
                y, mo = time.gmtime(t)[:2]
                fname = "%s-%d.jpg" % (slugify(title)[:40] or "image", aid)
                w, h = rng.choice(((1920, 1280), (2048, 1365), (1200, 800), (4000, 3000), (800, 1200)))
                post_row(aid, author, t, "inherit", "", fname[:-4].replace("-", " "),
                         "" if rng.random() < 0.7 else tx.sentence(4, 10), fname[:-4], pid,
                         f"{SITE}/wp-content/uploads/{y}/{mo:02d}/{fname}", "attachment", mime="image/jpeg")
                meta(aid, "_wp_attached_file", f"{y}/{mo:02d}/{fname}")
                sizes = {}
                for sname, sw in (("medium", 300), ("large", 1024), ("thumbnail", 150),
                                  ("medium_large", 768), ("1536x1536", 1536), ("post-thumbnail", 1200)):
                    if sw < w:
                        sh = sw * h // w
                        sizes[sname] = {"file": fname[:-4] + "-%dx%d.jpg" % (sw, sh), "width": sw,
                                        "height": sh, "mime-type": "image/jpeg",
                                        "filesize": rng.randint(8000, 400000)}
                md = {"width": w, "height": h, "file": f"{y}/{mo:02d}/{fname}",
                      "filesize": rng.randint(200000, 4000000), "sizes": sizes,
                      "image_meta": {"aperture": "2.8", "credit": "", "camera": rng.choice(("", "Canon EOS 80D", "iPhone 12")),
                                     "caption": "", "created_timestamp": str(t), "copyright": "© Mutuelle Exemple",
                                     "focal_length": "35", "iso": "200", "shutter_speed": "0.004",
                                     "title": "", "orientation": "1", "keywords": []}}
                meta(aid, "_wp_attachment_metadata", php(md))
                meta(aid, "_wp_attachment_image_alt", rng.choice(self.headings))
                img_ids.append(aid)
            if len(img_ids) > 200:
                del img_ids[:100]

            # revisions (copies of the content, as WordPress keeps them)
            if status in ("publish", "private") and not big:
                for r in range(rng.choice((0, 0, 1, 1, 2, 3))):
                    post_id += 1
                    rt = t - rng.randrange(600, 86400 * 3)
                    rc = content if rng.random() < 0.5 else esc(raw[: len(raw) * rng.randint(50, 95) // 100])
                    post_row(post_id, author, rt, "inherit", rc, title, "", "%d-revision-v1" % pid, pid,
                             f"{SITE}/?p={post_id}", "revision", comment_status="closed")
                    meta(post_id, "footnotes", "")

            # terms
            if ptype == "post":
                cats = rng.sample(range(1, n_cats + 1), rng.choice((1, 1, 1, 2)))
                tags = rng.sample(range(first_tag, last_tag + 1), min(last_tag - first_tag + 1, rng.randint(0, 6)))
                for tt in sorted(cats + tags):
                    rel.row("%d\t%d\t0" % (pid, tt))
                    if status == "publish":
                        counts[tt] += 1

            # comments
            first_c = comment_id + 1
            ct = t
            for c in range(n_comments):
                comment_id += 1
                ct += rng.randrange(300, 86400 * 5)
                if rng.random() < 0.12:
                    uid = rng.randint(1, n_users)
                    first, last = tx.person()
                else:
                    uid = 0
                    first, last = tx.person()
                ctype = "comment" if rng.random() < 0.97 else "pingback"
                approved = rng.choices(("1", "0", "spam", "trash"), (90, 4, 5, 1))[0]
                parent = 0 if c == 0 or rng.random() < 0.7 else rng.randint(first_c, comment_id - 1)
                ip = (rng.choice(("192.0.2.", "198.51.100.", "203.0.113.")) + str(rng.randint(1, 254))
                      if rng.random() < 0.85 else "2001:db8::%x:%x" % (rng.randrange(65536), rng.randrange(65536)))
                body = tx.sentences(rng.randint(1, 6))
                if rng.random() < 0.3:
                    body += "\n\n" + tx.sentences(rng.randint(1, 4))
                cm.row("\t".join((
                    str(comment_id), str(pid), esc(f"{first} {last}" if ctype == "comment" else tx.title()[:80]),
                    esc(slugify(first + "." + last) + "@courriel.example") if ctype == "comment" else "",
                    "" if rng.random() < 0.8 else "https://" + slugify(last) + ".example.com/",
                    ip, fmt_time(paris(ct)), fmt_time(ct), esc(body), "0", approved,
                    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                    "Chrome/12%d.0.0.0 Safari/537.36" % rng.randint(0, 9),
                    ctype, str(parent), str(uid))))
                if rng.random() < 0.5:
                    for k, v in (("akismet_result", "false" if approved != "spam" else "true"),
                                 ("akismet_history", php({"time": ct + 0.5, "event": "check-ham", "user": ""})),
                                 ("akismet_as_submitted", php({"comment_author": first, "comment_content": body[:400],
                                                               "user_ip": ip, "blog_lang": "fr_FR",
                                                               "blog_charset": "UTF-8"})
                                  if rng.random() < 0.3 else None)):
                        if v is None:
                            continue
                        cmeta_id += 1
                        cmm.row("%d\t%d\t%s\t%s" % (cmeta_id, comment_id, k, esc(v)))

        for n in ("wp_posts", "wp_postmeta", "wp_comments", "wp_commentmeta", "wp_term_relationships"):
            T[n].close()

        # terms, now that counts are known
        for term_id, name, slug, tax, parent in terms:
            T["wp_terms"].row("%d\t%s\t%s\t0" % (term_id, esc(name), esc(slug)))
            desc = tx.sentence() if tax == "category" and rng.random() < 0.5 else ""
            T["wp_term_taxonomy"].row("%d\t%d\t%s\t%s\t%d\t%d" % (term_id, term_id, tax, esc(desc), parent,
                                                               counts[term_id]))
            if tax == "category" and rng.random() < 0.3:
                T["wp_termmeta"].row("%d\t%d\tcouleur\t#%06x" % (term_id, term_id, rng.randrange(1 << 24)))
        for n in ("wp_terms", "wp_term_taxonomy", "wp_termmeta"):
            T[n].close()

        self.options(T["wp_options"])
        T["wp_options"].close()
        return T

    def options(self, t):
        rng, tx = self.rng, self.text
        oid = 0

        def opt(name, value, autoload="on"):
            nonlocal oid
            oid += 1
            t.row("%d\t%s\t%s\t%s" % (oid, esc(name), esc(value), autoload))

        base = [
            ("siteurl", SITE), ("home", SITE), ("blogname", "Mutuelle Exemple Assurances"),
            ("blogdescription", f"Santé, prévoyance{NNBSP}: à vos côtés à chaque étape de la vie"),
            ("users_can_register", "0"), ("admin_email", "webmaster@mutuelle-exemple.fr"),
            ("start_of_week", "1"), ("use_balanceTags", "0"), ("use_smilies", "1"),
            ("require_name_email", "1"), ("comments_notify", "1"), ("posts_per_rss", "10"),
            ("rss_use_excerpt", "0"), ("default_category", "1"), ("default_comment_status", "open"),
            ("date_format", "j F Y"), ("time_format", "G\\hi"), ("links_updated_date_format", "j F Y G\\hi"),
            ("permalink_structure", "/%postname%/"), ("blog_charset", "UTF-8"), ("WPLANG", "fr_FR"),
            ("timezone_string", "Europe/Paris"), ("gmt_offset", ""), ("template", "twentytwentyfour"),
            ("stylesheet", "mutuelle-exemple"), ("db_version", "57155"), ("initial_db_version", "19470"),
            ("active_plugins", php(["wordpress-seo/wp-seo.php", "akismet/akismet.php",
                                    "contact-form-7/wp-contact-form-7.php", "mutuelle-espace/mutuelle-espace.php"])),
            ("wp_user_roles", php({r: {"name": r.capitalize(), "capabilities": {c: True for c in rng.sample(
                ["read", "edit_posts", "delete_posts", "publish_posts", "upload_files", "edit_pages",
                 "manage_options", "moderate_comments", "manage_categories", "edit_others_posts",
                 "edit_published_posts", "delete_published_posts", "edit_theme_options", "list_users"],
                k=rng.randint(1, 14))}} for r in ("administrator", "editor", "author", "contributor", "subscriber")})),
            ("sidebars_widgets", php({"wp_inactive_widgets": [], "sidebar-1": ["block-2", "block-3"],
                                      "array_version": 3})),
            ("widget_block", php({2: {"content": "<!-- wp:search /-->"}, 3: {"content": "<!-- wp:latest-posts /-->"},
                                  "_multiwidget": 1})),
        ]
        for k, v in base:
            opt(k, v)
        # rewrite_rules: one large autoloaded array, as on every site
        rules = {}
        for i in range(700):
            s = slugify(tx.title())[:40]
            rules[f"{s}/([^/]+)/page/?([0-9]{{1,}})/?$"] = f"index.php?{s}=$matches[1]&paged=$matches[2]"
        opt("rewrite_rules", php(rules))
        cron = {}
        for i in range(80):
            cron[self.t1 + 3600 * i] = {rng.choice(("wp_version_check", "wp_update_plugins", "wp_scheduled_delete",
                                                    "wpseo-reindex", "delete_expired_transients")):
                                        {"%032x" % rng.getrandbits(128): {"schedule": "daily", "args": [],
                                                                          "interval": 86400}}}
        cron["version"] = 2
        opt("cron", php(cron))
        for i in range(self.size_mb // 2 + 150):
            kind = rng.random()
            if kind < 0.5:
                name = "_transient_timeout_wpseo_%032x" % rng.getrandbits(128)
                opt(name, str(self.t1 + rng.randrange(86400 * 7)), "off")
            elif kind < 0.8:
                name = "_transient_wpseo_%032x" % rng.getrandbits(128)
                opt(name, php({"html": tx.sentences(rng.randint(2, 8)), "ts": self.t1}), "off")
            else:
                name = "mutuelle_espace_%s_%d" % (slugify(tx.title())[:30], i)
                opt(name, tx.sentence() if rng.random() < 0.5 else "", "auto")
        # a few large values: cached feeds of 0.6-2 MB (the first is 2 MB at every scale)
        for i in range(max(2, self.size_mb // 250)):
            items = []
            size = 0
            goal = 2_000_000 if i == 0 else rng.randint(600_000, 1_900_000)
            while size < goal:
                p = {"title": tx.title(), "link": f"{SITE}/{slugify(tx.title())[:60]}/",
                     "description": tx.sentences(rng.randint(2, 6)), "pubDate": fmt_time(self.t1 - rng.randrange(10**8))}
                items.append(p)
                size += 300 + len(p["description"])
            opt("_site_transient_feed_%032x" % rng.getrandbits(128), php(items), "off")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size-mb", type=int, default=1000)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20241)
    ap.add_argument("--schema", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                      "..", "..", "fixtures", "mariadb", "wordpress.sql"))
    a = ap.parse_args()
    with open(a.schema, encoding="utf-8") as f:
        sql = f.read()
    ddl = []
    for name in CORE_TABLES:
        m = re.search(r"CREATE TABLE `%s` \(.*?\) ENGINE=[^;]*;" % re.escape(name), sql, re.S)
        if not m:
            sys.exit(f"gen_wp.py: CREATE TABLE `{name}` not found in {a.schema}")
        ddl.append(m.group(0))
    with open(os.path.join(a.out, "schema.sql"), "w", encoding="utf-8") as f:
        f.write("\n\n".join(ddl) + "\n")
    print("schema", flush=True)
    Site(a.size_mb, a.seed, a.out).run()


if __name__ == "__main__":
    main()
