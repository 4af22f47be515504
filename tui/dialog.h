/*
 * What the dialog mode (window-dialog.c) and the dialogs it opens
 * (dialog-open.c) share, and nothing else includes. A dialog is a form
 * whose fields have a kind (enum field_kind) that says how the mode
 * validates them and what change they make together.
 */
#ifndef CERTBIND_TUI_DIALOG_H
#define CERTBIND_TUI_DIALOG_H

#include <stddef.h>

#include "core/endpoint.h"
#include "util/errlist.h"
#include "tui/form.h"

struct tui;

#define ALL_UNASSIGNED	"All unassigned"
#define MAXFIELDS	6
#define DIALOG_CHECK_MAX 5000	/* bindings */

enum dialog_kind {
	DLG_BIND,
	DLG_EDIT,
	DLG_MOVE,
	DLG_LISTEN
};

enum field_kind {
	FLD_KEY,
	FLD_ADDRESS,
	FLD_PORT,
	FLD_PORT_CONCRETE,
	FLD_SNI,
	FLD_ENDPOINT,
	FLD_BACKEND,
	/* A binding's own backend: empty for the listener's. */
	FLD_OWN_BACKEND
};

struct dialog {
	enum dialog_kind kind;
	char		*title;
	char		*note;		/* a suggestion, shown above fields */
	struct form	 form;
	size_t		 binding;	/* edit: the binding's index */
	unsigned	 gen;		/* the model generation it was made on */
	struct errlist	 effect;
	struct errlist	 added;		/* findings the change adds */
	char		*problem;	/* why the change cannot be made */
	int		 valid;
	/* The endpoints the change touches: only listeners they cover
	 * can change hands, so only those are asked about. */
	struct endpoint	 touched[2];
	size_t		 ntouched;
	int		 dirty;		/* typed into since the last update */
};

/* window-dialog.c */
struct dialog	*dialog_new(struct tui *, enum dialog_kind, const char *fmt,
		    ...) __attribute__((format(printf, 3, 4)));
struct form_field *dialog_field(struct dialog *, const char *label,
		    enum field_kind);
/* Opens the dialog; with the overlay stack full, it is dropped. */
void		 dialog_push(struct tui *, struct dialog *);

#endif
