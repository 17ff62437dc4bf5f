/*
 * The offline guide, data/index.html (guide.h, docs/guide.md): made from
 * what the inventory describes, once every payload file is known.
 */
#include "revpack/guide.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "revpack/content.h"
#include "revpack/error.h"
#include "revpack/friendly.h"
#include "revpack/timeutil.h"

#include "format/html.h"

/* The bag's folder name: the package path's last component, less ".zip". */
static char *bag_name(const rp_package *pkg)
{
	const char *p = rp_package_path(pkg);
	size_t n = strlen(p);
	const char *base;

	while (n > 1 && p[n - 1] == '/')
		n--;
	base = p + n;
	while (base > p && base[-1] != '/')
		base--;
	n -= (size_t)(base - p);
	if (n > 4 && strncasecmp(base + n - 4, ".zip", 4) == 0)
		n -= 4;
	return rp_strndup(base, n);
}

/* A path "data/..." as a link from data/index.html. */
static void a_link(rp_html *h, const char *path, const char *label)
{
	const char *rel = strncmp(path, "data/", 5) == 0 ? path + 5 : path;

	rp_html_raw(h, "<a href=\"");
	rp_html_href(h, rel);
	rp_html_raw(h, "\">");
	rp_html_escs(h, label ? label : path);
	rp_html_raw(h, "</a>");
}

static const char *file_of(const rp_inv_source *s, const char *role)
{
	for (size_t i = 0; i < s->nfiles; i++)
		if (strcmp(s->files[i].role, role) == 0)
			return s->files[i].path;
	return NULL;
}

static uint64_t rows_of(const rp_inv_source *s)
{
	uint64_t n = 0;
	for (size_t t = 0; t < s->schema->ntables; t++)
		n += s->schema->tables[t].digest.rows;
	return n;
}

static bool is_mysql(const rp_inv_source *s)
{
	return strcmp(s->src->info.product, "PostgreSQL") != 0;
}

static void size_cell(rp_html *h, uint64_t bytes)
{
	char hs[32];
	rp_human_size(bytes, hs, sizeof hs);
	rp_html_raw(h, hs);
}

