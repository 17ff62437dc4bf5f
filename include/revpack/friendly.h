/*
 * The friendly CSV files of a WordPress site (formats/friendly-csv.md):
 * a reading copy of the site's content for a person with a spreadsheet,
 * beside the WXR in data/content/wordpress/<site>/:
 *
 *   posts.csv            posts and pages
 *   comments.csv         the comments of every exported item
 *   users.csv            every user of the site (never a password hash)
 *   media.csv            the media library, with each file's place in the
 *                        package, size and SHA-256 (written last)
 *   type-<name>.csv      one per other post type that has items (custom
 *                        post types, form entries...), with its meta as
 *                        columns
 *
 * The items are the WXR's (wordpress.h): the writer is one more consumer
 * of the same pass. The consumer copies what the rows need of each post
 * and a thread of its own makes and writes the rows (at most
 * RP_FRIENDLY_QUEUE bytes of posts wait for it), so that the pass does not
 * wait for the HTML parser. Headers are in the package's language (--lang), the
 * dialect is the package's (--csv-dialect). Values are for reading: names
 * rather than IDs where a person expects them, statuses in words, text
 * made valid UTF-8 as xmltext.h does; a cell whose text comes from the
 * site and that a spreadsheet would run as a formula is neutralised, and
 * a cell longer than a spreadsheet holds is cut with a marker (below).
 * The database CSV files are not touched by any of this.
 */
#ifndef REVPACK_FRIENDLY_H
#define REVPACK_FRIENDLY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/buf.h"
#include "revpack/csv.h"
#include "revpack/lang.h"
#include "revpack/media.h"
#include "revpack/package.h"
#include "revpack/source.h"
#include "revpack/wordpress.h"

/* Characters one cell holds at most, counted as spreadsheets count them
 * (UTF-16 code units: a character beyond U+FFFF, such as an emoji, counts
 * twice): Excel's limit. */
#define RP_FRIENDLY_CELL_MAX 32767
/* Meta keys of a post type that get a column of their own; the others go
 * into the last column, one "key: value" line each. */
#define RP_FRIENDLY_META_COLUMNS 100
/* Bytes of posts waiting for the thread that writes the rows. */
#define RP_FRIENDLY_QUEUE ((size_t)8 << 20)

/* ---- cells ---- */

typedef struct rp_friendly_counts {
	uint64_t neutralised;  /* cells given a leading apostrophe */
	uint64_t cut;          /* cells cut to RP_FRIENDLY_CELL_MAX */
} rp_friendly_counts;

typedef struct rp_friendly_cells {
	char sep;              /* the dialect's separator */
	rp_lang lang;          /* of the cutting marker */
	rp_buf tmp, tmp2;      /* scratch */
} rp_friendly_cells;

void rp_friendly_cells_init(rp_friendly_cells *c, rp_csv_dialect d, rp_lang lang);
void rp_friendly_cells_free(rp_friendly_cells *c);

/*
 * Appends one field (no separator) holding the n bytes of v:
 *  1. made valid UTF-8 holding no control character but TAB, LF and CR,
 *     as xmltext.h maps text for XML;
 *  2. when from_site (the text comes from the site, not from revpack) and
 *     it starts with '=', '+', '-', '@', TAB or CR, which spreadsheets read
 *     as the start of a formula: a leading apostrophe ('), counted in
 *     counts->neutralised;
 *  3. when longer than RP_FRIENDLY_CELL_MAX: cut at a character boundary
 *     and ended with a marker, in the language given, saying how long the
 *     text is and that the whole of it is in the WXR and dump.sql, so that
 *     the cell holds exactly RP_FRIENDLY_CELL_MAX or fewer; counted in
 *     counts->cut;
 *  4. quoted as rp_csv_append_plain() quotes.
 * v may be NULL when n is 0 (an empty field).
 */
int rp_friendly_cell(rp_friendly_cells *c, rp_buf *out, const char *v, size_t n, bool from_site,
                     rp_friendly_counts *counts);

