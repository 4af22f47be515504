/*
 * Generates the stores the core benchmark runs `certbind check` on: one
 * store per size, each with its own share of keys (ECDSA P-256, made with
 * GnuTLS), their certificates signed by one bench CA, and a config with
 * that many bindings spread over listeners, every binding distinct so no
 * finding but the deliberate ones is produced.
 *
 *   gen DIR KEYS:BINDINGS[:stale]...
 *                      e.g. gen out 5000:50000 10000:100000 10000:100000:stale
 *
 * DIR/ca.pem is the CA; DIR/NAME/ is a store (NAME is BINDINGS/1000 "k",
 * then "-stale" for a stale one) with keys/, certs/ and certbind.conf. A
 * stale store has the same keys and bindings, but its listeners have moved
 * to other addresses (127.2xx.x.x instead of 127.x.x.x, same port), so
 * every binding is a stale-binding, every listener an unserved-listener,
 * and each old endpoint a probable-move: check prints one finding per
 * binding and more. The largest store is generated;
 * the smaller ones hard-link its first keys and certificates, so they cost
 * nothing more and the key files are the same bytes.
 *
 * Bench only: not part of `make all`, built by bench/core/run.sh.
 */

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#define LISTENERS_PER_1000	10	/* listeners per 1000 bindings */

struct size {
	unsigned	keys;
	unsigned	bindings;
	int		stale;		/* its listeners moved */
	char		name[32];
};

static void
die(const char *what, int err)
{
	if (err < 0)
		fprintf(stderr, "gen: %s: %s\n", what, gnutls_strerror(err));
	else
		fprintf(stderr, "gen: %s: %s\n", what, strerror(err));
	exit(1);
}

static void
check(int r, const char *what)
{
	if (r < 0)
		die(what, r);
}

/* Writes a whole file with exactly mode, whatever the umask. */
static void
write_file(const char *path, const void *data, size_t len, mode_t mode)
{
	int	fd;

	unlink(path);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode)) == -1)
		die(path, errno);
	if (fchmod(fd, mode) == -1 || write(fd, data, len) != (ssize_t)len ||
	    close(fd) == -1)
		die(path, errno);
}

static void
make_dir(const char *path, mode_t mode)
{
	if (mkdir(path, mode) == -1 && errno != EEXIST)
		die(path, errno);
	if (chmod(path, mode) == -1)
		die(path, errno);
}

static gnutls_x509_privkey_t
new_key(void)
{
	gnutls_x509_privkey_t	key;

	check(gnutls_x509_privkey_init(&key), "privkey_init");
	check(gnutls_x509_privkey_generate(key, GNUTLS_PK_ECDSA,
	    GNUTLS_CURVE_TO_BITS(GNUTLS_ECC_CURVE_SECP256R1), 0),
	    "privkey_generate");
	return key;
}

/* The CA's key identifier, for the leaves' authority key identifier. */
static unsigned char	ca_id[64];
static size_t		ca_idlen;

static gnutls_x509_crt_t
new_crt(gnutls_x509_privkey_t key, const char *cn, unsigned serial, int ca)
{
	gnutls_x509_crt_t	crt;
	unsigned char		ser[4], id[64];
	size_t			idlen;
	time_t			now = time(NULL);

	check(gnutls_x509_crt_init(&crt), "crt_init");
	check(gnutls_x509_crt_set_version(crt, 3), "set_version");
	check(gnutls_x509_crt_set_key(crt, key), "set_key");
	ser[0] = 0x01;
	ser[1] = serial >> 16;
	ser[2] = serial >> 8;
	ser[3] = serial;
	check(gnutls_x509_crt_set_serial(crt, ser, sizeof ser), "set_serial");
	check(gnutls_x509_crt_set_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME,
	    0, cn, strlen(cn)), "set_dn");
	check(gnutls_x509_crt_set_activation_time(crt, now - 3600),
	    "set_activation");
	check(gnutls_x509_crt_set_expiration_time(crt, now + 400 * 86400L),
	    "set_expiration");
	check(gnutls_x509_crt_set_basic_constraints(crt, ca, -1),
	    "set_basic_constraints");
	/* Key identifiers, as every real CA sets them (RFC 5280 4.2.1.2). */
	idlen = sizeof id;
	check(gnutls_x509_privkey_get_key_id(key, 0, id, &idlen), "key_id");
	check(gnutls_x509_crt_set_subject_key_id(crt, id, idlen),
	    "set_subject_key_id");
	if (ca)
		memcpy(ca_id, id, ca_idlen = idlen);
	else
		check(gnutls_x509_crt_set_authority_key_id(crt, ca_id,
		    ca_idlen), "set_authority_key_id");
	if (ca)
		check(gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_KEY_CERT_SIGN | GNUTLS_KEY_CRL_SIGN),
		    "set_key_usage");
	else {
		check(gnutls_x509_crt_set_key_usage(crt,
		    GNUTLS_KEY_DIGITAL_SIGNATURE), "set_key_usage");
		check(gnutls_x509_crt_set_key_purpose_oid(crt,
		    GNUTLS_KP_TLS_WWW_SERVER, 0), "set_key_purpose");
	}
	return crt;
}

