/* Media trees: walk, then copy (folder form) or stream (zip form); see media.h. */
#include "revpack/media.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <search.h>
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
#include "revpack/text.h"
#include "revpack/timeutil.h"
#include "revpack/zip.h"

#define MAX_DEPTH 256                    /* folders nested deeper are refused */
#define COPY_BUF ((size_t)1 << 20)       /* folder form: one read, one write */
#define STREAM_BUF ((size_t)1 << 20)     /* zip form: read ahead of libzip's 8 KiB reads */
#define MAX_LISTED 100                   /* bad paths named in one message */
#define BAD 1                            /* an entry-level problem (reader, walk) */
#define BAD_READ (-2)                    /* the same, from reader_read */

/* A media file read once (see reader_open). */
typedef struct reader {
	int fd;
	struct stat before;
	uint64_t got;
	bool grown;           /* test hook applied */
	char *why;            /* BAD: what is wrong, for a message or the inventory */
	unsigned char *buf;   /* zip form: read-ahead */
	size_t len, pos;
} reader;

/* One stream per exported file (zip form). */
typedef struct mstream {
	rp_media *m;
	size_t i;
} mstream;

struct rp_media {
	char *name, *dir, *root;  /* root: data/media/NAME */
	char *root_real;          /* realpath(dir) */
	char *root_abs;           /* dir made absolute, as written */
	int rootfd;
	rp_media_opts opts;
	rp_media_entry *e;
	size_t n, cap;
	const char *grow_name;    /* REVPACK_TEST_MEDIA_GROW */
	unsigned delay_ms;        /* REVPACK_TEST_MEDIA_DELAY_MS */
	pthread_mutex_t mu;       /* guards what follows while files are copied */
	rp_buf bad;               /* "  path: why\n" lines */
	size_t nbad;
	uint64_t files_done, bytes_done, files_total, bytes_total;
	double last_progress;
	/* zip form */
	mstream *streams;
	reader zr;
	/* totals (rp_media_settle) */
	uint64_t files, bytes, skipped;
};

/* ---- messages ---- */

/* Appends DIR/src for a message: control characters and bytes that are not
 * UTF-8 become \xNN. */
static int show(rp_buf *b, const rp_media *m, const char *src)
{
	const unsigned char *p;
	size_t i = 0, len, k;
	uint32_t cp;

	if (rp_buf_puts(b, m->dir) < 0)
		return -1;
	if (*src && m->dir[0] && m->dir[strlen(m->dir) - 1] != '/' && rp_buf_putc(b, '/') < 0)
		return -1;
	p = (const unsigned char *)src;
	len = strlen(src);
	while (i < len) {
		k = p[i] < 0x80 ? (p[i] >= 0x20 && p[i] != 0x7F) : rp_utf8_next(p + i, len - i, &cp);
		if (k == 0) {
			if (rp_buf_printf(b, "\\x%02X", p[i]) < 0)
				return -1;
			i++;
			continue;
		}
		if (rp_buf_put(b, p + i, k) < 0)
			return -1;
		i += k;
	}
	return 0;
}

static char *shown(const rp_media *m, const char *src)
{
	rp_buf b = RP_BUF_INIT;

	if (show(&b, m, src) < 0) {
		rp_buf_free(&b);
		return NULL;
	}
	return rp_buf_detach(&b);
}

static char *errno_why(const char *what, int e)
{
	if (e == EACCES || e == EPERM)
		return rp_sprintf("%s: permission denied", what);
	return rp_sprintf("%s: %s", what, strerror(e));
}

/*
 * Entry i cannot be exported for reason why (owned here). With
 * --skip-unreadable it is left out, recorded and a warning says so;
 * otherwise it joins the list of bad paths. -1 only when out of memory.
 */
static int entry_bad(rp_media *m, size_t i, char *why)
{
	char *path = NULL, *msg = NULL;
	int rc = -1;

	if (!why || !(path = shown(m, m->e[i].src)))
		goto out;
	pthread_mutex_lock(&m->mu);
	if (m->opts.skip_unreadable) {
		free(m->e[i].skipped);
		m->e[i].skipped = why;
		m->e[i].exported = false;
		why = NULL;
		pthread_mutex_unlock(&m->mu);
		msg = rp_sprintf("left out %s (%s); recorded in inventory.xml", path, m->e[i].skipped);
		if (!msg)
			goto out;
		if (m->opts.warn)
			m->opts.warn(m->opts.ctx, m->name, msg);
		rc = 0;
		goto out;
	}
	if (m->nbad < MAX_LISTED)
		rc = rp_buf_printf(&m->bad, "\n  %s: %s", path, why);
	else
		rc = 0;
	m->nbad++;
	pthread_mutex_unlock(&m->mu);
out:
	free(path);
	free(msg);
	free(why);
	return rc;
}

