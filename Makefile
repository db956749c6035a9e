# Mid-back kiosk. `make` builds build/kiosk; `make check` installs what the
# tests need (scripts/install-deps.sh) and runs every test; `make demo` runs
# the kiosk with keys for the button and the mat. SANITIZER=address,undefined
# builds and tests under the sanitizers in build-san/; WERROR=1 turns
# warnings into errors. `make fuzz` fuzzes the routine file and script
# parsers with libFuzzer (clang) in build-fuzz/, FUZZ_SECONDS each.
# `make soak` and `make valgrind`: see below.

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/kiosk
MANDIR ?= $(PREFIX)/share/man
# The guides the manual pages point to (wiring, appliance, test figures).
DOCDIR ?= $(PREFIX)/share/doc/kiosk
SYSCONFDIR ?= /etc/kiosk
STATEDIR ?= /var/lib/kiosk
# systemd reads units from /usr/local/lib/systemd too, so they follow
# PREFIX (and /etc/systemd/system stays the administrator's); udev reads
# only /etc, /run and /usr/lib, so the rule goes to /etc.
UNITDIR ?= $(PREFIX)/lib/systemd/system
USERUNITDIR ?= $(PREFIX)/lib/systemd/user
UDEVRULESDIR ?= /etc/udev/rules.d
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
	-Wmissing-prototypes -Wold-style-definition -Wundef -Wcast-align=strict \
	-Wwrite-strings -Wvla
ifneq ($(WERROR),)
WARN += -Werror
endif

VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)
CPPFLAGS += -D_GNU_SOURCE -D_FILE_OFFSET_BITS=64 -MMD -MP -Ikiosk \
	-DKIOSK_DATADIR='"$(DATADIR)"' -DKIOSK_SYSCONF='"$(SYSCONFDIR)/kiosk.conf"' \
	-DKIOSK_STATEDIR='"$(STATEDIR)"' \
	-DKIOSK_VERSION='"$(VERSION)"'
CFLAGS ?= -O2 -g
CFLAGS += -std=c11 $(WARN) $(SAN_FLAGS)
LDFLAGS += $(SAN_FLAGS)

# Every library comes from Debian, found with pkg-config.
PKGS := inih espeak-ng portaudio-2.0 sdl2 SDL2_ttf SDL2_image

# GPIO: the backend for the libgpiod API found (kiosk/gpio_backend.h):
# v1 for 1.x (Debian 12), v2 for 2.x (Debian 13, bookworm-backports),
# none without libgpiod. A libgpiod outside /usr (make check-gpiod2) is
# found at run time through an rpath.
GPIOD_VERSION := $(shell $(PKG_CONFIG) --modversion libgpiod 2>/dev/null)
ifeq ($(GPIOD_VERSION),)
GPIO_BACKEND := none
else
GPIO_BACKEND := $(if $(filter 1,$(firstword $(subst ., ,$(GPIOD_VERSION)))),v1,v2)
PKGS += libgpiod
# (In a cross build pkg-config puts the sysroot in front; the rpath test
# is about the target's own paths.)
GPIOD_LIBDIR := $(patsubst $(PKG_CONFIG_SYSROOT_DIR)/%,/%,$(shell \
	$(PKG_CONFIG) --variable=libdir libgpiod))
ifneq ($(filter-out /usr/lib%,$(GPIOD_LIBDIR)),)
LDFLAGS += -Wl,-rpath,$(GPIOD_LIBDIR)
endif
endif
PKG_CFLAGS = $(shell $(PKG_CONFIG) --cflags $(PKGS))
PKG_LIBS = $(shell $(PKG_CONFIG) --libs $(PKGS)) -lpthread -lm
TEST_CFLAGS = $(shell $(PKG_CONFIG) --cflags cmocka)
TEST_LIBS = $(shell $(PKG_CONFIG) --libs cmocka)

