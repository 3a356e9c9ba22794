package connection

import (
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// DefaultConnectTimeout bounds how long Connect waits for the peer.
const DefaultConnectTimeout = 10 * time.Second

// AsyncTcpConnection is a client connection: it dials out from the event loop
// and, once connected, is a TcpConnection like any accepted one. Sends made
// before it connects are kept and go out first.
//
//	c, _ := connection.NewAsync("text://127.0.0.1:5678")
//	c.OnConnect = func(c *connection.AsyncTcpConnection) { c.Send("hello") }
//	c.OnMessage = func(c *connection.TcpConnection, data any) { fmt.Println(data) }
//	c.Connect()
//
// A failed connect runs OnError with ConnectFail, then OnClose. Reconnect
// dials again after a delay, from OnClose for example.
type AsyncTcpConnection struct {
	TcpConnection

	// OnConnect runs on the loop once the connection is established.
	OnConnect func(c *AsyncTcpConnection)
	// ConnectTimeout bounds each connect (DefaultConnectTimeout when zero).
	ConnectTimeout time.Duration

	network   string // "tcp" or "unix"
	reconnect eventloop.TimerID
	dialing   bool   // dialing, or negotiating with the proxy
	proxy     *proxy // nil: dial directly
}

// NewAsync makes a client connection to remote, "scheme://address": tcp,
// unix ("unix:///run/app.sock"), a registered protocol over tcp, or over TLS
// with "ssl" (raw tcp) and "wss" (see SetTLS). It does not connect until
// Connect.
func NewAsync(remote string) (*AsyncTcpConnection, error) {
	scheme, address, ok := strings.Cut(remote, "://")
	if !ok || scheme == "" || address == "" {
		return nil, fmt.Errorf("connection: bad remote address %q: want scheme://address", remote)
	}
	c := &AsyncTcpConnection{network: "tcp"}
	c.origin = clients
	r := c.rare()
	scheme, secure := tlsScheme(scheme)
	if secure {
		c.SetTLS(nil)
	}
	switch scheme {
	case "tcp":
	case "unix":
		c.network = "unix"
		c.origin = unixClients
	default:
		p, ok := protocols.Lookup(scheme)
		if !ok {
			return nil, fmt.Errorf("connection: %w %q in %q", protocols.ErrUnknownScheme, scheme, remote)
		}
		c.origin = &origin{table: clients.table, protocol: p}
	}
	if c.network == "tcp" {
		// "ws://host:port/path?query": the path and query are the protocol's
		if i := strings.IndexAny(address, "/?"); i >= 0 {
			address, r.uri = address[:i], address[i:]
		}
		if !strings.HasPrefix(r.uri, "/") {
			r.uri = "/" + r.uri
		}
		if _, _, err := net.SplitHostPort(address); err != nil {
			return nil, fmt.Errorf("connection: bad remote address %q: %w", remote, err)
		}
	}
	r.target = address
	c.id = nextID.Add(1)
	c.withDefaults()
	return c, nil
}

// SetProtocol gives the connection p in place of its scheme's protocol, so
// that one connection can have options of its own without a scheme of its own:
//
//	c, _ := connection.NewAsync("ws://127.0.0.1:8080/chat")
//	c.SetProtocol(&websocket.Client{Origin: "https://example.com"})
//
// The scheme still says how the address reads. It fails once Connect has
// begun (until the connection is closed) and after a Send. Loop-only, or before the first
// Connect or Send.
func (c *AsyncTcpConnection) SetProtocol(p protocols.Protocol) error {
	switch st := c.Status(); {
	case st != StatusInitial && st != StatusClosed:
		return fmt.Errorf("connection: SetProtocol on a connection that is %v", st)
	case c.state != nil || len(c.more.early) > 0:
		return errors.New("connection: SetProtocol after a send: it was encoded by the scheme's protocol")
	}
	c.origin = &origin{table: clients.table, protocol: p, unix: c.origin.unix}
	return nil
}

// RemoteURI is the path and query of the address given to NewAsync ("/"
// when it has none), e.g. "/chat?room=1" of "ws://127.0.0.1:8080/chat?room=1"
// (Workerman's getRemoteURI).
func (c *AsyncTcpConnection) RemoteURI() string { return c.more.uri }

// Connect dials the peer. It does nothing while a connect is under way or the
// connection is established. Safe from any goroutine.
func (c *AsyncTcpConnection) Connect() {
	if !onLoop(loop, (*AsyncTcpConnection).Connect, c) {
		return
	}
	st := c.Status()
	if c.dialing || st == StatusEstablished || st == StatusClosing {
		return
	}
	c.dialing = true
	c.status.Store(int32(StatusConnecting))
	c.closedCb = false
	timeout := c.ConnectTimeout
	if timeout <= 0 {
		timeout = DefaultConnectTimeout
	}
	start := time.Now()
	loop.Dial(c.network, c.dialAddress(), timeout, func(sock *eventloop.Conn, err error) {
		c.dialing = false
		if c.Status() != StatusConnecting { // given up while dialing
			if sock != nil {
				sock.Close()
			}
			return
		}
		if err != nil {
			c.fail(ConnectFail, fmt.Sprintf("connect %s fail after %.3f seconds: %v", c.more.target, time.Since(start).Seconds(), err))
			c.finish(nil)
			return
		}
		if c.proxy != nil {
			c.startProxy(sock, start, timeout)
			return
		}
		c.established(sock)
	})
}

// established makes the connection established on sock and runs OnConnect.
func (c *AsyncTcpConnection) established(sock *eventloop.Conn) {
	if c.attachTLS(sock) {
		return // OnConnect runs once the handshake has ended
	}
	c.attach(sock)
	if c.OnConnect != nil {
		c.guard("OnConnect", func() { c.OnConnect(c) })
	}
}

// Reconnect connects again after d (at once when d is 0), closing the current
// connection first if it is open. Safe from any goroutine.
func (c *AsyncTcpConnection) Reconnect(d time.Duration) {
	if !onLoopWith(loop, (*AsyncTcpConnection).Reconnect, c, d) {
		return
	}
	c.CancelReconnect()
	c.dropHandshake()
	if c.sock != nil && !c.sock.Closed() {
		c.sock.Close()
	}
	c.sock = nil
	c.status.Store(int32(StatusInitial))
	if d <= 0 {
		c.Connect()
		return
	}
	c.reconnect = loop.AddSystemTimer(d, false, func() {
		c.reconnect = 0
		c.Connect()
	})
}

// CancelReconnect stops a reconnect that Reconnect scheduled. Loop-only.
func (c *AsyncTcpConnection) CancelReconnect() {
	if c.reconnect != 0 {
		loop.DelTimer(c.reconnect)
		c.reconnect = 0
	}
}