/* Length of s as spreadsheets count it (UTF-16 code units); s is UTF-8. */
size_t rp_friendly_units(const char *s, size_t n);

/*
 * A PHP serialize() value as a person reads it (meta values, formats/
 * friendly-csv.md "Values"): a string as it is, a number as written, a
 * boolean as yes/no in lang, NULL as nothing; an array whose keys are 0,
 * 1, 2... and whose values are not arrays as its values joined by ", ";
 * any other array as one "key: value" line per element, an element that
 * is itself such an array followed by its lines indented by two spaces.
 * Returns 1 with the text appended to out, 0 (out untouched) when the
 * bytes are not a serialized value, -1 on error.
 */
int rp_friendly_php_text(rp_buf *out, const char *s, size_t n, rp_lang lang);

/* ---- files ---- */

typedef enum rp_friendly_kind {
	RP_FRIENDLY_POSTS,
	RP_FRIENDLY_COMMENTS,
	RP_FRIENDLY_USERS,
	RP_FRIENDLY_MEDIA,
	RP_FRIENDLY_TYPE
} rp_friendly_kind;

/* "posts", "comments", "users", "media", "postType": inventory.xml's kind. */
const char *rp_friendly_kind_name(rp_friendly_kind k);

typedef struct rp_friendly_file {
	char *path;              /* in the bag: data/content/wordpress/<site>/posts.csv */
	rp_friendly_kind kind;
	char *post_type;         /* RP_FRIENDLY_TYPE: the type's bytes, NUL-terminated; else NULL */
	size_t post_type_len;
	uint64_t rows;           /* records after the header */
	size_t columns;
	rp_friendly_counts counts;
	bool written;            /* committed */
	rp_file_info info;
} rp_friendly_file;

typedef struct rp_friendly rp_friendly;

/* What the content pass knows that the writer needs. */
typedef struct rp_friendly_hooks {
	/* The plain text of post id's content (htmltext.h) when the pass has
	 * it already (another consumer asked for it): 1 with the text, 0 when
	 * it has not (it is then computed here). Called for each post once
	 * every consumer has seen it, before the next one. NULL: never. */
	int (*post_text_ready)(void *ctx, unsigned long long id, const char **text, size_t *len);
	/* An attachment's file among the media folders: 1 with the folder's
	 * index and the entry's (rp_media_entries), 0 when it is in none, -1 on
	 * error. NULL: no media folder. */
	int (*post_file)(void *ctx, const rp_wp_post *p, size_t *media, size_t *entry);
	void *ctx;
} rp_friendly_hooks;

typedef struct rp_friendly_opts {
	rp_csv_dialect dialect;
	rp_lang lang;
	rp_friendly_hooks hooks;
} rp_friendly_opts;

/*
 * Starts the files of one site in dir (relative to data/:
 * content/wordpress/<site>). src, connected and in the export's snapshot,
 * is asked for the meta keys of the other post types (their columns). The
 * media rows wait in an unnamed scratch file of the package's temporary
 * folder until rp_friendly_write_media().
 */
int rp_friendly_open(rp_friendly **out, rp_package *pkg, const char *dir, rp_source *src, const rp_wp_site *site,
                     const rp_friendly_opts *o);
/* The consumer of rp_wp_read(): its end() commits posts.csv, comments.csv
 * and the type files. */
rp_wp_consumer rp_friendly_consumer(rp_friendly *f);
/* After rp_wp_read(), on the same connection: writes users.csv. */
int rp_friendly_users(rp_friendly *f, rp_source *src);
/* media.csv relative to data/, for rp_package_defer(). */
const char *rp_friendly_media_relpath(const rp_friendly *f);
/* Once every media file was read (their SHA-256 known): writes media.csv. */
int rp_friendly_write_media(rp_friendly *f, rp_package *pkg, rp_media *const *media, size_t nmedia);
/* The files: posts, comments, users, media, then the post types by name. */
const rp_friendly_file *rp_friendly_files(const rp_friendly *f, size_t *n);
/* Removes what was not committed. NULL is fine. */
void rp_friendly_free(rp_friendly *f);

#endif
