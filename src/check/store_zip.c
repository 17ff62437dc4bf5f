/*
 * A package ZIP as a verify store (store.h, formats/bag.md "The ZIP form").
 *
 * Nothing is extracted and nothing is written: the archive is read through
 * one descriptor with pread(). First zipscan.c checks the structure and
 * names every entry it refuses; then the top folder is checked; then
 * libzip opens the archive (ZIP_RDONLY | ZIP_CHECKCONS) through a source
 * over the same descriptor (ziprange.h) and reads the entries the checks
 * ask for, never a refused one. Each read asks libzip for at most one byte
 * more than the entry's declared size is left, so an entry that inflates
 * to more than it declares is stopped at its declared size + 1 (no ZIP
 * bomb runs on); libzip checks the CRC-32 at the end of every entry.
 *
 * When NAME.zip.sha256 is beside the archive, a second thread hashes the
 * whole archive (pread, 1 MiB at a time) while the checks run; finish()
 * compares the two.
 */
#include "check/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "revpack/buf.h"
#include "revpack/error.h"
#include "revpack/fsutil.h"
#include "revpack/hash.h"
#include "revpack/zipscan.h"
#include "revpack/ziprange.h"

#define HASH_BUF ((size_t)1 << 20)
#define SIDECAR_MAX 4096        /* one line of 64 hex digits, two spaces and a name */
#define TOP_CANDIDATES 16       /* first components counted when none is the archive's name */

typedef struct zip_store {
	rp_store base;
	int fd;
	uint64_t size;
	char *zipname;               /* the archive's file name, for messages */
	char *top;                   /* the top folder, without '/' */
	size_t toplen;
	rp_zipscan zs;
	zip_t *za;
	zip_t **slot_za;             /* per slot (slots()), [0] being za */
	size_t nslots;
	uint8_t *damaged;            /* per entry: reported damaged, never read again */
	size_t *slot;                /* package path -> entry index + 1 */
	size_t mask;
	char **dirs;                 /* folders, explicit or implied by a path */
	size_t ndirs, capdirs;
	size_t *dslot;               /* folder path -> index in dirs + 1 */
	size_t dmask;
	rp_buf shown;
	/* the archive's SHA-256, against its sidecar */
	char *sidecar;               /* path of NAME.zip.sha256 */
	bool want_hash;              /* the sidecar gives a digest to compare with */
	uint8_t expected[RP_SHA256_LEN];
	pthread_t thread;
	bool thread_started, thread_joined;
	atomic_bool stop;
	int hash_errno;              /* set by the thread: errno, or -1 no memory */
	uint8_t digest[RP_SHA256_LEN];
} zip_store;

typedef struct zfile {
	zip_store *z;
	zip_file_t *zf;
	size_t idx;
	uint64_t size, done;
} zfile;

/* ---- reports ---- */

/* name: an entry's shown name, or NULL for the archive itself. */
static void report(zip_store *z, bool problem, const char *name, const char *fmt, ...) RP_PRINTF(4, 5);

static void report(zip_store *z, bool problem, const char *name, const char *fmt, ...)
{
	char msg[2048];
	rp_buf who = RP_BUF_INIT;
	va_list ap;
	void (*fn)(void *, const char *, const char *) = problem ? z->base.report.problem : z->base.report.note;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (name ? rp_buf_printf(&who, "%s:%s", z->zipname, name) : rp_buf_puts(&who, z->zipname))
		rp_error_clear(); /* no memory for the name: say it anyway */
	if (fn)
		fn(z->base.report.ctx, who.data ? who.data : z->zipname, msg);
	rp_buf_free(&who);
}

static void scan_report(void *ctx, bool problem, const char *entry, const char *message)
{
	report(ctx, problem, entry, "%s", message);
}

/* ---- path index ---- */

static size_t hash_str(const char *s, size_t n)
{
	uint64_t h = UINT64_C(1469598103934665603);

	for (size_t i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= UINT64_C(1099511628211);
	}
	return (size_t)h;
}

/* The package path of entry e ("" for the top folder itself), length *n
 * (a folder's trailing '/' left out); NULL when e is outside the top. */
