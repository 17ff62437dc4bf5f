/* Times as revpack writes them: UTC, ISO 8601. */
#ifndef REVPACK_TIMEUTIL_H
#define REVPACK_TIMEUTIL_H

#include <time.h>

/* "2026-11-23T11:22:33Z"; out holds at least 21 bytes. */
void rp_time_iso(time_t t, char out[21]);
/* "2026-11-23"; out holds at least 11 bytes. */
void rp_date_iso(time_t t, char out[11]);
/* Monotonic seconds, for rates. */
double rp_monotonic(void);

#endif
