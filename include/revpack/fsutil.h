/*
 * File-system helpers: no-replace rename, folder trees, and opening a path
 * beneath a root without following symbolic links.
 */
#ifndef REVPACK_FSUTIL_H
#define REVPACK_FSUTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* rename that fails with EEXIST when the target exists (renameat2
 * RENAME_NOREPLACE; a link()+unlink() or checked-rename fallback where the
 * file system lacks it). Sets errno, not rp_error. */
int rp_rename_noreplace(int olddirfd, const char *oldpath, int newdirfd, const char *newpath);

/* mkdir -p of relpath beneath dirfd (mode 0755); components must not be
 * symbolic links. Records rp_error (display names the path). */
int rp_mkdirs_at(int dirfd, const char *relpath);

/* Removes a folder tree we created, never following symbolic links.
 * Best effort; returns -1 if something could not be removed. */
int rp_remove_tree(const char *path);

/* fsync every folder beneath (and including) dirfd. */
int rp_fsync_dirs(int dirfd, const char *display);

/*
 * Opens relpath beneath rootfd one component at a time with O_NOFOLLOW:
 * a symbolic link anywhere, a folder where a file is expected, or a file
 * that is not regular is refused. flags are ORed in (O_RDONLY is implied).
 * Returns the fd, or -1 with errno set and *why a static reason
 * ("is a symbolic link", "is not a regular file", "does not exist", ...).
 */
int rp_open_beneath(int rootfd, const char *relpath, bool want_dir, const char **why);

/*
 * Early write-back of a file written front to back: once `end` is at least
 * RP_WRITEBACK_STEP bytes past *started, asks the kernel to start writing
 * [*started, end) to disk now (sync_file_range SYNC_FILE_RANGE_WRITE, which
 * does not wait for the disk) and moves *started to end. The fsync at the
 * end then finds little left to write, instead of the whole file. Advisory:
 * a file system that cannot do it is ignored (errors still reach fsync).
 */
#define RP_WRITEBACK_STEP ((uint64_t)8 << 20)
void rp_writeback_start(int fd, uint64_t *started, uint64_t end);

/* read() until n bytes or end of file; returns bytes read or -1 (errno). */
ssize_t rp_read_full(int fd, void *buf, size_t n);

#endif
