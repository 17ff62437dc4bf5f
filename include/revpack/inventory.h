/*
 * data/inventory.xml: what the package holds (formats/inventory.md, schema
 * formats/inventory.xsd compiled into the binary).
 */
#ifndef REVPACK_INVENTORY_H
#define REVPACK_INVENTORY_H

#include <stddef.h>
#include <time.h>

#include "revpack/csv.h"
#include "revpack/lang.h"
#include "revpack/media.h"
#include "revpack/package.h"
#include "revpack/source.h"

#define RP_INVENTORY_NS "urn:revpack:inventory:1"

typedef struct rp_inv_source {
	rp_source *src;
	rp_schema *schema;
	const rp_fileref *files;  /* dump.sql ... */
	size_t nfiles;
	const char *restore_command;
} rp_inv_source;

typedef struct rp_inventory {
	const char *organization;     /* may be NULL */
	const char *external_id;
	time_t created;
	rp_csv_dialect dialect;
	rp_lang lang;                 /* of the guide (guide.h) */
	const rp_inv_source *sources;
	size_t nsources;
	rp_media *const *media;       /* media trees, may be NULL */
	size_t nmedia;
	struct rp_content *content;   /* WordPress sites (content.h), may be NULL */
} rp_inventory;

/* Writes data/inventory.xml into pkg, listing the payload files committed
 * so far (sorted by path), and commits it. In the zip form the inventory
 * lists media digests known only while the archive is written: the call
 * then keeps a copy of *inv (the pointers in it must stay valid until the
 * package is finished or aborted) and the file is written at that time
 * (rp_package_defer). */
int rp_inventory_write(rp_package *pkg, const rp_inventory *inv);
/* Writes it now, listing the payload files committed so far: for a
 * caller that defers it itself with other files (rp_package_defer). */
int rp_inventory_write_now(rp_package *pkg, const rp_inventory *inv);

/* The compiled-in schema. */
extern const unsigned char rp_inventory_xsd[];
extern const size_t rp_inventory_xsd_len;

#endif
