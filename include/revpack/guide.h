/*
 * The offline guide (docs/guide.md): data/index.html, one self-contained
 * HTML page for the person who receives the package, in French or English
 * (--lang). It says what the package holds (sources, tables and rows,
 * WordPress content per type, media), how to open each format, how to
 * restore each database with the stock clients, and how to check the
 * package with or without revpack; it links to each WordPress site's
 * browsable list of pages and posts (rp_guide_site_*).
 *
 * No script, no style sheet, image or font from elsewhere: the page
 * carries a Content-Security-Policy that forbids every load and every
 * script, and all text from the sources is escaped.
 */
#ifndef REVPACK_GUIDE_H
#define REVPACK_GUIDE_H

#include "revpack/inventory.h"
#include "revpack/package.h"

#define RP_GUIDE_PATH "index.html"   /* relative to data/ */

/* Writes data/index.html from what the inventory describes. */
int rp_guide_write(rp_package *pkg, const rp_inventory *inv);

#endif
