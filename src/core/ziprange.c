/* A libzip source over a byte range of a file descriptor (ziprange.h). */
#include "revpack/ziprange.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "revpack/error.h"

#define MAX_READ ((zip_uint64_t)1 << 30) /* per call: fits ssize_t everywhere */

typedef struct range {
	int fd;
	bool own_fd;
	uint64_t start, len, pos;
	zip_error_t error;
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

static zip_int64_t range_cb(void *ud, void *data, zip_uint64_t n, zip_source_cmd_t cmd)
{
	range *r = ud;

	switch (cmd) {
	case ZIP_SOURCE_OPEN:
		r->pos = 0;
		return 0;
	case ZIP_SOURCE_READ:
		return range_read(r, data, n);
	case ZIP_SOURCE_CLOSE:
		return 0;
	case ZIP_SOURCE_STAT: {
		zip_stat_t *st = ZIP_SOURCE_GET_ARGS(zip_stat_t, data, n, &r->error);
		if (!st)
			return -1;
		zip_stat_init(st);
		st->size = r->len;
		st->valid |= ZIP_STAT_SIZE;
		return (zip_int64_t)sizeof *st;
	}
	case ZIP_SOURCE_ERROR:
		return zip_error_to_data(&r->error, data, n);
	case ZIP_SOURCE_FREE:
		if (r->own_fd)
			close(r->fd);
		zip_error_fini(&r->error);
		free(r);
		return 0;
	case ZIP_SOURCE_SEEK: {
		zip_int64_t pos = zip_source_seek_compute_offset(r->pos, r->len, data, n, &r->error);
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

int rp_zip_source_range(zip_source_t **out, int fd, bool own_fd, uint64_t start, uint64_t len)
{
	range *r = NULL;
	zip_error_t err;
	int error = -1;

	*out = NULL;
	zip_error_init(&err);
	if (start > UINT64_MAX - len || start + len > (uint64_t)INT64_MAX) {
		rp_error_set(RP_E_INTERNAL, "byte range %llu+%llu out of bounds", (unsigned long long)start,
		             (unsigned long long)len);
		goto out;
	}
	r = rp_calloc(1, sizeof *r);
	if (!r)
		goto out;
	r->fd = fd;
	r->own_fd = own_fd;
	r->start = start;
	r->len = len;
	zip_error_init(&r->error);
	*out = zip_source_function_create(range_cb, r, &err);
	if (!*out) {
		zip_error_fini(&r->error);
		rp_error_set(RP_E_NOMEM, "cannot create a ZIP source: %s", zip_error_strerror(&err));
		goto out;
	}
	r = NULL; /* the source owns it */
	error = 0;
out:
	if (error < 0) {
		free(r);
		if (own_fd)
			close(fd);
	}
	zip_error_fini(&err);
	return error;
}
