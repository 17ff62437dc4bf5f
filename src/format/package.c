/* BagIt package builder (see package.h, formats/bag.md). */
#include "revpack/package.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/path.h"
#include "revpack/timeutil.h"
#include "revpack/zip.h"

/* A payload file streamed into the archive (zip form). */
typedef struct pkg_stream {
	rp_package *pkg;
	char *path;         /* data/... */
	const rp_zip_stream_ops *ops;
	void *ctx;
	bool dropped;       /* left out (RP_ZIP_SKIP) */
} pkg_stream;

/* A tag file (or the inventory) made once every stream was read. */
typedef struct pkg_late {
	rp_package *pkg;
	const char *path;   /* relative to the bag root */
	int fd;
} pkg_late;

#define ZIP_ATTEMPTS 16     /* archive writes when streams ask to be left out */

struct rp_package {
	pthread_mutex_t mu; /* guards files: tables are committed from several threads */
	char *final_path;   /* as given */
	char *tmp_path;     /* hidden sibling folder */
	int parentfd;
	int rootfd;         /* the temporary bag root */
	rp_pkg_file *files;
	size_t nfiles, cap;
	bool bulk;          /* bulk files written: sync the file system at the end */
	/* zip form */
	bool zip;
	char *zip_base;     /* "site.zip", in the folder of final_path */
	char *sidecar_base; /* "site.zip.sha256" */
	char *top;          /* the bag's folder inside the archive: "site" */
	pkg_stream *streams;
	size_t nstreams, capstreams;
	int (*defer_write)(rp_package *, void *);
	void *defer_ctx;
	void (*defer_free)(void *);
	char **defer_paths; /* "data/...": what defer_write makes */
	size_t ndefer;
	volatile sig_atomic_t *interrupted;
	/* while the archive is written */
	const rp_label *labels;
	size_t nlabels;
	bool tags_written;
	rp_file_info bagit;
	char identity[RP_SHA256_HEXLEN + 1];
};

bool rp_package_zip_name(const char *path)
{
	size_t n = strlen(path);

	return n >= 4 && strcasecmp(path + n - 4, ".zip") == 0;
}

bool rp_package_is_zip(const rp_package *pkg)
{
	return pkg->zip;
}

