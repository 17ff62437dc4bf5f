/* Writes data/inventory.xml with libxml2's streaming writer. */
#include "revpack/inventory.h"

#include <libxml/xmlwriter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/buf.h"
#include "revpack/content.h"
#include "revpack/error.h"
#include "revpack/hash.h"
#include "revpack/path.h"
#include "revpack/text.h"
#include "revpack/timeutil.h"
#include "revpack/xmltext.h"

typedef struct inv_out {
	rp_sink *sink;
	int failed;
} inv_out;

static int io_write(void *ctx, const char *buf, int len)
{
	inv_out *o = ctx;
	if (rp_sink_write(o->sink, buf, (size_t)len) < 0) {
		o->failed = 1;
		return -1;
	}
	return len;
}

static int io_close(void *ctx)
{
	(void)ctx;
	return 0;
}

#define X(s) ((const xmlChar *)(s))

typedef struct w {
	xmlTextWriterPtr x;
	int rc;
} w;

static void start(w *c, const char *name)
{
	if (c->rc >= 0)
		c->rc = xmlTextWriterStartElement(c->x, X(name));
}

static void end(w *c)
{
	if (c->rc >= 0)
		c->rc = xmlTextWriterEndElement(c->x);
}

/* value as XML can hold it: unchanged when it can, else mapped (a
 * control character as its picture, a byte that is not UTF-8 as its
 * Windows-1252 character: xmltext.h) into *tmp. Table and column names
 * never need it (the export refuses them); a warning or a server setting
 * may. */
static const char *fit(const char *value, rp_buf *tmp)
{
	rp_xml_fix fix = { 0, 0, 0 };

	if (rp_xml_clean(value, strlen(value)))
		return value;
	if (rp_xml_map(tmp, value, strlen(value), &fix) < 0 || !tmp->data)
		return NULL;
	return tmp->data;
}

static void attr(w *c, const char *name, const char *value)
{
	rp_buf tmp = RP_BUF_INIT;

	if (c->rc >= 0 && value) {
		const char *v = fit(value, &tmp);
		c->rc = v ? xmlTextWriterWriteAttribute(c->x, X(name), X(v)) : -1;
	}
	rp_buf_free(&tmp);
}

static void attr_u(w *c, const char *name, unsigned long long v)
{
	char buf[24];
	snprintf(buf, sizeof buf, "%llu", v);
	attr(c, name, buf);
}

static void elem(w *c, const char *name, const char *text)
{
	rp_buf tmp = RP_BUF_INIT;

	if (c->rc >= 0 && text) {
		const char *v = fit(text, &tmp);
		c->rc = v ? xmlTextWriterWriteElement(c->x, X(name), X(v)) : -1;
	}
	rp_buf_free(&tmp);
}

static void fileref(w *c, const rp_fileref *f)
{
	start(c, "file");
	attr(c, "role", f->role);
	attr(c, "path", f->path);
	end(c);
}

