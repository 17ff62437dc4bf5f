/* The package as one ZIP, written with libzip (see zip.h). */
#include "revpack/zip.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <zip.h>

#include "revpack/bghash.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"

/* DEFLATE level: 1 (fast). Text compresses well at any level; the time
 * spent matters more for a package of several GB. */
#define DEFLATE_LEVEL 1u
#define OUT_BUF ((size_t)1 << 20)   /* archive writes */
#define FOLLOW_BUF ((size_t)1 << 20) /* archive reads behind the writer */

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
	rp_bghash *bh;      /* hashes the streams on another core */
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

/*
 * A ZIP entry's date is an MS-DOS date, local time from 1980 to 2107:
 * libzip wraps one outside that range (2200 came out as 2072, 1938 as
 * 1980-04-24). It is held to the nearest end instead; inventory.xml keeps
 * the file's real date.
 */
static time_t dos_range(time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return t;
	if (tm.tm_year < 80)
		tm = (struct tm){ .tm_year = 80, .tm_mday = 1, .tm_isdst = -1 };
	else if (tm.tm_year > 207)
		tm = (struct tm){ .tm_year = 207, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59,
		                  .tm_sec = 58, .tm_isdst = -1 };
	else
		return t;
	return mktime(&tm);
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
	z->mtime = dos_range(z->mtime);
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
		if (rp_bghash_wait(z->run->bh) < 0 || rp_sha256_final(&z->h, info.sha256) < 0)
			return stream_failed(z, -1);
		/* read once only: the context goes now, not with the archive (an
		 * archive of many files would hold one per file) */
		rp_sha256_free(&z->h);
		z->h_ready = false;
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
	if (rp_bghash_feed(z->run->bh, &z->h, data, (size_t)n) < 0)
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

/* ---- the archive file ----
 *
 * libzip writes the archive through this source rather than through its own
 * stdio temporary file: writes go out 1 MiB at a time, and a second thread
 * hashes the archive while it is written. libzip writes an archive from
 * start to end, except that after each entry's data it goes back to that
 * entry's local header, rewrites it (CRC-32 and sizes) and returns to the
 * end: whenever it returns to the end after going back, every byte before
 * the end is final. The follower thread reads (pread) and hashes up to that
 * point, behind the writer; at commit the rest (the central directory).
 */

typedef struct zout {
	const char *path;
	int fd;
	unsigned char *buf;          /* OUT_BUF bytes waiting to be written at buf_off */
	size_t blen;
	uint64_t buf_off;
	uint64_t pos, end;           /* libzip's write position; the file's size */
	uint64_t written, wb_started; /* bytes on file; early write-back asked up to */
	bool back;                   /* libzip went back: bytes from there on may change */
	bool created;                /* the file at path is ours until it is finished */
	bool partial;                /* the next commit keeps the archive open */
	bool between;                /* committed partly: open for another session */
	uint64_t rpos;               /* libzip reading the archive so far */
	zip_error_t err;
	/* the follower */
	pthread_t thread;
	bool started;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t stable;             /* every byte before it is final (and written) */
	bool done, stop;
	int read_errno;              /* the follower could not read: errno (-1: no memory) */
	rp_file_info info;           /* its result once done */
} zout;

static void *follow(void *arg)
{
	zout *o = arg;
	rp_sha256 h = { NULL };
	unsigned char *buf = malloc(FOLLOW_BUF);
	uint64_t hashed = 0;
	int failed = 0;

	if (!buf || rp_sha256_init(&h) < 0)
		failed = -1;
	pthread_mutex_lock(&o->mu);
	for (;;) {
		uint64_t target;
		while (!failed && hashed == o->stable && !o->done && !o->stop)
			pthread_cond_wait(&o->cv, &o->mu);
		if (failed || o->stop || (o->done && hashed == o->stable))
			break;
		target = o->stable;
		pthread_mutex_unlock(&o->mu);
		while (!failed && hashed < target) {
			size_t want = target - hashed < FOLLOW_BUF ? (size_t)(target - hashed) : FOLLOW_BUF;
			ssize_t got = pread(o->fd, buf, want, (off_t)hashed);
			if (got < 0 && errno == EINTR)
				continue;
			if (got <= 0)
				failed = got < 0 ? errno : EIO;
			else if (rp_sha256_update(&h, buf, (size_t)got) < 0)
				failed = -1;
			else
				hashed += (uint64_t)got;
		}
		pthread_mutex_lock(&o->mu);
	}
	if (!failed && o->done && !o->stop && hashed == o->stable) {
		if (rp_sha256_final(&h, o->info.sha256) < 0)
			failed = -1;
		o->info.bytes = hashed;
	}
	o->read_errno = failed;
	pthread_mutex_unlock(&o->mu);
	rp_sha256_free(&h);
	free(buf);
	return NULL;
}

/* Writes n bytes at off (all of them, or libzip's error set). */
static int out_pwrite(zout *o, const unsigned char *p, size_t n, uint64_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t w = pwrite(o->fd, p + done, n - done, (off_t)(off + done));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			zip_error_set(&o->err, ZIP_ER_WRITE, errno);
			return -1;
		}
		done += (size_t)w;
	}
	return 0;
}