CORE_SRC := $(filter-out kiosk/main.c kiosk/gpio_v1.c kiosk/gpio_v2.c \
	kiosk/gpio_none.c,$(wildcard kiosk/*.c)) kiosk/gpio_$(GPIO_BACKEND).c
CORE_OBJ := $(CORE_SRC:kiosk/%.c=$(BUILD)/%.o) $(BUILD)/builtin.o
UNIT_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/unit_*.c))
E2E_TESTS := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard tests/e2e*.c))
BENCH := $(BUILD)/tests/bench
# An LD_PRELOAD library that moves the wall clock, for e2e_faults. Built
# without the sanitizers: under ASan the test puts libasan before it.
SHIM := $(BUILD)/tests/wallclock.so

.PHONY: all check check-gpiod2 check-gpio-sim check-cross check-trixie \
	check-appliance \
	check-user test demo bench deps install uninstall clean \
	format fuzz fuzz-build soak soak-run valgrind valgrind-run
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

$(SHIM): tests/wallclock_shim.c | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -std=c11 $(WARN) -O2 -fPIC -shared -o $@ $<

# The shim's names checked one by one: linked in, they bind as through
# LD_PRELOAD (tests/unit_wallclock.c).
$(BUILD)/tests/wallclock_shim.o: tests/wallclock_shim.c | $(BUILD)/tests
	$(CC) $(CPPFLAGS) -std=c11 $(WARN) -O2 -c -o $@ $<

$(BUILD)/tests/unit_wallclock: tests/unit_wallclock.c tests/testutil.h \
		$(BUILD)/tests/wallclock_shim.o | $(BUILD)/tests
	$(CC) $(CPPFLAGS) $(CFLAGS) $(TEST_CFLAGS) -o $@ $< \
		$(BUILD)/tests/wallclock_shim.o $(LDFLAGS) $(TEST_LIBS)

$(BUILD) $(BUILD)/tests:
	mkdir -p $@

# Every test, after making sure what they need is installed.
check: deps
	$(MAKE) test

test: $(BUILD)/kiosk $(UNIT_TESTS) $(E2E_TESTS) $(SHIM)
	KIOSK=$(BUILD)/kiosk KIOSK_OUT=$(BUILD) tests/run-tests \
		tests/run-tests-selftest $(UNIT_TESTS) $(E2E_TESTS)

# The same tests built against libgpiod 2.x (its v2 backend), fetched from
# bookworm-backports into a local prefix: Debian 12 itself ships 1.6.
GPIOD2 := build-gpiod2
GPIOD2_MAKE = PKG_CONFIG_PATH=$(CURDIR)/$(GPIOD2)/libgpiod/pkgconfig \
	$(MAKE) BUILD=$(GPIOD2)
check-gpiod2: deps
	scripts/fetch-libgpiod2.sh $(GPIOD2)/libgpiod
	$(GPIOD2_MAKE) test

# Both GPIO backends against a real kernel's GPIO chip (tests/vm_gpio.c): a
# chip simulated by gpio-sim, in a virtual machine that
# scripts/gpio-sim-vm.sh builds in build-vm/ from Debian's packages: once
# with Debian 12's kernel (6.1), once with bookworm-backports' (6.12, the
# series of Debian 13 and current Raspberry Pi OS). Every run goes ahead
# even when one before it fails.
VM := build-vm
VM_SUITES := bookworm bookworm-backports
VM_JOB := status=0; \
	KIOSK=$(BUILD)/kiosk tests/run-tests $(BUILD)/tests/vm_gpio || status=1; \
	KIOSK=$(GPIOD2)/kiosk tests/run-tests $(GPIOD2)/tests/vm_gpio || status=1; \
	exit $$status
check-gpio-sim: deps
	scripts/install-deps.sh vm
	scripts/fetch-libgpiod2.sh $(GPIOD2)/libgpiod
	$(MAKE) $(BUILD)/kiosk $(BUILD)/tests/vm_gpio
	$(GPIOD2_MAKE) $(GPIOD2)/kiosk $(GPIOD2)/tests/vm_gpio
	status=0; for suite in $(VM_SUITES); do \
		scripts/gpio-sim-vm.sh $(VM)/$$suite $$suite '$(VM_JOB)' || \
		status=1; \
	done; exit $$status

# The appliance booted as a technician makes it: a Debian 12 root made by
# debootstrap in build-appliance/ (kept for the next run), the kiosk
# installed into it by scripts/install.sh, booted in qemu with systemd,
# the gpio-sim kernel above, a DRM display and the snd-aloop sound card
# (scripts/appliance-vm.sh; run as root). tests/vm_appliance.c judges
# what the machine's agent brought back and prints each figure.
# APPLIANCE_CHECKS=short (CI) is one boot and one session; full (the
# release check, tests/README.md) adds reload, kill -9, the watchdog,
# stop, a reboot and systemd-analyze security.
APPLIANCE := build-appliance
APPLIANCE_CHECKS ?= full
check-appliance: deps
	scripts/install-deps.sh appliance
	$(MAKE) $(BUILD)/kiosk $(BUILD)/tests/vm_appliance
	scripts/appliance-vm.sh $(APPLIANCE) $(APPLIANCE_CHECKS)
	APPLIANCE_OUT=$(APPLIANCE)/share/out APPLIANCE_MODE=$(APPLIANCE_CHECKS) \
		KIOSK=$(BUILD)/kiosk tests/run-tests $(BUILD)/tests/vm_appliance

# Raspberry Pi OS's two architectures, arm64 and armhf, cross-built with
# Debian's cross compilers against a sysroot of Debian's arm packages
# (scripts/cross-sysroot.sh, in build-cross/ARCH/root: nothing installed
# into this machine's dpkg), warnings as errors: the kiosk, every test
# program and the wall-clock shim. Then scripts/cross-check.sh runs, under
# qemu-user (called by name, no binfmt registration), the unit tests and
# e2e_media (its WAV arithmetic), and a whole scripted session whose
# event record and WAV must be this machine's.
CROSS := build-cross
CROSS_ARCHES := arm64 armhf
cross_triplet = $(if $(filter arm64,$(1)),aarch64-linux-gnu,arm-linux-gnueabihf)
cross_root = $(CURDIR)/$(CROSS)/$(1)/root
CROSS_MAKE = PKG_CONFIG_SYSROOT_DIR=$(call cross_root,$(1)) \
	PKG_CONFIG_LIBDIR=$(call cross_root,$(1))/usr/lib/$(call cross_triplet,$(1))/pkgconfig:$(call cross_root,$(1))/usr/share/pkgconfig \
	$(MAKE) --no-print-directory BUILD=$(CROSS)/$(1)/build \
	CC="$(call cross_triplet,$(1))-gcc --sysroot=$(call cross_root,$(1))" \
	AR=$(call cross_triplet,$(1))-ar
CROSS_PROGRAMS = kiosk tests/wallclock.so tests/vm_gpio tests/bench \
	tests/bench_floor $(UNIT_TESTS:$(BUILD)/%=%) $(E2E_TESTS:$(BUILD)/%=%)
CROSS_RUN = $(UNIT_TESTS:$(BUILD)/%=%) tests/e2e_media
check-cross: deps
	scripts/install-deps.sh cross
	$(MAKE) --no-print-directory $(BUILD)/kiosk
	status=0; for arch in $(CROSS_ARCHES); do \
		$(MAKE) --no-print-directory cross-$$arch || status=1; \
	done; exit $$status

cross-%:
	scripts/cross-sysroot.sh $* $(CROSS)/$*
	$(call CROSS_MAKE,$*) $(addprefix $(CROSS)/$*/build/,$(CROSS_PROGRAMS))
	scripts/cross-check.sh $* $(CROSS)/$* $(BUILD)/kiosk \
		$(addprefix $(CROSS)/$*/build/,$(CROSS_RUN))

# The whole make check as an ordinary user, in a copy of the checkout
# owned by a throwaway user id (scripts/check-user.sh; run as root).
check-user: deps
	scripts/check-user.sh WERROR=$(WERROR) SANITIZER=$(SANITIZER)

# Debian 13 (trixie), Raspberry Pi OS's base: a root made by debootstrap
# in build-trixie/ (kept for the next run), the build dependencies
# installed in it by scripts/install-deps.sh, then make check WERROR=1 as
# root and as the user pi (scripts/check-trixie.sh; run as root).
TRIXIE := build-trixie
check-trixie:
	scripts/install-deps.sh trixie
	scripts/check-trixie.sh $(TRIXIE)

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

# ---- fuzzing ----
# libFuzzer is clang's, so the parsers are compiled again with clang and the
# fuzzer's coverage hooks, apart from the gcc build. Only what the two
# parsers need is linked (and inih): nothing of SDL, eSpeak NG or PortAudio.
FUZZ_CC ?= clang
FUZZ_BUILD := build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SAN := -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer
# clang's -Wcast-align is what gcc calls -Wcast-align=strict, a name
# clang does not know.
FUZZ_CFLAGS = -std=c11 -O1 -g $(subst -Wcast-align=strict,-Wcast-align,$(WARN)) \
	$(FUZZ_SAN) \
	$(shell $(PKG_CONFIG) --cflags inih)
FUZZ_LIBS = $(shell $(PKG_CONFIG) --libs inih)
FUZZ_OBJ := $(patsubst %,$(FUZZ_BUILD)/%.o,config routine text diag script readfile \
	linespec) \
	$(FUZZ_BUILD)/builtin.o
FUZZ_TARGETS := $(FUZZ_BUILD)/fuzz_config $(FUZZ_BUILD)/fuzz_script

$(FUZZ_BUILD)/%.o: kiosk/%.c | $(FUZZ_BUILD)
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link \
		-c -o $@ $<

$(FUZZ_BUILD)/builtin.o: kiosk/builtin.S assets/kiosk.conf | $(FUZZ_BUILD)
	$(FUZZ_CC) -c -o $@ $<

# An archive, so each harness links only the objects its parser uses.
$(FUZZ_BUILD)/libparsers.a: $(FUZZ_OBJ)
	$(AR) rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_BUILD)/libparsers.a
	$(FUZZ_CC) $(CPPFLAGS) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< \
		$(FUZZ_BUILD)/libparsers.a $(FUZZ_LIBS)

