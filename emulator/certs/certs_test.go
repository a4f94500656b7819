package certs_test

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pwemu/pwemu/emulator/certs"
)

func TestSelfSignedServesTLSThatItsOwnPEMVerifies(t *testing.T) {
	pair, err := certs.SelfSigned("pwemu.test")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pair.TLSConfig()
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "ok") }))
	srv.TLS = cfg
	srv.StartTLS()
	defer srv.Close()

	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pair.CertPEM) {
		t.Fatal("certificate PEM does not parse")
	}
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(srv.URL)
	if err != nil {
		t.Fatalf("TLS request trusting the pair failed: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "ok" {
		t.Fatalf("body %q", body)
	}
	if _, err := http.Get(srv.URL); err == nil {
		t.Fatal("a client that does not trust the pair connected")
	}
}
