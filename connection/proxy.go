package connection

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
)

// proxy is where a client connection tunnels through and how.
type proxy struct {
	socks5     bool // SOCKS5, else HTTP CONNECT
	address    string
	user, pass string
	auth       bool
}

func (p *proxy) name() string {
	if p.socks5 {
		return "socks5 proxy " + p.address
	}
	return "http proxy " + p.address
}

// maxProxyReply bounds the header of an HTTP proxy's reply.
const maxProxyReply = 16 << 10

// ProxySocks5 makes Connect go through the SOCKS5 proxy at address
// ("host:port"), which dials the remote address for the connection
// (Workerman's proxySocks5); "" dials directly again. A host name is passed
// to the proxy as a name, resolved there. Before Connect, or while closed.
func (c *AsyncTcpConnection) ProxySocks5(address string) error {
	return c.setProxy(address, true)
}

// ProxyHTTP makes Connect go through the HTTP proxy at address ("host:port")
// with a CONNECT request (Workerman's proxyHttp); "" dials directly again.
// Any status but 200 fails the connect. Before Connect, or while closed.
func (c *AsyncTcpConnection) ProxyHTTP(address string) error {
	return c.setProxy(address, false)
}

// SetProxyAuth gives the proxy a user name and password: RFC 1929
// username/password authentication for SOCKS5 (each at most 255 bytes), a
// Basic Proxy-Authorization header for HTTP. Set it after ProxySocks5 or
// ProxyHTTP, before Connect or while closed.
func (c *AsyncTcpConnection) SetProxyAuth(user, password string) error {
	switch st := c.Status(); {
	case st != StatusInitial && st != StatusClosed:
		return fmt.Errorf("connection: SetProxyAuth on a connection that is %v", st)
	case c.proxy == nil:
		return errors.New("connection: SetProxyAuth without a proxy")
	case c.proxy.socks5 && (len(user) > 255 || len(password) > 255):
		return errors.New("connection: SOCKS5 user name and password are at most 255 bytes each")
	}
	c.proxy.user, c.proxy.pass, c.proxy.auth = user, password, true
	return nil
}

func (c *AsyncTcpConnection) setProxy(address string, socks5 bool) error {
	if st := c.Status(); st != StatusInitial && st != StatusClosed {
		return fmt.Errorf("connection: setting a proxy on a connection that is %v", st)
	}
	if address == "" {
		c.proxy = nil
		return nil
	}
	if c.network != "tcp" {
		return errors.New("connection: a proxy carries tcp connections only")
	}
	if _, _, err := net.SplitHostPort(address); err != nil {
		return fmt.Errorf("connection: bad proxy address %q: %w", address, err)
	}
	if host, _, _ := net.SplitHostPort(c.more.target); len(host) > 255 {
		return errors.New("connection: the remote host name is too long for a proxy")
	}
	c.proxy = &proxy{socks5: socks5, address: address}
	return nil
}

// dialAddress is where Connect dials: the proxy, if there is one.
func (c *AsyncTcpConnection) dialAddress() string {
	if c.proxy != nil {
		return c.proxy.address
	}
	return c.more.target
}

// handshake is a proxy negotiation under way: the socket is the proxy's
// until the tunnel is up, and the connection stays connecting, its sends
// kept as before any connect.
type handshake struct {
	c      *AsyncTcpConnection
	sock   *eventloop.Conn
	step   int // what the proxy's next reply answers
	in     []byte
	timer  eventloop.TimerID
	start  time.Time
	closed bool
}

const (
	stepMethod  = iota // SOCKS5: the method chosen
	stepAuth           // SOCKS5: the RFC 1929 status
	stepConnect        // SOCKS5 or HTTP: the CONNECT reply
	stepDone           // the tunnel is up
)

// handshakes are those under way, so that a connection given up while its
// proxy negotiates closes the proxy's socket too. Loop-only.
var handshakes = map[*TcpConnection]*handshake{}

func init() {
	ObserveClose(func(c *TcpConnection) {
		if len(handshakes) == 0 {
			return
		}
		if h := handshakes[c]; h != nil {
			h.abandon()
		}
	})
}

