#!/bin/sh
# Remakes the cert fuzz target's seeds for what certbind imports beyond a
# single certificate: a chain (leaf, intermediate and root in one PEM),
# PKCS#12 files with and without a password, and encrypted private keys
# (PKCS#8 PBES2, and OpenSSL's legacy "Proc-Type: 4,ENCRYPTED" PEM). The
# password is "password", the one tests/fuzz/fuzz_cert.c tries. The
# certificates come from certtool, the encrypted containers from openssl,
# whose -iter lets the key derivation run once: with the tools' default
# counts (thousands of PBKDF2 rounds) every input that reaches a
# decryption would take milliseconds and the fuzzer would crawl.
#
# Seeds are written to tests/fuzz/corpus/cert under their SHA-1, as
# libFuzzer names corpus files. The script lives beside the corpus, not in
# it: make fuzz replaces the corpus directory with its merged copy. The
# keys are new on every run, so a second run adds a second set: it prints
# each seed's name and what it is, to remove the set it replaces.
#
# Usage: sh tests/fuzz/mkcorpus-cert.sh
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
out="$top/tests/fuzz/corpus/cert"
w=$(mktemp -d)
trap 'rm -rf "$w"' EXIT
cd "$w"
pw=password

# Fixed dates and serials keep the certificates alike from run to run
# (the keys and signatures still differ).
cat >root.tmpl <<EOF
cn = "Fuzz Root CA"
serial = 1
ca
cert_signing_key
crl_signing_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF
cat >int.tmpl <<EOF
cn = "Fuzz Intermediate CA"
serial = 2
ca
path_len = 0
cert_signing_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF
cat >leaf.tmpl <<EOF
cn = "www.example.com"
dns_name = "www.example.com"
dns_name = "*.example.org"
ip_address = "192.0.2.1"
serial = 3
tls_www_server
signing_key
activation_date = "2025-01-01 00:00:00 UTC"
expiration_date = "2045-01-01 00:00:00 UTC"
EOF

q() { "$@" >/dev/null 2>&1; }
q certtool --generate-privkey --key-type=ecdsa --curve=secp384r1 \
    --outfile root.key
q certtool --generate-self-signed --load-privkey root.key \
    --template root.tmpl --outfile root.pem
q certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
    --outfile int.key
q certtool --generate-certificate --load-privkey int.key \
    --load-ca-privkey root.key --load-ca-certificate root.pem \
    --template int.tmpl --outfile int.pem
q certtool --generate-privkey --key-type=ecdsa --curve=secp256r1 \
    --outfile leaf.key
q certtool --generate-certificate --load-privkey leaf.key \
    --load-ca-privkey int.key --load-ca-certificate int.pem \
    --template leaf.tmpl --outfile leaf.pem
q certtool --generate-privkey --key-type=rsa --bits=2048 --outfile rsa.key
q certtool --generate-privkey --key-type=ed25519 --outfile ed.key
# certtool writes a text description before the PEM: keep the PEM only.
for f in root int leaf; do
	sed -n '/-----BEGIN/,/-----END/p' $f.pem >$f.crt
done
for f in root int leaf rsa ed; do
	openssl pkey -in $f.key -out $f.p8
done

# Chains: leaf, intermediate, root in one PEM, and with the key first.
cat leaf.crt int.crt root.crt >chain.pem
cat leaf.p8 leaf.crt int.crt >key-chain.pem

# PKCS#12: key and chain with a password (PBES2/AES, and the old
# 3DES PBE), with an empty password, and with none at all (no MAC, no
# encryption), plus certificates only.
cat int.crt root.crt >ca.crt
openssl pkcs12 -export -inkey leaf.p8 -in leaf.crt -certfile ca.crt \
    -passout pass:$pw -iter 1 -name leaf -out p12-pbes2.p12
openssl pkcs12 -export -inkey leaf.p8 -in leaf.crt -certfile ca.crt \
    -passout pass:$pw -iter 1 -certpbe PBE-SHA1-3DES \
    -keypbe PBE-SHA1-3DES -macalg sha1 -out p12-3des.p12
openssl pkcs12 -export -inkey leaf.p8 -in leaf.crt -certfile ca.crt \
    -passout pass: -iter 1 -out p12-empty.p12
openssl pkcs12 -export -inkey leaf.p8 -in leaf.crt \
    -passout pass: -keypbe NONE -certpbe NONE -nomac -out p12-none.p12
openssl pkcs12 -export -nokeys -in chain.pem -passout pass:$pw -iter 1 \
    -out p12-certs.p12

# Encrypted private keys: PKCS#8 PBES2 (PEM and DER) and legacy PEM.
openssl pkcs8 -topk8 -in leaf.p8 -v2 aes-256-cbc -iter 1 \
    -passout pass:$pw -out p8-aes256.pem
openssl pkcs8 -topk8 -in ed.p8 -v2 aes-128-cbc -v2prf hmacWithSHA256 \
    -iter 1 -passout pass:$pw -out p8-ed25519.pem
openssl pkcs8 -topk8 -in rsa.p8 -v2 aes-128-cbc -iter 1 \
    -passout pass:$pw -outform DER -out p8-rsa.der
openssl rsa -in rsa.p8 -traditional -aes128 -passout pass:$pw \
    -out legacy-rsa.pem 2>/dev/null
openssl ec -in leaf.p8 -des3 -passout pass:$pw -out legacy-ec.pem \
    2>/dev/null

mkdir -p "$out"
n=0
for f in chain.pem key-chain.pem p12-pbes2.p12 p12-3des.p12 \
    p12-empty.p12 p12-none.p12 p12-certs.p12 p8-aes256.pem \
    p8-ed25519.pem p8-rsa.der legacy-rsa.pem legacy-ec.pem; do
	sum=$(sha1sum "$f" | cut -d' ' -f1)
	cp "$f" "$out/$sum"
	echo "  $sum $f"
	n=$((n + 1))
done
echo "mkcorpus-cert: $n seeds in tests/fuzz/corpus/cert" >&2
