# unitwatch build. `make` builds build/unitwatchd; `make check` runs the unit tests, also under
# ASan+UBSan; `make vm-check` runs the VM tier; `make bench` the collection benchmark.
VERSION   := 0.1.0
CC        ?= cc
PKGS      := libsystemd libmicrohttpd jansson zlib libcurl gnutls
WARNINGS  := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wvla -Wwrite-strings -Wimplicit-fallthrough -Werror
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DUNITWATCH_VERSION='"$(VERSION)"' \
             $(shell pkg-config --cflags $(PKGS))
LDLIBS    += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer
# libFuzzer: clang from Debian (clang, libclang-rt-14-dev).
FUZZ_CC   ?= clang
FUZZ_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := fuzz-cg-u64 fuzz-cg-cpu-max fuzz-cg-flat-keyed fuzz-cg-io-stat fuzz-cg-psi \
                fuzz-config fuzz-drift-state fuzz-url fuzz-api

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BUILD     ?= build

# Everything but main.c goes into a static library that the tests and benchmarks link too.
LIB_SRC   := $(wildcard collectors/*.c web/*.c hardening/*.c) $(filter-out daemon/main.c,$(wildcard daemon/*.c))
# The dashboard (web/assets/) is compiled in: web/embed-assets.sh makes it a C file.
ASSETS    := $(sort $(wildcard web/assets/*))
LIB_SRC   += $(BUILD)/gen/web_assets.c
MAIN_SRC  := daemon/main.c
TEST_SRC  := $(wildcard tests/unit/test-*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
FUZZ_OBJ  := $(LIB_SRC:%.c=$(BUILD)/fuzz/obj/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
TSAN_OBJ  := $(LIB_SRC:%.c=$(BUILD)/tsan/%.o)
# The threaded parts: the HTTP server and the snapshot store under concurrent use.
TSAN_TESTS := $(BUILD)/tsan-tests/http-stress $(BUILD)/tsan-tests/scorer-stress \
              $(BUILD)/tsan-tests/findings-stress
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SAN_TESTS := $(TEST_SRC:tests/unit/%.c=$(BUILD)/san-tests/%)

.PHONY: all check check-plain check-san check-tsan bench vm-check vm-bench format format-check \
        promtool-check prometheus-check host-check http-check alertmanager-check packaging-check \
        rules-check nix-check web-check demo fuzz fuzz-check load load-check faults faults-check \
        valgrind valgrind-check install clean
all: $(BUILD)/unitwatchd

$(BUILD)/gen/web_assets.c: web/embed-assets.sh $(ASSETS)
	@mkdir -p $(dir $@)
	sh web/embed-assets.sh $@ $(ASSETS)

# The generated file includes "web/assets.h" from the top of the tree.
%/gen/web_assets.o: CFLAGS += -I.

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/fuzz/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(BUILD)/libunitwatch-fuzz.a: $(FUZZ_OBJ)
	$(AR) rcs $@ $^

# One binary per cgroup file format, from one source.
FUZZ_CG_FORMAT = $(if $(filter fuzz-cg-u64,$(1)),1,$(if $(filter fuzz-cg-cpu-max,$(1)),2,$(if \
                 $(filter fuzz-cg-flat-keyed,$(1)),3,$(if $(filter fuzz-cg-io-stat,$(1)),4,5))))
$(BUILD)/fuzz/fuzz-cg-%: tests/fuzz/fuzz-cg.c $(BUILD)/libunitwatch-fuzz.a
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -I. \
	  -DFUZZ_FORMAT=$(call FUZZ_CG_FORMAT,fuzz-cg-$*) -o $@ $< $(BUILD)/libunitwatch-fuzz.a $(LDLIBS)

$(BUILD)/fuzz/fuzz-%: tests/fuzz/fuzz-%.c $(BUILD)/libunitwatch-fuzz.a
	$(FUZZ_CC) $(CFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer -I. -o $@ $< $(BUILD)/libunitwatch-fuzz.a \
	  $(LDLIBS)

# make load: wrk against /metrics and the API, LOAD_SECONDS (30) each, then slow-loris clients;
# load-check, a short run, is in make check.
LOAD_SECONDS ?= 30
load: $(BUILD)/unitwatchd
	python3 tests/load.py $(BUILD)/unitwatchd $(LOAD_SECONDS)

load-check: $(BUILD)/unitwatchd
	LOAD_LORIS=300 python3 tests/load.py $(BUILD)/unitwatchd 3

# make faults: cgroups vanishing mid-read under scrapes (FAULT_SECONDS, 30), SIGHUP with a
# broken and a rotated token, an unusable state directory; faults-check (5 s) in make check.
FAULT_SECONDS ?= 30
faults: $(BUILD)/unitwatchd
	python3 tests/faults.py $(BUILD)/unitwatchd $(FAULT_SECONDS)

faults-check: $(BUILD)/unitwatchd $(BUILD)/unitwatchd-san
	python3 tests/faults.py $(BUILD)/unitwatchd 5
	ASAN_OPTIONS=detect_leaks=1 python3 tests/faults.py $(BUILD)/unitwatchd-san 5

# make valgrind: the daemon under memcheck for VALGRIND_SECONDS (60) with scrapes and SIGHUPs;
# valgrind-check, 10 s of it, is in make check.
VALGRIND_SECONDS ?= 60
valgrind: $(BUILD)/unitwatchd
	VALGRIND_SECONDS=$(VALGRIND_SECONDS) tests/valgrind.sh $(BUILD)/unitwatchd

valgrind-check: $(BUILD)/unitwatchd
	VALGRIND_SECONDS=10 tests/valgrind.sh $(BUILD)/unitwatchd

# make fuzz: every parser for FUZZ_SECONDS (60) each; fuzz-check: 3 s each, in make check.
fuzz: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	FUZZ_SECONDS=$(FUZZ_SECONDS) tests/fuzz/run.sh $(BUILD) $(FUZZ_TARGETS)

fuzz-check: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
	FUZZ_SECONDS=3 tests/fuzz/run.sh $(BUILD) $(FUZZ_TARGETS)

$(BUILD)/libunitwatch-tsan.a: $(TSAN_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/tsan-tests/%: tests/tsan/%.c $(BUILD)/libunitwatch-tsan.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN_FLAGS) -I. -o $@ $< $(BUILD)/libunitwatch-tsan.a $(LDLIBS)

$(BUILD)/libunitwatch.a: $(LIB_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/libunitwatch-san.a: $(SAN_OBJ)
	$(AR) rcs $@ $^

$(BUILD)/unitwatchd: $(BUILD)/obj/daemon/main.o $(BUILD)/libunitwatch.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/unitwatchd-san: $(BUILD)/san/daemon/main.o $(BUILD)/libunitwatch-san.a
	$(CC) $(CFLAGS) $(SAN_FLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libunitwatch.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I. -o $@ $< $(BUILD)/libunitwatch.a $(LDLIBS) -lcriterion

$(BUILD)/san-tests/%: tests/unit/%.c $(BUILD)/libunitwatch-san.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -I. -o $@ $< $(BUILD)/libunitwatch-san.a $(LDLIBS) -lcriterion

# Tests run from the top of the tree: they find fixtures under tests/ (tests/cases: the
# field cases, a copy of the project's shared/cases).
check: check-plain check-san check-tsan promtool-check prometheus-check host-check \
       http-check fuzz-check load-check faults-check valgrind-check alertmanager-check \
       packaging-check rules-check nix-check web-check format-check

check-plain: $(TESTS) $(BUILD)/unitwatchd
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t --jobs 2; done

check-san: $(SAN_TESTS) $(BUILD)/unitwatchd-san
	@set -e; for t in $(SAN_TESTS); do echo "== $$t (ASan+UBSan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t --jobs 2; done

host-check: $(BUILD)/unitwatchd
	tests/daemon-host.sh $(BUILD)/unitwatchd

# The HTTP surface against hostile clients: token, TLS, limits, slow clients.
http-check: $(BUILD)/unitwatchd $(BUILD)/unitwatchd-san
	python3 tests/http-security.py $(BUILD)/unitwatchd
	ASAN_OPTIONS=detect_leaks=1 python3 tests/http-security.py $(BUILD)/unitwatchd-san

alertmanager-check: $(BUILD)/unitwatchd
	python3 tests/alertmanager-host.py $(BUILD)/unitwatchd

# The dashboard in headless Chromium against the no-bus daemon (the VM tier does it with a bus).
web-check: $(BUILD)/unitwatchd
	tests/web/host-check.sh $(BUILD)/unitwatchd

prometheus-check: $(BUILD)/unitwatchd
	tests/prometheus-scrape.sh $(BUILD)/unitwatchd

check-tsan: $(TSAN_TESTS)
	@set -e; for t in $(TSAN_TESTS); do echo "== $$t (ThreadSanitizer)"; \
	  TSAN_OPTIONS=halt_on_error=1 $$t; done

promtool-check: $(BUILD)/unitwatchd
	tests/promtool-check.sh $(BUILD)/unitwatchd

packaging-check: $(BUILD)/unitwatchd
	tests/packaging-check.sh $(BUILD)/unitwatchd

# The fleet kit: Prometheus rules and their tests, the Grafana dashboard's queries.
rules-check: $(BUILD)/unitwatchd
	tests/prometheus-rules.sh $(BUILD)/unitwatchd

# The Nix package and NixOS module: they parse, the module's sandbox is the unit's; with
# NIXPKGS_LIB set to a nixpkgs lib/ directory, the module is also evaluated for real.
nix-check: $(BUILD)/unitwatchd
	UNITWATCHD=$(BUILD)/unitwatchd tests/nix/check.sh

bench: $(BUILD)/bench-collect $(BUILD)/unitwatchd
	$(BUILD)/bench-collect

$(BUILD)/bench-collect: bench/bench-collect.c $(BUILD)/libunitwatch.a
	$(CC) $(CFLAGS) -I. -o $@ $< $(BUILD)/libunitwatch.a $(LDLIBS)

vm-bench: $(BUILD)/unitwatchd $(BUILD)/bench-collect
	bench/vm-bench.sh

vm-check: $(BUILD)/unitwatchd
	tests/vm/check.sh

# The VM with unitwatchd and sample services, forwarded to 127.0.0.1:9839; Ctrl-C stops it.
demo: $(BUILD)/unitwatchd
	tests/vm/demo.sh

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

format-check:
	clang-format --dry-run --Werror $$(git ls-files '*.c' '*.h') && echo 'clang-format: tree is formatted'

# The unit's paths follow PREFIX; an existing config is never overwritten.
install: $(BUILD)/unitwatchd
	install -Dm755 $(BUILD)/unitwatchd $(DESTDIR)$(BINDIR)/unitwatchd
	install -Dm644 packaging/unitwatchd.8 $(DESTDIR)$(MANDIR)/man8/unitwatchd.8
	@mkdir -p $(DESTDIR)$(UNITDIR)
	sed -e 's|/usr/local/bin/unitwatchd|$(BINDIR)/unitwatchd|' \
	    -e 's|/etc/unitwatch/|$(SYSCONFDIR)/unitwatch/|' \
	    packaging/unitwatchd.service > $(DESTDIR)$(UNITDIR)/unitwatchd.service
	chmod 644 $(DESTDIR)$(UNITDIR)/unitwatchd.service
	install -Dm644 packaging/unitwatch.sysusers $(DESTDIR)$(SYSUSERSDIR)/unitwatch.conf
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/unitwatch/config.json ]; then \
	  echo 'keeping $(DESTDIR)$(SYSCONFDIR)/unitwatch/config.json'; else \
	  echo 'install packaging/config.json $(DESTDIR)$(SYSCONFDIR)/unitwatch/config.json'; \
	  install -Dm644 packaging/config.json $(DESTDIR)$(SYSCONFDIR)/unitwatch/config.json; fi

clean:
	rm -rf $(BUILD)

# main.c is not in the library but depends on its headers all the same.
-include $(LIB_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(TSAN_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d) \
         $(BUILD)/obj/daemon/main.d \
         $(BUILD)/san/daemon/main.d
include tests/vm/vm.mk