$(FUZZ_BUILD):
	mkdir -p $@

fuzz-build: $(FUZZ_TARGETS)

# Each target in turn (the machines are small), FUZZ_SECONDS each; new
# inputs stay in build-fuzz/, crashes go to build-fuzz/findings/.
fuzz:
	scripts/install-deps.sh fuzz
	$(MAKE) fuzz-build
	tests/fuzz/run $(FUZZ_BUILD) $(FUZZ_SECONDS) config script

install: $(BUILD)/kiosk
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/illustrations \
		$(DESTDIR)$(DATADIR)/examples \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(SYSCONFDIR)
	install -m 755 $(BUILD)/kiosk $(DESTDIR)$(BINDIR)/kiosk
	install -m 644 assets/illustrations/*.svg $(DESTDIR)$(DATADIR)/illustrations/
	install -m 644 assets/kiosk.conf $(DESTDIR)$(DATADIR)/kiosk.conf.default
	install -m 644 assets/examples/*.conf $(DESTDIR)$(DATADIR)/examples/
	install -d $(DESTDIR)$(DATADIR)/examples/ansible \
		$(DESTDIR)$(DATADIR)/examples/prometheus
	install -m 644 assets/examples/ansible/* \
		$(DESTDIR)$(DATADIR)/examples/ansible/
	install -m 644 assets/examples/prometheus/* \
		$(DESTDIR)$(DATADIR)/examples/prometheus/
	install -m 644 man/kiosk.8 $(DESTDIR)$(MANDIR)/man8/kiosk.8
	install -m 644 man/kiosk.conf.5 $(DESTDIR)$(MANDIR)/man5/kiosk.conf.5
	@# The guides the manual pages name, each beside what it links to.
	install -d $(DESTDIR)$(DOCDIR)
	install -m 644 assets/wiring.md assets/wiring.svg assets/appliance.md \
		$(DESTDIR)$(DOCDIR)/
	install -m 644 tests/README.md $(DESTDIR)$(DOCDIR)/tests.md
	@# The units name the program where this install puts it.
	install -d $(DESTDIR)$(UNITDIR) $(DESTDIR)$(USERUNITDIR) \
		$(DESTDIR)$(UDEVRULESDIR)
	sed 's|^ExecStart=/usr/local/bin/kiosk$$|ExecStart=$(BINDIR)/kiosk|' \
		systemd/kiosk.service > $(DESTDIR)$(UNITDIR)/kiosk.service
	sed 's|^ExecStart=/usr/local/bin/kiosk$$|ExecStart=$(BINDIR)/kiosk|' \
		systemd/kiosk-user.service > \
		$(DESTDIR)$(USERUNITDIR)/kiosk-user.service
	chmod 644 $(DESTDIR)$(UNITDIR)/kiosk.service \
		$(DESTDIR)$(USERUNITDIR)/kiosk-user.service
	install -m 644 systemd/60-kiosk-gpio.rules \
		$(DESTDIR)$(UDEVRULESDIR)/60-kiosk-gpio.rules
	@# The staff's routine is theirs: never overwrite it.
	test -e $(DESTDIR)$(SYSCONFDIR)/kiosk.conf || \
		install -m 644 assets/kiosk.conf $(DESTDIR)$(SYSCONFDIR)/kiosk.conf

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/kiosk $(DESTDIR)$(MANDIR)/man8/kiosk.8 \
		$(DESTDIR)$(MANDIR)/man5/kiosk.conf.5 \
		$(DESTDIR)$(UNITDIR)/kiosk.service \
		$(DESTDIR)$(USERUNITDIR)/kiosk-user.service \
		$(DESTDIR)$(UDEVRULESDIR)/60-kiosk-gpio.rules
	rm -rf $(DESTDIR)$(DATADIR) $(DESTDIR)$(DOCDIR)

format:
	clang-format -i kiosk/*.c kiosk/*.h tests/*.c tests/*.h tests/fuzz/*.c

clean:
	rm -rf build build-san build-fuzz $(GPIOD2) $(VM) $(CROSS) $(TRIXIE) \
		$(APPLIANCE)

-include $(wildcard $(BUILD)/*.d $(BUILD)/tests/*.d $(FUZZ_BUILD)/*.d)
