/* Manifest paths, safe relative paths and file names derived from source names. */
#include "revpack/path.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "revpack/error.h"
#include "revpack/text.h"

/* ---- manifest paths (RFC 8493 section 2.1.3) ---- */

int rp_manifest_path_encode(rp_buf *out, const char *path)
{
	const char *run = path, *p;
	const char *esc;

	for (p = path; *p; p++) {
		switch (*p) {
		case '%':
			esc = "%25";
			break;
		case '\n':
			esc = "%0A";
			break;
		case '\r':
			esc = "%0D";
			break;
		default:
			continue;
		}
		if (rp_buf_put(out, run, (size_t)(p - run)) < 0 ||
		    rp_buf_put(out, esc, 3) < 0)
			return -1;
		run = p + 1;
	}
	return rp_buf_put(out, run, (size_t)(p - run));
}

int rp_manifest_path_decode(rp_buf *out, const char *s, size_t len, const char **why)
{
	size_t i = 0, run = 0;
	char c;

	rp_buf_clear(out);
	while (i < len) {
		if (s[i] == '\r' || s[i] == '\n') {
			*why = "unencoded CR or LF in path";
			return -1;
		}
		if (s[i] != '%') {
			i++;
			continue;
		}
		if (len - i < 3) {
			*why = "'%' not followed by two hex digits";
			return -1;
		}
		if (s[i + 1] == '2' && s[i + 2] == '5') {
			c = '%';
		} else if (s[i + 1] == '0' && (s[i + 2] == 'A' || s[i + 2] == 'a')) {
			c = '\n';
		} else if (s[i + 1] == '0' && (s[i + 2] == 'D' || s[i + 2] == 'd')) {
			c = '\r';
		} else {
			*why = "percent-encoding other than %25, %0A or %0D";
			return -1;
		}
		if (rp_buf_put(out, s + run, i - run) < 0 || rp_buf_putc(out, c) < 0) {
			*why = "out of memory";
			return -1;
		}
		i += 3;
		run = i;
	}
	if (rp_buf_put(out, s + run, len - run) < 0) {
		*why = "out of memory";
		return -1;
	}
	return 0;
}

/* ---- safe relative paths ---- */

bool rp_path_is_safe(const char *path, size_t len, const char **why)
{
	size_t i, start = 0, clen;
	unsigned char c;

	if (len == 0) {
		*why = "empty path";
		return false;
	}
	if (path[0] == '/') {
		*why = "absolute path";
		return false;
	}
	for (i = 0; i <= len; i++) {
		if (i < len) {
			c = (unsigned char)path[i];
			if (c == 0) {
				*why = "NUL byte in path";
				return false;
			}
			if (c == '\\') {
				*why = "backslash in path";
				return false;
			}
			if (c != '/')
				continue;
		}
		/* End of the component path[start..i). */
		clen = i - start;
		if (clen == 0) {
			*why = i == len ? "path ends with '/'" : "empty path component ('//')";
			return false;
		}
		if ((clen == 1 && path[start] == '.') ||
		    (clen == 2 && path[start] == '.' && path[start + 1] == '.')) {
			*why = "'.' or '..' path component";
			return false;
		}
		start = i + 1;
	}
	return true;
}

/* ---- safe names ---- */

/* The stem of the empty name: a '%' that is not followed by two hex digits
 * is never produced for a non-empty name (formats/names.md). */
#define EMPTY_NAME_STEM "%"

static bool is_plain_ascii(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' ||
	       c == ' ';
}

/* Length of the well-formed multi-byte UTF-8 sequence starting at p, or 0. */
static size_t multibyte_length(const unsigned char *p, size_t avail)
{
	size_t len;

	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		len = 2;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		len = 3;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		len = 4;
	else
		return 0;
	/* The lead byte fixes the length, so the len bytes are valid UTF-8
	 * exactly when they are one well-formed sequence. */
	if (avail < len || !rp_utf8_valid(p, len))
		return 0;
	return len;
}

static int put_escaped(rp_buf *out, unsigned char c)
{
	static const char digits[] = "0123456789ABCDEF";
	char esc[3];

	esc[0] = '%';
	esc[1] = digits[c >> 4];
	esc[2] = digits[c & 0x0F];
	return rp_buf_put(out, esc, sizeof esc);
}

int rp_safe_name(rp_buf *out, const char *name, size_t len)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t i = 0, run = 0, mb;
	bool escape;

	if (len == 0)
		return rp_buf_puts(out, EMPTY_NAME_STEM);

	while (i < len) {
		if (p[i] >= 0x80) {
			mb = multibyte_length(p + i, len - i);
			if (mb) {
				i += mb;
				continue;
			}
			escape = true;
		} else if (!is_plain_ascii(p[i])) {
			escape = true;
		} else if (i == 0 && p[i] == '.') {
			escape = true;
		} else {
			escape = i == len - 1 && (p[i] == '.' || p[i] == ' ');
		}
		if (escape) {
			if (rp_buf_put(out, name + run, i - run) < 0 ||
			    put_escaped(out, p[i]) < 0)
				return -1;
			run = i + 1;
		}
		i++;
	}
	return rp_buf_put(out, name + run, len - run);
}

/* ---- unique stems in one folder ---- */

