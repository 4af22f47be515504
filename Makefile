# certbind: a key manager for TLS servers, and certbindd, its TLS proxy.
#
# The layers are visible in the file list: util/, core/, keys/ and op/ build
# into libcertbind.a (no curses, no printing, no exit), tui/ is the only code
# that includes curses, cli/ holds certbind's subcommands and server/
# certbindd. Includes go one way: util <- core <- keys <- op <- front ends.
# New files are picked up by the wildcards below: add a .c file, not a rule.

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
SBINDIR	?= $(PREFIX)/sbin
MANDIR	?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
UNITDIR	?= $(PREFIX)/lib/systemd/system
DESTDIR	?=

VERSION	 = 0.1.0
CC	?= cc
PKG_CONFIG ?= pkg-config

CFLAGS	?= -O2 -g
WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wno-unused-parameter
CPPFLAGS += -D_GNU_SOURCE -DCERTBIND_VERSION='"$(VERSION)"' -I. -MMD -MP

# pkg-config is asked only when something is built, so 'make deps' works on
# a machine that has none of the libraries yet.
# The library's dependencies: GnuTLS (TLS, certificates, JWS signatures),
# libtasn1 (the DER of the tls-alpn-01 extension), libconfig, jansson (ACME's
# JSON), libcurl (Debian's GnuTLS build: ACME's HTTP) and libmicrohttpd (the
# http-01 responder).
LIB_PKGS   = gnutls libtasn1 libconfig jansson libcurl libmicrohttpd
# OpenSSL's libcrypto signs for certbindd (keys/fastsign.c): RSA several
# times faster than GnuTLS's nettle. make OPENSSL=no builds without it, and
# GnuTLS signs everything.
OPENSSL	?= yes
ifeq ($(OPENSSL),yes)
LIB_PKGS  += libcrypto
CPPFLAGS  += -DCERTBIND_OPENSSL
endif
LIB_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(LIB_PKGS) 2>/dev/null)
LIB_LIBS   = $(shell $(PKG_CONFIG) --libs $(LIB_PKGS) 2>/dev/null) -lpthread
CURSES_CFLAGS = $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS   = $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null)
CMOCKA_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka 2>/dev/null)
CMOCKA_LIBS   = $(shell $(PKG_CONFIG) --libs cmocka 2>/dev/null)

ALL_CFLAGS = $(WARN) $(CFLAGS) $(LIB_CFLAGS)

