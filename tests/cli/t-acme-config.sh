#!/bin/sh
# A key's acme block and the acme group survive what the command line
# does to the file (issue 11): a bind rewrites the file, renew then
# install puts NAME-renew's key and certificate onto NAME, and NAME keeps
# its acme block; a broken block is reported with its file and line.
. "$(dirname "$0")/../lib.sh"

for tool in certtool openssl; do
	if ! command -v $tool >/dev/null 2>&1; then
		t_skip "acme config" "$tool is not installed"
		exit 0
	fi
done
. tests/fixtures/mkcert.sh

S=$T/store
C=$T/etc/certbind.conf
CA=$T/ca
mkcert_ca "$CA" root || exit 1

cb -c "$C" init --store "$S"
t_is "init exits 0" "$rc" 0
cb -c "$C" selfsign www --cn www.example.com --days 30
t_is "selfsign exits 0" "$rc" 0
# The block goes into the key's record as a user would write it.
sed -i 's|\(name = "www";.*\) }|\1\n    acme = { domains = ("www.example.com", "example.com"); challenge = "http-01"; webroot = "/var/www"; }; }|' "$C"
cat >>"$C" <<'EOC'
acme = { server = "https://ca.example/dir"; account = "acme/account.key"; };
EOC
cb -c "$C" check
t_nomatch "check has no error with the acme settings" "$out" '^error '
t_nomatch "and does not call them unknown" "$err" 'unknown setting'

cb -c "$C" bind www '*:*'
t_is "bind exits 0" "$rc" 0
t_match "the rewritten file keeps the block" "$(cat "$C")" \
    'acme = \{ domains = \( "www.example.com", "example.com" \); challenge = "http-01"; webroot = "/var/www"; \}; \}'
t_match "and the group" "$(cat "$C")" '^  server = "https://ca.example/dir";$'

cb -c "$C" renew www
t_is "renew exits 0" "$rc" 0
printf '%s\n' "$out" >"$T/renew.csr"
t_is "the pending www-renew has no acme block" \
    "$(tr -d '\n' <"$C" | grep -o '"www-renew";[^}]*}' | grep -c acme)" 0
mkcert_sign_csr "$T/renew.csr" "$CA/root" "$T/renew.pem" || exit 1
cb -c "$C" install "$T/renew.pem"
t_is "installing the renewal exits 0" "$rc" 0
t_is "www-renew is gone" "$(grep -c '"www-renew"' "$C")" 0
t_match "www keeps its acme block" "$(tr -d '\n' <"$C")" \
    'name = "www"; key = "keys/www-renew[^"]*\.key"; cert = "[^"]*";[^}]*acme = \{ domains = \( "www.example.com", "example.com" \)'

# A broken block: the file, the line and the value.
sed -i 's|webroot = "/var/www"|webroot = "var/www"|' "$C"
line=$(grep -n 'webroot = "var/www"' "$C" | cut -d: -f1)
cb -c "$C" check
t_is "check on a broken block exits 2" "$rc" 2
t_match "it names file, line and value" "$err" \
    "certbind.conf:$line: acme webroot 'var/www' is not an absolute path"

t_done