/* Post types and statuses as people read them. */
static void type_label(rp_html *h, const char *type)
{
	static const struct {
		const char *key, *fr, *en;
	} t[] = {
		{ "post", "Articles", "Posts" },
		{ "page", "Pages", "Pages" },
		{ "attachment", "Médias (pièces jointes)", "Media (attachments)" },
		{ "nav_menu_item", "Éléments de menu", "Menu items" },
		{ "wp_block", "Blocs réutilisables", "Reusable blocks" },
		{ "revision", "Révisions", "Revisions" },
		{ "custom_css", "CSS personnalisé", "Custom CSS" },
		{ "wp_template", "Modèles du thème", "Theme templates" },
		{ "wp_template_part", "Parties de modèle", "Template parts" },
		{ "wp_navigation", "Menus de navigation", "Navigation menus" },
		{ "wp_global_styles", "Styles globaux", "Global styles" },
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		if (strcmp(type, t[i].key) == 0) {
			rp_html_tr(h, t[i].fr, t[i].en);
			rp_html_raw(h, " <span class=\"muted\">(");
			rp_html_escs(h, type);
			rp_html_raw(h, ")</span>");
			return;
		}
	rp_html_escs(h, type);
}

/* What the WXR leaves out (wordpress.h's rp_wp_left), in the page's
 * language: the reader's phrases are English. */
static void left_label(rp_html *h, const char *what)
{
	static const struct {
		const char *en, *fr;
	} t[] = {
		{ "spam comments", "commentaires indésirables" },
		{ "comments on posts that are not exported (revisions, automatic drafts, missing posts)",
		  "commentaires de contenus non exportés (révisions, brouillons automatiques, contenus disparus)" },
		{ "post meta _edit_lock", "métadonnées _edit_lock (verrous d’édition)" },
		{ "post meta of posts that are not exported", "métadonnées de contenus non exportés" },
		{ "users without exported posts", "utilisateurs sans contenu exporté" },
		{ "options (settings, widgets, theme settings, plugins' data)",
		  "options (réglages, widgets, réglages du thème, données des extensions)" },
		{ "terms of link_category, post_format, wp_theme and wp_template_part_area",
		  "termes de link_category, post_format, wp_theme et wp_template_part_area" },
	};
	static const char posts[] = "posts of type ";

	if (h->lang == RP_LANG_FR) {
		for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
			if (strcmp(what, t[i].en) == 0) {
				rp_html_raw(h, t[i].fr);
				return;
			}
		if (strncmp(what, posts, sizeof posts - 1) == 0) {
			const char *st = strstr(what, ", status ");
			rp_html_raw(h, "contenus de type ");
			if (st) {
				rp_html_esc(h, what + sizeof posts - 1, (size_t)(st - what) - (sizeof posts - 1));
				rp_html_raw(h, ", état ");
				rp_html_escs(h, st + 9);
			} else {
				rp_html_escs(h, what + sizeof posts - 1);
			}
			return;
		}
	}
	rp_html_escs(h, what);
}

static void cmd_start(rp_html *h, const char *id)
{
	rp_html_raw(h, "<pre class=\"cmd\"");
	if (id) {
		rp_html_raw(h, " id=\"");
		rp_html_escs(h, id);
		rp_html_raw(h, "\"");
	}
	rp_html_raw(h, "><code>");
}

static void cmd_end(rp_html *h)
{
	rp_html_raw(h, "</code></pre>\n");
}

/* A path in a command as the shell must be given it: as it is when it
 * holds only characters the shell leaves alone, else in single quotes
 * (the package's name is the operator's: "Export 2026", "l'essai"); "./"
 * before a name that would read as an option. */
static void cmd_path(rp_html *h, const char *path, const char *suffix)
{
	char *w = rp_sprintf("%s%s", path, suffix ? suffix : "");
	bool plain = w && *w;
	rp_buf q = RP_BUF_INIT;

	if (!w) {
		h->rc = -1;
		return;
	}
	for (const char *c = w; *c && plain; c++)
		plain = strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./@%+=:,-", *c) != NULL;
	if (w[0] == '-')
		rp_buf_puts(&q, "./");
	if (!plain)
		rp_buf_putc(&q, '\'');
	for (const char *c = w; *c; c++) {
		if (*c == '\'')
			rp_buf_puts(&q, "'\\''");
		else
			rp_buf_putc(&q, *c);
	}
	if (!plain)
		rp_buf_putc(&q, '\'');
	if (!q.data)
		h->rc = -1;
	else
		rp_html_esc(h, q.data, q.len);
	rp_buf_free(&q);
	free(w);
}

/* ---------------------------------------------------------------- parts */

static void part_header(rp_html *h, const rp_inventory *inv, const char *bag)
{
	char when[21];

	rp_html_raw(h, "<header>\n<h1>");
	rp_html_tr(h, "Paquet de réversibilité", "Reversibility package");
	if (inv->organization && *inv->organization) {
		rp_html_raw(h, " \xe2\x80\x94 ");
		rp_html_escs(h, inv->organization);
	}
	rp_html_raw(h, "</h1>\n<p>");
	rp_html_tr(h, "Ce paquet contient les données d’un site hébergé, rendues dans des formats standard pour "
	              "qu’elles puissent être vérifiées, relues et réutilisées sans le prestataire qui les a "
	              "exportées. Cette page l’accompagne : elle dit ce qu’il contient, comment ouvrir chaque "
	              "fichier, comment restaurer les bases de données et comment vérifier que rien n’a été "
	              "modifié. Elle fonctionne sans connexion à Internet.",
	           "This package holds the data of a hosted website in standard formats, so that they can be "
	           "checked, read and reused without the provider that exported them. This page comes with "
	           "it: what it holds, how to open each file, how to restore the databases and how to check "
	           "that nothing was changed. It works without an Internet connection.");
	rp_html_raw(h, "</p>\n<dl class=\"meta\" id=\"package\">");
	rp_html_raw(h, "<dt>");
	rp_html_tr(h, "Nom du paquet", "Package name");
	rp_html_raw(h, "</dt><dd><code>");
	rp_html_escs(h, bag);
	rp_html_raw(h, "</code></dd><dt>");
	rp_html_tr(h, "Identifiant", "Identifier");
	rp_html_raw(h, "</dt><dd><code>");
	rp_html_escs(h, inv->external_id);
	rp_html_raw(h, "</code></dd><dt>");
	rp_html_tr(h, "Créé le", "Created");
	rp_time_iso(inv->created, when);
	rp_html_raw(h, "</dt><dd>");
	rp_html_raw(h, when);
	rp_html_raw(h, " (UTC)</dd><dt>");
	rp_html_tr(h, "Outil", "Tool");
	rp_html_raw(h, "</dt><dd>revpack " REVPACK_VERSION "</dd><dt>");
	rp_html_tr(h, "Empreinte du paquet", "Package identity");
	rp_html_raw(h, "</dt><dd>");
	rp_html_tr(h, "l’empreinte SHA-256 du fichier <code>tagmanifest-sha256.txt</code> : revpack l’a affichée "
	              "à la fin de l’export et <code>revpack verify</code> l’affiche ; elle ne peut pas figurer "
	              "dans cette page, qui fait partie de ce qu’elle résume. Voir "
	              "<a href=\"#verify\">Vérifier l’intégrité</a>.",
	           "the SHA-256 of the file <code>tagmanifest-sha256.txt</code>: revpack printed it at the end "
	           "of the export and <code>revpack verify</code> prints it; it cannot be written in this page, "
	           "which is part of what it sums up. See <a href=\"#verify\">Checking integrity</a>.");
	rp_html_raw(h, "</dd></dl>\n</header>\n");
	rp_html_raw(h, "<nav id=\"toc\"><a href=\"#summary\">");
	rp_html_tr(h, "Contenu", "Contents");
	rp_html_raw(h, "</a><a href=\"#databases\">");
	rp_html_tr(h, "Bases de données", "Databases");
	rp_html_raw(h, "</a><a href=\"#content\">");
	rp_html_tr(h, "Contenu éditorial", "Editorial content");
	rp_html_raw(h, "</a><a href=\"#media\">");
	rp_html_tr(h, "Médias", "Media");
	rp_html_raw(h, "</a><a href=\"#formats\">");
	rp_html_tr(h, "Ouvrir les fichiers", "Opening the files");
	rp_html_raw(h, "</a><a href=\"#restore\">");
	rp_html_tr(h, "Restaurer", "Restoring");
	rp_html_raw(h, "</a><a href=\"#verify\">");
	rp_html_tr(h, "Vérifier", "Checking");
	rp_html_raw(h, "</a></nav>\n");
}

static void part_summary(rp_html *h, const rp_inventory *inv)
{
	const rp_content *c = inv->content;

	rp_html_raw(h, "<section id=\"summary\">\n<h2>");
	rp_html_tr(h, "Ce que contient le paquet", "What the package holds");
	rp_html_raw(h, "</h2>\n<table id=\"summary-table\">\n<thead><tr><th>");
	rp_html_tr(h, "Élément", "Item");
	rp_html_raw(h, "</th><th>");
	rp_html_tr(h, "Nature", "Kind");
	rp_html_raw(h, "</th><th class=\"n\">");
	rp_html_tr(h, "Quantité", "Count");
	rp_html_raw(h, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < inv->nsources; i++) {
		const rp_inv_source *s = &inv->sources[i];
		rp_html_raw(h, "<tr><td>");
		rp_html_escs(h, s->src->name);
		rp_html_raw(h, "</td><td>");
		rp_html_tr(h, "Base de données ", "Database ");
		rp_html_escs(h, s->src->info.product);
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, s->schema->ntables);
		rp_html_tr(h, " tables, ", " tables, ");
		rp_html_count(h, rows_of(s));
		rp_html_tr(h, " lignes", " rows");
		rp_html_raw(h, "</td></tr>\n");
	}
	for (size_t i = 0; c && i < c->nsites; i++) {
		const rp_content_site *cs = &c->sites[i];
		rp_html_raw(h, "<tr><td>");
		rp_html_escs(h, cs->site->name);
		rp_html_raw(h, "</td><td>");
		rp_html_tr(h, "Site WordPress", "WordPress site");
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, cs->wxr.items);
		rp_html_tr(h, " éléments de contenu", " content items");
		rp_html_raw(h, "</td></tr>\n");
	}
	for (size_t i = 0; i < inv->nmedia; i++) {
		uint64_t files, bytes, skipped;
		rp_media_totals(inv->media[i], &files, &bytes, &skipped);
		rp_html_raw(h, "<tr><td>");
		rp_html_escs(h, rp_media_name(inv->media[i]));
		rp_html_raw(h, "</td><td>");
		rp_html_tr(h, "Fichiers média", "Media files");
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, files);
		rp_html_tr(h, " fichiers, ", " files, ");
		size_cell(h, bytes);
		rp_html_raw(h, "</td></tr>\n");
	}
	rp_html_raw(h, "</tbody>\n</table>\n<p>");
	rp_html_tr(h, "La liste complète des fichiers, avec la taille et l’empreinte SHA-256 de chacun, est dans ",
	           "The full list of files, with each one's size and SHA-256, is in ");
	a_link(h, "data/inventory.xml", "inventory.xml");
	rp_html_tr(h, " (à lire par un programme) et dans <code>manifest-sha256.txt</code> à la racine du paquet.",
	           " (for programs) and in <code>manifest-sha256.txt</code> at the root of the package.");
	rp_html_raw(h, "</p>\n</section>\n");
}

