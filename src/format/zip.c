/* The package as one ZIP, written with libzip (see zip.h). */
#include "revpack/zip.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"

/* DEFLATE level: 1 (fast). Text compresses well at any level; the time
 * spent matters more for a package of several GB. */
#define DEFLATE_LEVEL 1u
#define READBACK_SIZE ((size_t)1 << 20)

bool rp_zip_stored(const char *name)
{
	static const char *const stored[] = {
		/* images */
		"jpg", "jpeg", "png", "gif", "webp", "avif", "heic", "heif",
		/* audio and video */
		"mp3", "m4a", "aac", "ogg", "oga", "opus", "flac", "mp4", "m4v", "mov", "avi", "mkv", "webm",
		"ogv", "wmv",
		/* documents */
		"pdf",
		/* archives */
		"zip", "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jar",
		/* office (ZIP inside) */
		"docx", "xlsx", "pptx", "odt", "ods", "odp", "epub",
		/* fonts */
		"woff", "woff2",
		/* SIARD is a ZIP that verify reads in place */
		"siard",
	};
	const char *base = strrchr(name, '/');
	const char *dot;

	base = base ? base + 1 : name;
	dot = strrchr(base, '.');
	if (!dot || dot == base)
		return false;
	for (size_t i = 0; i < sizeof stored / sizeof stored[0]; i++)
		if (strcasecmp(dot + 1, stored[i]) == 0)
			return true;
	return false;
}

/* ---- streams ---- */

enum { S_CLOSED, S_OPEN, S_DONE, S_FAILED };

typedef struct zrun {
	const rp_zip_opts *opts;
	bool failed;        /* a stream recorded rp_error */
	bool skip;          /* a stream asked to be left out */
	size_t skipped;
} zrun;

typedef struct zstream {
	zrun *run;
	const rp_zip_entry *e;
	size_t index;
	int state;
	uint64_t bytes, got;
	time_t mtime;
	rp_sha256 h;
	bool h_ready;
	zip_error_t err;
} zstream;

/* A stream callback failed with rc (-1 or RP_ZIP_SKIP). */
static zip_int64_t stream_failed(zstream *z, int rc)
{
	if (z->state == S_OPEN && z->e->ops->abort)
		z->e->ops->abort(z->e->ctx);
	z->state = S_FAILED;
	if (rc == RP_ZIP_SKIP && !z->run->failed) {
		z->run->skip = true;
		z->run->skipped = z->index;
	} else {
		z->run->failed = true;
	}
	zip_error_set(&z->err, ZIP_ER_READ, 0);
	return -1;
}

static int stream_open(zstream *z)
{
	int rc;

	if (!z->h_ready) {
		if (rp_sha256_init(&z->h) < 0) {
			z->run->failed = true;
			zip_error_set(&z->err, ZIP_ER_MEMORY, 0);
			return -1;
		}
		z->h_ready = true;
	}
	rc = z->e->ops->open(z->e->ctx, &z->bytes, &z->mtime);
	if (rc < 0) {
		z->state = S_CLOSED; /* nothing to abort */
		return (int)stream_failed(z, rc);
	}
	z->state = S_OPEN;
	z->got = 0;
	return 0;
}

static zip_int64_t stream_read(zstream *z, void *data, zip_uint64_t len)
{
	rp_file_info info;
	uint64_t want;
	ssize_t n;
	int rc;

	if (z->state == S_DONE)
		return 0;
	if (z->state != S_OPEN) {
		zip_error_set(&z->err, ZIP_ER_INTERNAL, 0);
		return -1;
	}
	if (z->run->opts->interrupted && *z->run->opts->interrupted) {
		rp_error_set(RP_E_INTERRUPTED, "interrupted while writing %s", z->run->opts->display);
		return stream_failed(z, -1);
	}
	want = z->bytes - z->got;
	if (want > len)
		want = len;
	if (want == 0) {
		/* The end: the stream checks its source before libzip sees it. */
		memset(&info, 0, sizeof info);
		info.bytes = z->got;
		if (rp_sha256_final(&z->h, info.sha256) < 0)
			return stream_failed(z, -1);
		rc = z->e->ops->close(z->e->ctx, &info);
		if (rc < 0) {
			z->state = S_FAILED; /* closed by the stream itself */
			return stream_failed(z, rc);
		}
		z->state = S_DONE;
		return 0;
	}
	n = z->e->ops->read(z->e->ctx, data, (size_t)want);
	if (n < 0)
		return stream_failed(z, (int)n);
	if (n == 0) {
		rp_error_set(RP_E_IO, "%s ended after %llu of %llu bytes", z->e->name, (unsigned long long)z->got,
		             (unsigned long long)z->bytes);
		return stream_failed(z, -1);
	}
	if (rp_sha256_update(&z->h, data, (size_t)n) < 0)
		return stream_failed(z, -1);
	z->got += (uint64_t)n;
	return (zip_int64_t)n;
}

