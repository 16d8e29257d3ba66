# kominkan: build, run and test.
#
#   make            build build/kominkan (release, -O2)
#   make run        build and serve the demo on http://127.0.0.1:8080 (var/kominkan.db)
#   make test       unit tests (Criterion), API tests (node:test) and browser tests
#                   (chromium + axe-core) on an ASan+UBSan build
#   make lint       refuse SQL built with %s or string concatenation, functions
#                   over 120 lines, html_printf formats that do not fit their arguments
#   make bench      benchmarks (wrk against kominkan and nginx), prints figures
#
# Missing Debian packages are installed on first use (as root, or through sudo).

CC      ?= cc
SHELL   := /bin/bash
PKGS    := libmicrohttpd jansson libsodium sqlite3 libqrencode libcurl cjose libcrypto
CSTD    := -std=c11 -D_GNU_SOURCE
WARN    := -Wall -Wextra -Werror -Wno-format-truncation
CFLAGS_COMMON = $(CSTD) $(WARN) $(shell pkg-config --cflags $(PKGS) 2>/dev/null) -Ibuild/gen
LDLIBS  = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

RELEASE_FLAGS := -O2 -g
ASAN_FLAGS    := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined

# One list of Debian packages for the Makefile and .ci/run: .ci/debian-packages.txt
PKG_LIST := .ci/debian-packages.txt
deb_pkgs = $(shell awk '!/^\#/ && NF && ($$2=="build" $(if $(1),|| $$2=="$(1)")) {print $$1}' $(PKG_LIST))
DEB_PKGS := $(call deb_pkgs,)
TEST_DEB_PKGS := $(call deb_pkgs,test)
BENCH_DEB_PKGS := $(call deb_pkgs,bench)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

SRCS     := $(wildcard backend/*.c backend/http/*.c backend/core/*.c backend/store/*.c tools/demo/*.c)
LIB_SRCS := $(filter-out backend/main.c,$(SRCS))
SCHEMA   := $(sort $(wildcard schema/[0-9][0-9][0-9]_*.sql))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)

GEN_OBJS  := gen/schema.o gen/common_passwords.o
REL_OBJS  := $(SRCS:%.c=build/obj/rel/%.o) $(GEN_OBJS:%=build/obj/rel/%)
ASAN_OBJS := $(SRCS:%.c=build/obj/asan/%.o) $(GEN_OBJS:%=build/obj/asan/%)
ASAN_LIB_OBJS := $(LIB_SRCS:%.c=build/obj/asan/%.o) $(GEN_OBJS:%=build/obj/asan/%)
UNIT_OBJS := $(UNIT_SRCS:%.c=build/obj/asan/%.o)

.PHONY: all run test unit api lint bench deps test-deps bench-deps clean spectral
all: build/kominkan

# ------------------------------------------------------------------ deps
deps: build/.deps
build/.deps:
	@$(call install_missing,$(DEB_PKGS))
	@mkdir -p build && touch $@
# nodejs/npm: Debian's, unless a node and npm are already on the PATH
install_missing = missing=""; for p in $(1); do \
	  case $$p in nodejs|npm) command -v $$p >/dev/null 2>&1 && continue;; esac; \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; fi

test-deps: build/.test-deps
build/.test-deps: $(PKG_LIST) | build/.deps
	@$(call install_missing,$(TEST_DEB_PKGS))
	@touch $@

bench-deps: deps test-deps   # the bench may use what the tests use (python3)
	@$(call install_missing,$(BENCH_DEB_PKGS))

# ------------------------------------------------------------- generated
# The migrations are compiled in: a binary always carries its own schema.
build/gen/schema.c: $(SCHEMA) Makefile | build/.deps
	@mkdir -p $(@D)
	@{ echo '/* generated from schema/*.sql by the Makefile: do not edit */'; \
	   echo 'const char *const schema_migration_sql[] = {'; \
	   for f in $(SCHEMA); do \
	     sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$$/\\n"/' $$f; echo '  ,'; \
	   done; echo '  0};'; \
	   echo 'const char *const schema_migration_name[] = {'; \
	   for f in $(SCHEMA); do echo "  \"$$(basename $$f)\","; done; echo '  0};'; \
	   echo 'const int schema_migration_count = $(words $(SCHEMA));'; } > $@.tmp && mv $@.tmp $@

# The common-password list (core/pwpolicy.c), compiled in and sorted in byte
# order for a binary search; the data and its source: backend/data/README.md.
PASSWORDS := backend/data/common-passwords.txt
build/gen/common_passwords.c: $(PASSWORDS) Makefile | build/.deps
	@mkdir -p $(@D)
	@{ echo '/* generated from $(PASSWORDS) by the Makefile: do not edit */'; \
	   echo '#include <stddef.h>'; \
	   echo 'const char *const pwpolicy_common[] = {'; \
	   LC_ALL=C sort -u $(PASSWORDS) | sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/^/  "/' -e 's/$$/",/'; \
	   echo '};'; \
	   echo "const size_t pwpolicy_common_count = sizeof pwpolicy_common / sizeof pwpolicy_common[0];"; \
	 } > $@.tmp && mv $@.tmp $@

# ------------------------------------------------------------------ build
build/obj/rel/%.o: %.c | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(RELEASE_FLAGS) -MMD -MP -c $< -o $@
build/obj/rel/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O2 -c $< -o $@
build/kominkan: $(REL_OBJS)
	$(CC) $(RELEASE_FLAGS) -o $@ $^ $(LDLIBS)

build/obj/asan/%.o: %.c | build/.deps
	@mkdir -p $(@D)
	$(CC) $(CFLAGS_COMMON) $(ASAN_FLAGS) -MMD -MP -c $< -o $@
build/obj/asan/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CSTD) -O1 -c $< -o $@
build/asan/kominkan: $(ASAN_OBJS)
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS)
build/asan/unit: $(UNIT_OBJS) $(ASAN_LIB_OBJS) | build/.test-deps
	@mkdir -p $(@D)
	$(CC) $(ASAN_FLAGS) -o $@ $^ $(LDLIBS) -lcriterion