static const char *package_path(const zip_store *z, const rp_zipscan_entry *e, size_t *n)
{
	size_t len = e->name_len - (e->is_dir ? 1 : 0);

	if (len < z->toplen || memcmp(e->name, z->top, z->toplen) != 0)
		return NULL;
	if (len == z->toplen) {
		*n = 0;
		return e->is_dir ? "" : NULL; /* a file named like the top folder */
	}
	if (e->name[z->toplen] != '/')
		return NULL;
	*n = len - z->toplen - 1;
	return e->name + z->toplen + 1;
}

/* The entry index of path (a file or an explicit folder), or SIZE_MAX. */
static size_t find_entry(const zip_store *z, const char *path)
{
	size_t n = strlen(path);

	for (size_t i = hash_str(path, n) & z->mask; z->slot[i]; i = (i + 1) & z->mask) {
		const rp_zipscan_entry *e = &z->zs.e[z->slot[i] - 1];
		size_t len;
		const char *p = package_path(z, e, &len);
		if (p && len == n && !memcmp(p, path, n))
			return z->slot[i] - 1;
	}
	return SIZE_MAX;
}

static bool is_folder(const zip_store *z, const char *path, size_t n)
{
	for (size_t i = hash_str(path, n) & z->dmask; z->dslot[i]; i = (i + 1) & z->dmask) {
		const char *d = z->dirs[z->dslot[i] - 1];
		if (strlen(d) == n && !memcmp(d, path, n))
			return true;
	}
	return false;
}

static int add_folder(zip_store *z, const char *path, size_t n)
{
	size_t i;

	if (n == 0 || is_folder(z, path, n))
		return 0;
	if (z->ndirs == z->capdirs) {
		size_t cap = z->capdirs ? z->capdirs * 2 : 64;
		char **d = rp_realloc(z->dirs, cap * sizeof *d);
		if (!d)
			return -1;
		z->dirs = d;
		z->capdirs = cap;
	}
	if (!(z->dirs[z->ndirs] = rp_strndup(path, n)))
		return -1;
	z->ndirs++;
	for (i = hash_str(path, n) & z->dmask; z->dslot[i]; i = (i + 1) & z->dmask)
		;
	z->dslot[i] = z->ndirs;
	return 0;
}

static size_t table_size(size_t n)
{
	size_t cap = 16;

	while (cap < n * 2 && cap <= SIZE_MAX / 4)
		cap *= 2;
	return cap;
}

/* Indexes every entry inside the top folder, and every folder, explicit
 * or implied by the path of an entry that is not refused. */
static int build_index(zip_store *z)
{
	size_t cap = table_size(z->zs.n), folders = 0;

	for (size_t i = 0; i < z->zs.n; i++)
		for (size_t k = 0; k < z->zs.e[i].name_len; k++)
			folders += z->zs.e[i].name[k] == '/';
	z->slot = rp_calloc(cap, sizeof *z->slot);
	z->mask = cap - 1;
	cap = table_size(folders + 1);
	z->dslot = rp_calloc(cap, sizeof *z->dslot);
	z->dmask = cap - 1;
	if (!z->slot || !z->dslot)
		return -1;
	for (size_t i = 0; i < z->zs.n; i++) {
		const rp_zipscan_entry *e = &z->zs.e[i];
		size_t n, h;
		const char *p = package_path(z, e, &n);

		if (!p || n == 0)
			continue;
		for (h = hash_str(p, n) & z->mask; z->slot[h]; h = (h + 1) & z->mask)
			;
		z->slot[h] = i + 1; /* refused ones too: opening one says nothing more */
		if (e->refused)
			continue;
		for (size_t k = 0; k < n; k++)
			if (p[k] == '/' && add_folder(z, p, k) < 0)
				return -1;
		if (e->is_dir && add_folder(z, p, n) < 0)
			return -1;
	}
	return 0;
}

/* ---- the top folder ---- */

/* The top folder is the one named like the archive when an entry is under
 * it; otherwise the first component most entries share (a renamed
 * archive: a note). Every entry outside it is refused. 1 ok, 0 reported
 * (no top folder at all), -1 error. */