B	 = build
LIB_SRC	 = $(sort $(wildcard util/*.c core/*.c keys/*.c op/*.c))
CLI_SRC	 = $(sort $(wildcard cli/*.c))
TUI_SRC	 = $(sort $(wildcard tui/*.c))
SRV_SRC	 = $(sort $(wildcard server/*.c))
UNIT_SRC = $(sort $(wildcard tests/unit/test_*.c))
UNIT_HELPER_SRC = $(filter-out $(UNIT_SRC),$(wildcard tests/unit/*.c))

LIB_OBJ	 = $(LIB_SRC:%.c=$(B)/%.o)
CLI_OBJ	 = $(CLI_SRC:%.c=$(B)/%.o)
TUI_OBJ	 = $(TUI_SRC:%.c=$(B)/%.o)
SRV_OBJ	 = $(SRV_SRC:%.c=$(B)/%.o)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(B)/tests/%)
UNIT_HELPER_OBJ = $(UNIT_HELPER_SRC:%.c=$(B)/%.o)

LIB	 = $(B)/libcertbind.a
PROGS	 = $(B)/certbind $(B)/certbindd

.PHONY: all deps check-deps bench-deps deb-deps run demo check check-asan \
	check-valgrind fuzz bench deb \
	install uninstall clean distclean lint-layers lint-man \
	print-lib-cflags print-lib-libs

all: $(PROGS)

# Keep the unit tests' objects: make would delete them as intermediates,
# after the test summary, which must stay the last line of make check.
.SECONDARY:

$(B)/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) -c -o $@ $<

$(B)/tui/%.o: tui/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CURSES_CFLAGS) -c -o $@ $<

$(B)/tests/unit/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(ALL_CFLAGS) $(CMOCKA_CFLAGS) -c -o $@ $<

$(LIB): $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/certbind: $(CLI_OBJ) $(TUI_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(CLI_OBJ) $(TUI_OBJ) $(LIB) \
	    $(LIB_LIBS) $(CURSES_LIBS)

$(B)/certbindd: $(SRV_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $(SRV_OBJ) $(LIB) $(LIB_LIBS)

$(B)/tests/test_%: $(B)/tests/unit/test_%.o $(UNIT_HELPER_OBJ) $(LIB)
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(UNIT_HELPER_OBJ) $(LIB) \
	    $(LIB_LIBS) $(CMOCKA_LIBS)

# Install what is missing from Debian's packages (apt-get as root, sudo
# otherwise), and do nothing when all is there: deps for building and the
# demo (make run), check-deps for the tests as well, bench-deps for the
# benchmarks' peers too. make run never installs a test or benchmark tool.
deps:
	@sh tools/deps.sh build

check-deps:
	@sh tools/deps.sh test

bench-deps:
	@sh tools/deps.sh bench

deb-deps:
	@sh tools/deps.sh deb

# The demo store shows the situation certbind exists for: a site moved from
# 127.0.0.2:8443 to 127.0.0.3:8443 with its binding left behind.
demo: all
	@sh tools/mkdemo.sh demo

run: deps
	@$(MAKE) --no-print-directory all
	@sh tools/mkdemo.sh demo
	@sh tools/run-demo.sh demo

check: check-deps
	@$(MAKE) --no-print-directory all $(UNIT_BIN)
	@CC="$(CC)" CFLAGS="$(CFLAGS)" LDFLAGS="$(LDFLAGS)" sh tests/run.sh

# The same suite under AddressSanitizer and UndefinedBehaviorSanitizer, in
# a build tree of its own so the normal build is left alone.
check-asan:
	$(MAKE) B=build-asan CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" all
	$(MAKE) B=build-asan CC=clang \
	    CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    LDFLAGS="-fsanitize=address,undefined" check

check-valgrind: all
	@CERTBIND_VALGRIND=1 sh tests/run.sh cli acme

fuzz:
	@sh tests/fuzz/run.sh

bench: bench-deps
	@$(MAKE) --no-print-directory all
	@sh bench/run.sh

lint-layers:
	@sh tools/lint-layers.sh

# What a program built on libcertbind.a compiles and links with, for the
# tests that build a helper on it (tests/lib.sh: cb_lib_cflags,
# cb_lib_libs): one list, the Makefile's.
print-lib-cflags:
	@echo "-D_GNU_SOURCE -I. $(LIB_CFLAGS)"

print-lib-libs:
	@echo "$(LIB_LIBS)"

lint-man:
	@sh tools/lint-man.sh

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) \
	    $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
	    $(DESTDIR)$(MANDIR)/man8
	install -m 755 $(B)/certbind $(DESTDIR)$(BINDIR)/certbind
	install -m 755 $(B)/certbindd $(DESTDIR)$(SBINDIR)/certbindd
	install -m 644 man/certbind.1 $(DESTDIR)$(MANDIR)/man1/certbind.1
	install -m 644 man/certbind.conf.5 $(DESTDIR)$(MANDIR)/man5/certbind.conf.5
	install -m 644 man/certbindd.8 $(DESTDIR)$(MANDIR)/man8/certbindd.8
	if [ -f packaging/certbindd.service ]; then \
	    install -d $(DESTDIR)$(UNITDIR); \
	    sed 's|@SBINDIR@|$(SBINDIR)|g' packaging/certbindd.service \
	        > $(DESTDIR)$(UNITDIR)/certbindd.service; \
	fi
	if [ -f packaging/certbind-renew.service ]; then \
	    install -d $(DESTDIR)$(UNITDIR); \
	    sed 's|@BINDIR@|$(BINDIR)|g' packaging/certbind-renew.service \
	        > $(DESTDIR)$(UNITDIR)/certbind-renew.service; \
	    install -m 644 packaging/certbind-renew.timer \
	        $(DESTDIR)$(UNITDIR)/certbind-renew.timer; \
	fi

# The Debian package, built out of tree from the files git knows (tracked,
# and new ones not ignored) so that the checkout stays clean, then checked
# by lintian: build/deb/certbind_$(VERSION)-1_*.deb.
deb: deb-deps
	rm -rf $(B)/deb
	mkdir -p $(B)/deb/src
	if git rev-parse --git-dir >/dev/null 2>&1; then \
	    git ls-files -c -o --exclude-standard | \
	        while read -r f; do [ -e "$$f" ] && echo "$$f"; done | \
	        tar -c --verbatim-files-from -T - -f - | \
	        tar -x -C $(B)/deb/src -f -; \
	else \
	    tar -c --exclude=./build --exclude=./build-asan --exclude=./demo \
	        -f - . | tar -x -C $(B)/deb/src -f -; \
	fi
	cd $(B)/deb/src && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    dpkg-buildpackage -b -us -uc
	lintian --fail-on error,warning $(B)/deb/certbind_$(VERSION)-1_*.deb

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/certbind $(DESTDIR)$(SBINDIR)/certbindd \
	    $(DESTDIR)$(MANDIR)/man1/certbind.1 \
	    $(DESTDIR)$(MANDIR)/man5/certbind.conf.5 \
	    $(DESTDIR)$(MANDIR)/man8/certbindd.8 \
	    $(DESTDIR)$(UNITDIR)/certbindd.service \
	    $(DESTDIR)$(UNITDIR)/certbind-renew.service \
	    $(DESTDIR)$(UNITDIR)/certbind-renew.timer

clean:
	rm -rf build build-asan

distclean: clean
	rm -rf demo

-include $(shell find $(B) -name '*.d' 2>/dev/null)
