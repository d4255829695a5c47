# luapf build, test and benchmark entry points. See README.md.

# Where make install puts luapf: PREFIX/bin/luapf. /usr, so that scripts
# can start #!/usr/bin/luapf as the README and the man page show (a test in
# cmd/luapf checks that they agree).
PREFIX ?= /usr
GO ?= go
BIN := bin/luapf
# Every fuzz target, as package:FuzzName; `make check` runs each briefly.
FUZZ_TARGETS ?= ./preforklib:FuzzDecodeMessage ./preforklib:FuzzReadGreeting ./preforklib:FuzzParseSetupEnv \
	./preforklib:FuzzDecodeExtension ./preforklib:FuzzParseOffer ./preforklib:FuzzReadStatusReply \
	./preforklib:FuzzSignalFrames ./preforklib:FuzzReadRequest ./preforklib/client:FuzzParseCommandLine \
	./runtime/snapshot:FuzzRestore ./runtime/image:FuzzDecodeImage \
	./preforklib:FuzzParseEnvDeps ./preforklib:FuzzParseCallContext ./preforklib:FuzzReadExitReport \
	./examples/jsonluapf:FuzzDecode
FUZZTIME ?= 10s

.PHONY: all build check peers test test-gopher-lua vet fuzz demo install uninstall bench bench-quick soak clean

all: build

build:
	CGO_ENABLED=0 $(GO) build -trimpath -o $(BIN) ./cmd/luapf

vet:
	$(GO) vet ./...
	@# arm64 builds take the portable paths (sigcatch's os/signal one)
	GOARCH=arm64 $(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi
	@$(GO) mod tidy -diff >/dev/null || { echo "go.mod or go.sum is not tidy: run go mod tidy" >&2; exit 1; }

test: test-gopher-lua
	$(GO) test -race -count=1 ./...
	@# sigcatch's os/signal implementation, which other architectures use
	$(GO) test -race -count=1 -tags sigcatch_osignal ./preforklib/sigcatch

# gopher-lua's own tests against luapf's patched copy (third_party/gopher-lua,
# a module of its own, so ./... above does not reach it).
test-gopher-lua:
	cd third_party/gopher-lua && $(GO) test -count=1 ./...

# Every fuzz target for FUZZTIME; scripts/fuzz.sh checks that FUZZ_TARGETS
# has every Fuzz function, so that CI runs them all.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh $(FUZZ_TARGETS)

# The programs the tests run luapf against or with (.ci/install-peers.sh
# lists them): installed when missing if make runs as root; otherwise the
# installer says what is missing and check stops there, saying what to run.
peers:
	@sh .ci/install-peers.sh || { echo "make check: the test peers above are missing; install them as root with: sh .ci/install-peers.sh (or run make check as root)" >&2; exit 1; }

check: peers build vet test fuzz

# The long soak: SOAK_CALLS calls, 8 at a time, through one server; prints
# its figures (calls, wrong statuses, bytes lost, the server's descriptors
# and RSS, zombies). make check runs a short one; .ci/run runs this too.
SOAK_CALLS ?= 5000
soak: build
	LUAPF_SOAK_CALLS=$(SOAK_CALLS) $(GO) test -count=1 -v -timeout 20m -run '^TestSoak$$' ./runtime/server

# Builds luapf and runs the example script cold and warm, with timings.
demo: build
	scripts/demo.sh

# Benchmarks luapf against its peers side by side (bench/, needs the peers:
# .ci/install-peers.sh) and writes bench/results.md and the plots; about 16
# minutes on a 2-core machine (the touch matrix reads 1,000,000 rows). The per-stage breakdown of a warm call also traces luapf built
# from BENCH_BASELINE, beside this tree: the commit before issue 14's
# changes to the call's path (the first that can be traced).
BENCH_BASELINE ?= 7ec48df
bench:
	$(GO) build -o bin/luapf-bench ./bench/cmd/luapf-bench
	bin/luapf-bench -out bench -trace-baseline $(BENCH_BASELINE)

# The same with small workloads and few runs, under a minute, into
# bench/out/quick: CI runs it so that the harness cannot rot.
bench-quick:
	$(GO) build -o bin/luapf-bench ./bench/cmd/luapf-bench
	bin/luapf-bench -quick -out bench/out/quick

install: build
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/man/man1
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/luapf
	install -m 0644 man/luapf.1 $(DESTDIR)$(PREFIX)/share/man/man1/luapf.1

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/luapf $(DESTDIR)$(PREFIX)/share/man/man1/luapf.1

clean:
	rm -rf bin