static void write_table(w *c, const rp_table *t)
{
	char hex[RP_SHA256_HEXLEN + 1];

	rp_digest_hex(&t->digest, hex);
	start(c, "table");
	attr(c, "schema", t->schema);
	attr(c, "name", t->name);
	attr(c, "fileStem", t->file_stem);
	attr(c, "engine", t->engine);
	attr(c, "inSnapshot", t->in_snapshot ? "true" : "false");
	attr_u(c, "rows", t->digest.rows);
	attr(c, "digest", hex);
	for (size_t i = 0; i < t->ncols; i++) {
		const rp_column *col = &t->cols[i];
		start(c, "column");
		attr_u(c, "position", i + 1);
		attr(c, "name", col->name);
		attr(c, "type", col->type);
		attr(c, "class", rp_colclass_name(col->cls));
		attr(c, "nullable", col->nullable ? "true" : "false");
		attr(c, "charset", col->charset);
		attr(c, "collation", col->collation);
		if (col->generated)
			attr(c, "generated", "true");
		end(c);
	}
	if (t->npkey) {
		start(c, "primaryKey");
		attr(c, "name", t->pkey_name);
		for (size_t i = 0; i < t->npkey; i++)
			elem(c, "column", t->pkey[i]);
		end(c);
	}
	for (size_t i = 0; i < t->nuniques; i++) {
		const rp_key *k = &t->uniques[i];
		start(c, "uniqueKey");
		attr(c, "name", k->name);
		for (size_t j = 0; j < k->ncols; j++)
			elem(c, "column", k->cols[j]);
		end(c);
	}
	for (size_t i = 0; i < t->nfkeys; i++) {
		const rp_key *k = &t->fkeys[i];
		start(c, "foreignKey");
		attr(c, "name", k->name);
		attr(c, "refSchema", k->ref_schema);
		attr(c, "refTable", k->ref_table);
		attr(c, "onUpdate", k->on_update);
		attr(c, "onDelete", k->on_delete);
		for (size_t j = 0; j < k->ncols; j++)
			elem(c, "column", k->cols[j]);
		for (size_t j = 0; j < k->ncols; j++) {
			start(c, "references");
			attr(c, "column", k->ref_cols[j]);
			end(c);
		}
		end(c);
	}
	for (size_t i = 0; i < t->nfiles; i++)
		fileref(c, &t->files[i]);
	end(c);
}

static void write_source(w *c, const rp_inv_source *is)
{
	const rp_source *src = is->src;
	const rp_source_info *in = &src->info;
	char started[21];

	start(c, "source");
	attr(c, "name", src->name);
	attr(c, "kind", src->ops->kind);
	start(c, "server");
	attr(c, "product", in->product);
	attr(c, "version", in->version);
	attr(c, "host", in->host);
	if (in->port)
		attr_u(c, "port", in->port);
	attr(c, "socket", in->socket);
	attr(c, "database", in->database);
	attr(c, "user", in->user);
	end(c);
	start(c, "snapshot");
	attr(c, "method", in->snapshot_method);
	attr(c, "isolation", in->isolation);
	rp_time_iso((time_t)in->snapshot_started, started);
	attr(c, "started", started);
	attr(c, "serverTime", in->snapshot_server_time);
	attr_u(c, "connections", in->connections ? in->connections : 1);
	attr(c, "sharing", in->snapshot_sharing);
	for (size_t i = 0; i < in->nsettings; i++) {
		start(c, "setting");
		attr(c, "name", in->settings[i].name);
		attr(c, "value", in->settings[i].value);
		end(c);
	}
	end(c);
	if (is->restore_command) {
		start(c, "restore");
		attr(c, "tool", src->ops->kind);
		if (c->rc >= 0)
			c->rc = xmlTextWriterWriteString(c->x, X(is->restore_command));
		end(c);
	}
	for (size_t i = 0; i < is->nfiles; i++)
		fileref(c, &is->files[i]);
	for (size_t i = 0; i < is->schema->ntables; i++)
		write_table(c, &is->schema->tables[i]);
	for (size_t i = 0; i < is->schema->nobjects; i++) {
		const rp_object *o = &is->schema->objects[i];
		if (o->kind == RP_OBJ_COMMENT || o->kind == RP_OBJ_OTHER)
			continue; /* statements, not objects of their own */
		start(c, "object");
		attr(c, "kind", rp_objkind_name(o->kind));
		attr(c, "schema", o->schema);
		attr(c, "name", o->name);
		attr(c, "table", o->table);
		attr(c, "definer", o->definer);
		end(c);
	}
	for (size_t i = 0; i < is->schema->nwarnings; i++)
		elem(c, "warning", is->schema->warnings[i]);
	end(c);
}

/* Bytes as lower-case hex in attribute name. */
static void attr_hex(w *c, const char *name, const char *bytes)
{
	size_t n = strlen(bytes);
	char *hex = rp_malloc(2 * n + 1);

	if (!hex) {
		c->rc = -1;
		return;
	}
	rp_hex_encode(hex, bytes, n);
	hex[2 * n] = '\0';
	attr(c, name, hex);
	free(hex);
}

