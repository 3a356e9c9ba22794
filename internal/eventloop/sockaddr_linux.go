//go:build linux

package eventloop

import (
	"net"

	"golang.org/x/sys/unix"
)

// toUDP turns the address of a datagram socket into a UDPAddr.
func toUDP(a net.Addr) net.Addr {
	if t, ok := a.(*net.TCPAddr); ok {
		return &net.UDPAddr{IP: t.IP, Port: t.Port, Zone: t.Zone}
	}
	return a
}

func isUnix(sa unix.Sockaddr) bool {
	_, ok := sa.(*unix.SockaddrUnix)
	return ok
}

func sockaddrToAddr(sa unix.Sockaddr) net.Addr {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return &net.TCPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
	case *unix.SockaddrInet6:
		addr := &net.TCPAddr{IP: net.IP(append([]byte(nil), a.Addr[:]...)), Port: a.Port}
		if a.ZoneId != 0 {
			if ifi, err := net.InterfaceByIndex(int(a.ZoneId)); err == nil {
				addr.Zone = ifi.Name
			}
		}
		if ip4 := addr.IP.To4(); ip4 != nil && isMapped(a.Addr[:]) {
			addr.IP = ip4
		}
		return addr
	case *unix.SockaddrUnix:
		return &net.UnixAddr{Name: a.Name, Net: "unix"}
	}
	return nil
}

func isMapped(ip []byte) bool {
	for _, b := range ip[:10] {
		if b != 0 {
			return false
		}
	}
	return ip[10] == 0xff && ip[11] == 0xff
}

// udpToSockaddr is the destination of a datagram: an IPv4 address stays IPv4
// unless the socket is IPv6, which takes it in its mapped form.
func udpToSockaddr(ua *net.UDPAddr, v6 bool) unix.Sockaddr {
	if ip4 := ua.IP.To4(); ip4 != nil && !v6 {
		a := &unix.SockaddrInet4{Port: ua.Port}
		copy(a.Addr[:], ip4)
		return a
	}
	a := &unix.SockaddrInet6{Port: ua.Port}
	copy(a.Addr[:], ua.IP.To16())
	return a
}
