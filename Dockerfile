# pwemu's image: built from source in a Go builder stage, shipped FROM scratch.
#
#   docker build -t pwemu .     anywhere with Docker Hub (the official Go image builds it)
#   make image                  offline: the builder is made from this host's Go toolchain
#                               and module cache (.ci/go-builder-image) and passed as GO_IMAGE
#
# The builder must have Go, /bin/sh and /etc/ssl/certs/ca-certificates.crt (the CA
# bundle pwemu's image gets, for HTTPS and grpcs:// receivers).
ARG GO_IMAGE=golang:1.26

FROM ${GO_IMAGE} AS build
WORKDIR /src
# Modules first: this layer stays cached while only the source changes.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=""
ARG REVISION=""
# One build for both programs: their dependencies compile once. grpcnotrace keeps
# grpc's x/net/trace (and html/template with it) out: 0.37 MB the image need not carry.
RUN CGO_ENABLED=0 go build -tags grpcnotrace -trimpath \
	-ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
	-o /out/ ./cmd/pwemu ./testkit/internal/receiverd

# The stand-in receiver of compose.yaml (docker build --target receiver).
FROM scratch AS receiver
COPY --from=build /out/receiverd /receiverd
USER 65532:65532
EXPOSE 9000
ENTRYPOINT ["/receiverd"]

# pwemu: the default target.
FROM scratch AS pwemu
ARG VERSION=""
ARG REVISION=""
LABEL org.opencontainers.image.title="pwemu" \
	org.opencontainers.image.description="A Pushwoosh emulator for tests and CI" \
	org.opencontainers.image.source="https://github.com/pwemu/pwemu" \
	org.opencontainers.image.licenses="MIT" \
	org.opencontainers.image.version="${VERSION}" \
	org.opencontainers.image.revision="${REVISION}"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/pwemu /pwemu
ENV PWEMU_ADDR=0.0.0.0:8080
USER 65532:65532
EXPOSE 8080
# Docker 20.10 has no --start-interval: a short interval is what makes the container
# report healthy within a second of `docker run` (each probe is one tiny static exec).
HEALTHCHECK --interval=300ms --timeout=2s --retries=3 CMD ["/pwemu", "healthcheck"]
ENTRYPOINT ["/pwemu"]
CMD ["serve"]
