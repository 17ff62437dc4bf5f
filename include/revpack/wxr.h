/*
 * The WXR 1.2 writer (formats/wxr.md): a consumer of the WordPress reader
 * (wordpress.h) that writes data/content/wordpress/<site>/<site>.wxr.xml
 * through a package sink, streamed with libxml2's xmlTextWriter. Text goes
 * through xmltext.h, so the file is always well-formed UTF-8; every value
 * that had to be changed is recorded.
 */
#ifndef REVPACK_WXR_H
#define REVPACK_WXR_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "revpack/package.h"
#include "revpack/wordpress.h"
#include "revpack/xmltext.h"

/* Changed values listed one by one (the others are only counted). */
#define RP_WXR_MAX_CHANGES 10000

/* One value the WXR holds changed (xmltext.h). */
typedef struct rp_wxr_change {
	char *where;   /* "post 13", "comment 7", "term 4", "author 2", "channel" */
	char *field;   /* "post_content", "postmeta rp_x (meta_id 77)", ... */
	rp_xml_fix fix;
} rp_wxr_change;

typedef struct rp_wxr_result {
	char *path;                   /* in the bag: data/content/wordpress/<site>/<site>.wxr.xml */
	rp_file_info info;
	uint64_t items;
	rp_wxr_change *changes;
	size_t nchanges;
	uint64_t changed;             /* changed values, listed or not */
} rp_wxr_result;

typedef struct rp_wxr rp_wxr;

/* relpath is relative to data/; its folder is created. created is the
 * channel's pubDate (the snapshot's time). */
int rp_wxr_open(rp_wxr **out, rp_package *pkg, const char *relpath, time_t created);
rp_wp_consumer rp_wxr_consumer(rp_wxr *w);
/* The file is committed by the consumer's end(); afterwards the result. */
const rp_wxr_result *rp_wxr_result_get(const rp_wxr *w);
/* Takes the result out of w (the caller frees it with rp_wxr_result_free). */
void rp_wxr_result_take(rp_wxr *w, rp_wxr_result *out);
void rp_wxr_result_free(rp_wxr_result *r);
/* Removes the file if it was not committed. */
void rp_wxr_free(rp_wxr *w);

#endif
