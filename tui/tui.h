/*
 * The terminal UI: the only part of certbind that includes curses.
 */
#ifndef CERTBIND_TUI_H
#define CERTBIND_TUI_H

/*
 * Runs the key manager on the config at path until the user quits. With
 * propose (not NULL), the edited copy starts as the config in that file:
 * a reconfiguration made elsewhere, reviewed (r) and applied (c) through
 * the same commit. Returns an exit status: 0; 1 when SIGHUP, SIGTERM or
 * SIGINT ended it (unsaved edits are then in PATH.recover); 2 when a
 * config cannot be read (its errors are printed) or the terminal cannot
 * be driven.
 */
int	tui_main(const char *conf_path, const char *propose);

#endif