/* The error listing every bad path. */
static int bad_error(rp_media *m)
{
	if (m->nbad > MAX_LISTED && rp_buf_printf(&m->bad, "\n  ... and %zu more", m->nbad - MAX_LISTED) < 0)
		return -1;
	return rp_error_set(RP_E_IO,
	                    "media %s: %zu path%s cannot be exported (with --skip-unreadable they are left out and "
	                    "recorded in inventory.xml):%s",
	                    m->name, m->nbad, m->nbad == 1 ? "" : "s", m->bad.data ? m->bad.data : "");
}

static bool interrupted(const rp_media *m)
{
	return m->opts.interrupted && *m->opts.interrupted;
}

static void progress_locked(rp_media *m, bool force)
{
	rp_media_progress p;
	double now;

	if (!m->opts.progress)
		return;
	now = rp_monotonic();
	if (!force && now - m->last_progress < 0.2)
		return;
	m->last_progress = now;
	p.name = m->name;
	p.files_done = m->files_done;
	p.files = m->files_total;
	p.bytes_done = m->bytes_done;
	p.bytes = m->bytes_total;
	m->opts.progress(m->opts.ctx, &p);
}

/* ---- the walk ---- */

static int append(rp_media *m, size_t *idx)
{
	if (m->n == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 256;
		rp_media_entry *e = rp_realloc(m->e, cap * sizeof *e);
		if (!e)
			return -1;
		m->e = e;
		m->cap = cap;
	}
	*idx = m->n++;
	memset(&m->e[*idx], 0, sizeof m->e[*idx]);
	m->e[*idx].same_as = SIZE_MAX;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool sorted_has(char *const *v, size_t n, const char *s)
{
	return n && bsearch(&s, v, n, sizeof *v, cmp_str) != NULL;
}

/* One folder's names: kept names are taken as they are; a mapped name that
 * meets a name already used gets ~2, ~3, ... (formats/names.md). */
typedef struct folder {
	char **names;     /* as listed, sorted by bytes */
	char **comp;      /* their names in the package */
	bool *mapped;
	size_t n;
	void *used;       /* mapped names given so far (tsearch tree; the
	                   * names belong to comp) */
} folder;

static int cmp_plain(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void leave_name(void *name)
{
	(void)name; /* owned by comp */
}

static void folder_free(folder *f)
{
	tdestroy(f->used, leave_name);
	for (size_t i = 0; i < f->n; i++) {
		free(f->names[i]);
		if (f->comp) /* not yet made when the listing failed */
			free(f->comp[i]);
	}
	free(f->names);
	free(f->comp);
	free(f->mapped);
	memset(f, 0, sizeof *f);
}

static bool name_taken(const folder *f, char *const *kept, size_t nkept, const char *s)
{
	return sorted_has(kept, nkept, s) || tfind(s, &f->used, cmp_plain) != NULL;
}

static int folder_names(folder *f)
{
	char **kept = NULL;
	size_t nkept = 0;
	rp_buf b = RP_BUF_INIT;
	int rc = -1;

	if (f->n > 1) /* an empty folder has no list at all */
		qsort(f->names, f->n, sizeof *f->names, cmp_str);
	f->comp = rp_calloc(f->n ? f->n : 1, sizeof *f->comp);
	f->mapped = rp_calloc(f->n ? f->n : 1, sizeof *f->mapped);
	kept = rp_calloc(f->n ? f->n : 1, sizeof *kept);
	if (!f->comp || !f->mapped || !kept)
		goto out;
	for (size_t i = 0; i < f->n; i++) {
		rp_buf_clear(&b);
		if (rp_media_name_map(&b, f->names[i], strlen(f->names[i]), &f->mapped[i]) < 0 ||
		    !(f->comp[i] = rp_buf_detach(&b)))
			goto out;
		if (!f->mapped[i])
			kept[nkept++] = f->comp[i]; /* in byte order already */
	}
	for (size_t i = 0; i < f->n; i++) {
		if (!f->mapped[i])
			continue;
		if (name_taken(f, kept, nkept, f->comp[i])) {
			char *base = f->comp[i];
			unsigned long k = 2;
			for (;; k++) {
				rp_buf_clear(&b);
				if (rp_media_name_suffixed(&b, base, k) < 0) {
					f->comp[i] = base;
					goto out;
				}
				if (!name_taken(f, kept, nkept, b.data))
					break;
			}
			f->comp[i] = rp_buf_detach(&b);
			free(base);
			if (!f->comp[i])
				goto out;
		}
		/* a tree, not a sorted array: the names given need not come in
		 * order (a sorted insert each was quadratic) */
		if (!tsearch(f->comp[i], &f->used, cmp_plain)) {
			rp_error_nomem();
			goto out;
		}
	}
	rc = 0;
out:
	free(kept);
	rp_buf_free(&b);
	return rc;
}

/* Reads folder dfd's names (without . and ..). BAD with *why when the
 * folder cannot be listed. */
static int folder_list(int dfd, folder *f, char **why)
{
	size_t cap = 0;
	struct dirent *d;
	DIR *dir;
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 0);

	if (fd < 0)
		return rp_error_set_errno(RP_E_IO, errno, "cannot duplicate a folder descriptor");
	dir = fdopendir(fd);
	if (!dir) {
		int e = errno;
		close(fd);
		*why = errno_why("folder cannot be read", e);
		return *why ? BAD : -1;
	}
	for (;;) {
		errno = 0;
		d = readdir(dir);
		if (!d)
			break;
		if (!strcmp(d->d_name, ".") || !strcmp(d->d_name, ".."))
			continue;
		if (f->n == cap) {
			size_t ncap = cap ? cap * 2 : 32;
			char **v = rp_realloc(f->names, ncap * sizeof *v);
			if (!v)
				goto nomem;
			f->names = v;
			cap = ncap;
		}
		if (!(f->names[f->n] = rp_strdup(d->d_name)))
			goto nomem;
		f->n++;
	}
	if (errno) {
		int e = errno;
		closedir(dir);
		*why = errno_why("folder cannot be read", e);
		return *why ? BAD : -1;
	}
	closedir(dir);
	return 0;
nomem:
	closedir(dir);
	return -1;
}

/* Appends to out the lexical form of an absolute path: no ".", "..", "//". */
static int normalize_abs(rp_buf *out, const char *path)
{
	const char *p = path;

	rp_buf_clear(out);
	while (*p) {
		const char *c;
		size_t len;
		while (*p == '/')
			p++;
		c = p;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			char *slash = out->data ? strrchr(out->data, '/') : NULL;
			if (slash) {
				out->len = (size_t)(slash - out->data);
				out->data[out->len] = '\0';
			}
			continue;
		}
		if (rp_buf_putc(out, '/') < 0 || rp_buf_put(out, c, len) < 0)
			return -1;
	}
	if (out->len == 0)
		return rp_buf_putc(out, '/');
	return 0;
}

