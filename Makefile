# unitwatch build. `make` builds build/unitwatchd; `make check` runs the unit tests, also under
# ASan+UBSan; `make vm-check` runs the VM tier; `make bench` the collection benchmark.
VERSION   := 0.1.0
CC        ?= cc
PKGS      := libsystemd libmicrohttpd jansson zlib
WARNINGS  := -Wall -Wextra -Wformat=2 -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
             -Wvla -Wwrite-strings -Wimplicit-fallthrough -Werror
CFLAGS    ?= -O2 -g
CFLAGS    += -std=gnu11 $(WARNINGS) -D_GNU_SOURCE -DUNITWATCH_VERSION='"$(VERSION)"' \
             $(shell pkg-config --cflags $(PKGS))
LDLIBS    += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
TSAN_FLAGS := -fsanitize=thread -fno-omit-frame-pointer

PREFIX    ?= /usr/local
BINDIR    ?= $(PREFIX)/bin
MANDIR    ?= $(PREFIX)/share/man
SYSCONFDIR ?= $(if $(filter /usr /usr/local,$(PREFIX)),/etc,$(PREFIX)/etc)
UNITDIR   ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
BUILD     ?= build

# Everything but main.c goes into a static library that the tests and benchmarks link too.
LIB_SRC   := $(wildcard collectors/*.c web/*.c hardening/*.c) $(filter-out daemon/main.c,$(wildcard daemon/*.c))
MAIN_SRC  := daemon/main.c
TEST_SRC  := $(wildcard tests/unit/test-*.c)

LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
SAN_OBJ   := $(LIB_SRC:%.c=$(BUILD)/san/%.o)
TSAN_OBJ  := $(LIB_SRC:%.c=$(BUILD)/tsan/%.o)
# The threaded parts: the HTTP server and the snapshot store under concurrent use.
TSAN_TESTS := $(BUILD)/tsan-tests/http-stress $(BUILD)/tsan-tests/scorer-stress
TESTS     := $(TEST_SRC:tests/unit/%.c=$(BUILD)/tests/%)
SAN_TESTS := $(TEST_SRC:tests/unit/%.c=$(BUILD)/san-tests/%)

.PHONY: all check check-plain check-san check-tsan bench vm-check vm-bench format format-check \
        promtool-check prometheus-check host-check packaging-check install clean
all: $(BUILD)/unitwatchd

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/san/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(SAN_FLAGS) -MMD -MP -c $< -o $@

$(BUILD)/tsan/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) $(TSAN_FLAGS) -MMD -MP -c $< -o $@

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

# Tests run from the top of the tree: they find fixtures under tests/ and ../shared/cases.
check: check-plain check-san check-tsan promtool-check prometheus-check host-check \
       packaging-check format-check

check-plain: $(TESTS) $(BUILD)/unitwatchd
	@set -e; for t in $(TESTS); do echo "== $$t"; $$t --jobs 2; done

check-san: $(SAN_TESTS) $(BUILD)/unitwatchd-san
	@set -e; for t in $(SAN_TESTS); do echo "== $$t (ASan+UBSan)"; \
	  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 $$t --jobs 2; done

host-check: $(BUILD)/unitwatchd
	tests/daemon-host.sh $(BUILD)/unitwatchd

prometheus-check: $(BUILD)/unitwatchd
	tests/prometheus-scrape.sh $(BUILD)/unitwatchd

check-tsan: $(TSAN_TESTS)
	@set -e; for t in $(TSAN_TESTS); do echo "== $$t (ThreadSanitizer)"; \
	  TSAN_OPTIONS=halt_on_error=1 $$t; done

promtool-check: $(BUILD)/unitwatchd
	tests/promtool-check.sh $(BUILD)/unitwatchd

packaging-check: $(BUILD)/unitwatchd
	tests/packaging-check.sh $(BUILD)/unitwatchd

bench: $(BUILD)/bench-collect $(BUILD)/unitwatchd
	$(BUILD)/bench-collect

$(BUILD)/bench-collect: bench/bench-collect.c $(BUILD)/libunitwatch.a
	$(CC) $(CFLAGS) -I. -o $@ $< $(BUILD)/libunitwatch.a $(LDLIBS)

vm-bench: $(BUILD)/unitwatchd $(BUILD)/bench-collect
	bench/vm-bench.sh

vm-check: $(BUILD)/unitwatchd
	tests/vm/check.sh

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
-include $(LIB_OBJ:.o=.d) $(SAN_OBJ:.o=.d) $(TSAN_OBJ:.o=.d) $(BUILD)/obj/daemon/main.d \
         $(BUILD)/san/daemon/main.d
include tests/vm/vm.mk
