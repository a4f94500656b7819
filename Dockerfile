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
HEALTHCHECK --interval=2s --timeout=2s --start-period=1s --retries=3 CMD ["/pwemu", "healthcheck"]
ENTRYPOINT ["/pwemu"]
CMD ["serve"]
