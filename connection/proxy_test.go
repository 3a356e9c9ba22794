package connection_test

import (
	"bufio"
	"io"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/workerman-go/workerman/connection"
	"github.com/workerman-go/workerman/internal/nettest"
	_ "github.com/workerman-go/workerman/protocols/websocket" // the ws and websocket schemes
)

// proxied is a client connection through a proxy and what it heard.
type proxied struct {
	c      *connection.AsyncTcpConnection
	got    chan any
	errs   chan string
	closed chan struct{}
}

// dialVia connects to remote through the proxy that use sets, after a send
// made before the connect.
func dialVia(t *testing.T, remote string, use func(c *connection.AsyncTcpConnection) error) *proxied {
	t.Helper()
	c, err := connection.NewAsync(remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := use(c); err != nil {
		t.Fatal(err)
	}
	p := &proxied{c: c, got: make(chan any, 8), errs: make(chan string, 2), closed: make(chan struct{})}
	c.OnMessage = func(_ *connection.TcpConnection, data any) { p.got <- data }
	c.OnError = func(_ *connection.TcpConnection, code int, msg string) {
		if code != connection.ConnectFail {
			msg = "unexpected code: " + msg
		}
		p.errs <- msg
	}
	c.OnClose = func(*connection.TcpConnection) { close(p.closed) }
	if err := c.Send("before the tunnel"); err != nil {
		t.Fatal(err)
	}
	c.Connect()
	t.Cleanup(func() { c.Destroy(); <-p.closed })
	return p
}

func (p *proxied) expect(t *testing.T, want ...string) {
	t.Helper()
	for _, w := range want {
		select {
		case got := <-p.got:
			if got != w {
				t.Fatalf("got %q, want %q", got, w)
			}
		case msg := <-p.errs:
			t.Fatalf("OnError %q, want %q", msg, w)
		}
	}
}

// failed waits for the failed connect and its OnClose.
func (p *proxied) failed(t *testing.T, wantIn ...string) {
	t.Helper()
	var msg string
	select {
	case msg = <-p.errs:
	case got := <-p.got:
		t.Fatalf("got %q, want a failed connect", got)
	}
	<-p.closed
	for _, w := range wantIn {
		if !strings.Contains(msg, w) {
			t.Fatalf("OnError %q does not say %q", msg, w)
		}
	}
	if p.c.Status() != connection.StatusClosed {
		t.Fatalf("status %v after a failed connect", p.c.Status())
	}
}

var proxyKinds = []struct {
	name string
	use  func(c *connection.AsyncTcpConnection, addr string) error
}{
	{"socks5", (*connection.AsyncTcpConnection).ProxySocks5},
	{"http", (*connection.AsyncTcpConnection).ProxyHTTP},
}

func TestProxy(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		text := echoWorker("text://127.0.0.1:0")
		ws := echoWorker("websocket://127.0.0.1:0")
		serve(t, text, ws)
		open := nettest.StartProxy(t, "", "")
		authed := nettest.StartProxy(t, "ann", "s3cret")
		for _, k := range proxyKinds {
			t.Run(k.name, func(t *testing.T) {
				t.Run("text echo", func(t *testing.T) {
					before := open.Tunnels()
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						c.OnConnect = func(c *connection.AsyncTcpConnection) { c.Send("after the tunnel") }
						return k.use(c, open.Addr())
					})
					p.expect(t, "before the tunnel", "after the tunnel")
					if n := open.Tunnels() - before; n != 1 {
						t.Fatalf("the proxy opened %d tunnels", n)
					}
				})
				t.Run("websocket client to a host name", func(t *testing.T) {
					before := open.Tunnels()
					_, port, _ := net.SplitHostPort(ws.Addr().String())
					p := dialVia(t, "ws://localhost:"+port+"/chat", func(c *connection.AsyncTcpConnection) error {
						return k.use(c, open.Addr())
					})
					p.expect(t, "before the tunnel")
					if n := open.Tunnels() - before; n != 1 {
						t.Fatalf("the proxy opened %d tunnels", n)
					}
				})
				t.Run("auth accepted", func(t *testing.T) {
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						if err := k.use(c, authed.Addr()); err != nil {
							return err
						}
						return c.SetProxyAuth("ann", "s3cret")
					})
					p.expect(t, "before the tunnel")
				})
				t.Run("auth refused", func(t *testing.T) {
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						if err := k.use(c, authed.Addr()); err != nil {
							return err
						}
						return c.SetProxyAuth("ann", "wrong")
					})
					want := map[string]string{"socks5": "authentication failed", "http": "Proxy CONNECT failed: 407 Proxy Authentication Required"}
					p.failed(t, "connect "+text.Addr().String()+" fail after ", k.name+" proxy "+authed.Addr(), want[k.name])
				})
				t.Run("no credentials for a proxy that wants them", func(t *testing.T) {
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						return k.use(c, authed.Addr())
					})
					want := map[string]string{"socks5": "no acceptable authentication method", "http": "407"}
					p.failed(t, want[k.name])
				})
				t.Run("the proxy cannot reach the remote end", func(t *testing.T) {
					ln, err := net.Listen("tcp", "127.0.0.1:0")
					if err != nil {
						t.Fatal(err)
					}
					gone := ln.Addr().String()
					ln.Close()
					p := dialVia(t, "text://"+gone, func(c *connection.AsyncTcpConnection) error {
						return k.use(c, open.Addr())
					})
					want := map[string]string{"socks5": "reply code 5 (connection refused)", "http": "Proxy CONNECT failed: 502 Bad Gateway"}
					p.failed(t, want[k.name])
				})
				t.Run("a proxy that never answers fails at the connect timeout", func(t *testing.T) {
					silent := fakeProxy(t, func(c net.Conn, r *bufio.Reader) { io.Copy(io.Discard, r) })
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						c.ConnectTimeout = 100 * time.Millisecond
						return k.use(c, silent)
					})
					p.failed(t, "no reply before the connect timeout")
				})
				t.Run("a proxy that closes mid-handshake", func(t *testing.T) {
					rude := fakeProxy(t, func(c net.Conn, r *bufio.Reader) {
						r.ReadByte()
						if k.name == "socks5" {
							c.Write([]byte{0x05}) // half of the method reply
						} else {
							io.WriteString(c, "HTTP/1.1 200 Connection") // half of the status line
						}
					})
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						return k.use(c, rude)
					})
					p.failed(t, "closed the connection during the handshake")
				})
				t.Run("given up during the handshake, the proxy's socket closes too", func(t *testing.T) {
					asked, eof := make(chan struct{}), make(chan struct{})
					silent := fakeProxy(t, func(c net.Conn, r *bufio.Reader) {
						r.ReadByte()
						close(asked)
						io.Copy(io.Discard, r)
						close(eof)
					})
					p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
						return k.use(c, silent)
					})
					<-asked
					p.c.Close()
					<-p.closed
					<-eof
					select {
					case msg := <-p.errs:
						t.Fatalf("OnError %q after Close", msg)
					default:
					}
				})
			})
		}
	})
}