static zip_int64_t stream_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	zstream *z = ud;
	zip_stat_t *st;

	switch (cmd) {
	case ZIP_SOURCE_STAT:
		/* libzip asks right before it writes the entry: that is when the
		 * stream opens, so that its size is the size it will read. */
		st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &z->err);
		if (!st)
			return -1;
		if (z->state == S_CLOSED && stream_open(z) < 0)
			return -1;
		if (z->state == S_FAILED) {
			zip_error_set(&z->err, ZIP_ER_READ, 0);
			return -1;
		}
		zip_stat_init(st);
		st->valid = ZIP_STAT_SIZE | ZIP_STAT_MTIME;
		st->size = z->bytes;
		st->mtime = z->mtime;
		return (zip_int64_t)sizeof *st;
	case ZIP_SOURCE_OPEN:
		if (z->state == S_CLOSED && stream_open(z) < 0)
			return -1;
		if (z->state != S_OPEN || z->got != 0) {
			zip_error_set(&z->err, ZIP_ER_INTERNAL, 0); /* read once only */
			return -1;
		}
		return 0;
	case ZIP_SOURCE_READ:
		return stream_read(z, data, len);
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&z->err, data, len);
	case ZIP_SOURCE_FREE:
		if (z->state == S_OPEN && z->e->ops->abort)
			z->e->ops->abort(z->e->ctx);
		if (z->state == S_OPEN)
			z->state = S_FAILED;
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		                                      ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, -1);
	case ZIP_SOURCE_SEEK:
	case ZIP_SOURCE_TELL:
	case ZIP_SOURCE_BEGIN_WRITE:
	case ZIP_SOURCE_COMMIT_WRITE:
	case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_WRITE:
	case ZIP_SOURCE_SEEK_WRITE:
	case ZIP_SOURCE_TELL_WRITE:
	case ZIP_SOURCE_REMOVE:
	case ZIP_SOURCE_RESERVED_1:
	case ZIP_SOURCE_BEGIN_WRITE_CLONING:
	case ZIP_SOURCE_ACCEPT_EMPTY:
	case ZIP_SOURCE_GET_FILE_ATTRIBUTES:
	default:
		zip_error_set(&z->err, ZIP_ER_OPNOTSUPP, 0);
		return -1;
	}
}

static int cancelled(zip_t *za, void *ud)
{
	const zrun *run = ud;

	(void)za;
	return run->opts->interrupted && *run->opts->interrupted;
}

/* Records libzip's error for what, naming the archive. */
static int zip_fail(const zip_error_t *ze, const char *what, const char *display)
{
	int sys = zip_error_code_system(ze);
	int code = zip_error_code_zip(ze);
	zip_error_t copy;
	int rc;

	if (code == ZIP_ER_MEMORY)
		return rp_error_nomem();
	if (code == ZIP_ER_CANCELLED)
		return rp_error_set(RP_E_INTERRUPTED, "interrupted while writing %s", display);
	if ((code == ZIP_ER_WRITE || code == ZIP_ER_TMPOPEN || code == ZIP_ER_CLOSE || code == ZIP_ER_RENAME) &&
	    (sys == ENOSPC || sys == EDQUOT))
		return rp_error_set(RP_E_IO, "disk full while writing %s", display);
	zip_error_init_with_code(&copy, code);
	copy.sys_err = sys;
	rc = rp_error_set(RP_E_IO, "cannot %s %s: %s", what, display, zip_error_strerror(&copy));
	zip_error_fini(&copy);
	return rc;
}