static int out_flush(zout *o)
{
	if (out_pwrite(o, o->buf, o->blen, o->buf_off) < 0)
		return -1;
	if (o->buf_off + o->blen > o->written)
		o->written = o->buf_off + o->blen;
	o->blen = 0;
	rp_writeback_start(o->fd, &o->wb_started, o->written);
	return 0;
}

/* Everything before the end is final: the follower may hash it. */
static int out_publish(zout *o)
{
	if (out_flush(o) < 0)
		return -1;
	pthread_mutex_lock(&o->mu);
	o->stable = o->end;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	return 0;
}

static void out_stop(zout *o)
{
	if (!o->started)
		return;
	pthread_mutex_lock(&o->mu);
	o->stop = true;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	o->started = false;
}

static zip_int64_t out_begin(zout *o)
{
	int e;

	if (o->fd >= 0) {
		/* libzip starts over when a later session could not keep what
		 * the ones before wrote (an earlier entry changed): refused */
		zip_error_set(&o->err, ZIP_ER_INTERNAL, 0);
		return -1;
	}
	o->fd = open(o->path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (o->fd < 0) {
		zip_error_set(&o->err, ZIP_ER_TMPOPEN, errno);
		return -1;
	}
	o->created = true;
	if (!o->buf && !(o->buf = malloc(OUT_BUF))) {
		zip_error_set(&o->err, ZIP_ER_MEMORY, 0);
		return -1;
	}
	o->pos = o->end = o->stable = o->buf_off = 0;
	o->blen = 0;
	o->back = o->done = o->stop = false;
	if ((e = pthread_create(&o->thread, NULL, follow, o)) != 0) {
		zip_error_set(&o->err, ZIP_ER_INTERNAL, e);
		return -1;
	}
	o->started = true;
	return 0;
}

static zip_int64_t out_write(zout *o, const void *data, zip_uint64_t len)
{
	if (o->blen > 0 && (o->pos != o->buf_off + o->blen || o->blen + len > OUT_BUF) && out_flush(o) < 0)
		return -1;
	if (len >= OUT_BUF) {
		if (out_pwrite(o, data, len, o->pos) < 0)
			return -1;
	} else {
		if (o->blen == 0)
			o->buf_off = o->pos;
		memcpy(o->buf + o->blen, data, len);
		o->blen += len;
	}
	o->pos += len;
	if (o->pos > o->end)
		o->end = o->pos;
	return (zip_int64_t)len;
}

static zip_int64_t out_seek(zout *o, void *data, zip_uint64_t len)
{
	zip_source_args_seek_t *a = ZIP_SOURCE_GET_ARGS(zip_source_args_seek_t, data, len, &o->err);
	int64_t base, to;

	if (!a)
		return -1;
	base = a->whence == SEEK_SET ? 0 : a->whence == SEEK_CUR ? (int64_t)o->pos : (int64_t)o->end;
	to = base + a->offset;
	if (a->whence < SEEK_SET || a->whence > SEEK_END || to < 0 || (uint64_t)to > o->end) {
		zip_error_set(&o->err, ZIP_ER_INVAL, 0);
		return -1;
	}
	o->pos = (uint64_t)to;
	if (o->pos < o->end) {
		o->back = true;
	} else if (o->back) {
		o->back = false;
		if (out_publish(o) < 0)
			return -1;
	}
	return 0;
}

/* A later session keeps the archive up to offset (where the central
 * directory began: never hashed yet) and writes from there. */
static zip_int64_t out_clone(zout *o, uint64_t offset)
{
	if (o->fd < 0 || !o->between || offset > o->end || offset < o->stable) {
		zip_error_set(&o->err, ZIP_ER_INTERNAL, 0);
		return -1;
	}
	o->pos = o->end = offset;
	o->blen = 0;
	o->back = false;
	o->between = false;
	return 0;
}

/* libzip reading the archive written by the sessions before. */
static zip_int64_t out_read(zout *o, void *data, zip_uint64_t len)
{
	size_t done = 0;

	if (len > o->end - o->rpos)
		len = o->end - o->rpos;
	while (done < len) {
		ssize_t r = pread(o->fd, (char *)data + done, (size_t)(len - done), (off_t)(o->rpos + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			zip_error_set(&o->err, ZIP_ER_READ, r < 0 ? errno : EIO);
			return -1;
		}
		done += (size_t)r;
	}
	o->rpos += done;
	return (zip_int64_t)done;
}

static zip_int64_t out_stat(zout *o, void *data, zip_uint64_t len)
{
	zip_stat_t *st;

	if (!o->between) {
		/* the archive does not exist yet: libzip starts an empty one */
		zip_error_set(&o->err, ZIP_ER_READ, ENOENT);
		return -1;
	}
	if (!(st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, len, &o->err)))
		return -1;
	zip_stat_init(st);
	st->size = o->end;
	st->valid |= ZIP_STAT_SIZE;
	return (zip_int64_t)sizeof *st;
}

static zip_int64_t out_finish(zout *o);

static zip_int64_t out_commit(zout *o)
{
	if (o->partial) {
		/* the central directory is written again by the next session:
		 * not hashed, nothing published past the last entry */
		if (out_flush(o) < 0)
			return -1;
		if (ftruncate(o->fd, (off_t)o->end) < 0) {
			zip_error_set(&o->err, ZIP_ER_WRITE, errno);
			return -1;
		}
		o->between = true;
		return 0;
	}
	return out_finish(o);
}

/* Everything written is final: hashed to the end, fsynced, closed. */
static zip_int64_t out_finish(zout *o)
{
	int failed;

	if (out_publish(o) < 0)
		return -1;
	if (fsync(o->fd) < 0) {
		zip_error_set(&o->err, ZIP_ER_WRITE, errno);
		return -1;
	}
	pthread_mutex_lock(&o->mu);
	o->done = true;
	pthread_cond_signal(&o->cv);
	pthread_mutex_unlock(&o->mu);
	pthread_join(o->thread, NULL);
	o->started = false;
	failed = o->read_errno;
	if (failed) {
		zip_error_set(&o->err, failed < 0 ? ZIP_ER_MEMORY : ZIP_ER_READ, failed < 0 ? 0 : failed);
		return -1;
	}
	if (close(o->fd) < 0) {
		o->fd = -1;
		zip_error_set(&o->err, ZIP_ER_CLOSE, errno);
		return -1;   /* still created: a rollback removes it */
	}
	o->fd = -1;
	o->created = false; /* finished: the caller's */
	return 0;
}

static void out_rollback(zout *o)
{
	out_stop(o);
	if (o->fd >= 0) {
		close(o->fd);
		o->fd = -1;
	}
	if (o->created) {
		unlink(o->path);
		o->created = false;
	}
}

static zip_int64_t out_cb(void *ud, void *data, zip_uint64_t len, zip_source_cmd_t cmd)
{
	zout *o = ud;

	switch (cmd) {
	case ZIP_SOURCE_STAT:
		return out_stat(o, data, len);
	case ZIP_SOURCE_OPEN:
		if (!o->between)
			break;
		o->rpos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		if (!o->between)
			break;
		return out_read(o, data, len);
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_SEEK: {
		zip_int64_t to = zip_source_seek_compute_offset(o->rpos, o->end, data, len, &o->err);
		if (to < 0)
			return -1;
		o->rpos = (uint64_t)to;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)o->rpos;
	case ZIP_SOURCE_BEGIN_WRITE:
		return out_begin(o);
	case ZIP_SOURCE_BEGIN_WRITE_CLONING:
		return out_clone(o, len);
	case ZIP_SOURCE_WRITE:
		return out_write(o, data, len);
	case ZIP_SOURCE_SEEK_WRITE:
		return out_seek(o, data, len);
	case ZIP_SOURCE_TELL_WRITE:
		return (zip_int64_t)o->pos;
	case ZIP_SOURCE_COMMIT_WRITE:
		return out_commit(o);
	case ZIP_SOURCE_ROLLBACK_WRITE:
		out_rollback(o);
		return 0;
	case ZIP_SOURCE_REMOVE:
		out_rollback(o);
		return 0;
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&o->err, data, len);
	case ZIP_SOURCE_FREE:
		if (!o->between) /* else the archive waits for its next session */
			out_rollback(o);
		return 0;
	case ZIP_SOURCE_SUPPORTS:
		return ZIP_SOURCE_SUPPORTS_WRITABLE | zip_source_make_command_bitmap(ZIP_SOURCE_BEGIN_WRITE_CLONING, -1);
	case ZIP_SOURCE_RESERVED_1:
	case ZIP_SOURCE_ACCEPT_EMPTY:
	case ZIP_SOURCE_GET_FILE_ATTRIBUTES:
	default:
		break;
	}
	/* only what the sessions before wrote is ever read back */
	zip_error_set(&o->err, ZIP_ER_OPNOTSUPP, 0);
	return -1;
}

