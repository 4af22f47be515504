/*
 * Line diff by longest common subsequence over the part of the two texts
 * that differs (the common head and tail are cut off first). An edit to a
 * config changes a few lines, so the quadratic table stays small; one that
 * rewrites too much of a huge file is reported as too large (DIFF_MAX_CELLS)
 * rather than compared slowly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/diff.h"
#include "util/xmalloc.h"

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
	size_t		 i, j, n = 0, w, pre, post, ma, mb;
	struct diff_line *d;

	split(as, &a);
	split(bs, &b);
	*out = NULL;
	/*
	 * The lines both share at the start and at the end need no table: a
	 * large config with one change in it costs only its changed middle.
	 */
	for (pre = 0; pre < a.n && pre < b.n && same(&a, pre, &b, pre); pre++)
		;
	for (post = 0; post < a.n - pre && post < b.n - pre &&
	    same(&a, a.n - 1 - post, &b, b.n - 1 - post); post++)
		;
	ma = a.n - pre - post;
	mb = b.n - pre - post;
	if (mb + 1 > DIFF_MAX_CELLS / (ma + 1)) {
		free(a.p); free(a.len); free(b.p); free(b.len);
		return -1;
	}
	d = xcalloc(a.n + b.n + 1, sizeof *d);
	for (i = 0; i < pre; i++) {
		d[n].op = ' ';
		d[n++].text = xstrndup(a.p[i], a.len[i]);
	}
	/* t[i][j]: LCS length of the middles from a[pre + i], b[pre + j]. */
	w = mb + 1;
	t = xcalloc((ma + 1) * w, sizeof *t);
	for (i = ma; i-- > 0;)
		for (j = mb; j-- > 0;)
			t[i * w + j] = same(&a, pre + i, &b, pre + j) ?
			    t[(i + 1) * w + j + 1] + 1 :
			    (t[(i + 1) * w + j] > t[i * w + j + 1] ?
			    t[(i + 1) * w + j] : t[i * w + j + 1]);
	i = j = 0;
	while (i < ma || j < mb) {
		if (i < ma && j < mb && same(&a, pre + i, &b, pre + j)) {
			d[n].op = ' ';
			d[n++].text = xstrndup(a.p[pre + i], a.len[pre + i]);
			i++, j++;
		} else if (i < ma && (j == mb ||
		    t[(i + 1) * w + j] >= t[i * w + j + 1])) {
			/* Deletions first, as diff -u shows them. */
			d[n].op = '-';
			d[n++].text = xstrndup(a.p[pre + i], a.len[pre + i]);
			i++;
		} else {
			d[n].op = '+';
			d[n++].text = xstrndup(b.p[pre + j], b.len[pre + j]);
			j++;
		}
	}
	for (i = a.n - post; i < a.n; i++) {
		d[n].op = ' ';
		d[n++].text = xstrndup(a.p[i], a.len[i]);
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