static bool under(const char *path, const char *root)
{
	size_t n;

	if (!root)
		return false;
	if (!strcmp(root, "/"))
		return true;
	n = strlen(root);
	return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/*
 * Does the link at parent/<name> with this target stay inside DIR, reading
 * the target as text (no link in it is followed)? A relative target is
 * resolved from the link's folder; an absolute one must lie under DIR as
 * given or under its real path.
 */
static int link_inside(const rp_media *m, const char *parent, const char *target, bool *inside)
{
	rp_buf b = RP_BUF_INIT;
	size_t depth = 0;
	const char *p;

	*inside = false;
	if (target[0] == '/') {
		if (normalize_abs(&b, target) < 0)
			return -1;
		*inside = under(b.data, m->root_real) || under(b.data, m->root_abs);
		rp_buf_free(&b);
		return 0;
	}
	if (*parent) {
		depth = 1;
		for (p = parent; *p; p++)
			depth += *p == '/';
	}
	for (p = target; *p;) {
		const char *c = p;
		size_t len;
		while (*p && *p != '/')
			p++;
		len = (size_t)(p - c);
		while (*p == '/')
			p++;
		if (len == 0 || (len == 1 && c[0] == '.'))
			continue;
		if (len == 2 && c[0] == '.' && c[1] == '.') {
			if (depth == 0)
				return 0;
			depth--;
		} else {
			depth++;
		}
	}
	*inside = true;
	return 0;
}

static int read_link(int dfd, const char *name, off_t hint, char **out, char **why)
{
	size_t cap = hint > 0 && hint < PATH_MAX ? (size_t)hint + 1 : 256;

	*out = NULL;
	for (;;) {
		char *buf = rp_malloc(cap);
		ssize_t n;
		if (!buf)
			return -1;
		n = readlinkat(dfd, name, buf, cap);
		if (n < 0) {
			int e = errno;
			free(buf);
			*why = errno_why("symbolic link cannot be read", e);
			return *why ? BAD : -1;
		}
		if ((size_t)n < cap) {
			buf[n] = '\0';
			*out = buf;
			return 0;
		}
		free(buf);
		cap *= 2;
	}
}

static const char *special_why(mode_t mode)
{
	if (S_ISFIFO(mode))
		return "is a FIFO (named pipe), not a regular file";
	if (S_ISSOCK(mode))
		return "is a socket, not a regular file";
	if (S_ISCHR(mode))
		return "is a character device, not a regular file";
	if (S_ISBLK(mode))
		return "is a block device, not a regular file";
	return "is not a regular file";
}

static int walk(rp_media *m, int dfd, size_t self, unsigned depth);

/* One name of a folder: examined, recorded, and a folder walked. */
static int walk_one(rp_media *m, int dfd, size_t self, unsigned depth, const folder *f, size_t k)
{
	const char *name = f->names[k];
	const char *psrc = m->e[self].src, *ppkg = m->e[self].pkg;
	bool pmapped = m->e[self].mapped;
	rp_media_entry *e;
	struct stat st;
	char *why = NULL;
	size_t i;
	int fd, rc;

	if (append(m, &i) < 0)
		return -1;
	e = &m->e[i];
	e->src = *psrc ? rp_sprintf("%s/%s", psrc, name) : rp_strdup(name);
	e->pkg = rp_sprintf("%s/%s", ppkg, f->comp[k]);
	e->mapped = pmapped || f->mapped[k];
	if (!e->src || !e->pkg)
		return -1;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		e->kind = RP_MEDIA_SPECIAL;
		return entry_bad(m, i, errno_why("cannot be examined", errno));
	}
	if (S_ISDIR(st.st_mode) && m->opts.exclude && st.st_dev == m->opts.exclude_dev &&
	    st.st_ino == m->opts.exclude_ino) {
		free(e->src); /* the package being written: not the site's */
		free(e->pkg);
		m->n--;
		return 0;
	}
	if (S_ISDIR(st.st_mode)) {
		e->kind = RP_MEDIA_DIR;
		e->end = i + 1;
		if (depth + 1 > MAX_DEPTH)
			return entry_bad(m, i, rp_sprintf("folder nested more than %d deep", MAX_DEPTH));
		fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			return entry_bad(m, i, errno_why("folder cannot be opened", errno));
		rc = walk(m, fd, i, depth + 1);
		close(fd);
		return rc;
	}
	if (S_ISREG(st.st_mode)) {
		e->kind = RP_MEDIA_FILE;
		e->bytes = (uint64_t)st.st_size;
		e->mtime = (int64_t)st.st_mtime;
		/* Opened once now so that every unreadable file is named at once. */
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return entry_bad(m, i, errno_why("cannot be read", errno));
		close(fd);
		m->files_total++;
		m->bytes_total += e->bytes;
		return 0;
	}
	if (S_ISLNK(st.st_mode)) {
		e->kind = RP_MEDIA_SYMLINK;
		rc = read_link(dfd, name, st.st_size, &e->target, &why);
		if (rc == BAD)
			return entry_bad(m, i, why);
		if (rc < 0)
			return -1;
		return link_inside(m, psrc, e->target, &e->inside);
	}
	e->kind = RP_MEDIA_SPECIAL;
	return entry_bad(m, i, rp_strdup(special_why(st.st_mode)));
}