-include $(shell find build/obj -name '*.d' 2>/dev/null)

# ------------------------------------------------------------------- run
run: build/kominkan
	@mkdir -p var
	./build/kominkan serve --db var/kominkan.db --listen 127.0.0.1:8080 --demo

# ------------------------------------------------------------------ tests
export ASAN_OPTIONS ?= detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS ?= print_stacktrace=1:halt_on_error=1

# Everything the suite runs is built first, on every core; then three steps,
# each keeping both cores busy, and the hostile clients alone (they measure
# time):
#   1. the unit tests (two at a time) beside lint, spectral and the fuzz smoke
#      (one harness at a time): none of them measures time;
#   2. the API and browser tests in one run, two files at a time, the slowest
#      first (tests/run.mjs, tests/slow-first.txt): the browser files wait on
#      chromium while the API files keep the cores busy;
#   3. make hostile.
# `make unit`, `make api`, `make browser`, `make fuzz-smoke` still run alone.
NPROC := $(shell nproc 2>/dev/null || echo 2)
SUITE_JOBS ?= 2
# The last line gives the whole run's wall time and CPU seconds (all cores).
step = s=$$(date +%s); $(1) || exit 1; echo "make test: $(2) took $$(( $$(date +%s) - s )) s"
test:
	@TIMEFORMAT='make test: real %0R s (CPU: user %0U s, sys %0S s)'; time { \
	 $(call step,$(MAKE) --no-print-directory test-deps test-build,the build); \
	 $(call step,$(MAKE) --no-print-directory -j2 --output-sync=target unit lint spectral fuzz-smoke,unit + lint + spectral + fuzz-smoke); \
	 $(call step,$(MAKE) --no-print-directory suite,api + browser); \
	 $(call step,$(MAKE) --no-print-directory hostile,hostile); }
.PHONY: test-build
test-build: | build/.test-deps
	@$(MAKE) --no-print-directory -j$(NPROC) build/kominkan build/asan/kominkan build/asan/unit $(FUZZ_BINS) \
	  node_modules/.package-lock.json

# Criterion runs each test in a child process, where a leak report does not
# fail the test: the sanitizers' reports are looked for in the output too.
unit: build/asan/unit
	@mkdir -p build/log
	@set -o pipefail; ./build/asan/unit --jobs 2 2>&1 | tee build/log/unit.txt
	@! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' build/log/unit.txt \
	  || { echo "unit: sanitizer reports above"; exit 1; }

node_modules/.package-lock.json: package.json package-lock.json | build/.test-deps
	SCARF_ANALYTICS=false npm ci --no-audit --no-fund --loglevel=error

api: build/asan/kominkan build/kominkan
	KOMINKAN_BIN=build/asan/kominkan node --test --test-concurrency=2 tests/api/ tests/packages.test.mjs

# The API tests (sanitizer build) and the browser tests (plain build) in one
# run of tests/run.mjs: SUITE_JOBS files at a time, the slowest first.
.PHONY: suite
suite: build/asan/kominkan build/kominkan node_modules/.package-lock.json | build/.test-deps
	KOMINKAN_BIN=build/asan/kominkan KOMINKAN_BROWSER_BIN=build/kominkan \
	  node tests/run.mjs --concurrency $(SUITE_JOBS) tests/api tests/packages.test.mjs tests/browser

spectral: | node_modules/.package-lock.json
	SCARF_ANALYTICS=false npx --no-install spectral lint --fail-severity=warn docs/openapi.yaml

