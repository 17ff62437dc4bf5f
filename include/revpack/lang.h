/*
 * The language of what revpack writes for people rather than programs:
 * the offline guide (data/index.html, guide.h) and the headers of the
 * friendly CSV files (friendly.h). French by default (--lang).
 */
#ifndef REVPACK_LANG_H
#define REVPACK_LANG_H

#include <stddef.h>

typedef enum rp_lang {
	RP_LANG_FR = 0,
	RP_LANG_EN
} rp_lang;

/* "fr" or "en"; -1 otherwise (no rp_error set). */
int rp_lang_parse(const char *code, rp_lang *out);
/* "fr", "en": the value of an HTML lang attribute. */
const char *rp_lang_code(rp_lang l);
/* A WordPress post status as people read it ("Publié", "Draft"), or NULL
 * when the n bytes are not one of WordPress's own statuses. */
const char *rp_wp_status_word(rp_lang l, const char *status, size_t n);
/* One of two texts: the French one for RP_LANG_FR. */
static inline const char *rp_tr(rp_lang l, const char *fr, const char *en) { return l == RP_LANG_EN ? en : fr; }

#endif
