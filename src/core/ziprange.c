/* A libzip source over a byte range of a file descriptor (ziprange.h). */
#include "revpack/ziprange.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "revpack/error.h"

#define MAX_READ ((zip_uint64_t)1 << 30) /* per call: fits ssize_t everywhere */

#define FILE_BUF ((size_t)1 << 20) /* rp_zip_source_file: bytes per read */

typedef struct range {
	int fd;
	bool own_fd;
	uint64_t start, len, pos;
	zip_error_t error;
	/* rp_zip_source_file: the file is opened at ZIP_SOURCE_OPEN and read
	 * FILE_BUF bytes at a time; buf[bpos..blen) is what is left of the
	 * last read */
	int dirfd;
	char *name;
	unsigned char *buf;
	size_t bpos, blen;
	rp_zip_grow_fn grow;    /* rp_zip_source_growing: the file still grows */
	void *grow_ctx;
} range;

static zip_int64_t range_read(range *r, char *buf, zip_uint64_t n)
{
	zip_uint64_t left = r->len - r->pos, done = 0;

	if (n > left)
		n = left;
	if (n > MAX_READ)
		n = MAX_READ;
	while (done < n) {
		ssize_t got = pread(r->fd, buf + done, (size_t)(n - done), (off_t)(r->start + r->pos + done));
		if (got < 0) {
			if (errno == EINTR)
				continue;
			zip_error_set(&r->error, ZIP_ER_READ, errno);
			return -1;
		}
		if (got == 0)
			break; /* the file is shorter than the range */
		done += (zip_uint64_t)got;
	}
	r->pos += done;
	return (zip_int64_t)done;
}

/* libzip asks for 8 KiB at a time: served from one large read. */
static zip_int64_t file_read(range *r, char *out, zip_uint64_t n)
{
	if (r->bpos == r->blen) {
		zip_uint64_t want;
		zip_int64_t got;
		if (r->grow) {
			int64_t have = r->grow(r->grow_ctx, r->pos);
			if (have < 0 || (uint64_t)have < r->pos) {
				zip_error_set(&r->error, ZIP_ER_CANCELLED, 0);
				return -1;
			}
			r->len = (uint64_t)have;
		}
		want = r->len - r->pos;
		if (want > FILE_BUF)
			want = FILE_BUF;
		got = range_read(r, (char *)r->buf, want);
		if (got < 0)
			return -1;
		if ((zip_uint64_t)got < want) { /* the file is shorter than said */
			zip_error_set(&r->error, ZIP_ER_EOF, 0);
			return -1;
		}
		r->pos -= (uint64_t)got; /* r->pos counts what was handed out */
		r->bpos = 0;
		r->blen = (size_t)got;
	}
	if (n > r->blen - r->bpos)
		n = r->blen - r->bpos;
	memcpy(out, r->buf + r->bpos, (size_t)n);
	r->bpos += (size_t)n;
	r->pos += n;
	return (zip_int64_t)n;
}

static void file_close(range *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->buf);
	r->buf = NULL;
}

