#!/bin/sh
# Every probe (address x port x SNI, including none) gets, by SHA-256, the
# certificate of the key that `certbind resolve` predicts, or a refused
# handshake where it predicts none. Bindings of every level: address and
# port, address with any port, any address with a port, the all-unassigned
# default, exact and wildcard SNI; listeners on 127.0.0.2, 127.0.0.3, "*"
# (dual stack: reached on 127.0.0.1 and ::1) and [::1]. Run twice: with
# the default, then, after SIGHUP, without it (so some probes are refused).
. "$(dirname "$0")/../lib.sh"
. "$top/tests/server/srvlib.sh"
srv_need

S=$T/store
for k in a2p1 wild a2any exact anyp2 v6 v6sni def; do
	mkcert_leaf "$S" "$k" "$k.test" || { t_fail "fixtures" "mkcert $k"; exit 1; }
done
P1=$(srv_port) P2=$(srv_port) P3=$(srv_port) PB=$(srv_port)
srv_backend "$PB" || { t_fail "backend starts"; exit 1; }

v6=1
$PY -c 'import socket; s=socket.socket(socket.AF_INET6); s.bind(("::1",0))' \
    2>/dev/null || v6=0

write_conf() {
	{
	cat <<EOC
version = 1;
store = "$S";
server = {
  listen = (
    { endpoint = "127.0.0.2:$P1"; backend = "127.0.0.1:$PB"; },
    { endpoint = "127.0.0.3:$P1"; backend = "127.0.0.1:$PB"; },
    { endpoint = "*:$P2"; backend = "127.0.0.1:$PB"; },
EOC
	[ $v6 = 1 ] && echo "    { endpoint = \"[::1]:$P3\"; backend = \"127.0.0.1:$PB\"; },"
	cat <<EOC
    { endpoint = "127.0.0.2:$P3"; backend = "127.0.0.1:$PB"; }
  );
  workers = 2;
};
keys = (
EOC
	for k in a2p1 wild a2any exact anyp2 v6 v6sni def; do
		echo "  { name = \"$k\"; key = \"$k.key\"; cert = \"$k.pem\"; },"
	done | sed '$ s/,$//'
	cat <<EOC
);
bindings = (
  { key = "a2p1"; endpoint = "127.0.0.2:$P1"; },
  { key = "wild"; endpoint = "127.0.0.2:$P1"; sni = "*.example.org"; },
  { key = "a2any"; endpoint = "127.0.0.2:*"; },
  { key = "exact"; endpoint = "*:$P2"; sni = "www.example.com"; },
  { key = "anyp2"; endpoint = "*:$P2"; },
  { key = "v6"; endpoint = "[::1]:$P3"; },
  { key = "v6sni"; endpoint = "[::1]:*"; sni = "api.example.net"; }$1
);
EOC
	} >"$T/certbind.conf"
}

write_conf ',
  { key = "def"; endpoint = "*:*"; }'
srv_start "$T/certbind.conf" || {
	t_fail "certbindd starts" "$(cat "$srv_log")"; exit 1; }
t_pass "certbindd starts"

probes="127.0.0.2:$P1 127.0.0.3:$P1 127.0.0.2:$P2 127.0.0.3:$P2 127.0.0.1:$P2 127.0.0.2:$P3"
[ $v6 = 1 ] && probes="$probes [::1]:$P2 [::1]:$P3"

matrix() {
	for ep in $probes; do
		case $ep in
		\[*)	host=${ep%]:*}; host=${host#[}; port=${ep##*:} ;;
		*)	host=${ep%:*}; port=${ep##*:} ;;
		esac
		for sni in "" www.example.com WWW.Example.COM a.example.org \
		    b.a.example.org api.example.net other.test; do
			if [ -n "$sni" ]; then
				$CERTBIND -c "$T/certbind.conf" resolve "$ep" \
				    --sni "$sni" >"$T/res" 2>&1
			else
				$CERTBIND -c "$T/certbind.conf" resolve "$ep" \
				    >"$T/res" 2>&1
			fi
			rc=$?
			case $rc in
			0)	key=$(awk '{print $1; exit}' "$T/res")
				want=$(mkcert_fpr "$S/$key.pem") ;;
			3)	key=none want=refused ;;
			*)	t_fail "$1 $ep sni=$sni: certbind resolve" \
				    "exit $rc: $(cat "$T/res")"
				continue ;;
			esac
			got=$(srv_fpr "$host" "$port" "$sni")
			t_is "$1 $ep sni=${sni:-none} serves $key" "$got" "$want"
		done
	done
}

matrix "with default:"

# The predictions really differ between the two phases: without the
# default, 127.0.0.3:P1 has no binding at all.
write_conf ""
srv_hup
srv_wait_log 1 'reloaded: serving generation 2' 10
t_ok "reload without the default" srv_wait_log 1 'generation 2' 1
matrix "no default:"
t_match "a refused handshake is logged with its endpoint" \
    "$(cat "$srv_log")" "no binding serves 127\\.0\\.0\\.3:$P1 without sni"
[ $v6 = 1 ] || t_skip "IPv6 probes" "no ::1 on this host"
t_done
