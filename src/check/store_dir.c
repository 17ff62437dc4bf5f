/*
 * A package folder as a verify store (store.h).
 *
 * Every file is opened through open_file(): its parent folder with
 * rp_open_beneath(), then the last component is examined with
 * fstatat(AT_SYMLINK_NOFOLLOW) so that a symbolic link, a FIFO or a device
 * is never opened, then opened with rp_open_beneath(). The listing walks
 * folders with openat(O_NOFOLLOW) and examines every name with fstatat:
 * nothing is followed.
 */
#include "check/store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/ziprange.h"

typedef struct dir_store {
	rp_store base;
	int root;
} dir_store;

struct rp_store_file {
	int fd;
	char *path;
};

static const char *kind_of(mode_t mode)
{
	if (S_ISLNK(mode))
		return "is a symbolic link";
	if (S_ISDIR(mode))
		return "is a folder";
	if (S_ISFIFO(mode))
		return "is a named pipe (FIFO)";
	if (S_ISSOCK(mode))
		return "is a socket";
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return "is a device file";
	return "is not a regular file";
}

/* Errors that say the package could not be read, not that it is wrong. */
static bool errno_is_fatal(int e)
{
	return e == EACCES || e == EPERM || e == EIO || e == EMFILE || e == ENFILE || e == ENOMEM;
}

static int fatal_errno(int e, const char *what, const char *path)
{
	if (e == ENOMEM)
		return rp_error_nomem();
	return rp_error_set_errno(RP_E_IO, e, "cannot %s %s in the package", what, path);
}

/*
 * Opens the regular file path. Returns the fd; -1 with *why set when the
 * package is at fault (missing, a link, not a regular file...); -2 with
 * rp_error set when it cannot be opened for another reason (permissions,
 * I/O, no memory).
 */
static int open_file(dir_store *d, const char *path, const char **why)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int dir = d->root, fd = -1, e;
	struct stat st;

	*why = NULL;
	if (slash) {
		char *parent = rp_strndup(path, (size_t)(slash - path));
		if (!parent)
			return -2;
		dir = rp_open_beneath(d->root, parent, true, why);
		e = errno;
		free(parent);
		if (dir < 0) {
			if (errno_is_fatal(e)) {
				fatal_errno(e, "open", path);
				return -2;
			}
			if (e == ENOENT)
				*why = "does not exist";
			return -1;
		}
	}
	if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e = errno;
		*why = e == ENOENT ? "does not exist" : "cannot be examined";
	} else if (!S_ISREG(st.st_mode)) {
		e = EINVAL;
		*why = kind_of(st.st_mode);
	} else {
		fd = rp_open_beneath(dir, base, false, why);
		e = errno;
	}
	if (dir != d->root)
		close(dir);
	if (fd >= 0)
		return fd;
	if (!*why)
		*why = "cannot be opened";
	if (errno_is_fatal(e)) {
		fatal_errno(e, "open", path);
		return -2;
	}
	return -1;
}

static int dir_open(rp_store *s, size_t slot, const char *path, rp_store_file **out, const char **why)
{
	rp_store_file *f;
	int fd = open_file((dir_store *)s, path, why);

	(void)slot; /* openat() and read() on a descriptor of one's own: any thread */
	*out = NULL;
	if (fd == -2)
		return -1;
	if (fd < 0)
		return 0;
	f = rp_malloc(sizeof *f);
	if (!f || !(f->path = rp_strdup(path))) {
		free(f);
		close(fd);
		return -1;
	}
	f->fd = fd;
	*out = f;
	return 1;
}

static int dir_slots(rp_store *s, size_t n)
{
	(void)s;
	(void)n;
	return 0;
}

static int64_t dir_read(rp_store_file *f, void *buf, size_t n)
{
	for (;;) {
		ssize_t r = read(f->fd, buf, n);
		if (r >= 0)
			return r;
		if (errno != EINTR)
			return fatal_errno(errno, "read", f->path);
	}
}

