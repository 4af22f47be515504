/*
 * The form shared by the dialogs, the walkthrough and the prompts: fields
 * of one line each, with one line editor (insert at the cursor, Backspace
 * and Delete, Left/Right, Home/End, Ctrl-U, a bracketed paste) and choice
 * fields whose values Left/Right cycle through. Its keys are one table
 * (form_keymap), which the help screen lists.
 *
 * Only printable ASCII is typed in: these are names, addresses, paths and
 * passwords. What a field means, and whether it is valid, is its owner's.
 */
#ifndef CERTBIND_TUI_FORM_H
#define CERTBIND_TUI_FORM_H

#include <stddef.h>

#include "tui/action.h"

struct tui;

#define FORM_FIELDLEN	256
#define FORM_MAXFIELDS	8

struct form_field {
	const char	*label;
	const char	*hint;		/* shown beside it, or NULL */
	int		 kind;		/* the owner's */
	char		 buf[FORM_FIELDLEN];
	size_t		 len;
	size_t		 cur;		/* the cursor, 0 ... len */
	int		 secret;	/* drawn as stars, wiped when freed */
	int		 touched;	/* typed in since it was set */
	/* Values Left/Right cycle through; fixed: nothing else is typed. */
	char		**options;
	size_t		 noptions;
	size_t		 opt;
	int		 fixed;
	char		*error;		/* NULL: valid */
};

struct form {
	struct form_field f[FORM_MAXFIELDS];
	int		 n;
	int		 cur;
};

/* Adds a field holding value (may be NULL); NULL when the form is full. */
struct form_field *form_add(struct form *, const char *label,
	    const char *value);
/* Wipes and frees every field; the form is empty after. */
void	 form_clear(struct form *);
/* The current field, or NULL in an empty form. */
struct form_field *form_current(struct form *);

void	 form_set(struct form_field *, const char *value);
/* Offers a value to cycle through (once). */
void	 form_option(struct form_field *, const char *value);
/* Chooses the i-th offered value. */
void	 form_choose(struct form_field *, size_t i);
/* Replaces the field's error (takes it; NULL: valid). */
void	 form_error(struct form_field *, char *error);
/* Inserts printable text at the cursor (the rest is dropped). */
void	 form_insert(struct form_field *, const char *text);

/*
 * Edits or moves between the fields by form_keymap, and types printable
 * keys; a paste comes from t->paste. Enter and Esc are the owner's.
 * Returns 1 when the key was used.
 */
int	 form_key(struct form *, struct tui *, int key);

/*
 * Draws field f's text in w columns at y, x, with the cursor when the
 * field is current (stars for a secret). Returns the columns used.
 */
int	 form_draw_value(struct tui *, const struct form_field *, int y, int x,
	    int w, int current);

extern const struct tui_keymap form_keymap;

#endif