// Reconnect during the negotiation closes the proxy's socket and starts
// over on a new one.
func TestProxyReconnectMidHandshake(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		serve(t, echoWorker("text://127.0.0.1:0")) // a running loop
		asked, eof := make(chan int, 2), make(chan int, 2)
		var n atomic.Int32
		silent := fakeProxy(t, func(c net.Conn, r *bufio.Reader) {
			i := int(n.Add(1))
			r.ReadByte()
			asked <- i
			io.Copy(io.Discard, r)
			eof <- i
		})
		p := dialVia(t, "text://127.0.0.1:9", func(c *connection.AsyncTcpConnection) error {
			return c.ProxySocks5(silent)
		})
		<-asked
		p.c.Reconnect(0)
		if i := <-eof; i != 1 {
			t.Fatalf("connection %d to the proxy closed, want the first", i)
		}
		if i := <-asked; i != 2 {
			t.Fatalf("connection %d asked, want the second", i)
		}
		if st := p.c.Status(); st != connection.StatusConnecting {
			t.Fatalf("status %v, want connecting", st)
		}
	})
}

func TestProxyMalformedReplies(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		text := echoWorker("text://127.0.0.1:0")
		serve(t, text)
		for _, tc := range []struct {
			name   string
			socks5 bool
			reply  []byte
			want   string
		}{
			{"socks5 wrong version", true, []byte{0x04, 0x00}, "bad reply version 4 to the greeting"},
			{"socks5 unoffered method", true, []byte{0x05, 0x02}, "chose authentication method 2, not the 0 offered"},
			{"socks5 connect reply code", true, []byte{0x05, 0x00, 0x05, 0x02, 0x00, 0x01, 0, 0, 0, 0, 0, 0}, "CONNECT failed: reply code 2 (connection not allowed by ruleset)"},
			{"socks5 connect wrong version", true, []byte{0x05, 0x00, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0}, "bad reply version 1 to CONNECT"},
			{"socks5 bad address type", true, []byte{0x05, 0x00, 0x05, 0x00, 0x00, 0x09, 0, 0, 0, 0, 0, 0}, "bad address type 9"},
			{"http 407", false, []byte("HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"), "Proxy CONNECT failed: 407 Proxy Authentication Required"},
			{"http 502", false, []byte("HTTP/1.0 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n"), "Proxy CONNECT failed: 502 Bad Gateway"},
			{"http not http", false, []byte("SSH-2.0-OpenSSH_9.2\r\n\r\n"), `bad reply "SSH-2.0-OpenSSH_9.2"`},
			{"http endless header", false, []byte("HTTP/1.1 200 OK\r\n" + strings.Repeat("X-Pad: 0123456789abcdef\r\n", 1000)), "reply header too large"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				addr := fakeProxy(t, func(c net.Conn, r *bufio.Reader) {
					r.ReadByte()
					c.Write(tc.reply)
					io.Copy(io.Discard, r)
				})
				p := dialVia(t, "text://"+text.Addr().String(), func(c *connection.AsyncTcpConnection) error {
					if tc.socks5 {
						return c.ProxySocks5(addr)
					}
					return c.ProxyHTTP(addr)
				})
				p.failed(t, tc.want)
			})
		}
	})
}

