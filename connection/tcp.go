package connection

import (
	"crypto/tls"
	"strconv"
	"sync/atomic"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

var nextID atomic.Uint64

// TcpConnection is one accepted stream connection (TCP or unix socket).
//
// Its callbacks and limits are copied from the worker at accept; set them on
// the loop (in OnConnect or later) to change one connection. The methods that
// are safe from any goroutine are listed in the package documentation and say
// so in their own; every other method, and every field, is loop-only.
type TcpConnection struct {
	Callbacks
	Limits

	// Context is the application's own per-connection value.
	Context any

	// What an idle connection holds is kept to these words: the rest sits
	// in side structures that exist only while they are needed.
	id       uint64
	sock     *eventloop.Conn
	state    any
	origin   *origin  // its worker's name, transport, table and protocol, shared
	in       *input   // an incomplete package; nil between packages
	out      *pending // its place in the output sweep while output waits
	more     *rare    // what few connections use, made on first use
	status   atomic.Int32
	reading  bool // inside onData: Resume must not re-enter it
	closedCb bool
	full     bool // OnBufferFull ran since the buffer last drained
	counted  bool // included in Stats().Connections
}

// rare is what only some connections need: client connections, raw tcp,
// those that asked to hear of a drain and those that are ending.
type rare struct {
	early   []byte // what a client connection sent before it connected
	target  string // the address a client connection dials, as given to NewAsync
	uri     string // and the path and query that followed it
	onDrain func() // NotifyDrain's one-shot callback
	linger  eventloop.TimerID
	ending  bool // End: half-close once flushed
	raw     rawBox
	tls     *tlsLayer   // a TLS connection's crypto/tls state
	tlsConf *tls.Config // a TLS client connection's config
}

// rare returns the connection's rare fields, making them on first use.
func (c *TcpConnection) rare() *rare {
	if c.more == nil {
		c.more = &rare{}
	}
	return c.more
}

// ending reports whether End runs: the connection half-closes once flushed.
func (c *TcpConnection) ending() bool { return c.more != nil && c.more.ending }

// linger is End's timer, 0 when none runs.
func (c *TcpConnection) linger() eventloop.TimerID {
	if c.more == nil {
		return 0
	}
	return c.more.linger
}

// Callbacks are a connection's event handlers; each runs on the loop.
type Callbacks struct {
	OnMessage     func(c *TcpConnection, data any)
	OnClose       func(c *TcpConnection)
	OnError       func(c *TcpConnection, code int, msg string)
	OnBufferFull  func(c *TcpConnection)
	OnBufferDrain func(c *TcpConnection)
}

// attach gives the connection its socket and makes it established. Loop-only.
func (c *TcpConnection) attach(sock *eventloop.Conn) {
	c.sock = sock
	c.status.Store(int32(StatusEstablished))
	c.closedCb = false
	sock.SetHandler((*handler)(c))
	c.counted = true
	stats.connections.Add(1)
	c.list()
	if r := c.more; r != nil && len(r.early) > 0 {
		sock.Write(r.early)
		r.early = nil
		c.watchOutput()
	}
	if p, ok := c.origin.protocol.(protocols.Connector); ok {
		p.OnConnect(c)
	}
}

// ID identifies the connection within its process; ids start at 1. Safe
// from any goroutine.
func (c *TcpConnection) ID() uint64 { return c.id }

// Status reports where the connection is in its life. Safe from any goroutine.
func (c *TcpConnection) Status() Status { return Status(c.status.Load()) }

// Protocol is the connection's protocol, nil for raw tcp.
func (c *TcpConnection) Protocol() protocols.Protocol { return c.origin.protocol }

// Transport is "tcp", "unix" or "ssl".
func (c *TcpConnection) Transport() string {
	if c.origin.unix {
		return "unix"
	}
	if c.tlsOf() != nil {
		return "ssl"
	}
	return "tcp"
}

// WorkerName is the name of the worker that accepted the connection.
func (c *TcpConnection) WorkerName() string { return c.origin.worker }

// PackageLimit is MaxPackageSize, for protocols.
func (c *TcpConnection) PackageLimit() int { return c.MaxPackageSize }

// ProtocolState is the protocol's per-connection state.
func (c *TcpConnection) ProtocolState() any { return c.state }

// SetProtocolState stores the protocol's per-connection state.
func (c *TcpConnection) SetProtocolState(v any) { c.state = v }

// RecvBufferSize is the number of bytes of an incomplete package held. Loop-only.
func (c *TcpConnection) RecvBufferSize() int {
	if c.in == nil {
		return 0
	}
	return len(c.in.buf)
}

// Idle reports whether closing c now loses nothing its peer sent or is
// sending: the peer has sent the protocol something, and c holds no part of
// a package and no TLS handshake under way. A connection whose first
// package may be on its way is not idle. Loop-only.
func (c *TcpConnection) Idle() bool {
	if c.RecvBufferSize() > 0 {
		return false
	}
	if t := c.tlsOf(); t != nil {
		return t.state == tlsReady && t.received
	}
	return c.BytesRead() > 0
}

// BytesRead is how many bytes the connection has received. Loop-only.
func (c *TcpConnection) BytesRead() int64 {
	if c.sock == nil {
		return 0
	}
	return c.sock.BytesRead
}

// BytesWritten is how many bytes the kernel has taken for the peer. Loop-only.
func (c *TcpConnection) BytesWritten() int64 {
	if c.sock == nil {
		return 0
	}
	return c.sock.BytesWritten
}

func (c *TcpConnection) String() string {
	return "connection " + strconv.FormatUint(c.id, 10) + " " + addrString(c.RemoteAddr())
}