/* Zip form: the names beside the archive and the bag's folder inside it. */
static int zip_names(rp_package *pkg, const char *path, const char *base)
{
	size_t n = strlen(base) - 4;
	struct stat st;

	if (n == 0 || (n == 1 && base[0] == '.') || (n == 2 && base[0] == '.' && base[1] == '.') ||
	    !rp_xml_text_ok(base, n) || memchr(base, '\\', n) || memchr(base, '\n', n) || memchr(base, '\r', n) ||
	    memchr(base, '\t', n))
		return rp_error_set(RP_E_USAGE,
		                    "%s: the archive's name without .zip names the package's folder inside it; "
		                    "give a plain UTF-8 name (e.g. -o site-2026-11.zip)",
		                    path);
	pkg->zip = true;
	pkg->zip_base = rp_strdup(base);
	pkg->sidecar_base = rp_sprintf("%s.sha256", base);
	pkg->top = rp_strndup(base, n);
	if (!pkg->zip_base || !pkg->sidecar_base || !pkg->top)
		return -1;
	if (fstatat(pkg->parentfd, pkg->sidecar_base, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return rp_error_set(RP_E_USAGE, "%s.sha256 already exists; revpack never overwrites a package", path);
	if (errno != ENOENT)
		return rp_error_set_errno(RP_E_IO, errno, "cannot examine %s.sha256", path);
	return 0;
}

int rp_package_create(rp_package **out, const char *path)
{
	rp_package *pkg;
	char *copy1 = NULL, *copy2 = NULL;
	const char *dir, *base;
	struct stat st;

	*out = NULL;
	if (lstat(path, &st) == 0)
		return rp_error_set(RP_E_USAGE, "%s already exists; revpack never overwrites a package", path);
	if (errno != ENOENT)
		return rp_error_set_errno(RP_E_IO, errno, "cannot examine %s", path);
	pkg = rp_calloc(1, sizeof *pkg);
	if (!pkg)
		return -1;
	pkg->parentfd = pkg->rootfd = -1;
	pthread_mutex_init(&pkg->mu, NULL);
	copy1 = rp_strdup(path);
	copy2 = rp_strdup(path);
	pkg->final_path = rp_strdup(path);
	if (!copy1 || !copy2 || !pkg->final_path)
		goto fail;
	dir = dirname(copy1);
	base = basename(copy2);
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..") || !strcmp(base, "/")) {
		rp_error_set(RP_E_USAGE, "%s: give the package a name (e.g. -o site-2026-11)", path);
		goto fail;
	}
	pkg->parentfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (pkg->parentfd < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot open the folder %s", dir);
		goto fail;
	}
	if (rp_package_zip_name(base) && zip_names(pkg, path, base) < 0)
		goto fail;
	pkg->tmp_path = rp_sprintf("%s/.%s.rp-tmp-XXXXXX", dir, base);
	if (!pkg->tmp_path)
		goto fail;
	if (!mkdtemp(pkg->tmp_path)) {
		rp_error_set_errno(RP_E_IO, errno, "cannot create a temporary folder in %s", dir);
		goto fail;
	}
	pkg->rootfd = open(pkg->tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (pkg->rootfd < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot open %s", pkg->tmp_path);
		goto fail;
	}
	if (mkdirat(pkg->rootfd, "data", 0755) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot create %s/data", pkg->tmp_path);
		goto fail;
	}
	free(copy1);
	free(copy2);
	*out = pkg;
	return 0;
fail:
	free(copy1);
	free(copy2);
	rp_package_abort(pkg);
	return -1;
}

int rp_package_open(rp_package *pkg, const char *relpath, rp_sink **out)
{
	rp_buf p = RP_BUF_INIT;
	const char *slash;
	int rc = -1;

	if (rp_buf_printf(&p, "data/%s", relpath) < 0)
		goto out;
	slash = strrchr(p.data, '/');
	p.data[slash - p.data] = '\0';
	if (rp_mkdirs_at(pkg->rootfd, p.data) < 0)
		goto out;
	p.data[slash - p.data] = '/';
	rc = rp_sink_open(out, pkg->rootfd, p.data, p.data);
out:
	rp_buf_free(&p);
	return rc;
}

int rp_package_open_bulk(rp_package *pkg, const char *relpath, rp_sink **out)
{
	char *p = rp_sprintf("data/%s", relpath);
	int rc;

	if (!p)
		return -1;
	rc = rp_sink_open_bulk(out, pkg->rootfd, p, p);
	if (rc == 0) {
		pthread_mutex_lock(&pkg->mu);
		pkg->bulk = true;
		pthread_mutex_unlock(&pkg->mu);
	}
	free(p);
	return rc;
}

int rp_package_add_stream(rp_package *pkg, const char *relpath, const rp_zip_stream_ops *ops, void *ctx)
{
	pkg_stream *s;

	if (!pkg->zip)
		return rp_error_set(RP_E_INTERNAL, "data/%s: streams are for the zip form", relpath);
	if (pkg->nstreams == pkg->capstreams) {
		size_t cap = pkg->capstreams ? pkg->capstreams * 2 : 64;
		s = rp_realloc(pkg->streams, cap * sizeof *s);
		if (!s)
			return -1;
		pkg->streams = s;
		pkg->capstreams = cap;
	}
	s = &pkg->streams[pkg->nstreams];
	memset(s, 0, sizeof *s);
	s->pkg = pkg;
	s->ops = ops;
	s->ctx = ctx;
	if (!(s->path = rp_sprintf("data/%s", relpath)))
		return -1;
	pkg->nstreams++;
	return 0;
}

int rp_package_defer(rp_package *pkg, const char *const *paths, size_t npaths,
                     int (*write)(rp_package *pkg, void *ctx), void *ctx, void (*free_ctx)(void *ctx))
{
	if (pkg->defer_write) {
		if (free_ctx)
			free_ctx(ctx);
		return rp_error_set(RP_E_INTERNAL, "the package already has deferred files");
	}
	pkg->defer_write = write;
	pkg->defer_ctx = ctx;
	pkg->defer_free = free_ctx;
	if (!pkg->zip)
		return write(pkg, ctx);
	if (!(pkg->defer_paths = rp_calloc(npaths + 1, sizeof *pkg->defer_paths)))
		return -1;
	for (size_t i = 0; i < npaths; i++, pkg->ndefer++)
		if (!(pkg->defer_paths[i] = rp_sprintf("data/%s", paths[i])))
			return -1;
	return 0;
}

void rp_package_set_interrupt(rp_package *pkg, volatile sig_atomic_t *flag)
{
	pkg->interrupted = flag;
}

volatile sig_atomic_t *rp_package_interrupt(const rp_package *pkg)
{
	return pkg->interrupted;
}

const char *rp_package_root_path(const rp_package *pkg)
{
	return pkg->tmp_path;
}

int rp_package_root_fd(const rp_package *pkg)
{
	return pkg->rootfd;
}

int rp_package_mkdirs(rp_package *pkg, const char *reldir)
{
	rp_buf p = RP_BUF_INIT;
	int rc = -1;

	if (rp_buf_printf(&p, "data/%s", reldir) == 0)
		rc = rp_mkdirs_at(pkg->rootfd, p.data);
	rp_buf_free(&p);
	return rc;
}

static int record_file(rp_package *pkg, char *path, const rp_file_info *info)
{
	int rc = 0;

	pthread_mutex_lock(&pkg->mu);
	if (pkg->nfiles == pkg->cap) {
		size_t cap = pkg->cap ? pkg->cap * 2 : 64;
		rp_pkg_file *n = rp_realloc(pkg->files, cap * sizeof *n);
		if (!n) {
			free(path);
			rc = -1;
			goto out;
		}
		pkg->files = n;
		pkg->cap = cap;
	}
	pkg->files[pkg->nfiles].path = path;
	pkg->files[pkg->nfiles].info = *info;
	pkg->nfiles++;
out:
	pthread_mutex_unlock(&pkg->mu);
	return rc;
}

int rp_package_adopt_info(rp_package *pkg, const char *relpath, const rp_file_info *info)
{
	char *path = rp_sprintf("data/%s", relpath);

	if (!path)
		return -1;
	return record_file(pkg, path, info);
}

int rp_package_adopt(rp_package *pkg, const char *relpath)
{
	char *path = rp_sprintf("data/%s", relpath);
	unsigned char *buf = NULL;
	rp_file_info info;
	rp_sha256 h = { NULL };
	int fd = -1, rc = -1;
	ssize_t n;

	if (!path)
		return -1;
	memset(&info, 0, sizeof info);
	fd = openat(pkg->rootfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot open %s", path);
		goto out;
	}
	if (fsync(fd) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot sync %s", path);
		goto out;
	}
	if (!(buf = rp_malloc(1u << 20)) || rp_sha256_init(&h) < 0)
		goto out;
	while ((n = rp_read_full(fd, buf, 1u << 20)) > 0) {
		if (rp_sha256_update(&h, buf, (size_t)n) < 0)
			goto out;
		info.bytes += (uint64_t)n;
	}
	if (n < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot read %s", path);
		goto out;
	}
	if (rp_sha256_final(&h, info.sha256) < 0)
		goto out;
	rc = record_file(pkg, path, &info);
	path = NULL;
out:
	if (fd >= 0)
		close(fd);
	rp_sha256_free(&h);
	free(buf);
	free(path);
	return rc;
}

int rp_package_commit(rp_package *pkg, rp_sink *sink)
{
	rp_file_info info;
	return rp_package_commit_info(pkg, sink, &info);
}

int rp_package_commit_info(rp_package *pkg, rp_sink *sink, rp_file_info *info)
{
	rp_pkg_file f;

	f.path = rp_strdup(rp_sink_path(sink));
	if (!f.path) {
		rp_sink_abort(sink);
		return -1;
	}
	if (rp_sink_commit(sink, &f.info) < 0) {
		free(f.path);
		return -1;
	}
	*info = f.info;
	return record_file(pkg, f.path, &f.info);
}

const rp_pkg_file *rp_package_files(const rp_package *pkg, size_t *n)
{
	*n = pkg->nfiles;
	return pkg->files;
}

const char *rp_package_path(const rp_package *pkg)
{
	return pkg->final_path;
}

void rp_human_size(uint64_t bytes, char *out, size_t outlen)
{
	static const char *const unit[] = { "bytes", "KB", "MB", "GB", "TB", "PB", "EB" };
	uint64_t scaled = bytes, rest = 0;
	size_t u = 0;

	/* Integer arithmetic: one decimal, rounded down (18446744073709551615
	 * bytes is 18.4 EB, the most a uint64_t holds). */
	while (scaled >= 1000 && u < 6) {
		rest = scaled % 1000;
		scaled /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(out, outlen, "%u bytes", (unsigned)scaled);
	else
		snprintf(out, outlen, "%u.%u %s", (unsigned)scaled, (unsigned)(rest / 100), unit[u]);
}

static int cmp_files(const void *a, const void *b)
{
	return strcmp(((const rp_pkg_file *)a)->path, ((const rp_pkg_file *)b)->path);
}

/* Writes a tag file at the bag root and returns its digest. */
static int write_tag(rp_package *pkg, const char *name, const rp_buf *content, rp_file_info *info)
{
	rp_sink *s;

	if (rp_sink_open(&s, pkg->rootfd, name, name) < 0)
		return -1;
	if (rp_sink_write(s, content->data ? content->data : "", content->len) < 0) {
		rp_sink_abort(s);
		return -1;
	}
	return rp_sink_commit(s, info);
}

static int manifest_line(rp_buf *b, const uint8_t d[RP_SHA256_LEN], const char *path)
{
	char hex[RP_SHA256_HEXLEN + 1];

	rp_sha256_hex(d, hex);
	if (rp_buf_printf(b, "%s  ", hex) < 0 || rp_manifest_path_encode(b, path) < 0)
		return -1;
	return rp_buf_putc(b, '\n');
}

/* bag-info.txt value: continuation lines are indented (RFC 8493 2.2.2). */
static int info_line(rp_buf *b, const char *label, const char *value)
{
	if (rp_buf_printf(b, "%s: ", label) < 0)
		return -1;
	for (const char *p = value; *p; p++) {
		if (*p == '\r')
			continue;
		if (rp_buf_putc(b, *p) < 0)
			return -1;
		if (*p == '\n' && rp_buf_puts(b, "  ") < 0)
			return -1;
	}
	return rp_buf_putc(b, '\n');
}

static int write_bagit(rp_package *pkg)
{
	rp_buf b = RP_BUF_INIT;
	int rc = -1;

	if (rp_buf_puts(&b, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n") == 0)
		rc = write_tag(pkg, "bagit.txt", &b, &pkg->bagit);
	rp_buf_free(&b);
	return rc;
}

/*
 * Writes manifest-sha256.txt, bag-info.txt (the labels, then Bagging-Date,
 * Bag-Size and Payload-Oxum) and tagmanifest-sha256.txt (bagit.txt is
 * written first) and keeps the identity. The file list keeps its order (a
 * sorted copy makes the manifest).
 */
static int write_tags(rp_package *pkg)
{
	rp_buf b = RP_BUF_INIT, tag = RP_BUF_INIT;
	rp_file_info info, manifest, tagm;
	rp_pkg_file *sorted = NULL;
	uint64_t octets = 0;
	char date[11], size[32], oxum[48];
	int rc = -1;

	if (!(sorted = rp_malloc((pkg->nfiles ? pkg->nfiles : 1) * sizeof *sorted)))
		goto out;
	if (pkg->nfiles)
		memcpy(sorted, pkg->files, pkg->nfiles * sizeof *sorted);
	qsort(sorted, pkg->nfiles, sizeof *sorted, cmp_files);
	for (size_t i = 0; i < pkg->nfiles; i++) {
		octets += sorted[i].info.bytes;
		if (manifest_line(&b, sorted[i].info.sha256, sorted[i].path) < 0)
			goto out;
	}
	if (write_tag(pkg, "manifest-sha256.txt", &b, &manifest) < 0)
		goto out;

	rp_buf_clear(&b);
	for (size_t i = 0; i < pkg->nlabels; i++)
		if (pkg->labels[i].value && info_line(&b, pkg->labels[i].label, pkg->labels[i].value) < 0)
			goto out;
	rp_date_iso(time(NULL), date);
	rp_human_size(octets, size, sizeof size);
	snprintf(oxum, sizeof oxum, "%llu.%zu", (unsigned long long)octets, pkg->nfiles);
	if (info_line(&b, "Bagging-Date", date) < 0 || info_line(&b, "Bag-Size", size) < 0 ||
	    info_line(&b, "Payload-Oxum", oxum) < 0 || write_tag(pkg, "bag-info.txt", &b, &info) < 0)
		goto out;

	if (manifest_line(&tag, pkg->bagit.sha256, "bagit.txt") < 0 ||
	    manifest_line(&tag, info.sha256, "bag-info.txt") < 0 ||
	    manifest_line(&tag, manifest.sha256, "manifest-sha256.txt") < 0 ||
	    write_tag(pkg, "tagmanifest-sha256.txt", &tag, &tagm) < 0)
		goto out;
	rp_sha256_hex(tagm.sha256, pkg->identity);
	pkg->tags_written = true;
	rc = 0;
out:
	free(sorted);
	rp_buf_free(&b);
	rp_buf_free(&tag);
	return rc;
}

static void summarize(const rp_package *pkg, rp_package_summary *sum)
{
	memcpy(sum->identity, pkg->identity, sizeof sum->identity);
	sum->files = pkg->nfiles;
	sum->payload_bytes = 0;
	for (size_t i = 0; i < pkg->nfiles; i++)
		sum->payload_bytes += pkg->files[i].info.bytes;
}

/* Bulk files were not synced one by one: sync their file system once. */
static int sync_bulk(rp_package *pkg)
{
	if (pkg->bulk && syncfs(pkg->rootfd) < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot sync the files written in %s", pkg->tmp_path);
	return 0;
}

static int finish_folder(rp_package *pkg, rp_package_summary *sum)
{
	if (write_bagit(pkg) < 0 || write_tags(pkg) < 0)
		return -1;
	summarize(pkg, sum);
	if (sync_bulk(pkg) < 0 || rp_fsync_dirs(pkg->rootfd, pkg->tmp_path) < 0)
		return -1;
	if (rp_rename_noreplace(AT_FDCWD, pkg->tmp_path, AT_FDCWD, pkg->final_path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			return rp_error_set(RP_E_IO, "%s appeared while revpack was writing; the new package was discarded",
			                    pkg->final_path);
		return rp_error_set_errno(RP_E_IO, errno, "cannot move the package into place as %s", pkg->final_path);
	}
	free(pkg->tmp_path);
	pkg->tmp_path = NULL;
	if (fsync(pkg->parentfd) < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot sync the folder holding %s", pkg->final_path);
	return 0;
}

/* ---- the zip form ---- */

static int stream_open(void *ctx, uint64_t *bytes, time_t *mtime)
{
	pkg_stream *s = ctx;
	return s->ops->open(s->ctx, bytes, mtime);
}

static ssize_t stream_read(void *ctx, void *buf, size_t n)
{
	pkg_stream *s = ctx;
	return s->ops->read(s->ctx, buf, n);
}

static int stream_close(void *ctx, const rp_file_info *info)
{
	pkg_stream *s = ctx;
	char *path;
	int rc = s->ops->close(s->ctx, info);

	if (rc < 0)
		return rc;
	if (!(path = rp_strdup(s->path)))
		return -1;
	return record_file(s->pkg, path, info);
}

static void stream_abort(void *ctx)
{
	pkg_stream *s = ctx;
	if (s->ops->abort)
		s->ops->abort(s->ctx);
}

static const rp_zip_stream_ops stream_ops = { stream_open, stream_read, stream_close, stream_abort };

/* The inventory and the tag files, made when the archive reaches them. */
static int late_open(void *ctx, uint64_t *bytes, time_t *mtime)
{
	pkg_late *l = ctx;
	rp_package *pkg = l->pkg;
	struct stat st;

	if (!pkg->tags_written) {
		if (pkg->defer_write && pkg->defer_write(pkg, pkg->defer_ctx) < 0)
			return -1;
		if (write_tags(pkg) < 0)
			return -1;
	}
	l->fd = openat(pkg->rootfd, l->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (l->fd < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot open %s", l->path);
	if (fstat(l->fd, &st) < 0) {
		close(l->fd);
		l->fd = -1;
		return rp_error_set_errno(RP_E_IO, errno, "cannot examine %s", l->path);
	}
	*bytes = (uint64_t)st.st_size;
	*mtime = time(NULL);
	return 0;
}

static ssize_t late_read(void *ctx, void *buf, size_t n)
{
	pkg_late *l = ctx;
	ssize_t got = rp_read_full(l->fd, buf, n);

	if (got < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot read %s", l->path);
	return got;
}

static int late_close(void *ctx, const rp_file_info *info)
{
	pkg_late *l = ctx;

	(void)info;
	close(l->fd);
	l->fd = -1;
	return 0;
}

static void late_abort(void *ctx)
{
	pkg_late *l = ctx;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

static const rp_zip_stream_ops late_ops = { late_open, late_read, late_close, late_abort };

/* Before the archive is written again: forget what the last attempt read
 * and made (files recorded from index nstaged on). */
static void zip_reset(rp_package *pkg, size_t nstaged)
{
	static const char *const made[] = { "manifest-sha256.txt", "bag-info.txt", "tagmanifest-sha256.txt" };

	for (size_t i = nstaged; i < pkg->nfiles; i++)
		free(pkg->files[i].path);
	pkg->nfiles = nstaged;
	if (pkg->tags_written) {
		for (size_t i = 0; i < pkg->ndefer; i++)
			unlinkat(pkg->rootfd, pkg->defer_paths[i], 0);
		for (size_t i = 0; i < sizeof made / sizeof made[0]; i++)
			unlinkat(pkg->rootfd, made[i], 0);
	}
	pkg->tags_written = false;
}

static void free_entries(rp_zip_entry *e, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free((char *)(uintptr_t)e[i].name);
		free((char *)(uintptr_t)e[i].file);
	}
	free(e);
}

/*
 * The archive's entries, in the order they are written: bagit.txt, the
 * files revpack wrote (sorted), the streams, then what depends on them.
 */
static int zip_entries(rp_package *pkg, size_t nstaged, pkg_late *late, size_t nlate, rp_zip_entry **out,
                       size_t *n)
{
	size_t cap = 1 + nstaged + pkg->nstreams + nlate, k = 0;
	rp_zip_entry *e = rp_calloc(cap, sizeof *e);
	time_t now = time(NULL);

	*out = NULL;
	*n = 0;
	if (!e)
		return -1;
	e[k].name = rp_sprintf("%s/bagit.txt", pkg->top);
	e[k].file = rp_sprintf("%s/bagit.txt", pkg->tmp_path);
	e[k].mtime = now;
	if (!e[k].name || !e[k++].file)
		goto fail;
	for (size_t i = 0; i < nstaged; i++, k++) {
		e[k].name = rp_sprintf("%s/%s", pkg->top, pkg->files[i].path);
		e[k].file = rp_sprintf("%s/%s", pkg->tmp_path, pkg->files[i].path);
		e[k].mtime = now;
		if (!e[k].name || !e[k].file)
			goto fail;
	}
	for (size_t i = 0; i < pkg->nstreams; i++) {
		if (pkg->streams[i].dropped)
			continue;
		e[k].name = rp_sprintf("%s/%s", pkg->top, pkg->streams[i].path);
		e[k].ops = &stream_ops;
		e[k].ctx = &pkg->streams[i];
		if (!e[k++].name)
			goto fail;
	}
	for (size_t i = 0; i < nlate; i++, k++) {
		e[k].name = rp_sprintf("%s/%s", pkg->top, late[i].path);
		e[k].ops = &late_ops;
		e[k].ctx = &late[i];
		if (!e[k].name)
			goto fail;
	}
	*out = e;
	*n = k;
	return 0;
fail:
	free_entries(e, cap);
	return -1;
}

/* The sidecar: "<hex>  <name>.zip\n", the line sha256sum -c reads. */
static int write_sidecar(rp_package *pkg, const char *hex)
{
	char *line = rp_sprintf("%s  %s\n", hex, pkg->zip_base);
	int fd = -1, rc = -1;
	size_t len;

	if (!line)
		return -1;
	len = strlen(line);
	fd = openat(pkg->rootfd, pkg->sidecar_base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, line, len) != (ssize_t)len || fsync(fd) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot write %s.sha256", pkg->final_path);
		goto out;
	}
	rc = 0;
out:
	if (fd >= 0 && close(fd) < 0 && rc == 0)
		rc = rp_error_set_errno(RP_E_IO, errno, "cannot write %s.sha256", pkg->final_path);
	free(line);
	return rc;
}

/* The archive is complete in the temporary folder (owner-only, synced,
 * hashed while written): the sidecar is written, then both move into
 * place. */
static int zip_publish(rp_package *pkg, const rp_file_info *z, rp_package_summary *sum)
{
	rp_sha256_hex(z->sha256, sum->archive_sha256);
	if (write_sidecar(pkg, sum->archive_sha256) < 0)
		return -1;
	if (rp_rename_noreplace(pkg->rootfd, pkg->zip_base, pkg->parentfd, pkg->zip_base) < 0) {
		if (errno == EEXIST)
			return rp_error_set(RP_E_IO, "%s appeared while revpack was writing; the new package was discarded",
			                    pkg->final_path);
		return rp_error_set_errno(RP_E_IO, errno, "cannot move the package into place as %s", pkg->final_path);
	}
	if (rp_rename_noreplace(pkg->rootfd, pkg->sidecar_base, pkg->parentfd, pkg->sidecar_base) < 0) {
		int e = errno;
		unlinkat(pkg->parentfd, pkg->zip_base, 0); /* ours: never leave half a delivery */
		if (e == EEXIST)
			return rp_error_set(RP_E_IO,
			                    "%s.sha256 appeared while revpack was writing; the new package was discarded",
			                    pkg->final_path);
		return rp_error_set_errno(RP_E_IO, e, "cannot move %s.sha256 into place", pkg->final_path);
	}
	if (fsync(pkg->parentfd) < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot sync the folder holding %s", pkg->final_path);
	return 0;
}

static int finish_zip(rp_package *pkg, rp_package_summary *sum)
{
	pkg_late *late;
	size_t nlate = 0, nstaged, n = 0, skipped = 0;
	rp_file_info zinfo;
	rp_zip_entry *e = NULL;
	char *archive = NULL;
	rp_zip_opts zo;
	int rc = -1, attempt;

	if (write_bagit(pkg) < 0)
		return -1;
	if (pkg->nfiles > 1)
		qsort(pkg->files, pkg->nfiles, sizeof *pkg->files, cmp_files);
	nstaged = pkg->nfiles;
	if (!(late = rp_calloc(pkg->ndefer + 3, sizeof *late)))
		return -1;
	for (size_t i = 0; i < pkg->ndefer; i++)
		late[nlate++].path = pkg->defer_paths[i];
	late[nlate++].path = "manifest-sha256.txt";
	late[nlate++].path = "bag-info.txt";
	late[nlate++].path = "tagmanifest-sha256.txt";
	for (size_t i = 0; i < nlate; i++) {
		late[i].pkg = pkg;
		late[i].fd = -1;
	}
	if (!(archive = rp_sprintf("%s/%s", pkg->tmp_path, pkg->zip_base)))
		goto out;
	zo.display = pkg->final_path;
	zo.interrupted = pkg->interrupted;
	for (attempt = 1;; attempt++) {
		if (zip_entries(pkg, nstaged, late, nlate, &e, &n) < 0)
			goto out;
		rc = rp_zip_write(archive, e, n, &zo, &skipped, &zinfo);
		if (rc != RP_ZIP_RETRY)
			break;
		/* A stream was left out (--skip-unreadable): write again without it. */
		if (e[skipped].ops != &stream_ops || attempt == ZIP_ATTEMPTS) {
			rc = rp_error_set(RP_E_IO, "%d files changed while %s was written; export again when the "
			                           "files are quieter",
			                  attempt, pkg->final_path);
			goto out;
		}
		((pkg_stream *)e[skipped].ctx)->dropped = true;
		free_entries(e, n);
		e = NULL;
		zip_reset(pkg, nstaged);
	}
	if (rc < 0)
		goto out;
	summarize(pkg, sum);
	rc = zip_publish(pkg, &zinfo, sum);
out:
	for (size_t i = 0; i < nlate; i++)
		late_abort(&late[i]);
	free(late);
	free_entries(e, n);
	free(archive);
	return rc;
}

int rp_package_complete(rp_package *pkg, const rp_label *labels, size_t nlabels, rp_package_summary *sum)
{
	int rc;

	memset(sum, 0, sizeof *sum);
	pkg->labels = labels;
	pkg->nlabels = nlabels;
	rc = pkg->zip ? finish_zip(pkg, sum) : finish_folder(pkg, sum);
	rp_package_abort(pkg);
	return rc;
}

int rp_package_finish(rp_package *pkg, const rp_label *labels, size_t nlabels,
                      char identity[RP_SHA256_HEXLEN + 1])
{
	rp_package_summary sum;
	int rc = rp_package_complete(pkg, labels, nlabels, &sum);

	memcpy(identity, sum.identity, RP_SHA256_HEXLEN + 1);
	return rc;
}

void rp_package_abort(rp_package *pkg)
{
	if (!pkg)
		return;
	if (pkg->rootfd >= 0)
		close(pkg->rootfd);
	if (pkg->parentfd >= 0)
		close(pkg->parentfd);
	if (pkg->tmp_path)
		rp_remove_tree(pkg->tmp_path);
	for (size_t i = 0; i < pkg->nfiles; i++)
		free(pkg->files[i].path);
	for (size_t i = 0; i < pkg->nstreams; i++)
		free(pkg->streams[i].path);
	if (pkg->defer_free)
		pkg->defer_free(pkg->defer_ctx);
	for (size_t i = 0; i < pkg->ndefer; i++)
		free(pkg->defer_paths[i]);
	free(pkg->defer_paths);
	pthread_mutex_destroy(&pkg->mu);
	free(pkg->streams);
	free(pkg->files);
	free(pkg->tmp_path);
	free(pkg->final_path);
	free(pkg->zip_base);
	free(pkg->sidecar_base);
	free(pkg->top);
	free(pkg);
}