/* Walks the folder open as dfd, whose entry is self. */
static int walk(rp_media *m, int dfd, size_t self, unsigned depth)
{
	folder f;
	char *why = NULL;
	int rc;

	memset(&f, 0, sizeof f);
	if (interrupted(m))
		return rp_error_set(RP_E_INTERRUPTED, "interrupted while reading the media folder %s", m->dir);
	rc = folder_list(dfd, &f, &why);
	if (rc == BAD) {
		rc = entry_bad(m, self, why);
		goto out;
	}
	if (rc < 0 || (rc = folder_names(&f)) < 0)
		goto out;
	for (size_t k = 0; k < f.n; k++)
		if ((rc = walk_one(m, dfd, self, depth, &f, k)) < 0)
			goto out;
	rc = 0;
out:
	m->e[self].end = m->n;
	folder_free(&f);
	return rc;
}

int rp_media_scan(rp_media **out, const rp_media_spec *spec, const rp_media_opts *opts)
{
	rp_media *m;
	rp_buf abs = RP_BUF_INIT;
	char cwd[PATH_MAX];
	struct stat st;
	size_t root;

	*out = NULL;
	if (!(m = rp_calloc(1, sizeof *m)))
		return -1;
	m->rootfd = -1;
	m->zr.fd = -1;
	pthread_mutex_init(&m->mu, NULL);
	m->opts = *opts;
	m->name = rp_strdup(spec->name);
	m->dir = rp_strdup(spec->dir);
	m->root = rp_sprintf("data/media/%s", spec->name);
	if (!m->name || !m->dir || !m->root)
		goto fail;
	m->grow_name = getenv("REVPACK_TEST_MEDIA_GROW");
	if (getenv("REVPACK_TEST_MEDIA_DELAY_MS"))
		m->delay_ms = (unsigned)strtoul(getenv("REVPACK_TEST_MEDIA_DELAY_MS"), NULL, 10);
	if (!*spec->dir) {
		rp_error_set(RP_E_USAGE, "--media %s=: name the folder to export", spec->name);
		goto fail;
	}
	m->rootfd = open(spec->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->rootfd < 0) {
		int e = errno;
		if (e == ENOENT || e == ENOTDIR)
			rp_error_set(RP_E_USAGE, "--media %s=%s: no such folder", spec->name, spec->dir);
		else
			rp_error_set_errno(RP_E_IO, e, "media %s: cannot open the folder %s", spec->name, spec->dir);
		goto fail;
	}
	if (fstat(m->rootfd, &st) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "media %s: cannot examine %s", spec->name, spec->dir);
		goto fail;
	}
	m->root_real = realpath(spec->dir, NULL); /* NULL is fine: only absolute links compare with it */
	if (spec->dir[0] == '/') {
		if (normalize_abs(&abs, spec->dir) < 0)
			goto fail;
	} else if (getcwd(cwd, sizeof cwd)) {
		char *joined = rp_sprintf("%s/%s", cwd, spec->dir);
		int r = joined ? normalize_abs(&abs, joined) : -1;
		free(joined);
		if (r < 0)
			goto fail;
	}
	m->root_abs = abs.data ? rp_buf_detach(&abs) : NULL;
	if (append(m, &root) < 0)
		goto fail;
	m->e[root].kind = RP_MEDIA_DIR;
	m->e[root].src = rp_strdup("");
	m->e[root].pkg = rp_strdup(m->root);
	if (!m->e[root].src || !m->e[root].pkg)
		goto fail;
	if (walk(m, m->rootfd, root, 0) < 0)
		goto fail;
	if (m->nbad) {
		bad_error(m);
		goto fail;
	}
	*out = m;
	return 0;