static int check_top(zip_store *z, const char *stem)
{
	size_t best = SIZE_MAX, best_count = 0, stemlen = strlen(stem);
	bool stem_seen = false;

	for (size_t i = 0; i < z->zs.n && !stem_seen; i++) {
		const rp_zipscan_entry *e = &z->zs.e[i];
		stem_seen = e->name_len > stemlen && e->name[stemlen] == '/' && !memcmp(e->name, stem, stemlen);
	}
	if (stem_seen) {
		z->top = rp_strdup(stem);
	} else {
		/* Candidates: the first components of the first entries (bounded:
		 * counting is linear in the entries for each). */
		for (size_t i = 0, tried = 0; i < z->zs.n && tried < TOP_CANDIDATES; i++) {
			const char *slash = memchr(z->zs.e[i].name, '/', z->zs.e[i].name_len);
			size_t len = slash ? (size_t)(slash - z->zs.e[i].name) : 0, count = 0;
			if (!slash || len == 0)
				continue;
			tried++;
			for (size_t k = 0; k < z->zs.n; k++)
				count += z->zs.e[k].name_len > len && z->zs.e[k].name[len] == '/' &&
				         !memcmp(z->zs.e[k].name, z->zs.e[i].name, len);
			if (count > best_count) {
				best = i;
				best_count = count;
			}
			if (best_count * 2 > z->zs.n)
				break; /* a majority: no other can have more */
		}
		if (best == SIZE_MAX) {
			report(z, true, NULL, "holds no top folder: a package ZIP holds its bag under one folder "
			       "named like the archive (%s/)", stem);
			return 0;
		}
		z->top = rp_strndup(z->zs.e[best].name,
		                    (size_t)((const char *)memchr(z->zs.e[best].name, '/', z->zs.e[best].name_len) -
		                             z->zs.e[best].name));
	}
	if (!z->top)
		return -1;
	z->toplen = strlen(z->top);
	if (!stem_seen) {
		char *shown = NULL;
		for (size_t i = 0; i < z->zs.n && !shown; i++)
			if (z->zs.e[i].name_len > z->toplen && !memcmp(z->zs.e[i].name, z->top, z->toplen))
				shown = z->zs.e[i].shown;
		report(z, false, NULL, "its top folder is \"%.*s/\", not \"%s/\" as the archive's name says: "
		       "accepted (an archive may be renamed after export)", (int)z->toplen,
		       shown ? shown : z->top, stem);
	}
	for (size_t i = 0; i < z->zs.n; i++) {
		rp_zipscan_entry *e = &z->zs.e[i];
		size_t n;
		if (!package_path(z, e, &n)) {
			report(z, true, e->shown, "lies outside the top folder \"%s/\"", z->top);
			e->refused = true;
		}
	}
	return 1;
}

/* ---- the sidecar and the archive's SHA-256 ---- */

static void *hash_archive(void *arg)
{
	zip_store *z = arg;
	uint8_t *buf = malloc(HASH_BUF);
	rp_sha256 h = { NULL };
	uint64_t off = 0;

	if (!buf || rp_sha256_init(&h) < 0) {
		z->hash_errno = -1;
		goto out;
	}
	while (off < z->size && !atomic_load(&z->stop)) {
		size_t want = z->size - off < HASH_BUF ? (size_t)(z->size - off) : HASH_BUF;
		ssize_t r = pread(z->fd, buf, want, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			z->hash_errno = r < 0 ? errno : EIO; /* shorter than its size: changed while read */
			goto out;
		}
		if (rp_sha256_update(&h, buf, (size_t)r) < 0) {
			z->hash_errno = -1;
			goto out;
		}
		off += (uint64_t)r;
	}
	if (!atomic_load(&z->stop) && rp_sha256_final(&h, z->digest) < 0)
		z->hash_errno = -1;
out:
	if (h.ctx)
		rp_sha256_free(&h);
	free(buf);
	return NULL;
}

/* Reads NAME.zip.sha256 beside the archive: one line "<64 lower-case hex>
 * <two spaces>NAME.zip\n", as sha256sum writes it. Absent: a note.
 * Returns 0, or -1 on error. */
