/* BagIt package builder (see package.h, formats/bag.md). */
#include "revpack/package.h"

#include <errno.h>
#include <pthread.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
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

struct rp_package {
	pthread_mutex_t mu; /* guards files: tables are committed from several threads */
	char *final_path;   /* as given */
	char *tmp_path;     /* hidden sibling folder */
	int parentfd;
	int rootfd;         /* the temporary bag root */
	rp_pkg_file *files;
	size_t nfiles, cap;
};

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

int rp_package_finish(rp_package *pkg, const rp_label *labels, size_t nlabels,
                      char identity[RP_SHA256_HEXLEN + 1])
{
	rp_buf b = RP_BUF_INIT, tag = RP_BUF_INIT;
	rp_file_info bagit, info, manifest, tagm;
	uint64_t octets = 0;
	char date[11], size[32], oxum[48];
	int rc = -1;

	qsort(pkg->files, pkg->nfiles, sizeof *pkg->files, cmp_files);
	for (size_t i = 0; i < pkg->nfiles; i++) {
		octets += pkg->files[i].info.bytes;
		if (manifest_line(&b, pkg->files[i].info.sha256, pkg->files[i].path) < 0)
			goto out;
	}
	if (write_tag(pkg, "manifest-sha256.txt", &b, &manifest) < 0)
		goto out;

	rp_buf_clear(&b);
	if (rp_buf_puts(&b, "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n") < 0 ||
	    write_tag(pkg, "bagit.txt", &b, &bagit) < 0)
		goto out;

	rp_buf_clear(&b);
	for (size_t i = 0; i < nlabels; i++)
		if (labels[i].value && info_line(&b, labels[i].label, labels[i].value) < 0)
			goto out;
	rp_date_iso(time(NULL), date);
	rp_human_size(octets, size, sizeof size);
	snprintf(oxum, sizeof oxum, "%llu.%zu", (unsigned long long)octets, pkg->nfiles);
	if (info_line(&b, "Bagging-Date", date) < 0 || info_line(&b, "Bag-Size", size) < 0 ||
	    info_line(&b, "Payload-Oxum", oxum) < 0 || write_tag(pkg, "bag-info.txt", &b, &info) < 0)
		goto out;

	if (manifest_line(&tag, bagit.sha256, "bagit.txt") < 0 ||
	    manifest_line(&tag, info.sha256, "bag-info.txt") < 0 ||
	    manifest_line(&tag, manifest.sha256, "manifest-sha256.txt") < 0 ||
	    write_tag(pkg, "tagmanifest-sha256.txt", &tag, &tagm) < 0)
		goto out;
	rp_sha256_hex(tagm.sha256, identity);

	if (rp_fsync_dirs(pkg->rootfd, pkg->tmp_path) < 0)
		goto out;
	if (rp_rename_noreplace(AT_FDCWD, pkg->tmp_path, AT_FDCWD, pkg->final_path) < 0) {
		if (errno == EEXIST || errno == ENOTEMPTY)
			rp_error_set(RP_E_IO, "%s appeared while revpack was writing; the new package was discarded",
			             pkg->final_path);
		else
			rp_error_set_errno(RP_E_IO, errno, "cannot move the package into place as %s", pkg->final_path);
		goto out;
	}
	free(pkg->tmp_path);
	pkg->tmp_path = NULL;
	if (fsync(pkg->parentfd) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot sync the folder holding %s", pkg->final_path);
		goto out;
	}
	rc = 0;
out:
	rp_buf_free(&b);
	rp_buf_free(&tag);
	rp_package_abort(pkg);
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
	pthread_mutex_destroy(&pkg->mu);
	free(pkg->files);
	free(pkg->tmp_path);
	free(pkg->final_path);
	free(pkg);
}