fail:
	rp_buf_free(&abs);
	rp_media_free(m);
	return -1;
}

/* ---- reading one file ---- */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec &&
	       a->st_ctim.tv_sec == b->st_ctim.tv_sec && a->st_ctim.tv_nsec == b->st_ctim.tv_nsec;
}

/* Opens entry e beneath DIR, following no link. 0, BAD (r->why) or -1. */
static int reader_open(rp_media *m, const rp_media_entry *e, reader *r)
{
	const char *why = NULL;
	int err;

	r->fd = rp_open_beneath(m->rootfd, e->src, false, &why);
	r->got = 0;
	r->grown = false;
	r->len = r->pos = 0;
	r->why = NULL;
	if (r->fd < 0) {
		err = errno;
		if (err == ENOMEM)
			return rp_error_nomem();
		if (err == EACCES || err == EPERM)
			r->why = rp_strdup("cannot be read: permission denied");
		else if (err == ENOENT)
			r->why = rp_strdup("disappeared after the folder was read");
		else
			r->why = rp_sprintf("can no longer be read: %s (%s)", why ? why : "cannot be opened", strerror(err));
		return r->why ? BAD : -1;
	}
	if (fstat(r->fd, &r->before) < 0) {
		err = errno;
		close(r->fd);
		r->fd = -1;
		r->why = errno_why("cannot be examined", err);
		return r->why ? BAD : -1;
	}
	if (m->delay_ms)
		usleep(m->delay_ms * 1000u); /* test hook: time to send a signal */
	return 0;
}

/* Test hook (REVPACK_TEST_MEDIA_GROW=NAME): the file named NAME grows by
 * one byte after its first read, through a second descriptor, as a writer
 * on the server would make it. */
