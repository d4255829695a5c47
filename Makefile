# luapf build, test and benchmark entry points. See README.md.

PREFIX ?= /usr/local
GO ?= go
BIN := bin/luapf
# Every fuzz target, as package:FuzzName; `make check` runs each briefly.
FUZZ_TARGETS ?= ./preforklib:FuzzDecodeMessage ./preforklib:FuzzReadGreeting ./preforklib:FuzzParseSetupEnv \
	./preforklib:FuzzDecodeExtension ./preforklib:FuzzParseOffer ./preforklib:FuzzReadRequest \
	./preforklib:FuzzParseCommandLine ./runtime/snapshot:FuzzRestore ./runtime/warm:FuzzDecodeImage
FUZZTIME ?= 10s

.PHONY: all build check test vet fuzz demo install uninstall bench bench-quick soak clean

all: build

build:
	$(GO) build -trimpath -o $(BIN) ./cmd/luapf

vet:
	$(GO) vet ./...
	@unformatted=$$(gofmt -l .); if [ -n "$$unformatted" ]; then echo "gofmt needed: $$unformatted"; exit 1; fi

test:
	$(GO) test -race -count=1 ./...

# Every fuzz target for FUZZTIME; scripts/fuzz.sh checks that FUZZ_TARGETS
# has every Fuzz function, so that CI runs them all.
fuzz:
	GO=$(GO) FUZZTIME=$(FUZZTIME) scripts/fuzz.sh $(FUZZ_TARGETS)

check: build vet test fuzz

# The long soak: SOAK_CALLS calls, 8 at a time, through one server; prints
# its figures (calls, wrong statuses, bytes lost, the server's descriptors
# and RSS, zombies). make check runs a short one; .ci/run runs this too.
SOAK_CALLS ?= 5000
soak: build
	LUAPF_SOAK_CALLS=$(SOAK_CALLS) $(GO) test -count=1 -v -timeout 20m -run '^TestSoak$$' ./runtime/warm

# Builds luapf and runs the example script cold and warm, with timings.
demo: build
	scripts/demo.sh

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/bin/luapf

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/luapf

clean:
	rm -rf bin
