# One target runs what CI runs: make check. Two Go modules: the root and
# testkit/container (its own, so that testkit users do not depend on Docker's client).
IMAGE ?= pwemu:dev
# Release tags are v0.x.y; between tags, git describe says how far from the last one.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
REVISION ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS = -s -w -X main.version=$(VERSION) -X main.revision=$(REVISION)
# The Dockerfile's builder stage: by default one made from this host's Go toolchain and
# module cache, so that nothing is pulled (GO_IMAGE=golang:1.26 uses the official one).
GO_IMAGE ?= $(shell .ci/go-builder-image)
DIST_PLATFORMS = linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64

STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: check test stress vet lint fmt fuzz build image dist proto bench

check: fmt vet lint test fuzz

test:
	go test -race ./... && cd testkit/container && go test -race ./...

# stress runs every package's tests three times to bring out flaky ones; it is not
# part of check (nor of .ci/run): it takes three times as long.
stress:
	go test -race -count=3 ./...

vet:
	go vet ./... && cd testkit/container && go vet ./...

lint:
	go run $(STATICCHECK) ./... && cd testkit/container && go run $(STATICCHECK) ./...

fmt:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi

fuzz:
	go test -run '^$$' -fuzz '^FuzzParse$$' -fuzztime 20000x ./scenarios/
	go test -run '^$$' -fuzz '^FuzzDecodeRequest$$' -fuzztime 100000x ./emulator/internal/api/

build:
	CGO_ENABLED=0 go build -tags grpcnotrace -trimpath -ldflags "$(LDFLAGS)" -o dist/pwemu ./cmd/pwemu

# The multi-stage Dockerfile, built with the offline builder unless GO_IMAGE says otherwise.
image:
	@test -n "$(GO_IMAGE)" || { echo "make image: no Go builder image (.ci/go-builder-image failed)"; exit 1; }
	docker build --build-arg GO_IMAGE=$(GO_IMAGE) --build-arg VERSION=$(VERSION) \
		--build-arg REVISION=$(REVISION) -t $(IMAGE) .

# Release binaries: dist/pwemu_<version>_<os>_<arch>[.exe] and their SHA256SUMS.
dist:
	rm -f dist/pwemu_* dist/SHA256SUMS
	@set -e; for p in $(DIST_PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; ext=; [ $$os = windows ] && ext=.exe; \
		echo "dist/pwemu_$(VERSION)_$${os}_$${arch}$$ext"; \
		CGO_ENABLED=0 GOOS=$$os GOARCH=$$arch go build -tags grpcnotrace -trimpath -ldflags "$(LDFLAGS)" \
			-o dist/pwemu_$(VERSION)_$${os}_$${arch}$$ext ./cmd/pwemu; \
	done
	cd dist && sha256sum pwemu_* > SHA256SUMS

# Performance measured from outside: pwemu and bare baselines as separate processes,
# pinned to cores, in alternating pairs (see cmd/pwemu-bench). BENCHFLAGS="-short" for
# a smoke run, "-only api,http" for some figures.
bench:
	go run ./cmd/pwemu-bench $(BENCHFLAGS)

proto:
	go generate ./emulator/streampb/
