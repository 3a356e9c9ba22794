package connection

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// Status is where a connection is in its life.
type Status int32

// The statuses, with Workerman's values.
const (
	StatusInitial     Status = 0
	StatusConnecting  Status = 1
	StatusEstablished Status = 2
	StatusClosing     Status = 8
	StatusClosed      Status = 16
)

func (s Status) String() string {
	switch s {
	case StatusInitial:
		return "INITIAL"
	case StatusConnecting:
		return "CONNECTING"
	case StatusEstablished:
		return "ESTABLISHED"
	case StatusClosing:
		return "CLOSING"
	case StatusClosed:
		return "CLOSED"
	}
	return "UNKNOWN"
}

// Error codes passed to OnError.
const (
	ConnectFail = 1
	SendFail    = 2
)

// Defaults for the per-connection limits; a worker may set its own.
const (
	DefaultMaxSendBufferSize = 1 << 20
	DefaultMaxPackageSize    = 10 << 20
	// LingerTimeout is how long End waits for the peer to close after the
	// connection's reply is flushed and its write side shut.
	LingerTimeout = time.Second
)

var (
	// ErrClosed: the connection is closing or closed, so nothing more is sent.
	ErrClosed = errors.New("connection: closed")
	// ErrBufferFull: the send buffer is at MaxSendBufferSize and the package was dropped.
	ErrBufferFull = errors.New("connection: send buffer full and drop package")
)

var nextID atomic.Uint64

// TcpConnection is one accepted stream connection (TCP or unix socket).
//
// Its callbacks and limits are copied from the worker at accept; set them on
// the loop (in OnConnect or later) to change one connection. Send, Close,
// Destroy, PauseRecv, ResumeRecv and Status are safe from any goroutine; the
// rest of its methods are loop-only.
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
	reading  bool   // inside onData: Resume must not re-enter it
	ending   bool   // End: half-close once flushed
	closedCb bool
	onDrain  func() // NotifyDrain's one-shot callback
	full     bool   // OnBufferFull ran since the buffer last drained
	counted  bool   // included in Stats().Connections
	early    []byte // what a client connection sent before it connected
	host     string // a client connection's "host:port", as given to NewAsync
	uri      string // and the path and query that followed it
	linger   eventloop.TimerID
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

// Limits bound what one connection may hold; zero means the default.
type Limits struct {
	// MaxSendBufferSize caps the bytes waiting for the peer: a Send that finds
	// the buffer at the cap is dropped (DefaultMaxSendBufferSize).
	MaxSendBufferSize int
	// MaxPackageSize caps one package, and the bytes held while waiting for
	// one (DefaultMaxPackageSize).
	MaxPackageSize int
}

// Options describe a new server-side connection; the worker fills them in.
type Options struct {
	Callbacks
	Limits
	Protocol  protocols.Protocol
	Transport string // "tcp" or "unix"
	Worker    string // the worker's name, for tables

	// OnGone runs after OnClose, once the connection is gone.
	OnGone func(c *TcpConnection)
}

// Accept wraps a socket the loop just accepted. It runs on the loop.
func Accept(sock *eventloop.Conn, o Options) *TcpConnection {
	c := &TcpConnection{
		Callbacks: o.Callbacks,
		Limits:    o.Limits,
		id:        nextID.Add(1),
		protocol:  o.Protocol,
		transport: o.Transport,
		worker:    o.Worker,
		onGone:    o.OnGone,
	}
	if c.MaxSendBufferSize <= 0 {
		c.MaxSendBufferSize = DefaultMaxSendBufferSize
	}
	if c.MaxPackageSize <= 0 {
		c.MaxPackageSize = DefaultMaxPackageSize
	}
	if c.transport == "" {
		c.transport = "tcp"
	}
	c.attach(sock)
	return c
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
	}
	if p, ok := c.protocol.(protocols.Connector); ok {
		p.OnConnect(c)
	}
}

// ID identifies the connection within its process; ids start at 1.
func (c *TcpConnection) ID() uint64 { return c.id }

// Status reports where the connection is in its life. Safe from any goroutine.
func (c *TcpConnection) Status() Status { return Status(c.status.Load()) }

// RemoteHost is the "host:port" (or socket path) a client connection dials, as given to
// NewAsync ("" for an accepted connection); a protocol's handshake names it.
func (c *TcpConnection) RemoteHost() string { return c.host }

// RemoteURI is the path and query of a client connection's address ("/" when
// it has none; "" for an accepted connection), e.g. "/chat?room=1" of
// "ws://127.0.0.1:8080/chat?room=1".
func (c *TcpConnection) RemoteURI() string { return c.uri }

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

