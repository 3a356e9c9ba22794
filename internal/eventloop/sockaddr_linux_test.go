package eventloop

import (
	"net"
	"testing"

	"golang.org/x/sys/unix"
)

func TestSockaddrsBecomeNetAddrs(t *testing.T) {
	mapped := [16]byte{10: 0xff, 11: 0xff, 12: 127, 15: 1}
	tests := []struct {
		name string
		sa   unix.Sockaddr
		want string
	}{
		{"IPv4", &unix.SockaddrInet4{Port: 80, Addr: [4]byte{127, 0, 0, 1}}, "127.0.0.1:80"},
		{"IPv6", &unix.SockaddrInet6{Port: 443, Addr: [16]byte{15: 1}}, "[::1]:443"},
		{"IPv4 mapped into IPv6 reads as IPv4", &unix.SockaddrInet6{Port: 8, Addr: mapped}, "127.0.0.1:8"},
		{"unix socket", &unix.SockaddrUnix{Name: "/run/app.sock"}, "/run/app.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := sockaddrToAddr(tt.sa); got == nil || got.String() != tt.want {
				t.Fatalf("sockaddrToAddr = %v, want %s", got, tt.want)
			}
		})
	}
	if sockaddrToAddr(nil) != nil {
		t.Fatal("no sockaddr became an address")
	}
}

func TestUDPDestinationsFitTheSocketFamily(t *testing.T) {
	v4 := &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 9}
	if sa, ok := udpToSockaddr(v4, false).(*unix.SockaddrInet4); !ok || sa.Port != 9 || sa.Addr != [4]byte{127, 0, 0, 1} {
		t.Fatalf("IPv4 to an IPv4 socket: %#v", udpToSockaddr(v4, false))
	}
	sa, ok := udpToSockaddr(v4, true).(*unix.SockaddrInet6)
	if !ok || sa.Port != 9 || !isMapped(sa.Addr[:]) {
		t.Fatalf("IPv4 to an IPv6 socket is not mapped: %#v", udpToSockaddr(v4, true))
	}
	if got := toUDP(sockaddrToAddr(sa)); got.String() != "127.0.0.1:9" || got.Network() != "udp" {
		t.Fatalf("and back: %v (%s)", got, got.Network())
	}
}
