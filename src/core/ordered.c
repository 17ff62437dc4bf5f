/* Ordered sections of one file (see ordered.h). */
#include "revpack/ordered.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/error.h"
#include "revpack/fsutil.h"

#define SCRATCH_BUF (256u * 1024u)
#define DIRECT_MIN (64u * 1024u)

/* SLOT_FAILED: the section ended with an error or was aborted; what it
 * wrote cannot be trusted, so nothing after it is appended (next stays). */
enum slot_state { SLOT_WAITING = 0, SLOT_DIRECT, SLOT_SCRATCH, SLOT_DONE, SLOT_APPENDED, SLOT_FAILED };

struct rp_section {
	rp_ordered *ord;
	size_t idx;
	bool direct;
	int fd;                 /* scratch file */
	uint64_t bytes;
	int err;
	size_t len;
	unsigned char *buf;
};

struct rp_ordered {
	pthread_mutex_t mu;
	rp_out main;
	int dirfd;
	char *dir;
	bool dir_made;
	size_t n, next;
	bool direct_busy;
	unsigned char *state;
};

static void scratch_name(const rp_ordered *ord, size_t idx, char *out, size_t len)
{
	snprintf(out, len, "%s/%zu.part", ord->dir, idx);
}

/* Removes section idx's scratch file, if there is one. */
static void scratch_remove(const rp_ordered *ord, size_t idx)
{
	char name[600];

	scratch_name(ord, idx, name, sizeof name);
	unlinkat(ord->dirfd, name, 0);
}

int rp_ordered_new(rp_ordered **out, rp_out main, int dirfd, const char *dir, size_t n)
{
	rp_ordered *ord = rp_calloc(1, sizeof *ord);

	*out = NULL;
	if (!ord)
		return -1;
	ord->main = main;
	ord->dirfd = dirfd;
	ord->n = n;
	ord->dir = rp_strdup(dir);
	ord->state = rp_calloc(n + 1, 1);
	if (!ord->dir || !ord->state) {
		free(ord->dir);
		free(ord->state);
		free(ord);
		return -1;
	}
	pthread_mutex_init(&ord->mu, NULL);
	*out = ord;
	return 0;
}

/* Appends the whole scratch file fd (called name) to the file, which the
 * caller claimed (direct_busy); *buf is the copy buffer, allocated on first
 * use. */