// Send encodes v with the connection's protocol (raw tcp takes a string or
// []byte) and queues it; the loop writes it at the end of its current round.
// It returns ErrClosed on a closing or closed connection and ErrBufferFull when
// the send buffer was already full (OnError runs with SendFail). From another
// goroutine the send is handed to the loop and only ErrClosed is reported.
func (c *TcpConnection) Send(v any) error {
	if !c.loop.InLoop() {
		if c.Status() >= StatusClosing {
			return ErrClosed
		}
		c.loop.Post(func() { c.send(v, false) })
		return nil
	}
	return c.send(v, false)
}

// SendRaw queues b as is, bypassing the protocol's Encode.
func (c *TcpConnection) SendRaw(b []byte) error {
	if !c.loop.InLoop() {
		if c.Status() >= StatusClosing {
			return ErrClosed
		}
		c.loop.Post(func() { c.send(b, true) })
		return nil
	}
	return c.send(b, true)
}

func (c *TcpConnection) send(v any, raw bool) error {
	if c.Status() >= StatusClosing {
		return ErrClosed
	}
	if c.sock == nil {
		return c.sendEarly(v, raw)
	}
	if c.sock.Buffered() >= c.MaxSendBufferSize {
		stats.sendFail.Add(1)
		c.fail(SendFail, ErrBufferFull.Error()[len("connection: "):])
		return ErrBufferFull
	}
	buf := c.sock.OutBuf()
	var err error
	if c.protocol != nil && !raw {
		buf, err = c.protocol.Encode(buf, v, c)
	} else {
		buf, err = protocols.AppendBytes(buf, v)
	}
	c.sock.SetOutBuf(buf)
	if err != nil {
		return fmt.Errorf("connection %d: %w", c.id, err)
	}
	if c.sock.Buffered() >= c.MaxSendBufferSize {
		c.full = true
		if c.OnBufferFull != nil {
			c.guard("OnBufferFull", func() { c.OnBufferFull(c) })
		}
	}
	if c.Status() == StatusClosing && c.sock.Buffered() == 0 && !c.ending {
		c.Destroy() // Encode asked to close and appended nothing
	}
	return nil
}

// sendEarly keeps what a client connection sends before it is connected; it
// goes out first once the connection is established.
func (c *TcpConnection) sendEarly(v any, raw bool) error {
	if len(c.early) >= c.MaxSendBufferSize {
		stats.sendFail.Add(1)
		c.fail(SendFail, ErrBufferFull.Error()[len("connection: "):])
		return ErrBufferFull
	}
	var err error
	if c.protocol != nil && !raw {
		c.early, err = c.protocol.Encode(c.early, v, c)
	} else {
		c.early, err = protocols.AppendBytes(c.early, v)
	}
	return err
}

// CloseWhenFlushed stops delivering packages and closes the connection once
// everything sent so far has reached the kernel. Loop-only; protocols call it
// from Encode (e.g. HTTP after a response that ends the connection).
func (c *TcpConnection) CloseWhenFlushed() {
	if c.Status() >= StatusClosing {
		return
	}
	c.status.Store(int32(StatusClosing))
	c.sock.PauseRead()
}

// SendBufferLimit is MaxSendBufferSize, for protocols.
func (c *TcpConnection) SendBufferLimit() int { return c.MaxSendBufferSize }

// NotifyDrain runs fn once on the loop the next time the send buffer is
// empty; a later call replaces an earlier one. Loop-only.
func (c *TcpConnection) NotifyDrain(fn func()) { c.onDrain = fn }

// Close sends data (each value through Send), stops reading, and closes the
// connection once everything sent has reached the kernel. OnClose runs then.
func (c *TcpConnection) Close(data ...any) {
	if !c.loop.InLoop() {
		c.loop.Post(func() { c.Close(data...) })
		return
	}
	st := c.Status()
	if st == StatusInitial || st == StatusConnecting {
		c.Destroy()
		return
	}
	if st >= StatusClosing {
		return
	}
	for _, d := range data {
		c.send(d, false)
	}
	c.status.Store(int32(StatusClosing))
	c.sock.PauseRead()
	if c.sock.Buffered() == 0 {
		c.Destroy()
	}
}

// End sends b as is, stops reading and delivers no further package, then shuts
// the write side once b is flushed and closes after LingerTimeout or when the
// peer closes, whichever comes first. Protocols answer bad input with it, so
// that the peer reads the reply before the connection goes.
func (c *TcpConnection) End(b []byte) {
	if !c.loop.InLoop() {
		c.loop.Post(func() { c.End(b) })
		return
	}
	if c.Status() >= StatusClosing {
		return
	}
	if c.sock == nil {
		c.Destroy()
		return
	}
	c.send(b, true)
	c.status.Store(int32(StatusClosing))
	c.ending = true
	c.dropRecv()
	if c.sock.Buffered() == 0 {
		c.halfClose()
	}
}

func (c *TcpConnection) halfClose() {
	if err := c.sock.ShutdownWrite(); err != nil {
		c.Destroy()
		return
	}
	c.linger = c.loop.AddSystemTimer(LingerTimeout, false, func() {
		c.linger = 0
		c.Destroy()
	})
}