static void
export_crt(gnutls_x509_crt_t crt, const char *path)
{
	gnutls_datum_t	out;

	check(gnutls_x509_crt_export2(crt, GNUTLS_X509_FMT_PEM, &out),
	    "crt_export");
	write_file(path, out.data, out.size, 0644);
	gnutls_free(out.data);
}

/* The key's PEM is wiped before it is freed, bench or not. */
static void
export_key(gnutls_x509_privkey_t key, const char *path)
{
	gnutls_datum_t	out;

	check(gnutls_x509_privkey_export2_pkcs8(key, GNUTLS_X509_FMT_PEM,
	    NULL, GNUTLS_PKCS_PLAIN, &out), "privkey_export");
	write_file(path, out.data, out.size, 0600);
	gnutls_memset(out.data, 0, out.size);
	gnutls_free(out.data);
}

static void
write_config(const char *dir, const struct size *sz)
{
	char		 path[4096], *abs;
	FILE		*f;
	unsigned	 i, nlisten, l, k;

	nlisten = sz->bindings / 1000 * LISTENERS_PER_1000;
	if (nlisten == 0)
		nlisten = 1;
	/* The trust file by its absolute path: a bench measures, not tests. */
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	if ((abs = realpath(path, NULL)) == NULL)
		die(path, errno);
	snprintf(path, sizeof path, "%s/%s/certbind.conf", dir, sz->name);
	if ((f = fopen(path, "w")) == NULL)
		die(path, errno);
	fprintf(f, "version = 1;\nstore = \".\";\nserver = {\n"
	    "  trust = \"%s\";\n  listen = (\n", abs);
	free(abs);
	for (l = 0; l < nlisten; l++)
		fprintf(f, "    { endpoint = \"127.%u.%u.%u:443\"; "
		    "backend = \"127.0.0.1:8080\"; }%s\n",
		    (sz->stale ? 201 : 1) + l / 65536, (l / 256) % 256, l % 256,
		    l + 1 < nlisten ? "," : "");
	fprintf(f, "  );\n};\nkeys = (\n");
	for (k = 0; k < sz->keys; k++)
		fprintf(f, "  { name = \"k%u\"; key = \"keys/k%u.key\"; "
		    "cert = \"certs/k%u.pem\"; }%s\n", k, k, k,
		    k + 1 < sz->keys ? "," : "");
	/*
	 * Binding i: key i % keys; listener i % nlisten; the first binding
	 * of each listener has no sni, the others an sni under the key's
	 * wildcard, unique by i. So every binding is served, none conflicts,
	 * every sni is in its certificate. In a stale store no listener is
	 * on these endpoints any more.
	 */
	fprintf(f, ");\nbindings = (\n");
	for (i = 0; i < sz->bindings; i++) {
		k = i % sz->keys;
		l = i % nlisten;
		fprintf(f, "  { key = \"k%u\"; endpoint = \"127.%u.%u.%u:443\";",
		    k, 1 + l / 65536, (l / 256) % 256, l % 256);
		if (i >= nlisten)
			fprintf(f, " sni = \"s%u.k%u.bench.test\";", i, k);
		fprintf(f, " }%s\n", i + 1 < sz->bindings ? "," : "");
	}
	fprintf(f, ");\n");
	if (fclose(f) == EOF)
		die(path, errno);
}