static void test_grow(const rp_media *m, const rp_media_entry *e, reader *r)
{
	const char *base = strrchr(e->src, '/');
	char proc[64];
	int fd;

	base = base ? base + 1 : e->src;
	if (r->grown || !m->grow_name || strcmp(base, m->grow_name) != 0)
		return;
	r->grown = true;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", r->fd);
	fd = open(proc, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (fd >= 0) {
		if (write(fd, "+", 1) != 1)
			fputs("revpack: REVPACK_TEST_MEDIA_GROW: write failed\n", stderr);
		close(fd);
	}
}

/* Up to n bytes, never past the size seen when opened; 0 at that size.
 * BAD_READ (r->why) when the file ends early or cannot be read; -1 fatal. */
static ssize_t reader_read(rp_media *m, const rp_media_entry *e, reader *r, void *buf, size_t n)
{
	uint64_t left = (uint64_t)r->before.st_size - r->got;
	ssize_t got;

	if (interrupted(m))
		return rp_error_set(RP_E_INTERRUPTED, "interrupted while reading media %s", m->name);
	if (left == 0)
		return 0;
	if (n > left)
		n = (size_t)left;
	got = rp_read_full(r->fd, buf, n);
	if (got < 0) {
		r->why = errno_why("cannot be read", errno);
		return r->why ? BAD_READ : -1;
	}
	if (got == 0) {
		r->why = rp_sprintf("changed while it was read: it ended after %llu of %llu bytes",
		                    (unsigned long long)r->got, (unsigned long long)r->before.st_size);
		return r->why ? BAD_READ : -1;
	}
	r->got += (uint64_t)got;
	test_grow(m, e, r);
	return got;
}

/* Every byte seen at open was read: the file must not have changed. */
static int reader_close(rp_media_entry *e, reader *r)
{
	struct stat after;
	char extra;
	ssize_t more;
	int rc = 0;

	more = read(r->fd, &extra, 1);
	if (more < 0 && (errno == EINTR || errno == EAGAIN))
		more = 0;
	if (fstat(r->fd, &after) < 0) {
		r->why = errno_why("cannot be examined", errno);
		rc = r->why ? BAD : -1;
	} else if (more != 0 || !same_file(&r->before, &after)) {
		r->why = rp_sprintf("changed while it was read (size %llu when opened, %llu after%s)",
		                    (unsigned long long)r->before.st_size, (unsigned long long)after.st_size,
		                    more > 0 ? ", it grew" : ", times or inode differ");
		rc = r->why ? BAD : -1;
	} else {
		e->bytes = r->got;
		e->mtime = (int64_t)r->before.st_mtime;
		e->dev = r->before.st_dev;
		e->ino = r->before.st_ino;
	}
	close(r->fd);
	r->fd = -1;
	return rc;
}

static void reader_abort(reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->why);
	r->why = NULL;
}

/* ---- the folder form: copies, several at once ---- */

typedef struct copier {
	rp_media *m;
	rp_package *pkg;
	size_t next;          /* guarded by m->mu */
	bool stop;
	rp_errkind err_kind;  /* the first fatal error */
	char *err_msg;
} copier;

/* Copies entry i. 0 (copied, or bad and handled) or -1 (fatal, rp_error). */
static int copy_one(copier *c, size_t i, unsigned char *buf, rp_buf *made)
{
	rp_media *m = c->m;
	rp_media_entry *e = &m->e[i];
	rp_sink *s = NULL;
	rp_file_info info;
	reader r;
	const char *slash = strrchr(e->pkg, '/');
	size_t dirlen = (size_t)(slash - e->pkg);
	ssize_t n;
	int rc;

	memset(&r, 0, sizeof r);
	/* Its folder, once per run of files in the same folder. */
	if (!made->data || made->len != dirlen || memcmp(made->data, e->pkg, dirlen) != 0) {
		rp_buf_clear(made);
		if (rp_buf_put(made, e->pkg, dirlen) < 0 || rp_mkdirs_at(rp_package_root_fd(c->pkg), made->data) < 0) {
			rp_buf_clear(made);
			return -1;
		}
	}
	rc = reader_open(m, e, &r);
	if (rc != 0)
		goto out;
	if (rp_package_open_bulk(c->pkg, e->pkg + strlen("data/"), &s) < 0) {
		rc = -1;
		goto out;
	}
	while ((n = reader_read(m, e, &r, buf, COPY_BUF)) > 0) {
		if (rp_sink_write(s, buf, (size_t)n) < 0) {
			rc = -1;
			goto out;
		}
		pthread_mutex_lock(&m->mu);
		m->bytes_done += (uint64_t)n;
		progress_locked(m, false);
		pthread_mutex_unlock(&m->mu);
	}
	if (n < 0) {
		rc = n == BAD_READ ? BAD : -1;
		goto out;
	}
	if ((rc = reader_close(e, &r)) != 0)
		goto out;
	rc = rp_package_commit_info(c->pkg, s, &info);
	s = NULL;
	if (rc < 0)
		goto out;
	memcpy(e->sha256, info.sha256, sizeof e->sha256);
	e->exported = true;
	pthread_mutex_lock(&m->mu);
	m->files_done++;
	progress_locked(m, false);
	pthread_mutex_unlock(&m->mu);
out:
	rp_sink_abort(s);
	if (rc == BAD) {
		char *why = r.why;
		r.why = NULL;
		rc = entry_bad(m, i, why);
	}
	reader_abort(&r);
	return rc;
}

static void *copy_main(void *arg)
{
	copier *c = arg;
	rp_media *m = c->m;
	unsigned char *buf = rp_malloc(COPY_BUF);
	rp_buf made = RP_BUF_INIT;
	int rc = buf ? 0 : -1;

	while (rc == 0) {
		size_t i;
		pthread_mutex_lock(&m->mu);
		while (c->next < m->n && (m->e[c->next].kind != RP_MEDIA_FILE || m->e[c->next].skipped))
			c->next++;
		i = c->next++;
		if (c->stop || i >= m->n) {
			pthread_mutex_unlock(&m->mu);
			break;
		}
		pthread_mutex_unlock(&m->mu);
		rc = copy_one(c, i, buf, &made);
	}
	if (rc < 0) {
		pthread_mutex_lock(&m->mu);
		if (!c->stop) {
			c->err_kind = rp_error_kind();
			c->err_msg = rp_strdup(rp_error_message());
		}
		c->stop = true;
		pthread_mutex_unlock(&m->mu);
	}
	rp_buf_free(&made);
	free(buf);
	return NULL;
}

