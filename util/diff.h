/*
 * A line diff, for showing a change before it is written (certbind
 * rollback, the UI's review). Plain text in, plain text out; the caller
 * escapes before printing.
 */
#ifndef CERTBIND_DIFF_H
#define CERTBIND_DIFF_H

#include <stddef.h>
#include <sys/types.h>

struct diff_line {
	char	 op;		/* ' ' same, '-' only in a, '+' only in b */
	char	*text;		/* without the newline */
};

/*
 * The shortest edit from a to b, line by line (LCS). Returns the number of
 * lines in *out (allocated, free with diff_free), or -1 when the inputs are
 * too large to compare (over DIFF_MAX_CELLS line pairs).
 */
#define DIFF_MAX_CELLS	(16u * 1024 * 1024)
ssize_t	diff_lines(const char *a, const char *b, struct diff_line **out);
void	diff_free(struct diff_line *, size_t);

#endif
