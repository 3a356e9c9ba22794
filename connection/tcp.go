package connection

import (
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

	id        uint64
	sock      *eventloop.Conn
	loop      *eventloop.Loop
	status    atomic.Int32
	protocol  protocols.Protocol
	transport string
	worker    string
	state     any

	recv     []byte // bytes of an incomplete package
	held     int    // len(recv) as counted in the process's input budget
	reading  bool   // inside onData: Resume must not re-enter it
	ending   bool   // End: half-close once flushed
	closedCb bool
	onDrain  func() // NotifyDrain's one-shot callback
	full     bool   // OnBufferFull ran since the buffer last drained
	counted  bool   // included in Stats().Connections
	early    []byte // what a client connection sent before it connected
	target   string // the address a client connection dials, as given to NewAsync
	uri      string // and the path and query that followed it
	linger   eventloop.TimerID
	out      pending // its place in the output sweep
	onGone   func(*TcpConnection)
	raw      rawBox
	h        handler
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
	c.sock, c.loop = sock, sock.Loop()
	c.status.Store(int32(StatusEstablished))
	c.closedCb = false
	c.h.c = c
	sock.SetHandler(&c.h)
	c.counted = true
	stats.connections.Add(1)
	live[c.id] = c
	if len(c.early) > 0 {
		sock.Write(c.early)
		c.early = nil
		c.watchOutput()
	}
	if p, ok := c.protocol.(protocols.Connector); ok {
		p.OnConnect(c)
	}
}

// ID identifies the connection within its process; ids start at 1. Safe
// from any goroutine.
func (c *TcpConnection) ID() uint64 { return c.id }

// Status reports where the connection is in its life. Safe from any goroutine.
func (c *TcpConnection) Status() Status { return Status(c.status.Load()) }

// Protocol is the connection's protocol, nil for raw tcp.
func (c *TcpConnection) Protocol() protocols.Protocol { return c.protocol }

// Transport is "tcp" or "unix".
func (c *TcpConnection) Transport() string { return c.transport }

// WorkerName is the name of the worker that accepted the connection.
func (c *TcpConnection) WorkerName() string { return c.worker }

// PackageLimit is MaxPackageSize, for protocols.
func (c *TcpConnection) PackageLimit() int { return c.MaxPackageSize }

// ProtocolState is the protocol's per-connection state.
func (c *TcpConnection) ProtocolState() any { return c.state }

// SetProtocolState stores the protocol's per-connection state.
func (c *TcpConnection) SetProtocolState(v any) { c.state = v }

// RecvBufferSize is the number of bytes of an incomplete package held. Loop-only.
func (c *TcpConnection) RecvBufferSize() int { return len(c.recv) }

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