static zip_int64_t file_open(range *r)
{
	r->fd = openat(r->dirfd, r->name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (r->fd < 0) {
		zip_error_set(&r->error, ZIP_ER_OPEN, errno);
		return -1;
	}
	if (!(r->buf = malloc(FILE_BUF))) {
		file_close(r);
		zip_error_set(&r->error, ZIP_ER_MEMORY, 0);
		return -1;
	}
	r->bpos = r->blen = 0;
	return 0;
}

static zip_int64_t range_cb(void *ud, void *data, zip_uint64_t n, zip_source_cmd_t cmd)
{
	range *r = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		r->pos = 0;
		return r->name ? file_open(r) : 0;
	case ZIP_SOURCE_READ:
		return r->name ? file_read(r, data, n) : range_read(r, data, n);
	case ZIP_SOURCE_CLOSE:
		if (r->name)
			file_close(r);
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, n, &r->error);
		if (!st)
			return -1;
		zip_stat_init(st);
		if (!r->grow) { /* a growing file's size is not known yet */
			st->size = r->len;
			st->valid |= ZIP_STAT_SIZE;
		}
		return (zip_int64_t)sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&r->error, data, n);
	case ZIP_SOURCE_FREE:
		if (r->name)
			file_close(r);
		else if (r->own_fd)
			close(r->fd);
		zip_error_fini(&r->error);
		free(r->name);
		free(r);
		return 0;
	case ZIP_SOURCE_SEEK: {
		zip_int64_t pos;
		if (r->name)
			break; /* not offered: the buffer would go stale */
		pos = zip_source_seek_compute_offset(r->pos, r->len, data, n, &r->error);
		if (pos < 0)
			return -1;
		r->pos = (uint64_t)pos;
		return 0;
	}
	case ZIP_SOURCE_TELL:
		return (zip_int64_t)r->pos;
	case ZIP_SOURCE_ACCEPT_EMPTY:
		return 0; /* an empty file is not an archive */
	case ZIP_SOURCE_SUPPORTS:
		if (r->name) /* read once, front to back */
			return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
			                                      ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
			                                      ZIP_SOURCE_SUPPORTS, -1);
		return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE,
		                                      ZIP_SOURCE_STAT, ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE,
		                                      ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL, ZIP_SOURCE_SUPPORTS,
		                                      ZIP_SOURCE_ACCEPT_EMPTY, -1);
	case ZIP_SOURCE_BEGIN_WRITE:
	case ZIP_SOURCE_COMMIT_WRITE:
	case ZIP_SOURCE_ROLLBACK_WRITE:
	case ZIP_SOURCE_WRITE:
	case ZIP_SOURCE_SEEK_WRITE:
	case ZIP_SOURCE_TELL_WRITE:
	case ZIP_SOURCE_REMOVE:
	case ZIP_SOURCE_RESERVED_1:
	case ZIP_SOURCE_BEGIN_WRITE_CLONING:
	case ZIP_SOURCE_GET_FILE_ATTRIBUTES:
	default:
		break;
	}
	zip_error_set(&r->error, ZIP_ER_OPNOTSUPP, 0); /* read-only */
	return -1;
}

/* Wraps r (taken over, also on failure) into a libzip source. */
static int make_source(zip_source_t **out, range *r)
{
	zip_error_t err;
	int rc = 0;

	zip_error_init(&err);
	zip_error_init(&r->error);
	*out = zip_source_function_create(range_cb, r, &err);
	if (!*out) {
		rc = rp_error_set(RP_E_NOMEM, "cannot create a ZIP source: %s", zip_error_strerror(&err));
		zip_error_fini(&r->error);
		if (r->own_fd)
			close(r->fd);
		free(r->name);
		free(r);
	}
	zip_error_fini(&err);
	return rc;
}

static bool range_ok(uint64_t start, uint64_t len)
{
	if (start > UINT64_MAX - len || start + len > (uint64_t)INT64_MAX) {
		rp_error_set(RP_E_INTERNAL, "byte range %llu+%llu out of bounds", (unsigned long long)start,
		             (unsigned long long)len);
		return false;
	}
	return true;
}

int rp_zip_source_range(zip_source_t **out, int fd, bool own_fd, uint64_t start, uint64_t len)
{
	range *r;

	*out = NULL;
	if (!range_ok(start, len) || !(r = rp_calloc(1, sizeof *r))) {
		if (own_fd)
			close(fd);
		return -1;
	}
	r->fd = fd;
	r->own_fd = own_fd;
	r->start = start;
	r->len = len;
	return make_source(out, r);
}

/* A source over a file opened only while it is read (see the header). */
static int file_source(zip_source_t **out, int dirfd, const char *name, uint64_t start, uint64_t len,
                       rp_zip_grow_fn grow, void *ctx)
{
	range *r;

	*out = NULL;
	if (!range_ok(start, len) || !(r = rp_calloc(1, sizeof *r)))
		return -1;
	r->fd = -1;
	r->dirfd = dirfd;
	r->start = start;
	r->len = len;
	r->grow = grow;
	r->grow_ctx = ctx;
	if (!(r->name = rp_strdup(name))) {
		free(r);
		return -1;
	}
	return make_source(out, r);
}

int rp_zip_source_growing(zip_source_t **out, int dirfd, const char *name, rp_zip_grow_fn grow, void *ctx)
{
	return file_source(out, dirfd, name, 0, 0, grow, ctx);
}

int rp_zip_source_file(zip_source_t **out, int dirfd, const char *name, uint64_t start, uint64_t len)
{
	return file_source(out, dirfd, name, start, len, NULL, NULL);
}