/* Text XML can carry goes as it is in name; other text goes mapped (as a
 * media name is) in name and as hex in hex_name. */
static void attr_text(w *c, const char *name, const char *hex_name, const char *text)
{
	rp_buf b = RP_BUF_INIT;
	bool mapped;

	if (rp_xml_text_ok(text, strlen(text))) {
		attr(c, name, text);
		return;
	}
	if (rp_media_name_map(&b, text, strlen(text), &mapped) < 0) {
		c->rc = -1;
		return;
	}
	attr(c, name, b.data ? b.data : "");
	attr_hex(c, hex_name, text);
	rp_buf_free(&b);
}

static void entry_path(w *c, const rp_media_entry *e)
{
	attr(c, "path", e->pkg);
	if (e->mapped)
		attr_hex(c, "originalHex", e->src);
}

static const char *kind_name(rp_media_kind k)
{
	switch (k) {
	case RP_MEDIA_DIR:
		return "folder";
	case RP_MEDIA_FILE:
		return "file";
	case RP_MEDIA_SYMLINK:
		return "symlink";
	case RP_MEDIA_SPECIAL:
	default:
		return "special";
	}
}

static void write_media(w *c, rp_media *m)
{
	const rp_media_entry *e;
	uint64_t files, bytes, skipped;
	size_t n;

	if (rp_media_settle(m) < 0) {
		c->rc = -1;
		return;
	}
	e = rp_media_entries(m, &n);
	rp_media_totals(m, &files, &bytes, &skipped);
	start(c, "media");
	attr(c, "name", rp_media_name(m));
	attr_text(c, "root", "rootHex", rp_media_dir(m));
	attr(c, "path", rp_media_root(m));
	attr_u(c, "files", files);
	attr_u(c, "bytes", bytes);
	attr_u(c, "skipped", skipped);
	for (size_t i = 0; i < n && c->rc >= 0; i++) {
		char hex[RP_SHA256_HEXLEN + 1];
		if (e[i].skipped) {
			start(c, "skipped");
			entry_path(c, &e[i]);
			attr(c, "kind", kind_name(e[i].kind));
			attr(c, "reason", e[i].skipped);
			end(c);
			continue;
		}
		switch (e[i].kind) {
		case RP_MEDIA_FILE:
			if (!e[i].exported)
				break;
			start(c, "file");
			attr(c, "path", e[i].pkg);
			attr_u(c, "bytes", e[i].bytes);
			if (e[i].mtime >= -62135596800LL && e[i].mtime <= 253402300799LL) {
				char when[21];
				rp_time_iso((time_t)e[i].mtime, when); /* years 0001 to 9999 only */
				attr(c, "modified", when);
			}
			rp_sha256_hex(e[i].sha256, hex);
			attr(c, "sha256", hex);
			if (e[i].mapped)
				attr_hex(c, "originalHex", e[i].src);
			if (e[i].same_as != SIZE_MAX)
				attr(c, "sameFileAs", e[e[i].same_as].pkg);
			end(c);
			break;
		case RP_MEDIA_SYMLINK:
			start(c, "symlink");
			attr(c, "path", e[i].pkg);
			attr_text(c, "target", "targetHex", e[i].target);
			attr(c, "inside", e[i].inside ? "true" : "false");
			if (e[i].mapped)
				attr_hex(c, "originalHex", e[i].src);
			end(c);
			break;
		case RP_MEDIA_DIR:
			if (e[i].has_files)
				break;
			start(c, "directory");
			entry_path(c, &e[i]);
			end(c);
			break;
		case RP_MEDIA_SPECIAL:
		default:
			break; /* always skipped (or the export failed) */
		}
	}
	end(c);
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const rp_pkg_file *)a)->path, ((const rp_pkg_file *)b)->path);
}

