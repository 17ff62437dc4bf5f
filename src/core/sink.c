/* Hashed, buffered, atomic file writer (see sink.h). */
#include "revpack/sink.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"

#define SINK_BUFSIZE (256u * 1024u)
#define SINK_DIRECT_MIN (64u * 1024u)

struct rp_sink {
	int dirfd;
	int fd;
	char *path;     /* target, relative to dirfd */
	char *tmppath;  /* temporary, relative to dirfd */
	char *display;
	rp_sha256 hash;
	uint64_t bytes;
	uint64_t filed;      /* bytes written to the file */
	uint64_t wb_started; /* early write-back asked up to here */
	int err;        /* sticky errno; -1 for a non-errno failure */
	bool bulk;      /* rp_sink_open_bulk: own name, no fsync at commit */
	size_t len;
	unsigned char buf[SINK_BUFSIZE];
};

static int sink_fail(rp_sink *s, int errnum, const char *what)
{
	s->err = errnum ? errnum : -1;
	if (errnum == ENOSPC || errnum == EDQUOT)
		return rp_error_set(RP_E_IO, "disk full while writing %s", s->display);
	if (errnum)
		return rp_error_set_errno(RP_E_IO, errnum, "cannot %s %s", what, s->display);
	return rp_error_set(RP_E_IO, "cannot %s %s", what, s->display);
}

static int sticky(rp_sink *s)
{
	if (s->err > 0)
		return rp_error_set_errno(RP_E_IO, s->err, "earlier write to %s failed", s->display);
	return rp_error_set(RP_E_IO, "earlier write to %s failed", s->display);
}

static int write_all(rp_sink *s, const unsigned char *p, size_t n)
{
	if (rp_sha256_update(&s->hash, p, n) < 0) {
		s->err = -1;
		return -1;
	}
	while (n) {
		ssize_t w = write(s->fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return sink_fail(s, errno, "write");
		}
		p += w;
		n -= (size_t)w;
		s->filed += (uint64_t)w;
	}
	rp_writeback_start(s->fd, &s->wb_started, s->filed);
	return 0;
}

static int flush_buf(rp_sink *s)
{
	int rc = 0;

	if (s->len)
		rc = write_all(s, s->buf, s->len);
	s->len = 0;
	return rc;
}

static int sink_open(rp_sink **out, int dirfd, const char *relpath, const char *display, bool bulk)
{
	rp_sink *s;
	const char *slash = strrchr(relpath, '/');
	size_t dirlen = slash ? (size_t)(slash - relpath + 1) : 0;

	*out = NULL;
	s = rp_malloc(sizeof *s);
	if (!s)
		return -1;
	memset(s, 0, offsetof(rp_sink, buf));
	s->fd = -1;
	s->dirfd = dirfd;
	s->path = rp_strdup(relpath);
	s->display = rp_strdup(display ? display : relpath);
	s->bulk = bulk;
	s->tmppath = bulk ? rp_strdup(relpath) : rp_sprintf("%.*s.%s.rp-tmp", (int)dirlen, relpath, relpath + dirlen);
	if (!s->path || !s->display || !s->tmppath)
		goto fail;
	if (rp_sha256_init(&s->hash) < 0)
		goto fail;
	if (!bulk && faccessat(dirfd, relpath, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		rp_error_set(RP_E_IO, "%s already exists", s->display);
		goto fail;
	}
	s->fd = openat(dirfd, s->tmppath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->fd < 0) {
		if (bulk && errno == EEXIST)
			rp_error_set(RP_E_IO, "%s already exists", s->display);
		else
			sink_fail(s, errno, "create");
		goto fail;
	}
	*out = s;
	return 0;
fail:
	rp_sha256_free(&s->hash);
	free(s->path);
	free(s->tmppath);
	free(s->display);
	free(s);
	return -1;
}

int rp_sink_open(rp_sink **out, int dirfd, const char *relpath, const char *display)
{
	return sink_open(out, dirfd, relpath, display, false);
}

int rp_sink_open_bulk(rp_sink **out, int dirfd, const char *relpath, const char *display)
{
	return sink_open(out, dirfd, relpath, display, true);
}

int rp_sink_write(rp_sink *s, const void *data, size_t n)
{
	const unsigned char *p = data;

	if (s->err)
		return sticky(s);
	s->bytes += n;
	/* small writes are gathered; a large one into an empty buffer is not
	 * copied there first */
	if (n <= SINK_BUFSIZE - s->len && (s->len || n < SINK_DIRECT_MIN)) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		return 0;
	}
	if (flush_buf(s) < 0)
		return -1;
	if (n >= SINK_DIRECT_MIN)
		return write_all(s, p, n);
	memcpy(s->buf, p, n);
	s->len = n;
	return 0;
}

int rp_sink_puts(rp_sink *s, const char *str)
{
	return rp_sink_write(s, str, strlen(str));
}

static int sink_out_write(void *ctx, const void *data, size_t n)
{
	return rp_sink_write(ctx, data, n);
}

rp_out rp_sink_out(rp_sink *s)
{
	rp_out o = { sink_out_write, s };
	return o;
}

uint64_t rp_sink_bytes(const rp_sink *s)
{
	return s->bytes;
}

const char *rp_sink_path(const rp_sink *s)
{
	return s->path;
}

static void sink_free(rp_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	rp_sha256_free(&s->hash);
	free(s->path);
	free(s->tmppath);
	free(s->display);
	free(s);
}

int rp_sink_commit(rp_sink *s, rp_file_info *info)
{
	int rc = -1;

	if (s->err) {
		sticky(s);
		goto out;
	}
	if (flush_buf(s) < 0)
		goto out;
	if (rp_sha256_final(&s->hash, info->sha256) < 0)
		goto out;
	info->bytes = s->bytes;
	if (!s->bulk && fsync(s->fd) < 0) {
		sink_fail(s, errno, "sync");
		goto out;
	}
	if (close(s->fd) < 0) {
		s->fd = -1;
		sink_fail(s, errno, "close");
		goto out;
	}
	s->fd = -1;
	if (!s->bulk && rp_rename_noreplace(s->dirfd, s->tmppath, s->dirfd, s->path) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot move %s into place", s->display);
		goto out;
	}
	rc = 0;
out:
	if (rc < 0)
		unlinkat(s->dirfd, s->tmppath, 0);
	sink_free(s);
	return rc;
}

void rp_sink_abort(rp_sink *s)
{
	if (!s)
		return;
	unlinkat(s->dirfd, s->tmppath, 0);
	sink_free(s);
}