// Destroy closes the connection now, dropping whatever is unsent.
func (c *TcpConnection) Destroy() {
	if !c.loop.InLoop() {
		c.loop.Post(c.Destroy)
		return
	}
	switch {
	case c.sock != nil && !c.sock.Closed():
		c.sock.Close() // runs handler.OnClose
	case c.sock == nil && c.Status() != StatusClosed:
		c.finish(nil) // a client connection that never connected
	}
}

// PauseRecv stops reading from the connection (back-pressure).
func (c *TcpConnection) PauseRecv() {
	if !c.loop.InLoop() {
		c.loop.Post(c.PauseRecv)
		return
	}
	if c.sock != nil {
		c.sock.PauseRead()
	}
}

// ResumeRecv reads again, first handing over packages already buffered.
func (c *TcpConnection) ResumeRecv() {
	if !c.loop.InLoop() {
		c.loop.Post(c.ResumeRecv)
		return
	}
	if c.Status() != StatusEstablished || !c.sock.Paused() {
		return
	}
	c.sock.ResumeRead()
	if !c.reading && len(c.recv) > 0 {
		c.parse(nil)
	}
}

// IsPaused reports whether reading is paused. Loop-only.
func (c *TcpConnection) IsPaused() bool { return c.sock != nil && c.sock.Paused() }

// SendBufferSize is the number of bytes waiting to be written. Loop-only.
func (c *TcpConnection) SendBufferSize() int {
	if c.sock == nil {
		return len(c.early)
	}
	return c.sock.Buffered()
}

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

// RemoteAddr is the peer's address (nil before a client connection connects).
func (c *TcpConnection) RemoteAddr() net.Addr {
	if c.sock == nil {
		return nil
	}
	return c.sock.RemoteAddr()
}

// LocalAddr is the connection's own address (nil before a client connection connects).
func (c *TcpConnection) LocalAddr() net.Addr {
	if c.sock == nil {
		return nil
	}
	return c.sock.LocalAddr()
}

// RemoteIP is the peer's IP without brackets ("" for unix sockets).
func (c *TcpConnection) RemoteIP() string { ip, _ := splitAddr(c.RemoteAddr()); return ip }

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

func (c *TcpConnection) String() string {
	return "connection " + strconv.FormatUint(c.id, 10) + " " + addrString(c.RemoteAddr())
}

func addrString(a net.Addr) string {
	if a == nil {
		return "-"
	}
	return a.String()
}

// fail reports an error to OnError.
func (c *TcpConnection) fail(code int, msg string) {
	if c.OnError != nil {
		c.guard("OnError", func() { c.OnError(c, code, msg) })
	}
}

// guard runs a user callback; a panic is logged, counted, and ends only this
// connection.
func (c *TcpConnection) guard(where string, fn func()) {
	defer func() {
		if r := recover(); r != nil {
			c.loop.Recovered(where, r)
			c.Destroy()
		}
	}()
	fn()
}

// handler is the connection as the loop sees it; its methods are not part of
// TcpConnection's API.
type handler struct{ c *TcpConnection }

func (h *handler) OnData(_ *eventloop.Conn, b []byte) { h.c.parse(b) }

func (h *handler) OnDrain(_ *eventloop.Conn, queued bool) {
	c := h.c
	if c.ending {
		if c.linger == 0 {
			c.halfClose()
		}
		return
	}
	if c.Status() == StatusClosing {
		c.Destroy()
		return
	}
	if fn := c.onDrain; fn != nil {
		c.onDrain = nil
		c.guard("drain", fn)
	}
	// Drain pairs with Full even when the kernel took the bytes at once.
	if (queued || c.full) && c.OnBufferDrain != nil {
		c.guard("OnBufferDrain", func() { c.OnBufferDrain(c) })
	}
	c.full = false
}

func (h *handler) OnClose(_ *eventloop.Conn, err error) { h.c.finish(err) }

// finish runs once the socket is gone, or a client connection failed or was
// given up before it had one. Loop-only.
func (c *TcpConnection) finish(err error) {
	c.status.Store(int32(StatusClosed))
	if c.linger != 0 {
		c.loop.DelTimer(c.linger)
		c.linger = 0
	}
	c.dropRecv()
	c.onDrain = nil
	if err != nil {
		slog.Debug("workerman: connection closed", "id", c.id, "remote", addrString(c.RemoteAddr()), "err", err)
	}
	if c.closedCb {
		return
	}
	c.closedCb = true
	if c.counted {
		c.counted = false
		stats.connections.Add(-1)
		delete(live, c.id)
	}
	if c.OnClose != nil {
		c.guard("OnClose", func() { c.OnClose(c) })
	}
	if p, ok := c.protocol.(protocols.Closer); ok {
		p.OnClose(c)
	}
	if c.onGone != nil {
		c.onGone(c)
	}
}
