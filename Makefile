# One target runs what CI runs: make check.
IMAGE ?= pwemu:dev
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: check test stress vet lint fmt fuzz build image proto bench

check: fmt vet lint test fuzz

test:
	go test -race ./...

# stress runs every package's tests three times to bring out flaky ones; it is not
# part of check (nor of .ci/run): it takes three times as long.
stress:
	go test -race -count=3 ./...

vet:
	go vet ./...

lint:
	go run $(STATICCHECK) ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 20000x ./scenarios/
	go test -run '^$$' -fuzz '^FuzzDecodeRequest$$' -fuzztime 100000x ./emulator/internal/api/

build:
	CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=$(VERSION)" -o dist/pwemu ./cmd/pwemu

image: build
	cp $(CA_BUNDLE) dist/ca-certificates.crt
	docker build -t $(IMAGE) .

# Performance measured from outside: pwemu and bare baselines as separate processes,
# pinned to cores, in alternating pairs (see cmd/pwemu-bench). BENCHFLAGS="-short" for
# a smoke run, "-only api,http" for some figures.
bench:
	go run ./cmd/pwemu-bench $(BENCHFLAGS)

proto:
	go generate ./emulator/streampb/
