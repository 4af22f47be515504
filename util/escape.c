/*
 * The one escaping function (see escape.h). It decodes UTF-8 strictly, so a
 * byte sequence a terminal might read as something else (an overlong
 * form, a lone continuation byte, a C1 control encoded as UTF-8) is shown
 * as bytes instead of being passed through.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/escape.h"
#include "util/xmalloc.h"

struct sbuf {
	char	*p;
	size_t	 len;
	size_t	 cap;
};

static void
put(struct sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->p = xreallocarray(b->p, b->cap, 1);
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Decodes one UTF-8 character; returns its length, or 0 if invalid. */
static size_t
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	size_t	 len, i;
	uint32_t c;

	if (s[0] < 0x80) {
		*cp = s[0];
		return 1;
	}
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		c = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		c = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		c = s[0] & 0x07;
	} else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && c < 0x800) || (len == 4 && c < 0x10000) ||
	    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return len;
}

/* Characters that change how a terminal shows what follows them. */
static int
is_dangerous(uint32_t c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f) ||
	    c == 0x061c || c == 0x200e || c == 0x200f ||
	    (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x2028 || c == 0x2029;
}

/*
 * The length of s's first part that is written as it is: printable ASCII,
 * and a backslash only with ESCAPE_MESSAGE. Almost every string is that
 * from end to end, so it is copied whole instead of decoded a character
 * at a time.
 */
static size_t
plain_len(const unsigned char *s, size_t n, int flags)
{
	size_t	 i;

	for (i = 0; i < n; i++) {
		if (s[i] < 0x20 || s[i] >= 0x7f ||
		    (s[i] == '\\' && !(flags & ESCAPE_MESSAGE)))
			break;
	}
	return i;
}

int
escape_is_plain(const char *s, int flags)
{
	size_t	 n;

	if (s == NULL)
		return 0;	/* escape_str() gives "", not s */
	n = strlen(s);
	return plain_len((const unsigned char *)s, n, flags) == n;
}

char *
escape_mem(const void *v, size_t n, int flags)
{
	const unsigned char	*s = v;
	struct sbuf		 b = { NULL, 0, 0 };
	char			 tmp[16];
	size_t			 i, len;
	uint32_t		 c;

	/* Room for the string as it is; escapes grow it as they come. */
	b.cap = n + 1;
	b.p = xmalloc(b.cap);
	put(&b, "", 0);
	for (i = 0; i < n; ) {
		if ((len = plain_len(s + i, n - i, flags)) != 0) {
			put(&b, (const char *)s + i, len);
			i += len;
			continue;
		}
		if ((len = utf8_decode(s + i, n - i, &c)) == 0) {
			snprintf(tmp, sizeof tmp, "\\x%02X", s[i]);
			put(&b, tmp, 4);
			i++;
			continue;
		}
		if (c == '\\' && !(flags & ESCAPE_MESSAGE))
			put(&b, "\\\\", 2);
		else if (c < 0x80 && !is_dangerous(c))
			put(&b, (const char *)s + i, 1);
		else if (c < 0x80) {
			snprintf(tmp, sizeof tmp, "\\x%02X", (unsigned)c);
			put(&b, tmp, 4);
		} else if (is_dangerous(c) || (flags & ESCAPE_ASCII)) {
			snprintf(tmp, sizeof tmp, "\\u{%04X}", (unsigned)c);
			put(&b, tmp, strlen(tmp));
		} else
			put(&b, (const char *)s + i, len);
		i += len;
	}
	return b.p;
}

char *
escape_str(const char *s, int flags)
{
	if (s == NULL)
		return xstrdup("");
	return escape_mem(s, strlen(s), flags);
}