static void part_source(rp_html *h, const rp_inventory *inv, const rp_inv_source *s)
{
	const rp_source_info *in = &s->src->info;
	const char *sql = file_of(s, "sql"), *siard = file_of(s, "siard");
	char when[21];
	bool any_csv = false;

	rp_html_raw(h, "<h3 id=\"db-");
	rp_html_escs(h, s->src->name);
	rp_html_raw(h, "\">");
	rp_html_escs(h, s->src->name);
	rp_html_raw(h, "</h3>\n<dl class=\"meta\"><dt>");
	rp_html_tr(h, "Serveur", "Server");
	rp_html_raw(h, "</dt><dd>");
	rp_html_escs(h, in->product);
	rp_html_raw(h, " ");
	rp_html_escs(h, in->version);
	rp_html_raw(h, "</dd><dt>");
	rp_html_tr(h, "Base d’origine", "Source database");
	rp_html_raw(h, "</dt><dd><code>");
	rp_html_escs(h, in->database);
	rp_html_raw(h, "</code></dd><dt>");
	rp_html_tr(h, "Instantané pris le", "Snapshot taken");
	rp_time_iso((time_t)in->snapshot_started, when);
	rp_html_raw(h, "</dt><dd>");
	rp_html_raw(h, when);
	rp_html_raw(h, " (UTC)</dd>");
	if (in->default_charset) {
		rp_html_raw(h, "<dt>");
		rp_html_tr(h, "Jeu de caractères", "Character set");
		rp_html_raw(h, "</dt><dd><code>");
		rp_html_escs(h, in->default_charset);
		rp_html_raw(h, "</code></dd>");
	}
	rp_html_raw(h, "<dt>");
	rp_html_tr(h, "Fichiers", "Files");
	rp_html_raw(h, "</dt><dd>");
	if (sql) {
		a_link(h, sql, "dump.sql");
		rp_html_tr(h, " (SQL, pour restaurer)", " (SQL, to restore)");
	}
	if (siard) {
		if (sql)
			rp_html_raw(h, " · ");
		a_link(h, siard, strrchr(siard, '/') + 1);
		rp_html_tr(h, " (SIARD 2.2, archivage)", " (SIARD 2.2, archiving)");
	}
	rp_html_raw(h, "</dd></dl>\n");
	rp_html_raw(h, "<table class=\"tables\" id=\"tables-");
	rp_html_escs(h, s->src->name);
	rp_html_raw(h, "\">\n<thead><tr><th>Table</th><th class=\"n\">");
	rp_html_tr(h, "Lignes", "Rows");
	rp_html_raw(h, "</th><th>CSV</th></tr></thead>\n<tbody>\n");
	for (size_t t = 0; t < s->schema->ntables; t++) {
		const rp_table *tb = &s->schema->tables[t];
		rp_html_raw(h, "<tr><td>");
		rp_html_escs(h, tb->display);
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, tb->digest.rows);
		rp_html_raw(h, "</td><td>");
		for (size_t k = 0; k < tb->nfiles; k++)
			if (strcmp(tb->files[k].role, "csv") == 0) {
				a_link(h, tb->files[k].path, strrchr(tb->files[k].path, '/') + 1);
				any_csv = true;
			}
		rp_html_raw(h, "</td></tr>\n");
	}
	rp_html_raw(h, "</tbody>\n</table>\n");
	(void)inv;
	(void)any_csv;
}

