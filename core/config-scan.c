/*
 * The pass over the config text that runs before libconfig's, for what
 * libconfig 1.5 cannot tell us: it refuses @include (libconfig would open
 * any file it names), notices comments (libconfig drops them, and the
 * user must be told before a rewrite) and remembers every integer literal
 * with the setting it belongs to, because libconfig silently wraps
 * 3000000000 into a negative int and the digits as written are the only
 * way to tell.
 *
 * It walks the text the way libconfig's own scanner would, skipping
 * strings and comments, and reports nothing itself: what it found is in
 * struct config_scan for the loader to turn into errors with lines.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "core/config-int.h"
#include "util/xmalloc.h"

static int
is_ident_start(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '*';
}

static int
is_ident(int c)
{
	return is_ident_start(c) || (c >= '0' && c <= '9') || c == '-' ||
	    c == '_';
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * The value an integer literal really has, the way the digits read, not
 * the way libconfig 1.5 stores it. Returns 0 if it is not an integer
 * (a float).
 */
static int
literal_value(const char *t, long long *value, int *overflow)
{
	unsigned long long	 v = 0, lim;
	int			 neg = 0, base = 10, d;
	const char		*p = t;

	*overflow = 0;
	if (*p == '-' || *p == '+')
		neg = (*p++ == '-');
	if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
		base = 16;
		p += 2;
	} else if (strpbrk(p, ".eE") != NULL)
		return 0;
	lim = neg ? (unsigned long long)LLONG_MAX + 1 : LLONG_MAX;
	for (; *p != '\0'; p++) {
		if (*p == 'L' || *p == 'l')
			break;
		if ((d = hexval((unsigned char)*p)) == -1 || d >= base)
			return 0;
		if (v > (lim - (unsigned long long)d) / (unsigned)base) {
			*overflow = 1;
			v = lim;
			continue;
		}
		v = v * (unsigned)base + (unsigned)d;
	}
	if (neg)
		*value = v == (unsigned long long)LLONG_MAX + 1 ?
		    LLONG_MIN : -(long long)v;
	else
		*value = (long long)v;
	return 1;
}

static void
scan_literal(struct config_scan *sc, int line, const char *name,
    size_t namelen, const char *t, size_t len)
{
	struct config_literal	*l;
	char		*text;
	long long	 v;
	int		 ovf;

	text = xstrndup(t, len);
	if (!literal_value(text, &v, &ovf)) {
		free(text);
		return;
	}
	if (sc->nlits == sc->litscap) {
		sc->litscap = sc->litscap ? sc->litscap * 2 : 16;
		sc->lits = xreallocarray(sc->lits, sc->litscap,
		    sizeof *sc->lits);
	}
	l = &sc->lits[sc->nlits++];
	l->line = line;
	l->name = name != NULL ? xstrndup(name, namelen) : NULL;
	l->text = text;
	l->value = v;
	l->overflow = ovf;
}

void
config_scan_free(struct config_scan *sc)
{
	size_t	 i;

	for (i = 0; i < sc->nlits; i++) {
		free(sc->lits[i].name);
		free(sc->lits[i].text);
	}
	free(sc->lits);
	free(sc->includes);
	memset(sc, 0, sizeof *sc);
}

static int
is_header(const char *t, size_t len, size_t i)
{
	size_t	 end, n1 = strlen(HEADER_LINE1), ne = strlen(HEADER_LINE1_END);
	size_t	 n2 = strlen(HEADER_LINE2);

	if (i > 0 && t[i - 1] != '\n')
		return 0;
	for (end = i; end < len && t[end] != '\n'; end++)
		;
	if (end - i == n2 && strncmp(t + i, HEADER_LINE2, n2) == 0)
		return 1;
	return end - i > n1 + ne && strncmp(t + i, HEADER_LINE1, n1) == 0 &&
	    strncmp(t + end - ne, HEADER_LINE1_END, ne) == 0;
}

/* The loader reports each @include; the scanner only remembers the line. */
static void
add_include(struct config_scan *sc, int line)
{
	/* Grows in powers of two: one realloc per doubling. */
	if ((sc->nincludes & (sc->nincludes - 1)) == 0)
		sc->includes = xreallocarray(sc->includes,
		    sc->nincludes ? sc->nincludes * 2 : 1,
		    sizeof *sc->includes);
	sc->includes[sc->nincludes++] = line;
}

