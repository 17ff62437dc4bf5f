/*
 * Paths inside a package.
 *
 * Manifest paths (RFC 8493 section 2.1.3): only CR, LF and '%' are
 * percent-encoded, as %0D, %0A and %25.
 *
 * Safe names: revpack derives file names from table names (and later from
 * other source names). formats/names.md documents the mapping; it is
 * reversible by percent-decoding, and inventory.xml records every mapping.
 */
#ifndef REVPACK_PATH_H
#define REVPACK_PATH_H

#include <stdbool.h>
#include <stddef.h>

#include "revpack/buf.h"

/* Appends the manifest form of path (a NUL-terminated relative path). */
int rp_manifest_path_encode(rp_buf *out, const char *path);

/* Decodes a manifest path of len bytes (not NUL-terminated) into out (which
 * is cleared first). Accepts %25, %0A, %0D in either hex case; any other '%'
 * sequence is an error: returns -1 and sets *why to a static reason (no
 * rp_error is recorded, the caller names the file and line). */
int rp_manifest_path_decode(rp_buf *out, const char *s, size_t len, const char **why);

/* Checks that path is a safe relative path inside a package: non-empty, not
 * absolute, components separated by single '/', no empty, "." or ".."
 * component, no NUL, no backslash. Other control characters (a newline
 * in a media file name) are allowed: RFC 8493 manifests percent-encode CR
 * and LF. Returns true when safe; otherwise false with *why set to a
 * static reason. */
bool rp_path_is_safe(const char *path, size_t len, const char **why);

/*
 * Appends the safe file-name stem for a source name of len bytes:
 *  - kept as they are: ASCII letters and digits, '_', '-', '.', ' ', and
 *    well-formed multi-byte UTF-8 sequences;
 *  - every other byte (control characters, '/', '\\', ':', '*', '?', '"',
 *    '<', '>', '|', '%', '~', DEL, bytes of invalid UTF-8) becomes %XX with
 *    upper-case hex;
 *  - a leading '.' and a trailing '.' or ' ' are also written %XX, so the
 *    stem is never "." or ".." and survives Windows;
 *  - an empty name becomes "%" alone, which no other name can produce
 *    (every '%' written otherwise is followed by two hex digits).
 * Decoding every %XX gives back the original bytes.
 */
int rp_safe_name(rp_buf *out, const char *name, size_t len);

/*
 * Keeps the stems of one folder unique on case-insensitive file systems:
 * rp_name_set_add() appends stem to out, adding "~2", "~3", ... when a stem
 * that is equal ignoring ASCII case was already added. ('~' never appears in
 * a stem made by rp_safe_name, so the suffix cannot collide.)
 */
typedef struct rp_name_set {
	char **names;  /* ASCII-lower-cased stems already used */
	size_t n, cap;
} rp_name_set;

int rp_name_set_add(rp_name_set *set, rp_buf *out, const char *stem);
void rp_name_set_free(rp_name_set *set);

/*
 * Media file names (formats/names.md, "Media files"): one name component
 * (a file or folder name, no '/') as found on the server.
 *
 * A component that is well-formed UTF-8, holds only characters XML 1.0 can
 * carry (no control character other than TAB, LF and CR; no U+FFFE or
 * U+FFFF) and no backslash is kept byte for byte (*mapped = false).
 * Any other component is mapped (*mapped = true): '%', '\\', every control
 * character (00-1F, 7F), the bytes of U+FFFE and U+FFFF, and every byte
 * that is not part of a well-formed UTF-8 sequence become %XX (upper-case
 * hex); everything else is kept. rp_media_name_unmap() gives the original
 * bytes back. The result is appended to out.
 */
int rp_media_name_map(rp_buf *out, const char *name, size_t len, bool *mapped);

/* Appends the bytes a mapped component stands for: every %XX becomes the
 * byte XX, every other byte stands for itself. -1 (no rp_error) when a '%'
 * is not followed by two hex digits; out then holds a partial result. */
int rp_media_name_unmap(rp_buf *out, const char *s, size_t len);

/* Appends the n-th candidate (n >= 2) for a mapped name that collides with
 * a name already used in its folder: "~N" goes before the extension (the
 * last '.', unless it is the first character), or at the end. */
int rp_media_name_suffixed(rp_buf *out, const char *name, unsigned long n);

/* True when the len bytes are well-formed UTF-8 whose characters XML 1.0
 * can all carry (TAB, LF and CR are the only control characters allowed). */
bool rp_xml_text_ok(const char *s, size_t len);

#endif
