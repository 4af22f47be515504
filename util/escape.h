/*
 * The one escaping function. Every string that came from a certificate, a
 * file, the config or the user goes through it before it reaches a
 * terminal, stdout or a log: a certificate's CN is attacker-controlled.
 *
 * Control characters (C0), DEL, C1 controls (U+0080-U+009F), the Unicode
 * bidi controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) and
 * bytes that are not valid UTF-8 are written as \xHH or \u{HHHH}; a
 * backslash is doubled. With ESCAPE_ASCII every non-ASCII character is
 * escaped too, for terminals whose locale is not UTF-8.
 */
#ifndef CERTBIND_ESCAPE_H
#define CERTBIND_ESCAPE_H

#include <stddef.h>

#define ESCAPE_ASCII	0x1
/*
 * Leave backslashes alone: for messages that may already hold escapes
 * made by this function (a core cause quoting a file name), so that they
 * are not escaped twice. Control characters are still escaped.
 */
#define ESCAPE_MESSAGE	0x2

/* Returns an allocated string; s may be NULL (gives ""). */
char	*escape_str(const char *s, int flags);
char	*escape_mem(const void *s, size_t len, int flags);
/*
 * 1 when escape_str(s, flags) would return s unchanged because every byte
 * is printable ASCII (and no backslash without ESCAPE_MESSAGE): the caller
 * may then write s itself and save the copy. 0 says only that s needs the
 * escaping function, not that anything in it is dangerous.
 */
int	 escape_is_plain(const char *s, int flags);

#endif
