package connection

import "net"

// RemoteAddr is the peer's address (nil before a client connection connects).
// Loop-only.
func (c *TcpConnection) RemoteAddr() net.Addr {
	if c.sock == nil {
		return nil
	}
	return c.sock.RemoteAddr()
}

// LocalAddr is the connection's own address (nil before a client connection
// connects). Loop-only.
func (c *TcpConnection) LocalAddr() net.Addr {
	if c.sock == nil {
		return nil
	}
	return c.sock.LocalAddr()
}

// RemoteIP is the peer's IP without brackets ("" for unix sockets).
func (c *TcpConnection) RemoteIP() string { ip, _ := splitAddr(c.RemoteAddr()); return ip }

// RemoteHost is the host of the remote end: the peer's IP for an accepted
// connection, the host named to NewAsync for a client connection ("localhost"
// stays a name, before and after it connects; Workerman's getRemoteHost); ""
// for unix sockets. The whole address a client dials is DialTarget.
func (c *TcpConnection) RemoteHost() string {
	switch {
	case c.origin.unix:
		return ""
	case c.more == nil || c.more.target == "":
		return c.RemoteIP()
	}
	host, _, _ := net.SplitHostPort(c.more.target) // NewAsync checked it
	return host
}

// RemotePort is the peer's port (0 for unix sockets).
func (c *TcpConnection) RemotePort() int { _, p := splitAddr(c.RemoteAddr()); return p }

// LocalIP is the connection's own IP ("" for unix sockets).
func (c *TcpConnection) LocalIP() string { ip, _ := splitAddr(c.LocalAddr()); return ip }

// LocalPort is the connection's own port (0 for unix sockets).
func (c *TcpConnection) LocalPort() int { _, p := splitAddr(c.LocalAddr()); return p }

// IsIPv4 reports whether the peer is an IPv4 address.
func (c *TcpConnection) IsIPv4() bool {
	a, ok := c.RemoteAddr().(*net.TCPAddr)
	return ok && a.IP.To4() != nil
}

// IsIPv6 reports whether the peer is an IPv6 address.
func (c *TcpConnection) IsIPv6() bool {
	a, ok := c.RemoteAddr().(*net.TCPAddr)
	return ok && a.IP.To4() == nil
}

func splitAddr(a net.Addr) (string, int) {
	switch t := a.(type) {
	case *net.TCPAddr:
		return t.IP.String(), t.Port
	case *net.UDPAddr:
		return t.IP.String(), t.Port
	}
	return "", 0
}

func addrString(a net.Addr) string {
	if a == nil {
		return "-"
	}
	return a.String()
}
