//go:build unix

package worker

import (
	"net"
	"testing"
)

// Which of systemd's sockets is a worker's, by address: the host as the
// worker names it, an unspecified host for any other, never a host name.
func TestSameAddr(t *testing.T) {
	any4 := &net.TCPAddr{IP: net.IPv4zero, Port: 8080}
	any6 := &net.TCPAddr{IP: net.IPv6unspecified, Port: 8080}
	lo := &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}
	for _, c := range []struct {
		addr      net.Addr
		transport string
		address   string
		want      bool
	}{
		{any4, "tcp", "0.0.0.0:8080", true},
		{any6, "tcp", "0.0.0.0:8080", true},
		{any6, "tcp", ":8080", true},
		{any4, "tcp", "[::]:8080", true},
		{lo, "tcp", "127.0.0.1:8080", true},
		{lo, "tcp", "0.0.0.0:8080", false},
		{any4, "tcp", "127.0.0.1:8080", false},
		{lo, "tcp", "127.0.0.2:8080", false},
		{lo, "tcp", "127.0.0.1:8081", false},
		{lo, "tcp", "localhost:8080", false},
		{&net.UDPAddr{IP: net.IPv4zero, Port: 53}, "udp", ":53", true},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "unix", "/run/app.sock", true},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "unix", "/run/other.sock", false},
		{&net.UnixAddr{Name: "/run/app.sock", Net: "unix"}, "tcp", "/run/app.sock", false},
	} {
		if got := sameAddr(c.addr, c.transport, c.address); got != c.want {
			t.Errorf("sameAddr(%v, %s, %q) = %v, want %v", c.addr, c.transport, c.address, got, c.want)
		}
	}
}