static void dir_close(rp_store_file *f)
{
	if (!f)
		return;
	close(f->fd);
	free(f->path);
	free(f);
}

/* Lists the folder dirfd (rel is its path, "" for the root) recursively. */
static int walk(dir_store *d, int dirfd, rp_buf *rel, rp_store_list_fn fn, void *ctx)
{
	const char *shown = rel->len ? rel->data : "the package folder";
	struct dirent *de;
	DIR *dir;
	int fd, error = -1;

	fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (fd < 0)
		return fatal_errno(errno, "open", shown);
	dir = fdopendir(fd);
	if (!dir) {
		int e = errno;
		close(fd);
		return fatal_errno(e, "read", shown);
	}
	for (errno = 0; (de = readdir(dir)) != NULL; errno = 0) {
		size_t keep = rel->len;
		rp_store_item it;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((keep && rp_buf_putc(rel, '/') < 0) || rp_buf_puts(rel, de->d_name) < 0)
			goto out;
		memset(&it, 0, sizeof it);
		it.path = rel->data;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT) { /* ENOENT: removed while we looked */
				fatal_errno(errno, "examine", rel->data);
				goto out;
			}
		} else if (S_ISDIR(st.st_mode)) {
			int sub;
			it.kind = RP_STORE_DIR;
			if (fn(ctx, &it) < 0)
				goto out;
			sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				if (errno_is_fatal(errno)) {
					fatal_errno(errno, "open", rel->data);
					goto out;
				}
				if (d->base.report.problem)
					d->base.report.problem(d->base.report.ctx, rel->data,
					                       "changed while it was being verified");
			} else {
				int rc = walk(d, sub, rel, fn, ctx);
				close(sub);
				if (rc < 0)
					goto out;
			}
		} else {
			it.kind = S_ISREG(st.st_mode) ? RP_STORE_FILE : RP_STORE_OTHER;
			it.size = S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
			it.what = kind_of(st.st_mode);
			if (fn(ctx, &it) < 0)
				goto out;
		}
		rel->len = keep;
		rel->data[keep] = '\0';
	}
	if (errno) {
		fatal_errno(errno, "read", shown);
		goto out;
	}
	error = 0;
out:
	closedir(dir);
	return error;
}

static int dir_list(rp_store *s, rp_store_list_fn fn, void *ctx)
{
	dir_store *d = (dir_store *)s;
	rp_buf rel = RP_BUF_INIT;
	int rc;

	rc = rp_buf_puts(&rel, "");
	if (rc == 0)
		rc = walk(d, d->root, &rel, fn, ctx);
	rp_buf_free(&rel);
	return rc;
}

static int dir_siard(rp_store *s, const char *path, zip_source_t **src, const char **why)
{
	struct stat st;
	int fd = open_file((dir_store *)s, path, why);

	*src = NULL;
	if (fd == -2)
		return -1;
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return fatal_errno(e, "examine", path);
	}
	if (rp_zip_source_range(src, fd, true, 0, (uint64_t)st.st_size) < 0)
		return -1;
	return 1;
}

static const char *dir_shown(rp_store *s, const char *path)
{
	(void)s;
	return path;
}

static void dir_free(rp_store *s)
{
	dir_store *d = (dir_store *)s;

	if (!d)
		return;
	close(d->root);
	free(d);
}

static int dir_finish(rp_store *s, rp_verify_result *res)
{
	(void)s;
	(void)res;
	return 0;
}

static const rp_store_ops dir_ops = {
	dir_open, dir_slots, dir_read, dir_close, dir_list, dir_siard, dir_shown, dir_finish, dir_free,
};

int rp_store_dir_new(rp_store **out, int rootfd, const rp_store_report *report)
{
	dir_store *d = rp_calloc(1, sizeof *d);

	*out = NULL;
	if (!d) {
		close(rootfd);
		return -1;
	}
	d->base.ops = &dir_ops;
	d->base.report = *report;
	d->root = rootfd;
	*out = &d->base;
	return 0;
}