static int read_sidecar(zip_store *z, const char *path)
{
	char buf[SIDECAR_MAX + 1], *name = NULL;
	const char *base = strrchr(path, '/');
	struct stat st;
	ssize_t n;
	size_t i, len;
	int fd = -1, error = -1;

	base = base ? base + 1 : path;
	if (!(z->sidecar = rp_sprintf("%s.sha256", path)) || !(name = rp_sprintf("%s.sha256", base)))
		goto out;
	fd = open(z->sidecar, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			z->base.report.note(z->base.report.ctx, name, "absent: the archive's own SHA-256 was not "
			                    "compared with anything (the bag inside was verified in full)");
		else if (errno == ELOOP)
			z->base.report.problem(z->base.report.ctx, name, "is a symbolic link; it was not followed");
		else {
			rp_error_set_errno(RP_E_IO, errno, "cannot open %s", z->sidecar);
			goto out;
		}
		error = 0;
		goto out;
	}
	if (fstat(fd, &st) < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot examine %s", z->sidecar);
		goto out;
	}
	error = 0;
	if (!S_ISREG(st.st_mode)) {
		z->base.report.problem(z->base.report.ctx, name, "is not a regular file; it was not read");
		goto out;
	}
	n = rp_read_full(fd, buf, sizeof buf - 1);
	if (n < 0) {
		rp_error_set_errno(RP_E_IO, errno, "cannot read %s", z->sidecar);
		error = -1;
		goto out;
	}
	buf[n] = '\0';
	len = (size_t)n;
	for (i = 0; i < RP_SHA256_HEXLEN && i < len && ((buf[i] >= '0' && buf[i] <= '9') || (buf[i] >= 'a' && buf[i] <= 'f')); i++)
		;
	if (i != RP_SHA256_HEXLEN || len < i + 4 || buf[i] != ' ' || buf[i + 1] != ' ' || buf[len - 1] != '\n' ||
	    memchr(buf + i + 2, '\n', len - i - 3) || memchr(buf, '\0', len) ||
	    rp_sha256_from_hex(z->expected, buf, RP_SHA256_HEXLEN) < 0) {
		z->base.report.problem(z->base.report.ctx, name, "is not one line \"<SHA-256 in 64 lower-case "
		                       "hex digits>  <archive name>\" as sha256sum writes it; not used");
		goto out;
	}
	buf[len - 1] = '\0';
	if (strcmp(buf + i + 2, base) != 0) {
		char msg[600];
		snprintf(msg, sizeof msg, "names \"%.*s\", not %s: sha256sum -c would look for that file; "
		         "its digest is compared with this archive all the same", 256, buf + i + 2, base);
		z->base.report.note(z->base.report.ctx, name, msg);
	}
	z->want_hash = true;
out:
	if (fd >= 0)
		close(fd);
	free(name);
	return error;
}

static int start_hash(zip_store *z)
{
	int e;

	if (!z->want_hash)
		return 0;
	e = pthread_create(&z->thread, NULL, hash_archive, z);
	if (e)
		return rp_error_set_errno(RP_E_INTERNAL, e, "cannot start a thread");
	z->thread_started = true;
	return 0;
}

static void join_hash(zip_store *z)
{
	if (z->thread_started && !z->thread_joined) {
		pthread_join(z->thread, NULL);
		z->thread_joined = true;
	}
}

/* ---- libzip ---- */

/* An error libzip gives while reading: -1 with rp_error set when the
 * archive could not be read (I/O, memory); 0 when its data is wrong (the
 * caller reports *why). */
static int zip_failure(zip_store *z, zip_error_t *ze, const char **why)
{
	int code = zip_error_code_zip(ze);

	*why = zip_error_strerror(ze);
	if (code == ZIP_ER_MEMORY)
		return rp_error_nomem();
	if ((code == ZIP_ER_READ || code == ZIP_ER_SEEK || code == ZIP_ER_TELL) &&
	    zip_error_system_type(ze) == ZIP_ET_SYS)
		return rp_error_set_errno(RP_E_IO, zip_error_code_system(ze), "cannot read %s", z->zipname);
	return 0;
}

