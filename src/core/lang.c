/* The language of texts for people (lang.h). */
#include "revpack/lang.h"

#include <string.h>

int rp_lang_parse(const char *code, rp_lang *out)
{
	if (strcmp(code, "fr") == 0)
		*out = RP_LANG_FR;
	else if (strcmp(code, "en") == 0)
		*out = RP_LANG_EN;
	else
		return -1;
	return 0;
}

const char *rp_lang_code(rp_lang l)
{
	return l == RP_LANG_EN ? "en" : "fr";
}

const char *rp_wp_status_word(rp_lang l, const char *status, size_t n)
{
	static const struct {
		const char *key, *fr, *en;
	} st[] = {
		{ "publish", "Publi\xc3\xa9", "Published" },
		{ "draft", "Brouillon", "Draft" },
		{ "pending", "En attente de relecture", "Pending review" },
		{ "private", "Priv\xc3\xa9", "Private" },
		{ "future", "Planifi\xc3\xa9", "Scheduled" },
		{ "trash", "Corbeille", "Trash" },
		{ "inherit", "H\xc3\xa9rit\xc3\xa9 du parent", "Inherited from the parent" },
		{ "auto-draft", "Brouillon automatique", "Automatic draft" },
	};

	for (size_t i = 0; status && i < sizeof st / sizeof st[0]; i++)
		if (strlen(st[i].key) == n && memcmp(status, st[i].key, n) == 0)
			return rp_tr(l, st[i].fr, st[i].en);
	return NULL;
}