static char *lower_dup(const char *s, size_t len)
{
	char *d = rp_malloc(len + 1);
	size_t i;

	if (!d)
		return NULL;
	for (i = 0; i < len; i++)
		d[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	d[len] = '\0';
	return d;
}

/*
 * set->names is kept sorted (strcmp order) so that look-ups are binary
 * searches. Returns true when key is present; *at is where it is or where
 * it would be inserted.
 */
static bool set_find(const rp_name_set *set, const char *key, size_t *at)
{
	size_t lo = 0, hi = set->n, mid;
	int cmp;

	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		cmp = strcmp(set->names[mid], key);
		if (cmp == 0) {
			*at = mid;
			return true;
		}
		if (cmp < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*at = lo;
	return false;
}

/* Inserts key (owned by the set on success) at position at. */
static int set_insert(rp_name_set *set, char *key, size_t at)
{
	char **names;
	size_t cap;

	if (set->n == set->cap) {
		cap = set->cap ? set->cap * 2 : 16;
		if (cap > SIZE_MAX / sizeof *names)
			return rp_error_nomem();
		names = rp_realloc(set->names, cap * sizeof *names);
		if (!names)
			return -1;
		set->names = names;
		set->cap = cap;
	}
	memmove(set->names + at + 1, set->names + at, (set->n - at) * sizeof *set->names);
	set->names[at] = key;
	set->n++;
	return 0;
}

int rp_name_set_add(rp_name_set *set, rp_buf *out, const char *stem)
{
	rp_buf candidate = RP_BUF_INIT;
	char *key = NULL;
	size_t at, stem_len = strlen(stem);
	unsigned long suffix;
	int error = -1;

	key = lower_dup(stem, stem_len);
	if (!key)
		goto cleanup;
	if (!set_find(set, key, &at)) {
		/* Grow out first so that nothing can fail after the insertion. */
		if (rp_buf_grow(out, stem_len) < 0 || set_insert(set, key, at) < 0)
			goto cleanup;
		key = NULL;
		error = rp_buf_put(out, stem, stem_len);
		goto cleanup;
	}

	/* Taken: try stem~2, stem~3, ... until one is free (a stem passed in
	 * may itself end in "~N", so a suffixed name can be taken too). */
	for (suffix = 2;; suffix++) {
		rp_buf_clear(&candidate);
		if (rp_buf_put(&candidate, stem, stem_len) < 0 ||
		    rp_buf_printf(&candidate, "~%lu", suffix) < 0)
			goto cleanup;
		free(key);
		key = lower_dup(candidate.data, candidate.len);
		if (!key)
			goto cleanup;
		if (!set_find(set, key, &at))
			break;
	}
	if (rp_buf_grow(out, candidate.len) < 0 || set_insert(set, key, at) < 0)
		goto cleanup;
	key = NULL;
	error = rp_buf_put(out, candidate.data, candidate.len);

cleanup:
	free(key);
	rp_buf_free(&candidate);
	return error;
}

void rp_name_set_free(rp_name_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		free(set->names[i]);
	free(set->names);
	set->names = NULL;
	set->n = set->cap = 0;
}

/* ---- media file names ---- */

/* The character XML 1.0 cannot carry, or that a media name never keeps:
 * C0 controls but TAB, LF, CR; U+FFFE and U+FFFF. */
static bool xml_forbidden(uint32_t cp)
{
	if (cp < 0x20)
		return cp != '\t' && cp != '\n' && cp != '\r';
	return cp == 0xFFFE || cp == 0xFFFF;
}

bool rp_xml_text_ok(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, n;
	uint32_t cp;

	while (i < len) {
		if (p[i] < 0x80) {
			if (xml_forbidden(p[i]))
				return false;
			i++;
			continue;
		}
		n = rp_utf8_next(p + i, len - i, &cp);
		if (n == 0 || xml_forbidden(cp))
			return false;
		i += n;
	}
	return true;
}

int rp_media_name_map(rp_buf *out, const char *name, size_t len, bool *mapped)
{
	const unsigned char *p = (const unsigned char *)name;
	size_t i = 0, run = 0, n;
	uint32_t cp;

	*mapped = !rp_xml_text_ok(name, len) || memchr(name, '\\', len) != NULL;
	if (!*mapped)
		return rp_buf_put(out, name, len);
	while (i < len) {
		bool escape;
		n = 1;
		if (p[i] < 0x80) {
			escape = p[i] < 0x20 || p[i] == 0x7F || p[i] == '%' || p[i] == '\\';
		} else {
			n = rp_utf8_next(p + i, len - i, &cp);
			escape = n == 0 || xml_forbidden(cp);
			if (n == 0)
				n = 1; /* one byte of an ill-formed sequence at a time */
		}
		if (!escape) {
			i += n;
			continue;
		}
		if (rp_buf_put(out, name + run, i - run) < 0)
			return -1;
		for (size_t k = 0; k < n; k++)
			if (put_escaped(out, p[i + k]) < 0)
				return -1;
		i += n;
		run = i;
	}
	return rp_buf_put(out, name + run, len - run);
}

int rp_media_name_unmap(rp_buf *out, const char *s, size_t len)
{
	size_t i = 0, run = 0;

	while (i < len) {
		int hi, lo;
		if (s[i] != '%') {
			i++;
			continue;
		}
		if (len - i < 3 || (hi = rp_hex_value((unsigned char)s[i + 1])) < 0 ||
		    (lo = rp_hex_value((unsigned char)s[i + 2])) < 0)
			return -1;
		if (rp_buf_put(out, s + run, i - run) < 0 || rp_buf_putc(out, (char)(hi << 4 | lo)) < 0)
			return -1;
		i += 3;
		run = i;
	}
	return rp_buf_put(out, s + run, len - run);
}

int rp_media_name_suffixed(rp_buf *out, const char *name, unsigned long n)
{
	const char *dot = strrchr(name, '.');
	size_t stem = dot && dot != name ? (size_t)(dot - name) : strlen(name);

	if (rp_buf_put(out, name, stem) < 0 || rp_buf_printf(out, "~%lu", n) < 0)
		return -1;
	return rp_buf_puts(out, name + stem);
}