static int open_libzip(zip_store *z)
{
	zip_source_t *src = NULL;
	zip_error_t ze;
	const char *why;
	int rc = -1;

	zip_error_init(&ze);
	if (rp_zip_source_range(&src, z->fd, false, 0, z->size) < 0)
		goto out;
	z->za = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &ze);
	if (!z->za) {
		zip_source_free(src);
		if (zip_failure(z, &ze, &why) < 0)
			goto out;
		report(z, true, NULL, "libzip refuses to read it (%s): its content was not checked", why);
		rc = 0;
		goto out;
	}
	/* Both readers must see the same central directory. */
	if ((uint64_t)zip_get_num_entries(z->za, 0) != z->zs.n) {
		report(z, true, NULL, "libzip reads %" PRId64 " entries, its central directory holds %zu: "
		       "its content was not checked", (int64_t)zip_get_num_entries(z->za, 0), z->zs.n);
		rc = 0;
		goto out;
	}
	for (size_t i = 0; i < z->zs.n; i++) {
		const char *name = zip_get_name(z->za, i, ZIP_FL_ENC_RAW);
		if (z->zs.e[i].refused)
			continue;
		if (!name || strcmp(name, z->zs.e[i].name) != 0) {
			report(z, true, z->zs.e[i].shown, "libzip reads another name for this entry: the content "
			       "was not checked");
			rc = 0;
			goto out;
		}
	}
	rc = 1;
out:
	zip_error_fini(&ze);
	return rc;
}

/* ---- store operations ---- */

/* More libzip handles on the archive, one per reading thread: each has its
 * own source over the shared descriptor (pread: no shared position). */
static int zs_slots(rp_store *s, size_t n)
{
	zip_store *z = (zip_store *)s;
	zip_t **za;
	zip_error_t ze;
	const char *why;

	if (n <= z->nslots)
		return 0;
	if (!(za = rp_realloc(z->slot_za, n * sizeof *za)))
		return -1;
	z->slot_za = za;
	if (z->nslots == 0)
		z->slot_za[z->nslots++] = z->za;
	while (z->nslots < n) {
		zip_source_t *src = NULL;
		zip_error_init(&ze);
		if (rp_zip_source_range(&src, z->fd, false, 0, z->size) < 0)
			return -1;
		za[z->nslots] = zip_open_from_source(src, ZIP_RDONLY, &ze);
		if (!za[z->nslots]) {
			zip_source_free(src);
			if (zip_failure(z, &ze, &why) == 0)
				rp_error_set(RP_E_IO, "%s: libzip cannot open it a second time (%s)", z->zipname, why);
			zip_error_fini(&ze);
			return -1;
		}
		zip_error_fini(&ze);
		z->nslots++;
	}
	return 0;
}

static int zs_open(rp_store *s, size_t slot, const char *path, rp_store_file **out, const char **why)
{
	zip_store *z = (zip_store *)s;
	zip_t *za = slot ? z->slot_za[slot] : z->za;
	size_t idx = find_entry(z, path);
	const rp_zipscan_entry *e;
	zfile *f;
	const char *reason;

	*out = NULL;
	*why = NULL;
	if (idx == SIZE_MAX) {
		*why = is_folder(z, path, strlen(path)) ? "is a folder" : "does not exist";
		return 0;
	}
	e = &z->zs.e[idx];
	if (e->is_dir) {
		*why = "is a folder";
		return 0;
	}
	if (e->refused || z->damaged[idx])
		return 0; /* reported */
	f = rp_calloc(1, sizeof *f);
	if (!f)
		return -1;
	f->z = z;
	f->idx = idx;
	f->size = e->size;
	f->zf = zip_fopen_index(za, idx, 0);
	if (!f->zf) {
		free(f);
		if (zip_failure(z, zip_get_error(za), &reason) < 0)
			return -1;
		report(z, true, e->shown, "cannot be read: %s", reason);
		z->damaged[idx] = 1;
		return 0;
	}
	*out = (rp_store_file *)f;
	return 1;
}