static void part_databases(rp_html *h, const rp_inventory *inv)
{
	rp_html_raw(h, "<section id=\"databases\">\n<h2>");
	rp_html_tr(h, "Bases de données", "Databases");
	rp_html_raw(h, "</h2>\n");
	if (!inv->nsources) {
		rp_html_raw(h, "<p>");
		rp_html_tr(h, "Ce paquet ne contient pas de base de données.", "This package holds no database.");
		rp_html_raw(h, "</p>\n");
	} else {
		rp_html_raw(h, "<p>");
		rp_html_tr(h, "Chaque base est livrée trois fois, dans trois formats lus par des outils différents ; "
		              "tous donnent les mêmes données, ce que les empreintes de contenu de "
		              "<code>inventory.xml</code> permettent de prouver. Le nombre de lignes de chaque table "
		              "est celui de l’instantané.",
		           "Each database is delivered three times, in three formats read by different tools; all "
		           "hold the same data, which the content digests in <code>inventory.xml</code> can prove. "
		           "Each table's row count is the snapshot's.");
		rp_html_raw(h, "</p>\n");
	}
	for (size_t i = 0; i < inv->nsources; i++)
		part_source(h, inv, &inv->sources[i]);
	rp_html_raw(h, "</section>\n");
}

static void part_content(rp_html *h, const rp_inventory *inv)
{
	const rp_content *c = inv->content;

	rp_html_raw(h, "<section id=\"content\">\n<h2>");
	rp_html_tr(h, "Contenu éditorial (WordPress)", "Editorial content (WordPress)");
	rp_html_raw(h, "</h2>\n");
	if (!c || !c->nsites) {
		rp_html_raw(h, "<p>");
		rp_html_tr(h, "Aucun site WordPress n’a été trouvé dans les bases de ce paquet.",
		           "No WordPress site was found in this package's databases.");
		rp_html_raw(h, "</p>\n</section>\n");
		return;
	}
	for (size_t i = 0; i < c->nsites; i++) {
		const rp_content_site *cs = &c->sites[i];
		const rp_wp_stats *st = &cs->stats;
		const rp_guide_site_result *g = cs->guide;

		rp_html_raw(h, "<h3 id=\"site-");
		rp_html_escs(h, cs->site->name);
		rp_html_raw(h, "\">");
		rp_html_escs(h, cs->site->name);
		rp_html_raw(h, "</h3>\n<dl class=\"meta\"><dt>");
		rp_html_tr(h, "Adresse du site", "Site address");
		rp_html_raw(h, "</dt><dd><code>");
		rp_html_escs(h, cs->site->home ? cs->site->home : cs->site->siteurl);
		rp_html_raw(h, "</code></dd><dt>");
		rp_html_tr(h, "Base", "Database");
		rp_html_raw(h, "</dt><dd>");
		rp_html_escs(h, cs->source);
		rp_html_raw(h, "</dd>");
		if (g) {
			rp_html_raw(h, "<dt>");
			rp_html_tr(h, "À lire ici", "Read here");
			rp_html_raw(h, "</dt><dd>");
			rp_html_raw(h, "<a href=\"");
			rp_html_href(h, g->dir);
			rp_html_raw(h, "/pages.html\">");
			rp_html_count(h, g->pages);
			rp_html_raw(h, " pages</a> · <a href=\"");
			rp_html_href(h, g->dir);
			rp_html_raw(h, "/posts.html\">");
			rp_html_count(h, g->posts);
			rp_html_tr(h, " articles</a>", " posts</a>");
			rp_html_tr(h, " (titre, date, auteur, texte)", " (title, date, author, text)");
			rp_html_raw(h, "</dd>");
		}
		if (cs->friendly) {
			size_t nf;
			const rp_friendly_file *ff = rp_friendly_files(cs->friendly, &nf);
			rp_html_raw(h, "<dt>");
			rp_html_tr(h, "Pour un tableur", "For a spreadsheet");
			rp_html_raw(h, "</dt><dd><ul class=\"friendly\">");
			for (size_t k = 0; k < nf; k++) {
				rp_html_raw(h, "<li>");
				a_link(h, ff[k].path, strrchr(ff[k].path, '/') + 1);
				rp_html_raw(h, " \xe2\x80\x94 ");
				rp_html_count(h, ff[k].rows);
				rp_html_tr(h, " lignes", " rows");
				rp_html_raw(h, "</li>");
			}
			rp_html_raw(h, "</ul></dd>");
		}
		rp_html_raw(h, "<dt>WXR</dt><dd>");
		a_link(h, cs->wxr.path, strrchr(cs->wxr.path, '/') + 1);
		rp_html_tr(h, " (import dans un autre WordPress)", " (import into another WordPress)");
		rp_html_raw(h, "</dd></dl>\n");
		rp_html_raw(h, "<table class=\"counts\" id=\"counts-");
		rp_html_escs(h, cs->site->name);
		rp_html_raw(h, "\">\n<thead><tr><th>Type</th><th>");
		rp_html_tr(h, "État", "Status");
		rp_html_raw(h, "</th><th class=\"n\">");
		rp_html_tr(h, "Dans la base", "In the database");
		rp_html_raw(h, "</th><th class=\"n\">");
		rp_html_tr(h, "Dans le WXR", "In the WXR");
		rp_html_raw(h, "</th></tr></thead>\n<tbody>\n");
		for (size_t k = 0; k < st->ncounts; k++) {
			rp_html_raw(h, "<tr><td>");
			type_label(h, st->counts[k].type);
			rp_html_raw(h, "</td><td>");
			rp_html_wp_status(h, st->counts[k].status, strlen(st->counts[k].status));
			rp_html_raw(h, "</td><td class=\"n\">");
			rp_html_count(h, st->counts[k].db);
			rp_html_raw(h, "</td><td class=\"n\">");
			rp_html_count(h, st->counts[k].exported);
			rp_html_raw(h, "</td></tr>\n");
		}
		rp_html_raw(h, "</tbody>\n</table>\n");
		if (st->nleft) {
			rp_html_raw(h, "<p>");
			rp_html_tr(h, "Laissé hors du WXR, comme le fait WordPress (tout reste dans la base de données "
			              "livrée) :",
			           "Left out of the WXR, as WordPress does (all of it is in the database delivered):");
			rp_html_raw(h, "</p>\n<ul>\n");
			for (size_t k = 0; k < st->nleft; k++) {
				rp_html_raw(h, "<li>");
				left_label(h, st->left[k].what);
				rp_html_raw(h, rp_tr(h->lang, "\xc2\xa0: ", ": "));
				rp_html_count(h, st->left[k].count);
				rp_html_raw(h, "</li>\n");
			}
			rp_html_raw(h, "</ul>\n");
		}
		if (c->nmedia) {
			rp_html_raw(h, "<p>");
			rp_html_tr(h, "Pièces jointes : ", "Attachments: ");
			rp_html_count(h, cs->attachments);
			rp_html_tr(h, " ; fichier trouvé dans les médias du paquet : ", "; file found in the package's media: ");
			rp_html_count(h, cs->files_found);
			rp_html_tr(h, " ; fichier absent : ", "; file missing: ");
			rp_html_count(h, cs->nmissing);
			rp_html_raw(h, ".</p>\n");
		}
	}
	rp_html_raw(h, "</section>\n");
}

