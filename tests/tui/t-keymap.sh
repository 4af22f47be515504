#!/bin/sh
# The shared widgets behave the same wherever they are used: the keys
# and the endpoints panes page, jump and filter alike (one list widget);
# the hint line and the help screen say what the action tables run (a
# key no table has does nothing, and says so); and the line editor of
# the form inserts and deletes at its cursor. Home, End and Delete work
# although tmux sends them as another terminal than TERM names.
. "$(dirname "$0")/../lib.sh"
. tests/tui/tmux.sh

# Thirty pending keys, each bound to a port of its own: more rows than
# either pane shows at 80x24.
mkdir -p "$T/k"
{
	echo 'version = 1;'
	echo 'keys = ('
	for i in $(seq -w 1 30); do
		sep=,; [ "$i" = 30 ] && sep=
		printf '  { name = "k%s"; key = "k%s.key"; ' "$i" "$i"
		printf 'request = "k%s.csr"; }%s\n' "$i" "$sep"
	done
	echo ');'
	echo 'bindings = ('
	for i in $(seq -w 1 30); do
		sep=,; [ "$i" = 30 ] && sep=
		echo "  { key = \"k$i\"; endpoint = \"127.0.0.1:80$i\"; }$sep"
	done
	echo ');'
} >"$T/k/certbind.conf"

tm_start 80 24 -- -c "$T/k/certbind.conf"
tm_ready || { t_fail "the UI did not start" "$(tm_screen)"; exit 1; }

# The keys pane shows five rows at 80x24: a page is four.
tm_keys NPage
t_ok "keys: PgDn moves by the rows shown less one" tm_wait '>k05 '
tm_keys End
t_ok "keys: End selects the last key" tm_wait '>k30 '
tm_keys Home
t_ok "keys: Home selects the first key" tm_wait '>k01 '
tm_keys G
t_ok "keys: G is End" tm_wait '>k30 '
tm_keys g
t_ok "keys: g is Home" tm_wait '>k01 '

# The endpoints pane: ten rows shown, the two headings never selected.
tm_keys BTab
t_ok "Shift-Tab goes to the endpoints pane" \
    tm_wait "?:help b:bind e:edit d:unbind m:move l/L:listener p:probe"
t_ok "endpoints: the first binding is selected, not a heading" \
    tm_wait '>127.0.0.1:8001 '
tm_keys NPage
t_ok "endpoints: PgDn moves by the rows shown less one" \
    tm_wait '>127.0.0.1:8010 '
tm_keys End
t_ok "endpoints: End selects the last row" tm_wait '>127.0.0.1:8030 '
tm_keys Home
t_ok "endpoints: Home goes past the headings to the first binding" \
    tm_wait '>127.0.0.1:8001 '

# The filter's line editor: insert at the cursor, Home, Delete.
tm_keys /
t_ok "/ asks for the endpoints filter" tm_wait "Filter endpoints"
tm_keys -l 'x815'
tm_keys Left Left
tm_keys -l '0'
tm_keys Home DC End
t_ok "the line editor inserted at the cursor and deleted at Home" \
    tm_wait '8015_'
tm_keys Enter
t_ok "the endpoints filter says what it shows" tm_wait "Endpoints /8015"
t_ok "and shows the one binding" tm_wait '>127.0.0.1:8015 '
t_nomatch "no other binding is shown" "$(tm_screen)" '127\.0\.0\.1:8014'
tm_keys / C-u Enter
t_ok "an empty filter shows every row again" \
    tm_wait "Endpoints: 0 listeners, 30 bindings"

# The keys filter is the same widget.
tm_keys Tab
t_ok "Tab from the endpoints comes round to the keys pane" \
    tm_wait "Tab:pane Enter:details"
tm_keys /
tm_wait "Filter keys" >/dev/null
tm_keys -l k2
tm_keys Enter
t_ok "keys: the filter says how many of how many" tm_wait "Keys 10/30 /k2"

# Hints and help come from the tables that run the keys.
tm_keys Enter
t_ok "Enter opens the details, with their hint line" \
    tm_wait "j/k:scroll Enter/Esc:back to keys Tab:pane ?:help q:quit"
tm_keys Escape
t_ok "Esc goes back to the keys, as the hint line says" \
    tm_wait "?:help q:quit Tab:pane Enter:details /:filter"
tm_keys Z
t_ok "a key no table has says so" tm_wait "That key does nothing here"
tm_keys '?'
t_ok "? opens the help" tm_wait "Moving around"
scr=$(tm_screen)
t_match "the help lists Tab as the next pane" "$scr" '│ +Tab {4,}next pane'
t_match "the help lists ? and F1 together" "$scr" '│ +\?, F1 {4,}this help'
tm_keys NPage
t_ok "the help lists the list keys" tm_wait "In the keys and endpoints lists"
tm_keys NPage
t_ok "and the form's keys" tm_wait "In dialogs and forms"
t_match "with Home for the start of a field" "$(tm_screen)" \
    '│ +Home, Ctrl-A {4,}start of the field'
tm_keys q
tm_gone "Moving around" >/dev/null

# A dialog's hint line is made from its table and the form's.
tm_keys b
t_ok "b opens the bind dialog" tm_wait "Bind a key to an endpoint"
t_ok "its hint line comes from the dialog's table" \
    tm_wait "Tab:field Left/Right:choices Enter:accept Esc:cancel"
t_match "and so is the line of keys in its box" "$(tm_screen)" \
    'Enter:accept Esc:cancel Tab:field'
tm_keys Escape
t_ok "Esc cancels, as the hint says" tm_wait "Cancelled."

# The review and the questions are tables too.
tm_keys r
t_ok "r opens the review, its hint line made from its table" \
    tm_wait "j/k:scroll PgUp/PgDn:page c:commit q/Esc/r:back"
tm_keys q
t_ok "q goes back, as the hint line says" tm_gone "c:commit q/Esc/r:back"
tm_keys d
t_ok "d asks before unbinding, with y and n on the hint line" \
    tm_wait "y:yes n/Esc:no"
tm_keys n
tm_gone "y:yes n/Esc:no" >/dev/null

tm_keys q
t_ok "q quits at once when nothing changed" tm_wait "certbind-exit=0"
t_done