/*
 * Walks the text the way libconfig's scanner would, outside strings and
 * comments. An @include is noted and blanked out (with spaces, so every
 * line keeps its number) so that libconfig can still report everything
 * else in the same run.
 */
void
config_scan_text(struct config_scan *sc, char *t, size_t len)
{
	const char	*ident = NULL, *pending = NULL;
	size_t		 identlen = 0, pendinglen = 0, i = 0, j;
	int		 line = 1, c, identline = 0, pendingline = 0;

	while (i < len) {
		c = (unsigned char)t[i];
		if (c == '\n') {
			line++;
			i++;
			continue;
		}
		if (c == '#' || (c == '/' && i + 1 < len && t[i + 1] == '/')) {
			if (!is_header(t, len, i))
				sc->had_comments = 1;
			while (i < len && t[i] != '\n')
				i++;
			continue;
		}
		if (c == '/' && i + 1 < len && t[i + 1] == '*') {
			sc->had_comments = 1;
			i += 2;
			while (i < len && !(t[i] == '*' && i + 1 < len &&
			    t[i + 1] == '/')) {
				if (t[i] == '\n')
					line++;
				i++;
			}
			i = i < len ? i + 2 : len;
			continue;
		}
		if (c == '"') {
			pending = NULL;
			for (i++; i < len && t[i] != '"'; i++) {
				if (t[i] == '\\' && i + 1 < len)
					i++;
				if (t[i] == '\n')
					line++;
			}
			i++;
			continue;
		}
		if (c == '@') {
			if (len - i >= 8 && strncmp(t + i, "@include", 8) == 0) {
				add_include(sc, line);
				memset(t + i, ' ', 8);
				j = i + 8;
				while (j < len && (t[j] == ' ' || t[j] == '\t'))
					j++;
				if (j < len && t[j] == '"') {
					for (j++; j < len && t[j] != '"' &&
					    t[j] != '\n'; j++) {
						if (t[j] == '\\' && j + 1 < len &&
						    t[j + 1] != '\n')
							t[j++] = ' ';
						t[j] = ' ';
					}
					if (j < len && t[j] == '"')
						t[j] = ' ';
					memset(t + i, ' ', j - i);
				}
				i = j;
				continue;
			}
			i++;
			continue;
		}
		if (is_digit(c) || ((c == '-' || c == '+' || c == '.') &&
		    i + 1 < len && (is_digit((unsigned char)t[i + 1]) ||
		    t[i + 1] == '.'))) {
			j = i + 1;
			while (j < len) {
				if (is_ident((unsigned char)t[j]) &&
				    t[j] != '-' && t[j] != '*') {
					j++;
					continue;
				}
				if (t[j] == '.') {
					j++;
					continue;
				}
				if ((t[j] == '-' || t[j] == '+') &&
				    (t[j - 1] == 'e' || t[j - 1] == 'E') &&
				    !(t[i] == '0' && j > i + 1 &&
				    (t[i + 1] == 'x' || t[i + 1] == 'X'))) {
					j++;
					continue;
				}
				break;
			}
			/*
			 * libconfig gives a setting the line of its name,
			 * which is not the literal's in "name =\n 5;".
			 */
			scan_literal(sc, pendingline, pending, pendinglen,
			    t + i, j - i);
			pending = NULL;
			i = j;
			continue;
		}
		if (is_ident_start(c)) {
			j = i + 1;
			while (j < len && is_ident((unsigned char)t[j]))
				j++;
			ident = t + i;
			identlen = j - i;
			identline = line;
			i = j;
			continue;
		}
		if (c == '=' || c == ':') {
			pending = ident;
			pendinglen = identlen;
			pendingline = identline;
		} else if (c != ' ' && c != '\t' && c != '\r')
			pending = NULL;
		i++;
	}
	sc->nlines = line;
}

/* The literal libconfig read for setting name on line. */
const struct config_literal *
config_scan_find(const struct config_scan *sc, const char *name, int line)
{
	size_t	 i;

	for (i = 0; i < sc->nlits; i++) {
		/* libconfig 1.5 keeps source lines in an unsigned short. */
		if ((sc->lits[i].line & 0xffff) != (line & 0xffff))
			continue;
		if (sc->lits[i].name != NULL && name != NULL &&
		    strcmp(sc->lits[i].name, name) == 0)
			return &sc->lits[i];
	}
	return NULL;
}