int
main(int argc, char **argv)
{
	struct size		*sizes;
	gnutls_x509_privkey_t	 cakey, key;
	gnutls_x509_crt_t	 ca, crt;
	char			 path[4096], path2[4096], cn[128], san[128];
	const char		*dir;
	unsigned		 nsizes, i, k, big = 0;
	int			 s, nc;
	char			 tail[16];

	if (argc < 3) {
		fprintf(stderr, "usage: gen DIR KEYS:BINDINGS...\n");
		return 2;
	}
	dir = argv[1];
	nsizes = argc - 2;
	sizes = calloc(nsizes, sizeof *sizes);
	if (sizes == NULL)
		die("calloc", errno);
	for (i = 0; i < nsizes; i++) {
		tail[0] = '\0';
		nc = sscanf(argv[i + 2], "%u:%u:%15s", &sizes[i].keys,
		    &sizes[i].bindings, tail);
		sizes[i].stale = nc == 3 && strcmp(tail, "stale") == 0;
		if (nc < 2 || (nc == 3 && !sizes[i].stale) ||
		    sizes[i].keys == 0 || sizes[i].bindings < sizes[i].keys) {
			fprintf(stderr, "gen: bad size '%s'\n", argv[i + 2]);
			return 2;
		}
		snprintf(sizes[i].name, sizeof sizes[i].name, "%uk%s",
		    sizes[i].bindings / 1000, sizes[i].stale ? "-stale" : "");
		if (sizes[i].keys > sizes[big].keys)
			big = i;
	}
	check(gnutls_global_init(), "global_init");
	make_dir(dir, 0755);

	cakey = new_key();
	ca = new_crt(cakey, "certbind bench CA", 1, 1);
	check(gnutls_x509_crt_sign2(ca, ca, cakey, GNUTLS_DIG_SHA256, 0),
	    "sign CA");
	snprintf(path, sizeof path, "%s/ca.pem", dir);
	export_crt(ca, path);

	for (i = 0; i < nsizes; i++) {
		snprintf(path, sizeof path, "%s/%s", dir, sizes[i].name);
		make_dir(path, 0755);
		snprintf(path, sizeof path, "%s/%s/keys", dir, sizes[i].name);
		make_dir(path, 0700);
		snprintf(path, sizeof path, "%s/%s/certs", dir, sizes[i].name);
		make_dir(path, 0755);
	}

	for (k = 0; k < sizes[big].keys; k++) {
		key = new_key();
		snprintf(cn, sizeof cn, "k%u.bench.test", k);
		crt = new_crt(key, cn, k + 2, 0);
		check(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, cn, strlen(cn), GNUTLS_FSAN_APPEND),
		    "set_san");
		snprintf(san, sizeof san, "*.k%u.bench.test", k);
		check(gnutls_x509_crt_set_subject_alt_name(crt,
		    GNUTLS_SAN_DNSNAME, san, strlen(san), GNUTLS_FSAN_APPEND),
		    "set_san");
		check(gnutls_x509_crt_sign2(crt, ca, cakey, GNUTLS_DIG_SHA256,
		    0), "sign");
		snprintf(path, sizeof path, "%s/%s/keys/k%u.key", dir,
		    sizes[big].name, k);
		export_key(key, path);
		snprintf(path, sizeof path, "%s/%s/certs/k%u.pem", dir,
		    sizes[big].name, k);
		export_crt(crt, path);
		gnutls_x509_crt_deinit(crt);
		gnutls_x509_privkey_deinit(key);

		for (s = 0; s < (int)nsizes; s++) {
			if ((unsigned)s == big || k >= sizes[s].keys)
				continue;
			snprintf(path, sizeof path, "%s/%s/keys/k%u.key", dir,
			    sizes[big].name, k);
			snprintf(path2, sizeof path2, "%s/%s/keys/k%u.key",
			    dir, sizes[s].name, k);
			unlink(path2);
			if (link(path, path2) == -1)
				die(path2, errno);
			snprintf(path, sizeof path, "%s/%s/certs/k%u.pem", dir,
			    sizes[big].name, k);
			snprintf(path2, sizeof path2, "%s/%s/certs/k%u.pem",
			    dir, sizes[s].name, k);
			unlink(path2);
			if (link(path, path2) == -1)
				die(path2, errno);
		}
	}
	gnutls_x509_crt_deinit(ca);
	gnutls_x509_privkey_deinit(cakey);

	for (i = 0; i < nsizes; i++)
		write_config(dir, &sizes[i]);
	gnutls_global_deinit();
	free(sizes);
	return 0;
}