# SQL must be constant text: no printf-built or concatenated SQL near a
# statement call, and db_prep() only ever takes a string literal (STYLE.md rule 7). The only exception is the PRAGMA
# user_version line in store/db.c, whose number is the migration count.
lint:
	@bad=$$(grep -nE '(db_prep|db_exec|sqlite3_(exec|prepare[_a-z0-9]*))\([^;]*(%s|" *\+|\+ *")' $(SRCS) ; \
	       grep -nE 'snprintf\([^;]*"[^"]*(SELECT|INSERT|UPDATE|DELETE|PRAGMA)[^"]*%s' $(SRCS); \
	       grep -nE '(db_prep|db_run|db_exists)\([^,]*, *[^" ]|db_int64\([^,]*,[^,]*, *[^" ]|db_get_int64\([^,]*,[^,]*, *[^" ]|db_get_text\([^,]*,[^,]*,[^,]*, *[^" ]' $(filter-out backend/store/db.c,$(SRCS))); \
	 if [ -n "$$bad" ]; then echo "lint: SQL built from strings:"; echo "$$bad"; exit 1; fi; \
	 echo "lint: ok (no SQL built from strings)"
	@tests/lint/funclen.sh && echo "lint: ok (no function in backend/ over 120 lines)"
	@tests/lint/layers.sh
	@CC="$(CC)" CFLAGS="$(CSTD) $(shell pkg-config --cflags $(PKGS) 2>/dev/null)" \
	  python3 tests/lint/htmlfmt.py
	@out=$$(CC="$(CC)" python3 tests/lint/htmlfmt.py tests/lint/fixtures/htmlfmt_bad.c); \
	 want=$$(grep -n 'BAD:' tests/lint/fixtures/htmlfmt_bad.c | cut -d: -f1); \
	 for l in $$want; do echo "$$out" | grep -q "htmlfmt_bad.c:$$l:" \
	   || { echo "lint: htmlfmt.py missed the bad call at line $$l of its fixture"; exit 1; }; done; \
	 ! echo "$$out" | grep -q "htmlfmt_bad.c:14:" || { echo "lint: htmlfmt.py refused a good call"; exit 1; }

# ------------------------------------------------ web: browser tests (issue 7)
# The public pages in Debian's chromium-headless-shell (never a downloaded
# browser; one for all the files, tests/run.mjs) driven by
# playwright-core, axe-core WCAG 2.0 A/AA on every page, reflow, keyboard,
# no-JavaScript use; screenshots land in tests/browser/screenshots/ (ignored).
.PHONY: browser
browser: build/kominkan node_modules/.package-lock.json | build/.test-deps
	KOMINKAN_BIN=build/kominkan node tests/run.mjs --concurrency 2 tests/browser
# ------------------------------------------------------------ end of web block

# ----------------------------------------------------------------- bench
bench: build/kominkan bench-deps
	./tests/bench/run.sh

clean:
	rm -rf build

# ====================================================================== #
# Reliability (issue 9): fuzzing, valgrind, crash test. Kept in this one  #
# block so that merges stay easy; see docs/operations.md.                #
#                                                                         #
#   make fuzz         each libFuzzer harness for FUZZ_SECONDS (default 60) #
#   make fuzz-smoke   replay the committed corpora, then each harness for  #
#                     FUZZ_SMOKE_SECONDS (default 5); part of `make test`  #
#   make valgrind     the API suite against the plain build under valgrind #
#   make hostile      hostile clients (alone: it measures time); in test, #
#                     last                                                 #
#   make crashtest    SIGKILL under booking load, 1,000 times (20 of them  #
#                     run in make test: tests/api/crash.test.mjs)          #
# ====================================================================== #
.PHONY: fuzz fuzz-smoke fuzz-build valgrind crashtest

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 5
FUZZ_HARNESSES     := fuzz_request fuzz_form fuzz_json fuzz_rules fuzz_permit
FUZZ_SAN           := -fsanitize=address,undefined -fno-sanitize-recover=undefined
FUZZ_FLAGS         := -O1 -g -fno-omit-frame-pointer $(FUZZ_SAN)
# libmicrohttpd is replaced by tests/fuzz/fake_mhd.c (its header is still used)
FUZZ_LDLIBS         = $(shell pkg-config --libs jansson libsodium sqlite3 libqrencode libcurl cjose libcrypto 2>/dev/null) \
                      -lpthread -lm
FUZZ_CFLAGS         = $(CFLAGS_COMMON) -Wno-unknown-warning-option $(FUZZ_FLAGS) \
                      -fsanitize=fuzzer-no-link
FUZZ_LIB_OBJS      := $(LIB_SRCS:%.c=build/obj/fuzz/%.o) $(GEN_OBJS:%=build/obj/fuzz/%) \
                      build/obj/fuzz/tests/fuzz/fake_mhd.o
