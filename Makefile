# Front door. `make demo` sets everything up and runs a demo district;
# `make test` runs the whole test suite (SQLite and PostgreSQL).
.PHONY: demo test build deps test-asan fuzz clean format

# Debian packages (root or sudo the first time; starts no service).
deps:
	scripts/deps.sh

# What the demo needs: the console and build/zhanqun, not the tests,
# benchmarks or fuzz targets (`make test` builds those).
build: deps
	ZQ_TARGETS=zhanqun scripts/build.sh

demo: build
	scripts/demo.sh

test:
	scripts/test.sh

# The test suite under AddressSanitizer and UndefinedBehaviorSanitizer (SQLite);
# the "pages" check (HTML and accessibility of the demo) runs in `make test` only.
test-asan: deps
	BUILD_DIR=build-asan BUILD_TYPE=Debug scripts/build.sh -DZQ_SANITIZE=ON
	ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	  ctest --test-dir build-asan -j $$(nproc) --output-on-failure --timeout 900 -LE "pages|e2e|console_unit"

# libFuzzer over every parser of untrusted input (FUZZ_SECONDS each).
fuzz: deps
	scripts/fuzz.sh

format:
	git diff --name-only HEAD -- '*.cc' '*.h' | xargs -r clang-format -i

clean:
	rm -rf build build-asan build-fuzz