/* Folders left without a file (their files were left out while copying)
 * are removed: a bag holds no empty folder. */
static void remove_empty_folders(rp_media *m, rp_package *pkg)
{
	for (size_t i = m->n; i-- > 0;)
		if (m->e[i].kind == RP_MEDIA_DIR && !m->e[i].has_files)
			unlinkat(rp_package_root_fd(pkg), m->e[i].pkg, AT_REMOVEDIR);
	unlinkat(rp_package_root_fd(pkg), "data/media", AT_REMOVEDIR); /* fails unless empty */
}

static int copy_files(rp_media *m, rp_package *pkg)
{
	size_t nthreads = m->opts.threads ? m->opts.threads : 2, started = 0;
	pthread_t th[16];
	copier c;
	int rc = -1;

	if (nthreads > sizeof th / sizeof th[0])
		nthreads = sizeof th / sizeof th[0];
	if (nthreads > m->files_total)
		nthreads = m->files_total ? (size_t)m->files_total : 1;
	memset(&c, 0, sizeof c);
	c.m = m;
	c.pkg = pkg;
	for (size_t t = 1; t < nthreads; t++) {
		int e = pthread_create(&th[t], NULL, copy_main, &c);
		if (e) {
			rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a thread");
			pthread_mutex_lock(&m->mu);
			c.stop = true;
			pthread_mutex_unlock(&m->mu);
			break;
		}
		started = t;
	}
	copy_main(&c);
	for (size_t t = 1; t <= started; t++)
		pthread_join(th[t], NULL);
	if (c.err_msg) {
		rp_error_set(c.err_kind, "%s", c.err_msg);
		goto out;
	}
	if (c.stop)
		goto out; /* rp_error set: the thread could not start */
	if (m->nbad) {
		bad_error(m);
		goto out;
	}
	if (rp_media_settle(m) < 0)
		goto out;
	remove_empty_folders(m, pkg);
	pthread_mutex_lock(&m->mu);
	progress_locked(m, true);
	pthread_mutex_unlock(&m->mu);
	rc = 0;
out:
	free(c.err_msg);
	return rc;
}

/* ---- the zip form: one stream per file ---- */

/* A stream's entry could not be read: left out (RP_ZIP_SKIP) or an error. */
static int stream_bad(rp_media *m, size_t i)
{
	char *why = m->zr.why, *path;
	int rc;

	m->zr.why = NULL;
	reader_abort(&m->zr);
	if (m->opts.skip_unreadable) {
		if (entry_bad(m, i, why) < 0)
			return -1;
		return RP_ZIP_SKIP;
	}
	path = shown(m, m->e[i].src);
	rc = rp_error_set(RP_E_IO, "media %s: %s: %s", m->name, path ? path : m->e[i].src,
	                  why ? why : "cannot be read");
	free(path);
	free(why);
	return rc;
}

static int ms_open(void *ctx, uint64_t *bytes, time_t *mtime)
{
	mstream *s = ctx;
	rp_media *m = s->m;
	int rc;

	m->e[s->i].exported = false;
	if (!m->zr.buf && !(m->zr.buf = rp_malloc(STREAM_BUF)))
		return -1;
	rc = reader_open(m, &m->e[s->i], &m->zr);
	if (rc == BAD)
		return stream_bad(m, s->i);
	if (rc < 0)
		return -1;
	*bytes = (uint64_t)m->zr.before.st_size;
	*mtime = m->zr.before.st_mtime;
	return 0;
}

static ssize_t ms_read(void *ctx, void *buf, size_t n)
{
	mstream *s = ctx;
	rp_media *m = s->m;
	reader *r = &m->zr;
	ssize_t got;

	if (r->pos == r->len) {
		got = reader_read(m, &m->e[s->i], r, r->buf, STREAM_BUF);
		if (got == BAD_READ)
			return stream_bad(m, s->i);
		if (got <= 0)
			return got;
		r->len = (size_t)got;
		r->pos = 0;
		m->bytes_done += (uint64_t)got;
		progress_locked(m, false);
	}
	if (n > r->len - r->pos)
		n = r->len - r->pos;
	memcpy(buf, r->buf + r->pos, n);
	r->pos += n;
	return (ssize_t)n;
}