/* A zout before libzip begins writing through it, and its release. */
static void out_init(zout *o, const char *path)
{
	memset(o, 0, sizeof *o);
	o->path = path;
	o->fd = -1;
	zip_error_init(&o->err);
	pthread_mutex_init(&o->mu, NULL);
	pthread_cond_init(&o->cv, NULL);
}

static void out_fini(zout *o)
{
	free(o->buf);
	o->buf = NULL;
	pthread_cond_destroy(&o->cv);
	pthread_mutex_destroy(&o->mu);
	zip_error_fini(&o->err);
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
	    (e->file && e->mtime && zip_file_set_mtime(za, (zip_uint64_t)idx, dos_range(e->mtime), 0) < 0))
		return zip_fail(zip_get_error(za), "describe an entry of", display);
	return 0;
}

int rp_zip_write(const char *path, const rp_zip_entry *e, size_t n, const rp_zip_opts *opts,
                 size_t *skipped, rp_file_info *archive)
{
	zrun run;
	zstream *zs = NULL;
	zip_t *za = NULL;
	zip_source_t *src = NULL;
	zip_error_t ze;
	zout out;
	int rc = -1;

	memset(&run, 0, sizeof run);
	memset(archive, 0, sizeof *archive);
	run.opts = opts;
	*skipped = 0;
	if (n == 0) /* libzip would write no file at all */
		return rp_error_set(RP_E_INTERNAL, "%s: an archive needs at least one entry", opts->display);
	out_init(&out, path);
	zip_error_init(&ze);
	if (!(zs = rp_calloc(n ? n : 1, sizeof *zs)))
		goto out;
	for (size_t i = 0; i < n; i++) {
		zs[i].run = &run;
		zs[i].e = &e[i];
		zs[i].index = i;
		zip_error_init(&zs[i].err);
		if (!e[i].file && !run.bh && rp_bghash_new(&run.bh) < 0)
			goto out;
	}
	if (!(src = zip_source_function_create(out_cb, &out, &ze))) {
		zip_fail(&ze, "create", opts->display);
		goto out;
	}
	za = zip_open_from_source(src, ZIP_CREATE, &ze);
	if (!za) {
		zip_source_free(src);
		zip_fail(&ze, "create", opts->display);
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
	*archive = out.info;
	rc = 0;
out:
	if (za)
		zip_discard(za); /* frees the sources: streams still open are aborted, the file removed */
	rp_bghash_free(run.bh); /* before the contexts it may still hold */
	out_fini(&out);
	zip_error_fini(&ze);
	for (size_t i = 0; i < n; i++) {
		if (zs[i].h_ready)
			rp_sha256_free(&zs[i].h);
		zip_error_fini(&zs[i].err);
	}
	free(zs);
	return rc;
}

/* ---- an archive filled by the caller ---- */

struct rp_zip_archive {
	zout out;
	zip_t *za;
	char *display;
	int (*stop)(void *ctx);
	void *stop_ctx;
};

static int archive_stopped(zip_t *za, void *ud)
{
	rp_zip_archive *a = ud;

	(void)za;
	return a->stop && a->stop(a->stop_ctx);
}

static void archive_free(rp_zip_archive *a)
{
	out_fini(&a->out);
	free(a->display);
	free(a);
}

/* A zip_t on the output: a new archive, or the one the sessions before
 * wrote (o->between). */
static zip_t *archive_zip(rp_zip_archive *a)
{
	zip_source_t *src;
	zip_error_t ze;
	zip_t *za = NULL;

	zip_error_init(&ze);
	if (!(src = zip_source_function_create(out_cb, &a->out, &ze))) {
		zip_fail(&ze, "create", a->display);
	} else if (!(za = zip_open_from_source(src, a->out.between ? 0 : ZIP_CREATE, &ze))) {
		zip_source_free(src);
		zip_fail(&ze, a->out.between ? "read again" : "create", a->display);
	} else if (a->stop) {
		zip_register_cancel_callback_with_state(za, archive_stopped, NULL, a);
	}
	zip_error_fini(&ze);
	return za;
}

void rp_zip_archive_set_stop(rp_zip_archive *a, int (*stop)(void *ctx), void *ctx)
{
	a->stop = stop;
	a->stop_ctx = ctx;
	if (a->za)
		zip_register_cancel_callback_with_state(a->za, archive_stopped, NULL, a);
}

int rp_zip_archive_open(rp_zip_archive **out, zip_t **za, const char *path, const char *display)
{
	rp_zip_archive *a = rp_calloc(1, sizeof *a);

	*out = NULL;
	*za = NULL;
	if (!a)
		return -1;
	out_init(&a->out, path);
	if (!(a->display = rp_strdup(display)) || !(a->za = archive_zip(a))) {
		archive_free(a);
		return -1;
	}
	*out = a;
	*za = a->za;
	return 0;
}

/* zip_close() of the session's zip_t; on failure the archive is gone. */
static int session_close(rp_zip_archive *a)
{
	zip_t *za = a->za;

	a->za = NULL;
	if (zip_close(za) == 0)
		return 0;
	zip_fail(zip_get_error(za), "write", a->display);
	a->out.between = false; /* so that freeing the source removes the file */
	zip_discard(za);
	out_rollback(&a->out);
	return -1;
}

/* No session is open: the last one failed (the archive is gone), or was
 * committed and none continued it. */
static int no_session(const rp_zip_archive *a)
{
	return rp_error_set(RP_E_INTERNAL, "%s: %s", a->display,
	                    a->out.between ? "no session is open" : "the archive was not written");
}

int rp_zip_archive_commit(rp_zip_archive *a)
{
	if (!a->za)
		return no_session(a);
	a->out.partial = true;
	return session_close(a);
}

int rp_zip_archive_continue(rp_zip_archive *a, zip_t **za)
{
	*za = NULL;
	if (!a->out.between)
		return rp_error_set(RP_E_INTERNAL, "%s: no part of the archive is written yet", a->display);
	if (!(a->za = archive_zip(a)))
		return -1;
	*za = a->za;
	return 0;
}

int rp_zip_archive_close(rp_zip_archive *a, rp_file_info *info)
{
	int rc;

	memset(info, 0, sizeof *info);
	a->out.partial = false;
	/* committed and not continued: finished as if an empty session were */
	rc = a->za ? session_close(a) : a->out.between ? 0 : no_session(a);
	if (rc == 0 && a->out.between) {
		/* nothing was added since the last commit: libzip wrote nothing */
		a->out.between = false;
		if (out_finish(&a->out) < 0) {
			zip_fail(&a->out.err, "write", a->display);
			out_rollback(&a->out);
			rc = -1;
		}
	}
	if (rc == 0)
		*info = a->out.info;
	archive_free(a);
	return rc;
}

void rp_zip_archive_discard(rp_zip_archive *a)
{
	if (!a)
		return;
	a->out.between = false;
	zip_discard(a->za); /* frees the output source: the file is removed */
	out_rollback(&a->out); /* between sessions, no zip_t holds it */
	archive_free(a);
}