static int append_scratch(rp_ordered *ord, int fd, const char *name, unsigned char **buf)
{
	uint64_t off = 0;

	if (!*buf && !(*buf = rp_malloc(SCRATCH_BUF)))
		return -1;
	for (;;) {
		ssize_t r = pread(fd, *buf, SCRATCH_BUF, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return rp_error_set_errno(RP_E_IO, errno, "cannot read %s", name);
		if (r == 0)
			return 0;
		if (rp_out_write(&ord->main, *buf, (size_t)r) < 0)
			return -1;
		off += (uint64_t)r;
	}
}

/*
 * A section written to a scratch file whose turn came while it is still
 * being written (every section before it is in, and none goes straight to
 * the file): the caller claimed the file under the mutex; what the scratch
 * file holds is appended now, outside it, and the rest of the section goes
 * straight to the file.
 */
static int take_over(rp_ordered *ord, rp_section *s)
{
	char name[600];
	unsigned char *buf = NULL;
	int rc;

	s->direct = true;   /* from here the section owns the file, even on failure */
	scratch_name(ord, s->idx, name, sizeof name);
	rc = append_scratch(ord, s->fd, name, &buf);
	free(buf);
	/* on failure too: the section has failed, its scratch file is no use */
	close(s->fd);
	s->fd = -1;
	unlinkat(ord->dirfd, name, 0);
	return rc;
}

/* Empties the section's buffer: into the file when the section goes
 * straight there, into its scratch file otherwise. */
static int section_flush(rp_section *s)
{
	size_t off = 0;

	if (s->err)
		return rp_error_set_errno(RP_E_IO, s->err, "cannot write a scratch file in %s", s->ord->dir);
	if (!s->direct) {
		rp_ordered *ord = s->ord;
		bool claim = false;
		pthread_mutex_lock(&ord->mu);
		if (s->idx == ord->next && !ord->direct_busy) {
			ord->direct_busy = true;
			ord->state[s->idx] = SLOT_DIRECT;
			claim = true;
		}
		pthread_mutex_unlock(&ord->mu);
		/* the copy runs outside the mutex: the other sections' writers
		 * only look at it to learn it is not their turn */
		if (claim && take_over(ord, s) < 0)
			return -1;
	}
	if (s->direct) {
		int rc = rp_out_write(&s->ord->main, s->buf, s->len);
		s->len = 0;
		return rc;
	}
	while (off < s->len) {
		ssize_t w = write(s->fd, s->buf + off, s->len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			s->err = errno;
			return rp_error_set_errno(RP_E_IO, errno, "cannot write a scratch file in %s", s->ord->dir);
		}
		off += (size_t)w;
	}
	s->len = 0;
	return 0;
}

/* Every section buffers: writers hand over a few bytes at a time. */
static int section_write(void *ctx, const void *data, size_t n)
{
	rp_section *s = ctx;
	const unsigned char *p = data;

	s->bytes += n;
	/* going straight to the file, a large write is not copied into the
	 * buffer first */
	if (s->direct && n >= DIRECT_MIN) {
		if (s->len && section_flush(s) < 0)
			return -1;
		return rp_out_write(&s->ord->main, p, n);
	}
	if (n <= SCRATCH_BUF - s->len) {
		memcpy(s->buf + s->len, p, n);
		s->len += n;
		return 0;
	}
	while (n) {
		size_t room = SCRATCH_BUF - s->len, k = n < room ? n : room;
		memcpy(s->buf + s->len, p, k);
		s->len += k;
		p += k;
		n -= k;
		if (s->len == SCRATCH_BUF && section_flush(s) < 0)
			return -1;
	}
	return 0;
}

int rp_ordered_begin(rp_ordered *ord, size_t idx, rp_section **out, rp_out *o)
{
	rp_section *s = rp_calloc(1, sizeof *s);
	char name[600];
	int rc = -1;

	*out = NULL;
	if (!s)
		return -1;
	s->ord = ord;
	s->idx = idx;
	s->fd = -1;
	if (!(s->buf = rp_malloc(SCRATCH_BUF))) {
		free(s);
		return -1;
	}
	pthread_mutex_lock(&ord->mu);
	if (idx >= ord->n || ord->state[idx] != SLOT_WAITING) {
		rp_error_set(RP_E_INTERNAL, "section %zu opened twice", idx);
		goto out;
	}
	if (idx == ord->next && !ord->direct_busy) {
		s->direct = true;
		ord->direct_busy = true;
		ord->state[idx] = SLOT_DIRECT;
	} else {
		if (!ord->dir_made) {
			if (rp_mkdirs_at(ord->dirfd, ord->dir) < 0)
				goto out;
			ord->dir_made = true;
		}
		scratch_name(ord, idx, name, sizeof name);
		s->fd = openat(ord->dirfd, name, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (s->fd < 0) {
			rp_error_set_errno(RP_E_IO, errno, "cannot create %s", name);
			goto out;
		}
		ord->state[idx] = SLOT_SCRATCH;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&ord->mu);
	if (rc < 0) {
		if (s->fd >= 0)
			close(s->fd);
		free(s->buf);
		free(s);
		return -1;
	}
	o->write = section_write;
	o->ctx = s;
	*out = s;
	return 0;
}

uint64_t rp_section_bytes(const rp_section *sec)
{
	return sec->bytes;
}

/* Appends finished scratch sections that are now next in order. Called
 * with the mutex held and no direct section open. */
static int append_ready(rp_ordered *ord)
{
	char name[600];
	unsigned char *buf = NULL;
	int rc = 0;

	/* the file is claimed while the copies run outside the mutex; a
	 * section that ends meanwhile is seen by the loop */
	ord->direct_busy = true;
	while (ord->next < ord->n && ord->state[ord->next] == SLOT_DONE) {
		int fd;
		scratch_name(ord, ord->next, name, sizeof name);
		pthread_mutex_unlock(&ord->mu);
		fd = openat(ord->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			rc = rp_error_set_errno(RP_E_IO, errno, "cannot open %s", name);
		} else {
			rc = append_scratch(ord, fd, name, &buf);
			close(fd);
			unlinkat(ord->dirfd, name, 0);
		}
		pthread_mutex_lock(&ord->mu);
		if (rc < 0) {
			/* its file is gone: a later call must not try it again and
			 * report "cannot open" instead of this error */
			ord->state[ord->next] = SLOT_FAILED;
			break;
		}
		ord->state[ord->next++] = SLOT_APPENDED;
	}
	ord->direct_busy = false;
	free(buf);
	return rc;
}

int rp_ordered_end(rp_ordered *ord, rp_section *s)
{
	int rc = 0;

	rc = section_flush(s);
	if (s->fd >= 0) {
		if (close(s->fd) < 0 && rc == 0)
			rc = rp_error_set_errno(RP_E_IO, errno, "cannot write a scratch file in %s", ord->dir);
		s->fd = -1;
		if (rc < 0)
			scratch_remove(ord, s->idx);
	}
	pthread_mutex_lock(&ord->mu);
	if (s->direct)
		ord->direct_busy = false;
	if (rc < 0)
		ord->state[s->idx] = SLOT_FAILED; /* and next stays: nothing follows a failed section */
	else if (s->direct) {
		ord->state[s->idx] = SLOT_APPENDED;
		ord->next = s->idx + 1;
	} else {
		ord->state[s->idx] = SLOT_DONE;
	}
	if (rc == 0 && !ord->direct_busy)
		rc = append_ready(ord);
	pthread_mutex_unlock(&ord->mu);
	free(s->buf);
	free(s);
	return rc;
}

void rp_ordered_abort(rp_ordered *ord, rp_section *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&ord->mu);
	if (s->direct)
		ord->direct_busy = false;
	ord->state[s->idx] = SLOT_FAILED;
	pthread_mutex_unlock(&ord->mu);
	if (s->fd >= 0) {
		close(s->fd);
		scratch_remove(ord, s->idx);
	}
	free(s->buf);
	free(s);
}

int rp_ordered_finish(rp_ordered *ord)
{
	int rc;

	pthread_mutex_lock(&ord->mu);
	rc = ord->direct_busy ? rp_error_set(RP_E_INTERNAL, "a section is still open") : append_ready(ord);
	if (rc == 0 && ord->next != ord->n)
		rc = ord->state[ord->next] == SLOT_FAILED
		             ? rp_error_set(RP_E_INTERNAL, "section %zu of %zu failed", ord->next, ord->n)
		             : rp_error_set(RP_E_INTERNAL, "section %zu of %zu never arrived", ord->next, ord->n);
	/* every scratch file is appended and gone: so is their folder */
	if (rc == 0 && ord->dir_made) {
		if (unlinkat(ord->dirfd, ord->dir, AT_REMOVEDIR) < 0)
			rc = rp_error_set_errno(RP_E_IO, errno, "cannot remove %s", ord->dir);
		ord->dir_made = false;
	}
	pthread_mutex_unlock(&ord->mu);
	return rc;
}

void rp_ordered_free(rp_ordered *ord)
{
	if (!ord)
		return;
	for (size_t i = 0; i < ord->n; i++) {
		if (ord->state[i] == SLOT_SCRATCH || ord->state[i] == SLOT_DONE)
			scratch_remove(ord, i);
	}
	if (ord->dir_made)
		unlinkat(ord->dirfd, ord->dir, AT_REMOVEDIR);
	pthread_mutex_destroy(&ord->mu);
	free(ord->state);
	free(ord->dir);
	free(ord);
}
