# Mid-back kiosk. `make` builds build/kiosk; `make check` installs what the
# tests need (scripts/install-deps.sh) and runs every test; `make demo` runs
# the kiosk with keys for the button and the mat. SANITIZER=address,undefined
# builds and tests under the sanitizers in build-san/; WERROR=1 turns
# warnings into errors. `make soak` and `make valgrind`: see below.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/kiosk
MANDIR ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc/kiosk
DESTDIR ?=

CC ?= cc
PKG_CONFIG ?= pkg-config
SANITIZER ?=
WERROR ?=

ifeq ($(SANITIZER),)
BUILD ?= build
else
BUILD ?= build-san
SAN_FLAGS := -fsanitize=$(SANITIZER) -fno-omit-frame-pointer -fno-sanitize-recover=all
endif

WARN := -Wall -Wextra -Wpedantic -Wshadow -Wformat=2 -Wstrict-prototypes \
	-Wmissing-prototypes -Wold-style-definition -Wundef -Wcast-align \
	-Wwrite-strings -Wvla
ifneq ($(WERROR),)
WARN += -Werror
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CPPFLAGS += -D_GNU_SOURCE -MMD -MP -Ikiosk \
	-DKIOSK_DATADIR='"$(DATADIR)"' -DKIOSK_SYSCONF='"$(SYSCONFDIR)/kiosk.conf"' \
	-DKIOSK_VERSION='"$(VERSION)"'
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 $(WARN) $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)

# Every library comes from Debian, found with pkg-config.
PKGS := inih espeak-ng portaudio-2.0 sdl2 SDL2_ttf SDL2_image
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread -lm
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

CORE_SRC := $(filter-out kiosk/main.c,$(wildcard kiosk/*.c))
CORE_OBJ := $(CORE_SRC:kiosk/%.c=$(BUILD)/%.o) $(BUILD)/builtin.o
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit_*.c))
E2E_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/e2e*.c))
BENCH := $(BUILD)/tests/bench

.PHONY: all check test demo bench deps install uninstall clean format \
	soak soak-run valgrind valgrind-run
all: $(BUILD)/kiosk

$(BUILD)/%.o: kiosk/%.c | $(BUILD)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -c -o $@ $<

# The built-in routine is assets/kiosk.conf, byte for byte (.incbin).
$(BUILD)/builtin.o: kiosk/builtin.S assets/kiosk.conf | $(BUILD)
	$(CC) $(SAN_FLAGS) -c -o $@ $<

$(BUILD)/libkiosk.a: $(CORE_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/kiosk: $(BUILD)/main.o $(BUILD)/libkiosk.a
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

$(BENCH): tests/bench.c $(BUILD)/libkiosk.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) -o $@ $< $(BUILD)/libkiosk.a \
		$(LDFLAGS) $(PKG_LIBS)

$(BUILD)/tests/%: tests/%.c tests/testutil.h $(BUILD)/libkiosk.a | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(PKG_CFLAGS) $(TEST_CFLAGS) -o $@ $< \
		$(BUILD)/libkiosk.a $(LDFLAGS) $(PKG_LIBS) $(TEST_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Every test, after making sure what they need is installed.
check: deps
	$(MAKE) test

test: $(BUILD)/kiosk $(UNIT_TESTS) $(E2E_TESTS)
	KIOSK=$(BUILD)/kiosk KIOSK_OUT=$(BUILD) tests/run-tests $(UNIT_TESTS) $(E2E_TESTS)

bench: deps
	$(MAKE) $(BUILD)/kiosk $(BENCH) $(BUILD)/tests/bench_floor
	$(BENCH) $(BUILD)/kiosk $(BUILD)/tests/bench_floor

# The soak (tests/e2e_soak.c) at length, under the sanitizers: thousands
# of seeded sessions; `make check` runs a short one. SOAK_SESSIONS sets the
# length, SOAK_SEED repeats a soak.
SOAK_SESSIONS ?= 5000
SOAK_SANITIZER ?= address,undefined
soak: deps
	$(MAKE) SANITIZER=$(SOAK_SANITIZER) soak-run

soak-run: $(BUILD)/kiosk $(BUILD)/tests/e2e_soak
	SOAK_SESSIONS=$(SOAK_SESSIONS) KIOSK=$(BUILD)/kiosk KIOSK_OUT=$(BUILD) \
		tests/run-tests $(BUILD)/tests/e2e_soak

# A few whole sessions, with screens and sound and without, under
# valgrind's memcheck: any error fails. Not with the sanitizers.
VALGRIND ?= valgrind --tool=memcheck --error-exitcode=1 --leak-check=full \
	--suppressions=tests/valgrind.supp
valgrind: deps
	$(MAKE) SANITIZER= valgrind-run

valgrind-run: $(BUILD)/kiosk $(BUILD)/tests/e2e_soak
	SOAK_WRAP="$(VALGRIND)" KIOSK=$(BUILD)/kiosk KIOSK_OUT=$(BUILD) \
		tests/run-tests $(BUILD)/tests/e2e_soak

# The kiosk with keys for the button and the mat: in a window on a
# desktop, full screen on a console, captions in this terminal when there
# is no display; speech on the default sound device when there is one.
demo: deps
	$(MAKE) $(BUILD)/kiosk
	$(BUILD)/kiosk --input keyboard

deps:
	scripts/install-deps.sh

install: $(BUILD)/kiosk
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/illustrations \
		$(DESTDIR)$(DATADIR)/examples \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(BUILD)/kiosk $(DESTDIR)$(BINDIR)/kiosk
	install -m 644 assets/illustrations/*.svg $(DESTDIR)$(DATADIR)/illustrations/
	install -m 644 assets/kiosk.conf $(DESTDIR)$(DATADIR)/kiosk.conf.default
	install -m 644 assets/examples/*.conf $(DESTDIR)$(DATADIR)/examples/
	install -m 644 man/kiosk.8 $(DESTDIR)$(MANDIR)/man8/kiosk.8
	install -m 644 man/kiosk.conf.5 $(DESTDIR)$(MANDIR)/man5/kiosk.conf.5
	@# The staff's routine is theirs: never overwrite it.
	test -e $(DESTDIR)$(SYSCONFDIR)/kiosk.conf || \
		install -m 644 assets/kiosk.conf $(DESTDIR)$(SYSCONFDIR)/kiosk.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kiosk $(DESTDIR)$(MANDIR)/man8/kiosk.8 \
		$(DESTDIR)$(MANDIR)/man5/kiosk.conf.5
	rm -rf $(DESTDIR)$(DATADIR)

format:
	clang-format -i kiosk/*.c kiosk/*.h tests/*.c tests/*.h

clean:
	rm -rf build build-san

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d)