static void part_media(rp_html *h, const rp_inventory *inv)
{
	rp_html_raw(h, "<section id=\"media\">\n<h2>");
	rp_html_tr(h, "Fichiers média", "Media files");
	rp_html_raw(h, "</h2>\n");
	if (!inv->nmedia) {
		rp_html_raw(h, "<p>");
		rp_html_tr(h, "Ce paquet ne contient pas de fichiers média.", "This package holds no media files.");
		rp_html_raw(h, "</p>\n</section>\n");
		return;
	}
	rp_html_raw(h, "<p>");
	rp_html_tr(h, "Les fichiers sont tels qu’ils étaient sur le serveur, aux mêmes chemins. Les liens "
	              "symboliques et les dossiers vides sont décrits dans <code>inventory.xml</code>.",
	           "The files are as they were on the server, at the same paths. Symbolic links and empty "
	           "folders are described in <code>inventory.xml</code>.");
	rp_html_raw(h, "</p>\n<table id=\"media-table\">\n<thead><tr><th>");
	rp_html_tr(h, "Dossier", "Folder");
	rp_html_raw(h, "</th><th class=\"n\">");
	rp_html_tr(h, "Fichiers", "Files");
	rp_html_raw(h, "</th><th class=\"n\">");
	rp_html_tr(h, "Taille", "Size");
	rp_html_raw(h, "</th><th class=\"n\">");
	rp_html_tr(h, "Laissés de côté", "Left out");
	rp_html_raw(h, "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < inv->nmedia; i++) {
		uint64_t files, bytes, skipped;
		char *root;
		rp_media_totals(inv->media[i], &files, &bytes, &skipped);
		rp_html_raw(h, "<tr><td>");
		if ((root = rp_sprintf("%s/", rp_media_root(inv->media[i])))) {
			a_link(h, root, root + 5);
			free(root);
		} else {
			h->rc = -1;
		}
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, files);
		rp_html_raw(h, "</td><td class=\"n\">");
		size_cell(h, bytes);
		rp_html_raw(h, "</td><td class=\"n\">");
		rp_html_count(h, skipped);
		rp_html_raw(h, "</td></tr>\n");
	}
	rp_html_raw(h, "</tbody>\n</table>\n</section>\n");
}

