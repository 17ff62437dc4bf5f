/*
 * The content pass of an export (docs/content.md): after a MySQL source's
 * tables, on the same connection and in the same snapshot, each WordPress
 * site it holds is read once (wordpress.h) and written as WXR (wxr.h);
 * attachments are checked against the media folders (--media). The results
 * go into inventory.xml's <content> section.
 */
#ifndef REVPACK_CONTENT_H
#define REVPACK_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "revpack/buf.h"
#include "revpack/csv.h"
#include "revpack/friendly.h"
#include "revpack/lang.h"
#include "revpack/media.h"
#include "revpack/package.h"
#include "revpack/path.h"
#include "revpack/source.h"
#include "revpack/wordpress.h"
#include "revpack/wxr.h"

typedef struct rp_content_missing {
	unsigned long long post;  /* the attachment */
	char *file;               /* _wp_attached_file ("" when it has none) */
} rp_content_missing;

typedef struct rp_content_site {
	const char *source;       /* the source's name */
	rp_wp_site *site;
	rp_wp_stats stats;
	rp_wxr_result wxr;
	struct rp_guide_site_result *guide;  /* its pages in the guide (guide.h) */
	uint64_t attachments;     /* attachment posts exported */
	uint64_t files_found;     /* of those, with their file in a media folder */
	rp_content_missing *missing;
	size_t nmissing;
	rp_friendly *friendly;    /* its friendly CSV files (friendly.h: rp_friendly_files) */
} rp_content_site;

typedef struct rp_content_unref {
	const char *media;        /* the media folder's NAME */
	const char *path;         /* in the bag */
} rp_content_unref;

typedef struct rp_content_media rp_content_media;

typedef struct rp_content {
	rp_content_site *sites;
	size_t nsites;
	rp_name_set names;        /* <site> names, unique in the package */
	rp_media *const *media;
	size_t nmedia;
	rp_content_media *mx;     /* per media folder: files by path, referenced or not */
	rp_content_unref *unref;  /* after rp_content_settle */
	size_t nunref;
	bool settled;
	rp_csv_dialect dialect;   /* of the friendly CSV files */
	rp_lang lang;             /* of their column names */
	/* the post being read: its plain text, its attachment's file */
	rp_buf text;
	unsigned long long text_post, file_post;
	size_t text_site, file_site;  /* nsites when computed */
	bool text_ok, file_ok, file_found;
	size_t file_media, file_entry;
} rp_content;

/* media: the package's media folders, scanned already (may be none). */
int rp_content_init(rp_content *c, rp_media *const *media, size_t nmedia);

/*
 * Detects the WordPress sites of src (connected, in its snapshot, schema
 * loaded) and writes each one's WXR into pkg. aux (naux of them, may be
 * none) are more connections in the same snapshot, idle: the first one
 * reads ahead (wordpress.h). Adds the files to *files. warn (may be NULL)
 * is told what the person should know.
 */
int rp_content_export(rp_content *c, rp_package *pkg, rp_source *src, rp_source *const *aux, size_t naux,
                      const rp_schema *sc, rp_fileref **files, size_t *nfiles, time_t created,
                      void (*warn)(void *ctx, const char *source, const char *msg), void *ctx);

/*
 * For the consumers of the content pass, about the post they are given:
 * its content's plain text (htmltext.h), computed once for all of them
 * (valid until the next post); and, for an attachment, after the check
 * that matches it to the media folders (the second consumer), where its
 * file is: 1 with the media folder's index and the entry's
 * (rp_media_entries), 0 when it is in none, -1 on error.
 */
int rp_content_post_text(rp_content *c, const rp_wp_post *p, const char **text, size_t *len);
int rp_content_post_file(rp_content *c, const rp_wp_post *p, size_t *media, size_t *entry);

/* Once every source was read: the media files no attachment references. */
int rp_content_settle(rp_content *c);

/*
 * The files of the content that can be written only once every media file
 * was read (their SHA-256 are known then): *paths (relative to data/, an
 * array of *n strings the caller frees, may be none) are the files
 * rp_content_write_late() will make, in that order. c may be NULL.
 */
int rp_content_late_paths(const rp_content *c, char ***paths, size_t *n);
int rp_content_write_late(rp_content *c, rp_package *pkg);

/* Writes <content> into inventory.xml (nothing when there is no site). */
struct _xmlTextWriter;
int rp_content_inventory(struct _xmlTextWriter *x, rp_content *c);

void rp_content_free(rp_content *c);

#endif