static int64_t zs_read(rp_store_file *sf, void *buf, size_t n)
{
	zfile *f = (zfile *)sf;
	zip_store *z = f->z;
	const rp_zipscan_entry *e = &z->zs.e[f->idx];
	uint64_t left = f->size - f->done;
	zip_uint64_t want = n;
	zip_int64_t r;
	const char *why;

	if (z->damaged[f->idx])
		return -2;
	if (left < want)
		want = left + 1; /* one byte more shows an entry longer than it says */
	r = zip_fread(f->zf, buf, want);
	if (r < 0) {
		zip_error_t *ze = zip_file_get_error(f->zf);
		int code = zip_error_code_zip(ze);
		if (zip_failure(z, ze, &why) < 0)
			return -1;
		if (code == ZIP_ER_CRC)
			report(z, true, e->shown, "its CRC-32 does not match its data: the entry is damaged");
		else if (code == ZIP_ER_ZLIB || code == ZIP_ER_COMPRESSED_DATA)
			report(z, true, e->shown, "its compressed data is damaged (%s)", why);
		else
			report(z, true, e->shown, "cannot be read: %s", why);
		z->damaged[f->idx] = 1;
		return -2;
	}
	f->done += (uint64_t)r;
	if (f->done > f->size) {
		report(z, true, e->shown, "holds more than the %" PRIu64 " bytes its headers declare: reading "
		       "stopped at byte %" PRIu64, f->size, f->done);
		z->damaged[f->idx] = 1;
		return -2;
	}
	if (r == 0 && f->done < f->size) {
		report(z, true, e->shown, "holds %" PRIu64 " bytes, its headers declare %" PRIu64, f->done, f->size);
		z->damaged[f->idx] = 1;
		return -2;
	}
	return r;
}

static void zs_close(rp_store_file *sf)
{
	zfile *f = (zfile *)sf;

	if (!f)
		return;
	zip_fclose(f->zf);
	free(f);
}