static void part_formats(rp_html *h, const rp_inventory *inv)
{
	bool fr_csv = inv->dialect == RP_CSV_EXCEL_FR;

	rp_html_raw(h, "<section id=\"formats\">\n<h2>");
	rp_html_tr(h, "Ouvrir les fichiers", "Opening the files");
	rp_html_raw(h, "</h2>\n<dl class=\"meta\">\n<dt>CSV</dt><dd>");
	if (fr_csv)
		rp_html_tr(h, "Tableur (Excel, LibreOffice Calc) : un double-clic suffit. Les fichiers sont en UTF-8 "
		              "avec BOM et séparés par des points-virgules, comme Excel en français les attend.",
		           "Spreadsheet (Excel, LibreOffice Calc): double-click. The files are UTF-8 with a BOM and "
		           "separated by semicolons, as French Excel expects.");
	else
		rp_html_tr(h, "Tableur : dans Excel, <em>Données › À partir d’un fichier texte/CSV</em>, origine "
		              "<em>65001 : Unicode (UTF-8)</em>, délimiteur <em>virgule</em> ; dans LibreOffice Calc, "
		              "jeu de caractères UTF-8 et séparateur virgule. Les fichiers suivent la RFC 4180 "
		              "(UTF-8 sans BOM, virgules).",
		           "Spreadsheet: in Excel, <em>Data › From Text/CSV</em>, file origin <em>65001: Unicode "
		           "(UTF-8)</em>, delimiter <em>comma</em>; in LibreOffice Calc, character set UTF-8 and "
		           "comma separator. The files follow RFC 4180 (UTF-8 without BOM, commas).");
	rp_html_tr(h, " Dans les CSV des bases, une cellule vide sans guillemets est une valeur absente (NULL), "
	              "<code>\"\"</code> un texte vide, et <code>\\x…</code> des octets en hexadécimal.",
	           " In the databases' CSV, an empty cell without quotes is a missing value (NULL), "
	           "<code>\"\"</code> an empty text, and <code>\\x…</code> bytes in hexadecimal.");
	rp_html_tr(h, " Les CSV du contenu WordPress (<code>posts.csv</code>, <code>media.csv</code>, …) sont faits "
	              "pour être lus : en-têtes en clair, texte sans balises, et une apostrophe devant toute "
	              "cellule qui commencerait par = + - @, pour qu’un tableur ne l’exécute pas comme une "
	              "formule.",
	           " The WordPress content CSV (<code>posts.csv</code>, <code>media.csv</code>, …) are made to "
	           "be read: plain headers, text without markup, and an apostrophe before any cell that would "
	           "start with = + - @, so that a spreadsheet does not run it as a formula.");
	rp_html_raw(h, "</dd>\n<dt>SQL</dt><dd>");
	rp_html_tr(h, "<code>dump.sql</code> est un fichier texte qui recrée la base (structure et données) avec "
	              "le client standard de son serveur ; voir <a href=\"#restore\">Restaurer</a>.",
	           "<code>dump.sql</code> is a text file that re-creates the database (structure and data) "
	           "with its server's stock client; see <a href=\"#restore\">Restoring</a>.");
	rp_html_raw(h, "</dd>\n<dt>SIARD</dt><dd>");
	rp_html_tr(h, "Format d’archivage des bases de données (SIARD 2.2) : s’ouvre avec DBPTK Desktop ou "
	              "SIARD Suite, qui en affichent les tables et peuvent le charger dans une autre base. C’est "
	              "une archive ZIP dont les tables sont en XML.",
	           "The database archiving format (SIARD 2.2): opens with DBPTK Desktop or SIARD Suite, which "
	           "show its tables and can load it into another database. It is a ZIP archive whose tables "
	           "are XML.");
	rp_html_raw(h, "</dd>\n<dt>WXR</dt><dd>");
	rp_html_tr(h, "Le format d’export de WordPress : dans un autre WordPress, <em>Outils › Importer › "
	              "WordPress</em>. C’est du XML, lisible par tout éditeur de texte.",
	           "WordPress's export format: in another WordPress, <em>Tools › Import › WordPress</em>. It is "
	           "XML, readable in any text editor.");
	rp_html_raw(h, "</dd>\n<dt>");
	rp_html_tr(h, "Médias", "Media");
	rp_html_raw(h, "</dt><dd>");
	rp_html_tr(h, "Images, PDF et autres fichiers tels quels : ils s’ouvrent avec les logiciels habituels.",
	           "Images, PDF and other files as they were: they open with the usual software.");
	rp_html_raw(h, "</dd>\n<dt>inventory.xml</dt><dd>");
	rp_html_tr(h, "La description complète du paquet, pour les programmes : sources, tables, colonnes, "
	              "nombres de lignes, empreintes, fichiers.",
	           "The package's full description, for programs: sources, tables, columns, row counts, "
	           "digests, files.");
	rp_html_raw(h, "</dd>\n</dl>\n</section>\n");
}