static int ms_close(void *ctx, const rp_file_info *info)
{
	mstream *s = ctx;
	rp_media *m = s->m;
	rp_media_entry *e = &m->e[s->i];
	int rc = reader_close(e, &m->zr);

	if (rc == BAD)
		return stream_bad(m, s->i);
	if (rc < 0)
		return -1;
	memcpy(e->sha256, info->sha256, sizeof e->sha256);
	e->exported = true;
	m->files_done++;
	progress_locked(m, false);
	return 0;
}

static void ms_abort(void *ctx)
{
	mstream *s = ctx;
	reader_abort(&s->m->zr);
}

static const rp_zip_stream_ops media_stream_ops = { ms_open, ms_read, ms_close, ms_abort };

static int add_streams(rp_media *m, rp_package *pkg)
{
	size_t k = 0;

	if (!(m->streams = rp_calloc(m->files_total ? (size_t)m->files_total : 1, sizeof *m->streams)))
		return -1;
	for (size_t i = 0; i < m->n; i++) {
		if (m->e[i].kind != RP_MEDIA_FILE || m->e[i].skipped)
			continue;
		m->streams[k].m = m;
		m->streams[k].i = i;
		if (rp_package_add_stream(pkg, m->e[i].pkg + strlen("data/"), &media_stream_ops, &m->streams[k]) < 0)
			return -1;
		k++;
	}
	return 0;
}

int rp_media_export(rp_media *m, rp_package *pkg)
{
	if (rp_package_is_zip(pkg))
		return add_streams(m, pkg);
	return copy_files(m, pkg);
}

/* ---- results ---- */

typedef struct inode_ref {
	dev_t dev;
	ino_t ino;
	size_t i;
} inode_ref;

static int cmp_inode(const void *a, const void *b)
{
	const inode_ref *x = a, *y = b;

	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

int rp_media_settle(rp_media *m)
{
	size_t stack[MAX_DEPTH + 2], depth = 0, nref = 0;
	inode_ref *ref = NULL;

	m->files = m->bytes = m->skipped = 0;
	for (size_t i = 0; i < m->n; i++) {
		rp_media_entry *e = &m->e[i];
		while (depth && m->e[stack[depth - 1]].end <= i)
			depth--;
		if (e->skipped)
			m->skipped++;
		if (e->kind == RP_MEDIA_DIR) {
			e->has_files = false;
			if (depth < sizeof stack / sizeof stack[0])
				stack[depth++] = i;
			continue;
		}
		e->same_as = SIZE_MAX;
		if (e->kind != RP_MEDIA_FILE || !e->exported)
			continue;
		m->files++;
		m->bytes += e->bytes;
		for (size_t d = depth; d-- > 0 && !m->e[stack[d]].has_files;)
			m->e[stack[d]].has_files = true;
	}
	/* Paths of one inode: each names the first exported path. */
	if (!(ref = rp_malloc((m->files ? (size_t)m->files : 1) * sizeof *ref)))
		return -1;
	for (size_t i = 0; i < m->n; i++)
		if (m->e[i].kind == RP_MEDIA_FILE && m->e[i].exported)
			ref[nref++] = (inode_ref){ m->e[i].dev, m->e[i].ino, i };
	qsort(ref, nref, sizeof *ref, cmp_inode);
	for (size_t k = 1; k < nref; k++)
		if (ref[k].dev == ref[k - 1].dev && ref[k].ino == ref[k - 1].ino)
			m->e[ref[k].i].same_as = m->e[ref[k - 1].i].same_as != SIZE_MAX ? m->e[ref[k - 1].i].same_as
			                                                                    : ref[k - 1].i;
	free(ref);
	return 0;
}

const char *rp_media_name(const rp_media *m)
{
	return m->name;
}

const char *rp_media_dir(const rp_media *m)
{
	return m->dir;
}

const char *rp_media_root(const rp_media *m)
{
	return m->root;
}

const rp_media_entry *rp_media_entries(const rp_media *m, size_t *n)
{
	*n = m->n;
	return m->e;
}

void rp_media_totals(const rp_media *m, uint64_t *files, uint64_t *bytes, uint64_t *skipped)
{
	*files = m->files;
	*bytes = m->bytes;
	*skipped = m->skipped;
}

void rp_media_free(rp_media *m)
{
	if (!m)
		return;
	if (m->rootfd >= 0)
		close(m->rootfd);
	reader_abort(&m->zr);
	free(m->zr.buf);
	for (size_t i = 0; i < m->n; i++) {
		free(m->e[i].src);
		free(m->e[i].pkg);
		free(m->e[i].skipped);
		free(m->e[i].target);
	}
	free(m->e);
	free(m->streams);
	rp_buf_free(&m->bad);
	pthread_mutex_destroy(&m->mu);
	free(m->name);
	free(m->dir);
	free(m->root);
	free(m->root_real);
	free(m->root_abs);
	free(m);
}