static int zs_list(rp_store *s, rp_store_list_fn fn, void *ctx)
{
	zip_store *z = (zip_store *)s;
	rp_store_item it;

	for (size_t i = 0; i < z->ndirs; i++) {
		memset(&it, 0, sizeof it);
		it.path = z->dirs[i];
		it.kind = RP_STORE_DIR;
		if (fn(ctx, &it) < 0)
			return -1;
	}
	for (size_t i = 0; i < z->zs.n; i++) {
		const rp_zipscan_entry *e = &z->zs.e[i];
		char *path;
		size_t n;
		int rc;
		const char *p = package_path(z, e, &n);

		if (!p || e->refused || e->is_dir || n == 0)
			continue;
		if (!(path = rp_strndup(p, n)))
			return -1;
		memset(&it, 0, sizeof it);
		it.path = path;
		it.kind = RP_STORE_FILE;
		it.size = e->size;
		rc = fn(ctx, &it);
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static int zs_siard(rp_store *s, const char *path, zip_source_t **src, const char **why)
{
	zip_store *z = (zip_store *)s;
	size_t idx = find_entry(z, path);
	const rp_zipscan_entry *e;

	*src = NULL;
	*why = NULL;
	if (idx == SIZE_MAX || z->zs.e[idx].is_dir) {
		*why = idx == SIZE_MAX ? "does not exist" : "is a folder";
		return 0;
	}
	e = &z->zs.e[idx];
	if (e->refused || z->damaged[idx])
		return 0; /* reported */
	if (e->method != 0) {
		report(z, false, e->shown, "is compressed (method %u): the SIARD content check reads a .siard "
		       "in place and needs it stored, as revpack writes it; its SHA-256 and CRC-32 were checked, "
		       "its content was not", (unsigned)e->method);
		return 0;
	}
	if (rp_zip_source_range(src, z->fd, false, e->data_offset, e->comp_size) < 0)
		return -1;
	return 1;
}

static const char *zs_shown(rp_store *s, const char *path)
{
	zip_store *z = (zip_store *)s;

	rp_buf_clear(&z->shown);
	if (*path ? rp_buf_printf(&z->shown, "%s:%s/%s", z->zipname, z->top, path)
	          : rp_buf_puts(&z->shown, z->zipname)) {
		rp_error_clear();
		return path;
	}
	return z->shown.data;
}

static int zs_finish(rp_store *s, rp_verify_result *res)
{
	zip_store *z = (zip_store *)s;
	char found[RP_SHA256_HEXLEN + 1], expected[RP_SHA256_HEXLEN + 1];

	res->zip = true;
	if (!z->thread_started)
		return 0;
	join_hash(z);
	if (z->hash_errno == -1)
		return rp_error_set(RP_E_NOMEM, "cannot hash %s: out of memory", z->zipname);
	if (z->hash_errno)
		return rp_error_set_errno(RP_E_IO, z->hash_errno, "cannot read %s", z->zipname);
	rp_sha256_hex(z->digest, found);
	rp_sha256_hex(z->expected, expected);
	memcpy(res->archive_sha256, found, sizeof found);
	res->sidecar_match = !memcmp(z->digest, z->expected, RP_SHA256_LEN);
	if (!res->sidecar_match) {
		const char *base = strrchr(z->sidecar, '/');
		char msg[400];
		snprintf(msg, sizeof msg, "says SHA-256 %s, the archive's is %s: the archive is not the one "
		         "its sidecar describes (damaged or replaced in transfer)", expected, found);
		z->base.report.problem(z->base.report.ctx, base ? base + 1 : z->sidecar, msg);
	}
	return 0;
}

static void zs_free(rp_store *s)
{
	zip_store *z = (zip_store *)s;

	if (!z)
		return;
	atomic_store(&z->stop, true);
	join_hash(z);
	for (size_t i = 1; i < z->nslots; i++)
		zip_discard(z->slot_za[i]);
	free(z->slot_za);
	if (z->za)
		zip_discard(z->za);
	rp_zipscan_free(&z->zs);
	for (size_t i = 0; i < z->ndirs; i++)
		free(z->dirs[i]);
	free(z->dirs);
	free(z->dslot);
	free(z->slot);
	free(z->damaged);
	free(z->zipname);
	free(z->top);
	free(z->sidecar);
	rp_buf_free(&z->shown);
	close(z->fd);
	free(z);
}

static const rp_store_ops zip_ops = {
	zs_open, zs_slots, zs_read, zs_close, zs_list, zs_siard, zs_shown, zs_finish, zs_free,
};

int rp_store_zip_new(rp_store **out, int fd, const char *path, uint64_t size, const rp_store_report *rep)
{
	zip_store *z = rp_calloc(1, sizeof *z);
	const char *base = strrchr(path, '/');
	char *stem = NULL;
	size_t blen;
	int rc = -1;

	*out = NULL;
	if (!z) {
		close(fd);
		return -1;
	}
	z->base.ops = &zip_ops;
	z->base.report = *rep;
	z->fd = fd;
	z->size = size;
	atomic_init(&z->stop, false);
	base = base ? base + 1 : path;
	blen = strlen(base);
	if (!(z->zipname = rp_strdup(base)))
		goto out;
	stem = rp_strndup(base, blen > 4 && !strcasecmp(base + blen - 4, ".zip") ? blen - 4 : blen);
	if (!stem)
		goto out;
	if (read_sidecar(z, path) < 0 || start_hash(z) < 0)
		goto out;
	if (rp_zipscan_read(&z->zs, size, rp_zipscan_pread, &z->fd, scan_report, z) < 0)
		goto out;
	rc = 0;
	if (z->zs.unusable)
		goto out;
	rc = check_top(z, stem);
	if (rc <= 0)
		goto out;
	rc = -1;
	if (!(z->damaged = rp_calloc(z->zs.n + 1, 1)) || build_index(z) < 0)
		goto out;
	rc = open_libzip(z);
out:
	free(stem);
	if (rc < 0) {
		zs_free(&z->base);
		return -1;
	}
	/* rc 0: the content cannot be read; finish() still compares the
	 * archive with its sidecar (damaged in transfer?). */
	z->base.unreadable = rc == 0;
	*out = &z->base;
	return 0;
}
