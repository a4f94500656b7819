# pwemu image: a static binary on scratch. No base image can be pulled where pwemu is
# built and tested, so the binary and CA certificates are prepared on the host:
#   make image            (= go build into dist/ + docker build -t pwemu:dev .)
FROM scratch
COPY dist/pwemu /pwemu
# CA certificates for receivers behind HTTPS / grpcs://
COPY dist/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
ENV PWEMU_ADDR=0.0.0.0:8080
USER 65532:65532
EXPOSE 8080
# Docker 20.10 has no --start-interval: a short interval is what makes the container
# report healthy within a second of `docker run` (each probe is one tiny static exec).
HEALTHCHECK --interval=300ms --timeout=2s --retries=3 CMD ["/pwemu", "healthcheck"]
ENTRYPOINT ["/pwemu"]
CMD ["serve"]