// startProxy negotiates the tunnel on sock, the proxy's socket, within what is
// left of timeout. Loop-only.
func (c *AsyncTcpConnection) startProxy(sock *eventloop.Conn, start time.Time, timeout time.Duration) {
	h := &handshake{c: c, sock: sock, start: start, step: stepConnect}
	c.dialing = true
	sock.SetHandler(h)
	handshakes[&c.TcpConnection] = h
	left := timeout - time.Since(start)
	if left < time.Millisecond {
		left = time.Millisecond
	}
	h.timer = loop.AddSystemTimer(left, false, func() {
		h.timer = 0
		h.fail("no reply before the connect timeout")
	})
	p := c.proxy
	if !p.socks5 {
		req := "CONNECT " + c.more.target + " HTTP/1.1\r\nHost: " + c.more.target + "\r\nProxy-Connection: keep-alive\r\n"
		if p.auth {
			req += "Proxy-Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(p.user+":"+p.pass)) + "\r\n"
		}
		sock.Write([]byte(req + "\r\n"))
		return
	}
	h.step = stepMethod
	method := byte(0x00) // no authentication
	if p.auth {
		method = 0x02 // username/password
	}
	sock.Write([]byte{0x05, 0x01, method})
}

// dropHandshake gives up a proxy negotiation under way, if any. Loop-only.
func (c *AsyncTcpConnection) dropHandshake() {
	if h := handshakes[&c.TcpConnection]; h != nil {
		h.abandon()
	}
}

// abandon drops the handshake of a connection that no longer wants it.
func (h *handshake) abandon() {
	h.end()
	h.sock.Close()
}

// end takes the handshake off the books; the socket's events no longer
// reach the connection through it.
func (h *handshake) end() {
	h.closed = true
	delete(handshakes, &h.c.TcpConnection)
	if h.timer != 0 {
		loop.DelTimer(h.timer)
		h.timer = 0
	}
	h.c.dialing = false
}

// fail closes the proxy's socket and the connection, reporting why as a
// failed connect.
func (h *handshake) fail(reason string) {
	if h.closed {
		return
	}
	h.abandon()
	c := h.c
	if c.Status() != StatusConnecting {
		return
	}
	c.fail(ConnectFail, fmt.Sprintf("connect %s fail after %.3f seconds: %s: %s",
		c.more.target, time.Since(h.start).Seconds(), c.proxy.name(), reason))
	c.finish(nil)
}

func (h *handshake) OnDrain(*eventloop.Conn, bool) {}

func (h *handshake) OnClose(_ *eventloop.Conn, err error) {
	reason := "closed the connection during the handshake"
	if err != nil {
		reason += ": " + err.Error()
	}
	h.fail(reason)
}

func (h *handshake) OnData(_ *eventloop.Conn, b []byte) {
	if h.closed {
		return
	}
	if h.c.Status() != StatusConnecting {
		h.abandon()
		return
	}
	h.in = append(h.in, b...)
	for !h.closed {
		var n int
		var err error
		if h.c.proxy.socks5 {
			n, err = h.socks5()
		} else {
			n, err = h.httpReply()
		}
		switch {
		case err != nil:
			h.fail(err.Error())
			return
		case n == 0:
			return // more to come
		}
		h.in = h.in[n:]
		if h.step == stepDone {
			h.established()
			return
		}
	}
}

// established hands the socket to the connection once the tunnel is up; bytes
// the remote end sent along with the proxy's reply are its first read.
func (h *handshake) established() {
	h.end()
	c := h.c
	rest := h.in
	h.in = nil
	c.established(h.sock)
	if len(rest) > 0 && c.Status() == StatusEstablished {
		h.sock.Handler().OnData(h.sock, rest) // plain, or the first bytes of the remote's TLS
	}
}

