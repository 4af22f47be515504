/*
 * The findings list: adding, copying, sorting, counting and comparing
 * findings. Nothing here knows what a finding means; the checks that make
 * them are in core/check.c and op/check.c.
 *
 * The one idea: a finding's identity across a change is its severity,
 * code and object, never its index or its message, so findings_diff()
 * answers "does this change add errors?" for every caller the same way.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "core/findings.h"
#include "util/xmalloc.h"

static void
findings_grow(struct findings *fs, size_t more)
{
	while (fs->n + more > fs->cap) {
		fs->cap = fs->cap ? fs->cap * 2 : 16;
		fs->v = xreallocarray(fs->v, fs->cap, sizeof *fs->v);
	}
}

struct finding *
findings_add(struct findings *fs, enum severity sev, const char *code,
    enum finding_kind kind, ssize_t index, const char *object,
    const char *fmt, ...)
{
	struct finding	*f;
	va_list		 ap;

	findings_grow(fs, 1);
	f = &fs->v[fs->n++];
	memset(f, 0, sizeof *f);
	f->severity = sev;
	f->code = code;
	f->kind = kind;
	f->index = index;
	f->object = xstrdup(object);
	va_start(ap, fmt);
	f->message = xvasprintf(fmt, ap);
	va_end(ap);
	return f;
}

void
findings_move(struct findings *to, struct findings *from)
{
	if (from->n != 0) {
		findings_grow(to, from->n);
		memcpy(&to->v[to->n], from->v, from->n * sizeof *from->v);
		to->n += from->n;
	}
	/* The strings moved with the structs: free only the array. */
	free(from->v);
	from->v = NULL;
	from->n = from->cap = 0;
}

static int
finding_cmp(const void *va, const void *vb)
{
	const struct finding	*a = va, *b = vb;
	int			 r;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((r = strcmp(a->code, b->code)) != 0)
		return r;
	if ((r = strcmp(a->object, b->object)) != 0)
		return r;
	return (a->index > b->index) - (a->index < b->index);
}

void
findings_sort(struct findings *fs)
{
	if (fs->n > 1)
		qsort(fs->v, fs->n, sizeof *fs->v, finding_cmp);
}

void
findings_copy(struct findings *fs, const struct finding *f)
{
	struct finding	*c;

	c = findings_add(fs, f->severity, f->code, f->kind, f->index,
	    f->object, "%s", f->message);
	c->move_from = f->move_from != NULL ? xstrdup(f->move_from) : NULL;
	c->move_to = f->move_to != NULL ? xstrdup(f->move_to) : NULL;
}

/*
 * What makes two findings the same finding across a change: severity,
 * code and object. The index is not part of it (an edit renumbers rows),
 * nor the message (it may quote a count); and a warning that becomes an
 * error is a new error.
 */
static int
finding_same_cmp(const void *va, const void *vb)
{
	const struct finding	*a = *(const struct finding *const *)va;
	const struct finding	*b = *(const struct finding *const *)vb;
	int			 r;

	if (a->severity != b->severity)
		return a->severity > b->severity ? -1 : 1;
	if ((r = strcmp(a->code, b->code)) != 0)
		return r;
	return strcmp(a->object, b->object);
}

static const struct finding **
findings_sorted(const struct findings *fs)
{
	const struct finding	**v;
	size_t			  i;

	v = xcalloc(fs->n + 1, sizeof *v);
	for (i = 0; i < fs->n; i++)
		v[i] = &fs->v[i];
	qsort(v, fs->n, sizeof *v, finding_same_cmp);
	return v;
}

size_t
findings_diff(const struct findings *before, const struct findings *after,
    struct findings *added, struct findings *removed)
{
	const struct finding	**a, **b;
	size_t			  i = 0, j = 0, nerr = 0;
	int			  r;

	a = findings_sorted(before);
	b = findings_sorted(after);
	while (i < before->n || j < after->n) {
		if (i == before->n)
			r = 1;
		else if (j == after->n)
			r = -1;
		else
			r = finding_same_cmp(&a[i], &b[j]);
		if (r == 0) {
			i++;
			j++;
		} else if (r < 0) {
			if (removed != NULL)
				findings_copy(removed, a[i]);
			i++;
		} else {
			if (b[j]->severity == SEV_ERROR)
				nerr++;
			if (added != NULL)
				findings_copy(added, b[j]);
			j++;
		}
	}
	free(a);
	free(b);
	return nerr;
}

size_t
findings_count(const struct findings *fs, enum severity sev)
{
	size_t	 i, n = 0;

	for (i = 0; i < fs->n; i++)
		if (fs->v[i].severity == sev)
			n++;
	return n;
}

void
findings_clear(struct findings *fs)
{
	size_t	 i;

	for (i = 0; i < fs->n; i++) {
		free(fs->v[i].object);
		free(fs->v[i].message);
		free(fs->v[i].move_from);
		free(fs->v[i].move_to);
	}
	free(fs->v);
	fs->v = NULL;
	fs->n = fs->cap = 0;
}

const char *
severity_name(enum severity sev)
{
	switch (sev) {
	case SEV_ERROR:
		return "error";
	case SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}