FUZZ_BINS          := $(FUZZ_HARNESSES:%=build/fuzz/%)
# libFuzzer's own leak check runs per input; a hang is an input over 10 s
FUZZ_OPTS          := -timeout=10 -rss_limit_mb=2048 -print_final_stats=1
export UBSAN_OPTIONS

build/obj/fuzz/%.o: %.c | build/.test-deps
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -MMD -MP -c $< -o $@
build/obj/fuzz/gen/%.o: build/gen/%.c
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) -O1 -Wno-comment -c $< -o $@
build/fuzz/%: build/obj/fuzz/tests/fuzz/%.o $(FUZZ_LIB_OBJS)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $^ $(FUZZ_LDLIBS)

fuzz-build: $(FUZZ_BINS)
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_HARNESSES:%=build/obj/fuzz/tests/fuzz/%.o)

# New inputs go to tests/fuzz/out/<harness>/ (not committed); crashes to
# tests/fuzz/out/<harness>-crash-*. Copy a fixed crash into
# tests/fuzz/corpus/<harness>/ so that fuzz-smoke replays it for ever.
fuzz: $(FUZZ_BINS)
	@for h in $(FUZZ_HARNESSES); do \
	  mkdir -p tests/fuzz/out/$$h; echo "== $$h: $(FUZZ_SECONDS) s"; \
	  ./build/fuzz/$$h $(FUZZ_OPTS) -max_total_time=$(FUZZ_SECONDS) \
	    -artifact_prefix=tests/fuzz/out/$$h- tests/fuzz/out/$$h tests/fuzz/corpus/$$h \
	    || exit 1; \
	done

# One target per harness, so that `make -j2 fuzz-smoke` runs two at a time.
fuzz-smoke: $(FUZZ_HARNESSES:%=fuzz-smoke-%)
.PHONY: $(FUZZ_HARNESSES:%=fuzz-smoke-%)
$(FUZZ_HARNESSES:%=fuzz-smoke-%): fuzz-smoke-%: build/fuzz/%
	@h=$*; \
	  echo "== $$h: replaying tests/fuzz/corpus/$$h, then $(FUZZ_SMOKE_SECONDS) s"; \
	  ./build/fuzz/$$h $(FUZZ_OPTS) -runs=1 tests/fuzz/corpus/$$h/* 2>build/fuzz/$$h.replay.log \
	    || { cat build/fuzz/$$h.replay.log; exit 1; }; \
	  rm -rf build/fuzz/smoke-$$h; mkdir -p build/fuzz/smoke-$$h; \
	  ./build/fuzz/$$h $(FUZZ_OPTS) -seed=1 -max_total_time=$(FUZZ_SMOKE_SECONDS) \
	    -artifact_prefix=build/fuzz/$$h- build/fuzz/smoke-$$h tests/fuzz/corpus/$$h \
	    2>build/fuzz/$$h.smoke.log || { tail -60 build/fuzz/$$h.smoke.log; exit 1; }; \
	  grep -h '^stat::number_of_executed_units' build/fuzz/$$h.smoke.log | sed "s/^/   /"

# Hostile clients (tests/hostile/): timed, so run alone, after everything else.
.PHONY: hostile
hostile: build/asan/kominkan
	KOMINKAN_BIN=build/asan/kominkan node --test --test-concurrency=1 tests/hostile/

# The plain (-O2, no sanitizer) build under valgrind: every definite leak or
# memory error fails the run (--error-exitcode makes the server exit 1, which
# the harness reports). Left out: crash.test.mjs ends every server with
# SIGKILL, where there is no leak check to make (and tests/hostile/, not in
# tests/api, measures response times, which valgrind's slowdown makes
# meaningless).
VALGRIND_TESTS = $(filter-out tests/api/crash.test.mjs,$(wildcard tests/api/*.test.mjs))
valgrind: build/kominkan
	@command -v valgrind >/dev/null || { echo "valgrind: apt-get install valgrind"; exit 1; }
	KOMINKAN_BIN=tests/valgrind/kominkan-vg KOMINKAN_VALGRIND=1 \
	  node --test --test-concurrency=1 $(VALGRIND_TESTS)

# SIGKILL under booking load, CRASH_KILLS times (1,000: about 20 minutes on
# the sanitizer build); CRASH_SEED repeats a failing run. make test runs 20
# (tests/api/crash.test.mjs).
CRASH_KILLS ?= 1000
CRASH_BIN   ?= build/asan/kominkan
crashtest: $(CRASH_BIN)
	@command -v sqlite3 >/dev/null || { echo "crashtest: apt-get install sqlite3"; exit 1; }
	KOMINKAN_BIN=$(CRASH_BIN) node tests/crash/crash.mjs --kills $(CRASH_KILLS) \
	  $(if $(CRASH_SEED),--seed $(CRASH_SEED))
