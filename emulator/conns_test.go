package emulator_test

import (
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/pwemu/pwemu/emulator"
)

// Slow clients once took every file descriptor: past MaxConns, connections wait to be
// accepted and the ones served are not starved of descriptors.
func TestConnectionCap(t *testing.T) {
	emu := startEmu(t, emulator.Config{MaxConns: 3})
	addr := emu.Addr()
	var held []net.Conn
	for range 3 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		// Half a request: the server holds the connection until ReadHeaderTimeout.
		if _, err := c.Write([]byte("GET /_pwemu/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")); err != nil {
			t.Fatal(err)
		}
		held = append(held, c)
	}
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	// Let the server accept the three before the fourth arrives.
	for _, c := range held {
		c.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
		c.Read(make([]byte, 1))
	}
	client := &http.Client{Timeout: 300 * time.Millisecond, Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := client.Get(emu.URL() + "/_pwemu/health"); err == nil {
		resp.Body.Close()
		t.Fatalf("a fourth connection was served with three held and a cap of 3: %s", resp.Status)
	}
	held[0].Close()
	held = held[1:]
	client.Timeout = 10 * time.Second
	resp, err := client.Get(emu.URL() + "/_pwemu/health")
	if err != nil {
		t.Fatalf("once a held connection closed: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("health: %s", resp.Status)
	}
}