static void part_restore(rp_html *h, const rp_inventory *inv, const char *bag)
{
	rp_html_raw(h, "<section id=\"restore\">\n<h2>");
	rp_html_tr(h, "Restaurer les bases de données", "Restoring the databases");
	rp_html_raw(h, "</h2>\n<p>");
	rp_html_tr(h, "Avec les clients standard de chaque serveur, dans le dossier du paquet (après "
	              "décompression s’il a été livré en ZIP), dans une base neuve et vide. Le nom de la "
	              "nouvelle base est un exemple. Les paramètres de connexion (serveur, utilisateur, mot de "
	              "passe) se donnent comme d’habitude : fichier <code>~/.my.cnf</code> pour MySQL/MariaDB, "
	              "variables <code>PGHOST</code>, <code>PGUSER</code> et fichier <code>~/.pgpass</code> pour "
	              "PostgreSQL.",
	           "With each server's stock clients, in the package's folder (once unzipped if it came as a "
	           "ZIP), into a new, empty database. The new database's name is an example. Connection "
	           "settings (server, user, password) are given as usual: the <code>~/.my.cnf</code> file for "
	           "MySQL/MariaDB, the <code>PGHOST</code> and <code>PGUSER</code> variables and the "
	           "<code>~/.pgpass</code> file for PostgreSQL.");
	rp_html_raw(h, "</p>\n");
	cmd_start(h, NULL);
	rp_html_raw(h, "cd ");
	cmd_path(h, bag, NULL);
	cmd_end(h);
	for (size_t i = 0; i < inv->nsources; i++) {
		const rp_inv_source *s = &inv->sources[i];
		const char *sql = file_of(s, "sql");
		char *id;
		rp_html_raw(h, "<h3>");
		rp_html_escs(h, s->src->name);
		rp_html_raw(h, " (");
		rp_html_escs(h, s->src->info.product);
		rp_html_raw(h, ")</h3>\n");
		if (!sql) {
			rp_html_raw(h, "<p>");
			rp_html_tr(h, "Pas de fichier SQL dans ce paquet (export limité à d’autres formats) : le fichier "
			              "SIARD se charge avec DBPTK Desktop ou SIARD Suite.",
			           "No SQL file in this package (export limited to other formats): the SIARD file "
			           "loads with DBPTK Desktop or SIARD Suite.");
			rp_html_raw(h, "</p>\n");
			continue;
		}
		if (!(id = rp_sprintf("restore-%s", s->src->name))) {
			h->rc = -1;
			return;
		}
		cmd_start(h, id);
		free(id);
		if (is_mysql(s)) {
			rp_html_raw(h, "mysql -e 'CREATE DATABASE `");
			rp_html_escs(h, s->src->name);
			rp_html_raw(h, "_restore` CHARACTER SET ");
			rp_html_escs(h, s->src->info.default_charset ? s->src->info.default_charset : "utf8mb4");
			rp_html_raw(h, "'\nmysql ");
			rp_html_escs(h, s->src->name);
			rp_html_raw(h, "_restore &lt; ");
			rp_html_escs(h, sql);
		} else {
			rp_html_raw(h, "createdb ");
			rp_html_escs(h, s->src->name);
			rp_html_raw(h, "_restore\npsql -v ON_ERROR_STOP=1 -d ");
			rp_html_escs(h, s->src->name);
			rp_html_raw(h, "_restore -f ");
			rp_html_escs(h, sql);
		}
		cmd_end(h);
		rp_html_raw(h, "<p class=\"muted\">");
		if (is_mysql(s))
			rp_html_tr(h, "Le fichier fixe lui-même les réglages de session dont il a besoin. Si le serveur "
			              "refuse une instruction trop longue, augmentez son <code>max_allowed_packet</code> "
			              "(la taille de la plus longue est indiquée à la fin de <code>dump.sql</code>).",
			           "The file sets the session settings it needs itself. If the server refuses a "
			           "statement as too long, raise its <code>max_allowed_packet</code> (the size of the "
			           "longest is given at the end of <code>dump.sql</code>).");
		else
			rp_html_tr(h, "Les propriétaires et les droits d’origine sont en commentaires dans le fichier, "
			              "si bien que n’importe quel rôle peut le restaurer dans une base qui lui appartient ; "
			              "les extensions utilisées doivent être disponibles sur le serveur.",
			           "The original owners and privileges are comments in the file, so any role can "
			           "restore it into a database it owns; the extensions it uses must be available on "
			           "the server.");
		rp_html_raw(h, "</p>\n");
	}
	if (inv->nmedia) {
		rp_html_raw(h, "<h3>");
		rp_html_tr(h, "Médias", "Media");
		rp_html_raw(h, "</h3>\n<p>");
		rp_html_tr(h, "Copiez chaque dossier de <code>data/media/</code> à sa place sur le nouveau serveur, par "
		              "exemple :",
		           "Copy each folder of <code>data/media/</code> to its place on the new server, for example:");
		rp_html_raw(h, "</p>\n");
		cmd_start(h, NULL);
		for (size_t i = 0; i < inv->nmedia; i++) {
			rp_html_raw(h, "rsync -a ");
			rp_html_escs(h, rp_media_root(inv->media[i]));
			rp_html_tr(h, "/ /chemin/vers/", "/ /path/to/");
			rp_html_escs(h, rp_media_name(inv->media[i]));
			rp_html_raw(h, "/\n");
		}
		cmd_end(h);
	}
	rp_html_raw(h, "</section>\n");
}

/* Payload paths the manifest percent-encodes (RFC 8493: CR, LF, "%"). */
static uint64_t encoded_paths(const rp_package *pkg)
{
	size_t n;
	const rp_pkg_file *f = rp_package_files(pkg, &n);
	uint64_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (strpbrk(f[i].path, "%\r\n"))
			k++;
	return k;
}