// socks5 reads one SOCKS5 reply from h.in and sends what follows it; it
// returns the reply's length, 0 while it is incomplete.
func (h *handshake) socks5() (int, error) {
	in, p := h.in, h.c.proxy
	switch h.step {
	case stepMethod:
		if len(in) < 2 {
			return 0, nil
		}
		if in[0] != 0x05 {
			return 0, fmt.Errorf("bad reply version %d to the greeting", in[0])
		}
		want := byte(0x00)
		if p.auth {
			want = 0x02
		}
		if in[1] != want {
			if in[1] == 0xFF {
				return 0, errors.New("no acceptable authentication method")
			}
			return 0, fmt.Errorf("chose authentication method %d, not the %d offered", in[1], want)
		}
		if p.auth {
			h.step = stepAuth
			msg := append([]byte{0x01, byte(len(p.user))}, p.user...)
			msg = append(append(msg, byte(len(p.pass))), p.pass...)
			h.sock.Write(msg)
		} else {
			h.step = stepConnect
			h.sock.Write(h.socks5Request())
		}
		return 2, nil
	case stepAuth:
		if len(in) < 2 {
			return 0, nil
		}
		if in[0] != 0x01 {
			return 0, fmt.Errorf("bad reply version %d to the authentication", in[0])
		}
		if in[1] != 0x00 {
			return 0, fmt.Errorf("authentication failed (status %d)", in[1])
		}
		h.step = stepConnect
		h.sock.Write(h.socks5Request())
		return 2, nil
	}
	return h.socks5Connect()
}

// socks5Connect reads the reply to CONNECT.
func (h *handshake) socks5Connect() (int, error) {
	in := h.in
	if len(in) < 5 {
		return 0, nil
	}
	if in[0] != 0x05 {
		return 0, fmt.Errorf("bad reply version %d to CONNECT", in[0])
	}
	if in[1] != 0x00 {
		return 0, fmt.Errorf("CONNECT failed: %s", socks5Reply(in[1]))
	}
	var n int
	switch in[3] {
	case 0x01:
		n = 4 + 4 + 2
	case 0x04:
		n = 4 + 16 + 2
	case 0x03:
		n = 4 + 1 + int(in[4]) + 2
	default:
		return 0, fmt.Errorf("bad address type %d in the reply to CONNECT", in[3])
	}
	if len(in) < n {
		return 0, nil
	}
	h.step = stepDone
	return n, nil
}

// socks5Request is the CONNECT request for the remote address: an IP as an
// IP, a name as a name.
func (h *handshake) socks5Request() []byte {
	host, port, _ := net.SplitHostPort(h.c.more.target)
	portN, _ := strconv.ParseUint(port, 10, 16)
	req := []byte{0x05, 0x01, 0x00}
	if ip, err := netip.ParseAddr(host); err == nil && ip.Zone() == "" {
		if ip.Is4() {
			a := ip.As4()
			req = append(append(req, 0x01), a[:]...)
		} else {
			a := ip.As16()
			req = append(append(req, 0x04), a[:]...)
		}
	} else {
		req = append(append(req, 0x03, byte(len(host))), host...)
	}
	return binary.BigEndian.AppendUint16(req, uint16(portN))
}

// socks5Reply names a SOCKS5 reply code (RFC 1928, section 6).
func socks5Reply(code byte) string {
	names := [...]string{1: "general failure", 2: "connection not allowed by ruleset", 3: "network unreachable",
		4: "host unreachable", 5: "connection refused", 6: "TTL expired", 7: "command not supported",
		8: "address type not supported"}
	if int(code) < len(names) {
		return fmt.Sprintf("reply code %d (%s)", code, names[code])
	}
	return fmt.Sprintf("reply code %d", code)
}

// httpReply reads the HTTP proxy's reply header from h.in; it returns the
// header's length, 0 while it is incomplete.
func (h *handshake) httpReply() (int, error) {
	end := bytes.Index(h.in, []byte("\r\n\r\n"))
	if end < 0 {
		if len(h.in) >= maxProxyReply {
			return 0, errors.New("reply header too large")
		}
		return 0, nil
	}
	line, _, _ := bytes.Cut(h.in[:end], []byte("\r\n"))
	proto, status, ok := bytes.Cut(line, []byte(" "))
	code, reason, _ := bytes.Cut(status, []byte(" "))
	if !ok || !bytes.HasPrefix(proto, []byte("HTTP/1.")) || len(code) != 3 {
		return 0, fmt.Errorf("bad reply %q", line)
	}
	if string(code) != "200" {
		return 0, fmt.Errorf("Proxy CONNECT failed: %s %s", code, reason)
	}
	h.step = stepDone
	return end + 4, nil
}
