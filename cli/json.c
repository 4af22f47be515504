/*
 * The command line's JSON (--json on check, list, resolve, probe and
 * acme status): one document on stdout, written by jansson. The shapes
 * are documented in certbind.1 and kept stable.
 *
 * The one idea: what a certificate, a CA or a config says is untrusted
 * text, and a JSON document is read by people in terminals too, so the
 * document is ASCII only (JSON_ENSURE_ASCII writes \uXXXX for the rest)
 * and a string that is not UTF-8 is given the way the text output shows
 * it, escaped.
 */
#include <stdio.h>
#include <stdlib.h>

#include <jansson.h>

#include "cli/cmd.h"
#include "core/config.h"
#include "core/findings.h"
#include "util/escape.h"

json_t *
cmd_json_str(const char *s)
{
	json_t	*j;
	char	*e;

	if (s == NULL)
		return json_null();
	if ((j = json_string(s)) != NULL)
		return j;
	e = escape_str(s, 0);
	j = json_string(e);
	free(e);
	return j != NULL ? j : json_null();
}

void
cmd_json_print(json_t *doc)
{
	char	*text, *named;

	text = json_dumps(doc, JSON_INDENT(2) | JSON_ENSURE_ASCII |
	    JSON_PRESERVE_ORDER);
	/* An etcd location's files by their keys, as in the messages. */
	if (text != NULL && (named = cmd_name_paths(text)) != NULL) {
		free(text);
		text = named;
	}
	if (text != NULL)
		printf("%s\n", text);
	free(text);
	json_decref(doc);
}

/* The line of the config a finding is about, or 0 when none. */
static int
finding_line(const struct config *cf, const struct finding *f)
{
	if (cf == NULL || f->index < 0)
		return 0;
	switch (f->kind) {
	case FK_KEY:
		return (size_t)f->index < config_nkeys(cf) ?
		    config_key(cf, (size_t)f->index)->line : 0;
	case FK_BINDING:
		return (size_t)f->index < config_nbindings(cf) ?
		    config_binding(cf, (size_t)f->index)->line : 0;
	case FK_LISTENER:
		return (size_t)f->index < config_nlisteners(cf) ?
		    config_listener(cf, (size_t)f->index)->line : 0;
	default:
		return 0;
	}
}

json_t *
cmd_json_findings(const struct config *cf, const struct findings *fs)
{
	const struct finding	*f;
	json_t			*a = json_array(), *o;
	size_t			 i;
	int			 line;

	for (i = 0; i < fs->n; i++) {
		f = &fs->v[i];
		o = json_object();
		json_object_set_new(o, "severity",
		    json_string(severity_name(f->severity)));
		json_object_set_new(o, "code", json_string(f->code));
		json_object_set_new(o, "object", cmd_json_str(f->object));
		json_object_set_new(o, "message", cmd_json_str(f->message));
		line = finding_line(cf, f);
		json_object_set_new(o, "line", line > 0 ? json_integer(line) :
		    json_null());
		if (f->move_from != NULL) {
			json_object_set_new(o, "move_from",
			    cmd_json_str(f->move_from));
			json_object_set_new(o, "move_to",
			    cmd_json_str(f->move_to));
		}
		json_array_append_new(a, o);
	}
	return a;
}

json_t *
cmd_json_counts(const struct findings *fs)
{
	return json_pack("{s:I,s:I,s:I}",
	    "errors", (json_int_t)findings_count(fs, SEV_ERROR),
	    "warnings", (json_int_t)findings_count(fs, SEV_WARNING),
	    "notes", (json_int_t)findings_count(fs, SEV_INFO));
}
