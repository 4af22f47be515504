/*
 * Line diff by longest common subsequence. Configs are small and the
 * table is bounded (DIFF_MAX_CELLS), so the quadratic algorithm is the
 * simple, obviously correct choice; a huge file is reported as too large
 * rather than compared slowly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/diff.h"
#include "core/xmalloc.h"

struct lines {
	const char	**p;
	size_t		 *len;
	size_t		  n;
};

static void
split(const char *s, struct lines *l)
{
	const char	*nl;
	size_t		 cap = 16;

	l->n = 0;
	l->p = xcalloc(cap, sizeof *l->p);
	l->len = xcalloc(cap, sizeof *l->len);
	while (s != NULL && *s != '\0') {
		if (l->n == cap) {
			cap *= 2;
			l->p = xreallocarray(l->p, cap, sizeof *l->p);
			l->len = xreallocarray(l->len, cap, sizeof *l->len);
		}
		nl = strchr(s, '\n');
		l->p[l->n] = s;
		l->len[l->n] = nl != NULL ? (size_t)(nl - s) : strlen(s);
		l->n++;
		s = nl != NULL ? nl + 1 : NULL;
	}
}

static int
same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] &&
	    memcmp(a->p[i], b->p[j], a->len[i]) == 0;
}

ssize_t
diff_lines(const char *as, const char *bs, struct diff_line **out)
{
	struct lines	 a, b;
	uint32_t	*t;
	size_t		 i, j, n = 0, w;
	struct diff_line *d;

	split(as, &a);
	split(bs, &b);
	*out = NULL;
	if ((a.n + 1) != 0 && (b.n + 1) > DIFF_MAX_CELLS / (a.n + 1)) {
		free(a.p); free(a.len); free(b.p); free(b.len);
		return -1;
	}
	/* t[i][j]: LCS length of a[i..] and b[j..]. */
	w = b.n + 1;
	t = xcalloc((a.n + 1) * w, sizeof *t);
	for (i = a.n; i-- > 0;)
		for (j = b.n; j-- > 0;)
			t[i * w + j] = same(&a, i, &b, j) ?
			    t[(i + 1) * w + j + 1] + 1 :
			    (t[(i + 1) * w + j] > t[i * w + j + 1] ?
			    t[(i + 1) * w + j] : t[i * w + j + 1]);
	d = xcalloc(a.n + b.n + 1, sizeof *d);
	i = j = 0;
	while (i < a.n || j < b.n) {
		if (i < a.n && j < b.n && same(&a, i, &b, j)) {
			d[n].op = ' ';
			d[n++].text = xstrndup(a.p[i], a.len[i]);
			i++, j++;
		} else if (i < a.n && (j == b.n ||
		    t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			/* Deletions first, as diff -u shows them. */
			d[n].op = '-';
			d[n++].text = xstrndup(a.p[i], a.len[i]);
			i++;
		} else {
			d[n].op = '+';
			d[n++].text = xstrndup(b.p[j], b.len[j]);
			j++;
		}
	}
	free(t);
	free(a.p); free(a.len); free(b.p); free(b.len);
	*out = d;
	return (ssize_t)n;
}

void
diff_free(struct diff_line *d, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		free(d[i].text);
	free(d);
}