// What the remote end sends in the same segment as the proxy's reply is the
// connection's first read.
func TestProxyReplyAndDataTogether(t *testing.T) {
	nettest.Backends(t, func(t *testing.T) {
		serve(t, echoWorker("text://127.0.0.1:0")) // a running loop
		for _, socks5 := range []bool{true, false} {
			addr := fakeProxy(t, func(c net.Conn, r *bufio.Reader) {
				if socks5 {
					head := make([]byte, 3)
					io.ReadFull(r, head)
					c.Write([]byte{0x05, 0x00})
					req := make([]byte, 10) // an IPv4 request
					io.ReadFull(r, req)
					c.Write([]byte("\x05\x00\x00\x03\x04host\x00\x50hello\nwor"))
				} else {
					for line, _ := r.ReadString('\n'); line != "\r\n"; line, _ = r.ReadString('\n') {
					}
					io.WriteString(c, "HTTP/1.1 200 Connection established\r\n\r\nhello\nwor")
				}
				io.WriteString(c, "ld\n")
				io.Copy(io.Discard, r)
			})
			p := dialVia(t, "text://127.0.0.1:9", func(c *connection.AsyncTcpConnection) error {
				if socks5 {
					return c.ProxySocks5(addr)
				}
				return c.ProxyHTTP(addr)
			})
			p.expect(t, "hello", "world")
		}
	})
}

func TestProxySettings(t *testing.T) {
	c, err := connection.NewAsync("unix:///tmp/app.sock")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ProxySocks5("127.0.0.1:1080"); err == nil {
		t.Fatal("a proxy for a unix socket was accepted")
	}
	c, err = connection.NewAsync("text://127.0.0.1:5678")
	if err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxyAuth("u", "p"); err == nil {
		t.Fatal("SetProxyAuth without a proxy was accepted")
	}
	if err := c.ProxyHTTP("no-port"); err == nil {
		t.Fatal("a proxy address without a port was accepted")
	}
	if err := c.ProxySocks5("127.0.0.1:1080"); err != nil {
		t.Fatal(err)
	}
	if err := c.SetProxyAuth(strings.Repeat("u", 256), "p"); err == nil {
		t.Fatal("a 256-byte SOCKS5 user name was accepted")
	}
}

// fakeProxy serves each connection with fn, a proxy that misbehaves, and
// returns its address.
func fakeProxy(t *testing.T, fn func(c net.Conn, r *bufio.Reader)) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				c.SetDeadline(time.Now().Add(nettest.Timeout))
				fn(c, bufio.NewReader(c))
			}()
		}
	}()
	t.Cleanup(func() { ln.Close(); <-done })
	return ln.Addr().String()
}
