package receiver

import (
	"fmt"
	"net"
)

// listen opens a receiver's listener. Receivers listen on loopback by default; a
// container started by the test reaches the host through the Docker bridge, so an
// address of one of this host's interfaces, or 0.0.0.0 / [::], is accepted too —
// never a name or a foreign address.
func listen(kind, addr string) (net.Listener, error) {
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	host, _, err := net.SplitHostPort(addr)
	if err != nil || !hostAddress(host) {
		return nil, fmt.Errorf("%s receiver: address %q: want host:port with 127.0.0.1, 0.0.0.0 or an address of this host", kind, addr)
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s receiver: %w", kind, err)
	}
	return lis, nil
}

func hostAddress(host string) bool {
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	if ip.IsLoopback() || ip.IsUnspecified() {
		return true
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && n.IP.Equal(ip) {
			return true
		}
	}
	return false
}