static void part_verify(rp_html *h, const char *bag, uint64_t encoded)
{
	rp_html_raw(h, "<section id=\"verify\">\n<h2>");
	rp_html_tr(h, "Vérifier l’intégrité", "Checking integrity");
	rp_html_raw(h, "</h2>\n<p>");
	rp_html_tr(h, "Le paquet est un « sac » BagIt (RFC 8493) : <code>manifest-sha256.txt</code> donne "
	              "l’empreinte SHA-256 de chaque fichier de <code>data/</code>, et "
	              "<code>tagmanifest-sha256.txt</code> celle des fichiers de description. Un seul octet "
	              "modifié change l’empreinte.",
	           "The package is a BagIt bag (RFC 8493): <code>manifest-sha256.txt</code> gives the SHA-256 "
	           "of each file under <code>data/</code>, and <code>tagmanifest-sha256.txt</code> that of "
	           "the description files. A single changed byte changes the digest.");
	rp_html_raw(h, "</p>\n<h3>");
	rp_html_tr(h, "Avec revpack", "With revpack");
	rp_html_raw(h, "</h3>\n");
	cmd_start(h, "verify-revpack");
	rp_html_raw(h, "revpack verify ");
	cmd_path(h, bag, NULL);
	rp_html_raw(h, "\nrevpack verify ");
	cmd_path(h, bag, ".zip");
	cmd_end(h);
	rp_html_raw(h, "<p>");
	rp_html_tr(h, "Sans décompresser le ZIP ; revpack contrôle chaque fichier, chaque format et les nombres "
	              "de lignes, et affiche l’empreinte du paquet.",
	           "Without unzipping; revpack checks every file, every format and the row counts, and prints "
	           "the package identity.");
	rp_html_raw(h, "</p>\n<h3>");
	rp_html_tr(h, "Sans revpack", "Without revpack");
	rp_html_raw(h, "</h3>\n<p>");
	rp_html_tr(h, "Livraison en ZIP : à côté de l’archive, son empreinte est dans le fichier "
	              "<code>.sha256</code> :",
	           "ZIP delivery: beside the archive, its SHA-256 is in the <code>.sha256</code> file:");
	rp_html_raw(h, "</p>\n");
	cmd_start(h, "verify-zip");
	rp_html_raw(h, "sha256sum -c ");
	cmd_path(h, bag, ".zip.sha256");
	cmd_end(h);
	rp_html_raw(h, "<p>");
	rp_html_tr(h, "Dossier (ou ZIP décompressé) : chaque fichier, puis les fichiers de description :",
	           "Folder (or unzipped ZIP): every file, then the description files:");
	rp_html_raw(h, "</p>\n");
	cmd_start(h, "verify-folder");
	rp_html_raw(h, "cd ");
	cmd_path(h, bag, NULL);
	rp_html_raw(h, "\nsha256sum -c manifest-sha256.txt\nsha256sum -c tagmanifest-sha256.txt");
	cmd_end(h);
	if (encoded) {
		rp_html_raw(h, "<p class=\"note\" id=\"encoded-paths\">");
		rp_html_count(h, encoded);
		rp_html_tr(h, " nom(s) de fichier de ce paquet contiennent un « % » (ou un saut de ligne), que "
		              "<code>manifest-sha256.txt</code> écrit « %25 » comme BagIt le demande : "
		              "<code>sha256sum</code> les signale comme introuvables. <code>revpack verify</code> et "
		              "les validateurs BagIt les vérifient normalement.",
		           " file name(s) of this package hold a \"%\" (or a line break), which "
		           "<code>manifest-sha256.txt</code> writes as \"%25\" as BagIt requires: "
		           "<code>sha256sum</code> reports them as missing. <code>revpack verify</code> and BagIt "
		           "validators check them as usual.");
		rp_html_raw(h, "</p>\n");
	}
	rp_html_raw(h, "<p>");
	rp_html_tr(h, "Tout validateur BagIt convient aussi, par exemple bagit-python de la Bibliothèque du "
	              "Congrès (<code>pip install bagit</code>) :",
	           "Any BagIt validator works too, for instance the Library of Congress's bagit-python "
	           "(<code>pip install bagit</code>):");
	rp_html_raw(h, "</p>\n");
	cmd_start(h, "verify-bagit");
	rp_html_raw(h, "bagit.py --validate ");
	cmd_path(h, bag, NULL);
	cmd_end(h);
	rp_html_raw(h, "<p>");
	rp_html_tr(h, "L’empreinte du paquet, citée dans les rapports de validation, est le premier champ de :",
	           "The package identity, quoted in validation reports, is the first field of:");
	rp_html_raw(h, "</p>\n");
	cmd_start(h, "identity");
	rp_html_raw(h, "sha256sum ");
	cmd_path(h, bag, "/tagmanifest-sha256.txt");
	cmd_end(h);
	rp_html_raw(h, "</section>\n");
}

int rp_guide_write(rp_package *pkg, const rp_inventory *inv)
{
	rp_html h;
	char *bag = bag_name(pkg);
	int rc = -1;

	if (!bag)
		return -1;
	if (inv->content && rp_content_settle(inv->content) < 0)
		goto out;
	for (size_t i = 0; i < inv->nmedia; i++)
		if (rp_media_settle(inv->media[i]) < 0)
			goto out;
	if (rp_html_open(&h, pkg, RP_GUIDE_PATH, inv->lang, false) < 0)
		goto out;
	rp_html_begin(&h, rp_tr(inv->lang, "Paquet de réversibilité \xe2\x80\x94 guide", "Reversibility package \xe2\x80\x94 guide"));
	part_header(&h, inv, bag);
	part_summary(&h, inv);
	part_databases(&h, inv);
	part_content(&h, inv);
	part_media(&h, inv);
	part_formats(&h, inv);
	part_restore(&h, inv, bag);
	part_verify(&h, bag, encoded_paths(pkg));
	rp_html_raw(&h, "<footer class=\"muted\"><p>");
	rp_html_tr(&h, "Écrit par revpack " REVPACK_VERSION ". Cette page n’exécute aucun script et ne charge rien "
	               "hors du paquet.",
	           "Written by revpack " REVPACK_VERSION ". This page runs no script and loads nothing from outside "
	           "the package.");
	rp_html_raw(&h, "</p></footer>\n");
	rc = rp_html_commit(&h, pkg);
out:
	free(bag);
	return rc;
}