static int add_entry(zip_t *za, const rp_zip_entry *e, zstream *z, const char *display)
{
	zip_source_t *src;
	zip_int64_t idx;
	bool store = rp_zip_stored(e->name);

	if (e->file)
		src = zip_source_file(za, e->file, 0, -1);
	else
		src = zip_source_function(za, stream_cb, z);
	if (!src)
		return zip_fail(zip_get_error(za), "add an entry to", display);
	idx = zip_file_add(za, e->name, src, ZIP_FL_ENC_UTF_8);
	if (idx < 0) {
		zip_source_free(src);
		return zip_fail(zip_get_error(za), "add an entry to", display);
	}
	if (zip_set_file_compression(za, (zip_uint64_t)idx, store ? ZIP_CM_STORE : ZIP_CM_DEFLATE,
	                             store ? 0 : DEFLATE_LEVEL) < 0 ||
	    zip_file_set_external_attributes(za, (zip_uint64_t)idx, 0, ZIP_OPSYS_UNIX, 0100644u << 16) < 0 ||
	    (e->file && e->mtime && zip_file_set_mtime(za, (zip_uint64_t)idx, e->mtime, 0) < 0))
		return zip_fail(zip_get_error(za), "describe an entry of", display);
	return 0;
}

int rp_zip_write(const char *path, const rp_zip_entry *e, size_t n, const rp_zip_opts *opts,
                 size_t *skipped)
{
	zrun run;
	zstream *zs = NULL;
	zip_t *za = NULL;
	int err = 0, rc = -1;

	memset(&run, 0, sizeof run);
	run.opts = opts;
	*skipped = 0;
	if (!(zs = rp_calloc(n ? n : 1, sizeof *zs)))
		return -1;
	for (size_t i = 0; i < n; i++) {
		zs[i].run = &run;
		zs[i].e = &e[i];
		zs[i].index = i;
		zip_error_init(&zs[i].err);
	}
	za = zip_open(path, ZIP_CREATE | ZIP_EXCL, &err);
	if (!za) {
		zip_error_t ze;
		zip_error_init_with_code(&ze, err);
		zip_fail(&ze, "create", opts->display);
		zip_error_fini(&ze);
		goto out;
	}
	if (zip_register_cancel_callback_with_state(za, cancelled, NULL, &run) < 0) {
		zip_fail(zip_get_error(za), "prepare", opts->display);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (add_entry(za, &e[i], &zs[i], opts->display) < 0)
			goto out;
	if (zip_close(za) < 0) {
		if (run.skip && !run.failed) {
			*skipped = run.skipped;
			rc = RP_ZIP_RETRY;
		} else if (!run.failed) {
			zip_fail(zip_get_error(za), "write", opts->display);
		}
		goto out;
	}
	za = NULL;
	rc = 0;
out:
	if (za)
		zip_discard(za); /* frees the sources: streams still open are aborted */
	for (size_t i = 0; i < n; i++) {
		if (zs[i].h_ready)
			rp_sha256_free(&zs[i].h);
		zip_error_fini(&zs[i].err);
	}
	free(zs);
	return rc;
}

int rp_zip_file_sha256(int dirfd, const char *relpath, const char *display, rp_file_info *info)
{
	unsigned char *buf = NULL;
	rp_sha256 h = { NULL };
	ssize_t got;
	int fd, rc = -1;

	memset(info, 0, sizeof *info);
	fd = openat(dirfd, relpath, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot open %s", display);
	if (!(buf = rp_malloc(READBACK_SIZE)) || rp_sha256_init(&h) < 0)
		goto out;
	while ((got = rp_read_full(fd, buf, READBACK_SIZE)) > 0) {
		if (rp_sha256_update(&h, buf, (size_t)got) < 0)
			goto out;
		info->bytes += (uint64_t)got;
	}
	if (got < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot read %s", display);
		goto out;
	}
	rc = rp_sha256_final(&h, info->sha256);
out:
	close(fd);
	rp_sha256_free(&h);
	free(buf);
	return rc;
}
