/*
 * certbind note: the reason a key, a binding or a listener is the way it
 * is, kept in the file (libconfig drops comments; notes stay). The target
 * is told by the number of arguments before TEXT:
 *
 *	note KEY TEXT				the key
 *	note ENDPOINT TEXT			the listener on ENDPOINT
 *	note KEY ENDPOINT [--sni NAME] TEXT	that binding
 *
 * With two arguments a key of that name wins over an endpoint. TEXT ""
 * removes the note. The rule is config_note_check()'s.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/endpoint.h"

static int	cmd_note_exec(struct cmd_ctx *, struct args *);

const struct cmd_entry cmd_note_entry = {
	.name = "note",
	.summary = "keep a note on a key, a binding or a listener",
	.usage = "KEY TEXT | ENDPOINT TEXT | KEY ENDPOINT [--sni NAME] TEXT",
	.help =
	"Sets the note (why it is so: a ticket, a date, a reason) on the key\n"
	"KEY, on the listener on ENDPOINT, or on the binding of KEY to\n"
	"ENDPOINT (with --sni, the binding for that name). TEXT \"\" removes\n"
	"it. A note is at most 256 bytes of printable text; the file keeps\n"
	"it through every save, and list shows it.",
	.args = { 2, 3, { { "sni", 0, ARGS_VALUE } } },
	.exec = cmd_note_exec
};

static int
cmd_note_exec(struct cmd_ctx *ctx, struct args *args)
{
	struct config	*after;
	struct endpoint	 ep;
	const char	*target = args_string(args, 0), *sni, *text;
	const char	*what;
	char		*cause = NULL, buf[ENDPOINT_STRLEN];
	size_t		 n = args_count(args);
	ssize_t		 i;
	int		 rc;

	text = args_string(args, n - 1);
	sni = args_get(args, "sni");
	if (sni != NULL && n != 3) {
		cmd_error("--sni names a binding: certbind note KEY ENDPOINT "
		    "--sni NAME TEXT");
		return EXIT_CANNOT;
	}
	if ((after = cmd_edit(ctx)) == NULL)
		return EXIT_CANNOT;
	if (n == 2 && config_key_index(after, target) != -1) {
		what = "key";
		rc = config_key_note(after, target, text, &cause);
	} else if (n == 2) {
		if (cmd_endpoint(target, &ep) != 0)
			return EXIT_CANNOT;
		what = "listener";
		rc = config_listener_note(after, &ep, text, &cause);
	} else {
		if (cmd_endpoint(args_string(args, 1), &ep) != 0)
			return EXIT_CANNOT;
		if ((i = config_binding_find(after, target, &ep, sni)) == -1) {
			cmd_error("there is no binding of key '%s' to %s%s%s",
			    target, endpoint_format(&ep, buf),
			    sni != NULL ? " with sni " : "",
			    sni != NULL ? sni : "");
			return EXIT_REFUSED;
		}
		what = "binding";
		rc = config_binding_note(after, (size_t)i, text, &cause);
	}
	if (rc != 0)
		return cmd_fail(EXIT_REFUSED, cause);
	if ((rc = cmd_commit(ctx)) == EXIT_OK)
		cmd_info("%s %s", *text != '\0' ? "noted the" : "removed the "
		    "note of the", what);
	return rc;
}
