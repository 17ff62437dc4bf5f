/* File-system helpers (see fsutil.h). */
#include "revpack/fsutil.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"

void rp_writeback_start(int fd, uint64_t *started, uint64_t end)
{
	if (end < *started || end - *started < RP_WRITEBACK_STEP)
		return;
	(void)sync_file_range(fd, (off_t)*started, (off_t)(end - *started), SYNC_FILE_RANGE_WRITE);
	*started = end;
}

int rp_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath)
{
	struct stat st;

	if (renameat2(olddirfd, oldpath, newdirfd, newpath, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* The file system cannot do it atomically: check, then rename. */
	if (fstatat(newdirfd, newpath, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(olddirfd, oldpath, newdirfd, newpath);
}

int rp_mkdirs_at(int dirfd, const char *relpath)
{
	rp_buf b = RP_BUF_INIT;
	char *p;
	int rc = -1;

	if (rp_buf_puts(&b, relpath) < 0)
		return -1;
	for (p = b.data;; p++) {
		char c = *p;
		if (c != '/' && c != '\0')
			continue;
		*p = '\0';
		if (b.data[0] && mkdirat(dirfd, b.data, 0755) < 0 && errno != EEXIST) {
			rp_error_set_errno(RP_E_IO, errno, "cannot create folder %s", b.data);
			goto out;
		}
		if (b.data[0]) {
			struct stat st;
			if (fstatat(dirfd, b.data, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISDIR(st.st_mode)) {
				rp_error_set(RP_E_IO, "%s is not a folder", b.data);
				goto out;
			}
		}
		if (c == '\0')
			break;
		*p = '/';
	}
	rc = 0;
out:
	rp_buf_free(&b);
	return rc;
}

/* Removes name beneath dirfd: a folder with what it holds, anything else
 * unlinked. One descriptor per level and names relative to it, so that a
 * tree deeper than PATH_MAX goes too (nftw builds whole paths). */
static int remove_at(int dirfd, const char *name)
{
	struct dirent *e;
	DIR *d;
	int fd, rc = 0;

	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOTDIR && errno != ELOOP)
			return errno == ENOENT ? 0 : -1;
		return unlinkat(dirfd, name, 0) == 0 || errno == ENOENT ? 0 : -1;
	}
	if (!(d = fdopendir(fd))) {
		close(fd);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
			if (remove_at(fd, e->d_name) < 0)
				rc = -1;
		} else if (unlinkat(fd, e->d_name, 0) < 0 && errno != ENOENT) {
			rc = -1;
		}
	}
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT)
		rc = -1;
	return rc;
}

int rp_remove_tree(const char *path)
{
	return remove_at(AT_FDCWD, path);
}

int rp_fsync_dirs(int dirfd, const char *display)
{
	int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	DIR *d;
	struct dirent *e;
	int rc = 0;

	if (fd < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot open %s", display);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return rp_error_set_errno(RP_E_IO, errno, "cannot read %s", display);
	}
	while ((e = readdir(d)) != NULL) {
		int sub;
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = openat(dirfd, e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0) {
			rc = rp_error_set_errno(RP_E_IO, errno, "cannot open %s/%s", display, e->d_name);
			break;
		}
		rc = rp_fsync_dirs(sub, e->d_name);
		close(sub);
		if (rc < 0)
			break;
	}
	if (rc == 0 && fsync(dirfd) < 0)
		rc = rp_error_set_errno(RP_E_IO, errno, "cannot sync %s", display);
	closedir(d);
	return rc;
}

int rp_open_beneath(int rootfd, const char *relpath, bool want_dir, const char **why)
{
	rp_buf b = RP_BUF_INIT;
	char *comp, *next;
	int fd = -1, dfd;
	struct stat st;

	*why = NULL;
	if (rp_buf_puts(&b, relpath) < 0) {
		*why = "out of memory";
		errno = ENOMEM;
		return -1;
	}
	dfd = fcntl(rootfd, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0) {
		*why = "cannot open the package folder";
		goto out;
	}
	for (comp = b.data; comp; comp = next) {
		int flags = O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK;
		int nfd;
		next = strchr(comp, '/');
		if (next)
			*next++ = '\0';
		if (!*comp || !strcmp(comp, ".") || !strcmp(comp, "..")) {
			*why = "is not a plain relative path";
			errno = EINVAL;
			goto out;
		}
		if (next || want_dir)
			flags |= O_DIRECTORY;
		nfd = openat(dfd, comp, flags);
		if (nfd < 0) {
			int e = errno;
			if (e == ELOOP || (e == ENOTDIR && fstatat(dfd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode)))
				*why = "is or passes through a symbolic link";
			else if (e == ENOENT)
				*why = "does not exist";
			else if (e == ENOTDIR)
				*why = next ? "passes through something that is not a folder" : "is not a folder";
			else
				*why = "cannot be opened";
			errno = e;
			goto out;
		}
		close(dfd);
		dfd = nfd;
	}
	if (fstat(dfd, &st) < 0) {
		*why = "cannot be examined";
		goto out;
	}
	if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
		*why = want_dir ? "is not a folder" : "is not a regular file";
		errno = EINVAL;
		goto out;
	}
	/* Regular reads block as usual. */
	if (!want_dir)
		fcntl(dfd, F_SETFL, fcntl(dfd, F_GETFL) & ~O_NONBLOCK);
	fd = dfd;
	dfd = -1;
out:
	if (dfd >= 0)
		close(dfd);
	rp_buf_free(&b);
	return fd;
}

ssize_t rp_read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}