static int write_now(rp_package *pkg, const rp_inventory *inv)
{
	inv_out o = { NULL, 0 };
	xmlOutputBufferPtr ob = NULL;
	w c = { NULL, 0 };
	char created[21];
	const rp_pkg_file *files;
	rp_pkg_file *sorted = NULL;
	size_t nfiles;
	int rc = -1;

	if (rp_package_open(pkg, "inventory.xml", &o.sink) < 0)
		return -1;
	ob = xmlOutputBufferCreateIO(io_write, io_close, &o, NULL);
	if (!ob) {
		rp_error_nomem();
		goto out;
	}
	c.x = xmlNewTextWriter(ob);
	if (!c.x) {
		xmlOutputBufferClose(ob);
		rp_error_nomem();
		goto out;
	}
	xmlTextWriterSetIndent(c.x, 1);
	xmlTextWriterSetIndentString(c.x, X("  "));
	c.rc = xmlTextWriterStartDocument(c.x, "1.0", "UTF-8", NULL);
	start(&c, "inventory");
	attr(&c, "xmlns", RP_INVENTORY_NS);
	attr(&c, "version", "1");
	start(&c, "package");
	elem(&c, "organization", inv->organization);
	elem(&c, "externalIdentifier", inv->external_id);
	rp_time_iso(inv->created, created);
	elem(&c, "created", created);
	start(&c, "tool");
	attr(&c, "name", "revpack");
	attr(&c, "version", REVPACK_VERSION);
	end(&c);
	elem(&c, "digestAlgorithm", RP_DIGEST_ALGORITHM);
	start(&c, "csv");
	attr(&c, "dialect", rp_csv_dialect_name(inv->dialect));
	end(&c);
	end(&c);
	for (size_t i = 0; i < inv->nsources; i++)
		write_source(&c, &inv->sources[i]);
	for (size_t i = 0; i < inv->nmedia; i++)
		write_media(&c, inv->media[i]);
	if (c.rc >= 0 && inv->content && rp_content_inventory(c.x, inv->content) < 0)
		c.rc = -1;
	files = rp_package_files(pkg, &nfiles);
	if (!(sorted = rp_malloc((nfiles ? nfiles : 1) * sizeof *sorted))) {
		c.rc = -1;
		nfiles = 0;
	} else if (nfiles) {
		memcpy(sorted, files, nfiles * sizeof *sorted);
		qsort(sorted, nfiles, sizeof *sorted, cmp_files);
	}
	files = sorted;
	start(&c, "files");
	for (size_t i = 0; i < nfiles; i++) {
		char hex[RP_SHA256_HEXLEN + 1];
		rp_sha256_hex(files[i].info.sha256, hex);
		start(&c, "file");
		attr(&c, "path", files[i].path);
		attr_u(&c, "bytes", files[i].info.bytes);
		attr(&c, "sha256", hex);
		end(&c);
	}
	end(&c);
	end(&c);
	if (c.rc >= 0)
		c.rc = xmlTextWriterEndDocument(c.x);
	xmlFreeTextWriter(c.x); /* flushes and closes ob */
	c.x = NULL;
	if (o.failed)
		goto out; /* the sink's error is recorded */
	if (c.rc < 0) {
		rp_error_set(RP_E_INTERNAL, "cannot write data/inventory.xml (a name that XML cannot hold?)");
		goto out;
	}
	rc = rp_package_commit(pkg, o.sink);
	o.sink = NULL;
out:
	free(sorted);
	rp_sink_abort(o.sink);
	return rc;
}

int rp_inventory_write_now(rp_package *pkg, const rp_inventory *inv)
{
	return write_now(pkg, inv);
}

static int write_deferred(rp_package *pkg, void *ctx)
{
	return write_now(pkg, ctx);
}

int rp_inventory_write(rp_package *pkg, const rp_inventory *inv)
{
	static const char *const path[] = { "inventory.xml" };
	rp_inventory *copy;

	if (!rp_package_is_zip(pkg))
		return write_now(pkg, inv);
	if (!(copy = rp_malloc(sizeof *copy)))
		return -1;
	*copy = *inv;
	return rp_package_defer(pkg, path, 1, write_deferred, copy, free);
}
