# facescan: two commands do all the set-up on a Debian machine with the Swift toolchain:
#   make demo   installs what is missing, fetches and verifies the models, builds, runs facescan on a sample
#   make test   the same set-up, then the whole test suite
PREFIX ?= /usr/local
BIN := .build/release/facescan
# Tests build in release mode (the engine is too slow unoptimised) with -enable-testing, in their own
# scratch folder so that the plain release build of the tool is not rebuilt back and forth. C is
# compiled unoptimised there (-Xcc -O0): the only C compiled is the dependencies' (two copies of
# BoringSSL, 765 files, the longest part of a clean build at -O2; its SHA-256 is assembly either way),
# and no test leans on its speed.
TEST_FLAGS := -c release -Xswiftc -enable-testing -Xcc -O0 --scratch-path .build-test
SAMPLE := SampleVideos/face-zoom.mp4

.PHONY: all deps test-deps build models fetch-models demo test test-suites bench fuzz sanitize install uninstall samples man clean

all: build

deps:
	@scripts/install-deps.sh

test-deps:
	@scripts/install-deps.sh --test
	@scripts/fetch-test-photos.sh

build: deps
	swift build -c release

models: build
	@$(MAKE) --no-print-directory fetch-models FACESCAN=$(BIN)

# Installs the model files with the given facescan binary and checks that all are present.
fetch-models:
	@$(FACESCAN) --quiet models fetch >/dev/null
	@$(FACESCAN) models | grep -q '"Status": "missing"\|"Status": "corrupt"' && { echo "models: not all model files are present" >&2; exit 1; } || echo "models: all present and verified in $$($(FACESCAN) models | sed -n 's/.*"Directory": "\(.*\)".*/\1/p')"

demo: models
	$(BIN) detect $(SAMPLE) | head -n 40

# One build (the test build, whose facescan also fetches the models), then the suites: the shape
# checker's own tests (pytest), then, with one private PostgreSQL server for both (scripts/with-postgres.sh
# starts it on a free loopback port, sets FACESCAN_TEST_POSTGRES and stops it afterwards; set
# FACESCAN_TEST_POSTGRES yourself to use your own server), the Swift tests and boto3 and aws-cli against
# `facescan serve` (Tests/Clients/test_endpoint.py starts and stops its servers on ephemeral loopback ports).
test: test-deps
	PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider scripts/test_rekognition_shape_check.py
	swift build $(TEST_FLAGS) --build-tests
	@$(MAKE) --no-print-directory fetch-models FACESCAN=.build-test/release/facescan
	scripts/with-postgres.sh $(MAKE) --no-print-directory test-suites

# The Swift and client suites of `make test`, without the build; `make test` runs them under
# scripts/with-postgres.sh.
test-suites:
	swift test $(TEST_FLAGS) --skip-build
	FACESCAN_BIN=.build-test/release/facescan PYTHONDONTWRITEBYTECODE=1 python3 -m pytest -q -p no:cacheprovider Tests/Clients/test_endpoint.py Tests/Clients/test_readme_example.py

# Release build; the models against LiteRT (when ai-edge-litert is installed) and detect against
# FFmpeg decode-only time. Ratios, not absolute times, are what to compare.
bench: models
	swift build -c release --product facescan-bench
	.build/release/facescan-bench

# libFuzzer harnesses (Fuzz/) of the parsers that read untrusted bytes: TFLite and dlib model files,
# NextTokens, stored JSON, the command line. Builds with swiftc -sanitize=fuzzer,address into
# .build-fuzz/ (no models needed) and runs each harness FUZZ_RUNS times from the seeds in Fuzz/Corpus;
# e.g. make fuzz FUZZ_RUNS=1000000 FUZZ_HARNESSES="tflite dlib". Fails if a harness finds a crash.
FUZZ_RUNS ?= 200000
FUZZ_HARNESSES ?=
fuzz: deps
	scripts/fuzz.sh $(FUZZ_HARNESSES) -runs=$(FUZZ_RUNS)

# The test suite built and run with AddressSanitizer (.build-asan), then the tests of the concurrent
# parts (worker pool, parallel kernels, job store, concurrent writers, reading ahead and runs analysed
# at once) with ThreadSanitizer (.build-tsan). Leak reports are off: the Swift runtime keeps its
# metadata caches until exit. Each swift test runs with its own private PostgreSQL server
# (scripts/with-postgres.sh).
TSAN_TESTS := NeuralNetParallelTests|JobStoreTests|StoreFaultTests/twentyConcurrentWriters|JobCommandTests/concurrentProcessesStartAndRead|TrackingTests
sanitize: test-deps
	swift build $(TEST_FLAGS:.build-test=.build-asan) --sanitize=address --build-tests
	@$(MAKE) --no-print-directory fetch-models FACESCAN=.build-asan/release/facescan
	ASAN_OPTIONS=detect_leaks=0 scripts/with-postgres.sh swift test $(TEST_FLAGS:.build-test=.build-asan) --sanitize=address --skip-build
	swift build $(TEST_FLAGS:.build-test=.build-tsan) --sanitize=thread --build-tests
	TSAN_OPTIONS=halt_on_error=1 scripts/with-postgres.sh swift test $(TEST_FLAGS:.build-test=.build-tsan) --sanitize=thread --skip-build --filter '$(TSAN_TESTS)'

# Regenerates SampleVideos/ from photos that Debian's opencv-doc ships (needs the ffmpeg CLI).
samples: test-deps
	scripts/make-samples.sh

# Regenerates man/facescan.1 from the command table (a test checks the committed page is current).
man: build
	$(BIN) help --man > man/facescan.1

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 755 $(BIN) $(DESTDIR)$(PREFIX)/bin/facescan
	install -m 644 man/facescan.1 $(DESTDIR)$(PREFIX)/share/man/man1/facescan.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/facescan $(DESTDIR)$(PREFIX)/share/man/man1/facescan.1

clean:
	rm -rf .build .build-test
