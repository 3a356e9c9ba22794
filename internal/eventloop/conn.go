package eventloop

import (
	"io"
	"net"
)

// Handler receives a connection's events. Every method runs on the loop.
type Handler interface {
	// OnData hands over bytes just read. b belongs to the loop and is valid
	// only until OnData returns.
	OnData(c *Conn, b []byte)
	// OnDrain runs when the kernel has taken every byte sent so far. queued is
	// true when some of them had to wait for the socket to become writable.
	OnDrain(c *Conn, queued bool)
	// OnClose runs once, when the connection is closed by either side. err is
	// nil for an orderly close (EOF or Close).
	OnClose(c *Conn, err error)
}

// connIO is what a backend does for one connection.
type connIO interface {
	// flush writes what it can and runs what follows (OnDrain, or the close
	// on a write error) at once.
	flush(c *Conn)
	// push writes what it can and leaves what follows to the loop's settle:
	// it runs in the middle of a callback.
	push(c *Conn)
	setRead(c *Conn, on bool)
	shutdownWrite(c *Conn) error
	close(c *Conn)
}

// Conn is one connected stream socket owned by a loop. Its methods are
// loop-only unless they say otherwise.
//
// An idle connection is this alone, 96 bytes: on the epoll backend it is its
// own record (fd), on the portable one portable points to the goroutines'
// side of it, and its output is a record only while bytes wait.
type Conn struct {
	loop     *Loop
	h        Handler
	portable *netConn
	out      *output // nil while no byte waits for the kernel

	// An accepted TCP connection keeps its peer's address inline, as the
	// kernel gave it (IPv4 in its mapped form), and addrs holds its local
	// address, shared with the listener or its other connections: so
	// accepting allocates none. For every other connection peerPort is 0
	// and addrs holds both.
	peerIP   [16]byte
	addrs    *addrPair
	peerPort uint16

	class uint8 // the size class the last output needed
	flags connFlags
	fd    int32 // the epoll backend's descriptor

	// BytesRead and BytesWritten count the traffic of the connection.
	BytesRead, BytesWritten int64
}

// connFlags are a connection's yes-or-no states, in one byte.
type connFlags uint8

const (
	connQueued   connFlags = 1 << iota // some of out waited for writability
	connDirty                          // sent to since the last write-out
	connClosed                         // closed by either side
	connPaused                         // reading is paused
	connDrainDue                       // written out early; OnDrain waits for the loop's settle
	// The epoll backend's: registered while the batch of events being
	// handled came in (whose events for fd are then a closed one's), and
	// the events it is registered for besides EPOLLRDHUP.
	connFresh
	connWantIn
	connWantOut
)

func (c *Conn) is(f connFlags) bool { return c.flags&f != 0 }

func (c *Conn) set(f connFlags, on bool) {
	if on {
		c.flags |= f
	} else {
		c.flags &^= f
	}
}

// Loop returns the loop that owns c. Safe from any goroutine.
func (c *Conn) Loop() *Loop { return c.loop }

// SetHandler sets who receives c's events; call it on the loop before the
// callback that handed c over returns.
func (c *Conn) SetHandler(h Handler) { c.h = h }

// Handler is who receives c's events. Loop-only.
func (c *Conn) Handler() Handler { return c.h }

// OutBuf returns the connection's pending output for the caller to append to;
// hand the result back with SetOutBuf. Loop-only.
func (c *Conn) OutBuf() []byte {
	if c.out == nil {
		c.out = c.loop.getOutput()
	}
	if c.out.b == nil {
		c.out.b = c.loop.getBuf(c.class)
	}
	return c.out.b
}

// SetOutBuf stores the pending output after an append. It is written once the
// callback returns, or sooner when the callback has sent to many
// connections; either way no callback of c runs inside SetOutBuf. Loop-only.
func (c *Conn) SetOutBuf(b []byte) {
	if c.out == nil {
		c.out = c.loop.getOutput()
	}
	o := c.out
	n := len(b) - len(o.b)
	o.b = b
	if len(b) > o.sent {
		c.loop.sent(c, n)
	}
}

// Write queues b for sending. Loop-only.
func (c *Conn) Write(b []byte) { c.SetOutBuf(append(c.OutBuf(), b...)) }

// Buffered is the number of bytes sent but not yet taken by the kernel. Loop-only.
func (c *Conn) Buffered() int { return c.waiting() + c.inflight() }

// waiting is the number of bytes in c's output that the kernel has not taken.
func (c *Conn) waiting() int {
	if c.out == nil {
		return 0
	}
	return len(c.out.b) - c.out.sent
}

func (c *Conn) inflight() int {
	if c.portable != nil {
		return len(c.portable.wbuf)
	}
	return 0
}

// PauseRead stops reading from c until ResumeRead. Loop-only.
func (c *Conn) PauseRead() {
	if c.is(connPaused) || c.is(connClosed) {
		return
	}
	c.set(connPaused, true)
	c.backend().setRead(c, false)
}

// ResumeRead starts reading again. Loop-only.
func (c *Conn) ResumeRead() {
	if !c.is(connPaused) || c.is(connClosed) {
		return
	}
	c.set(connPaused, false)
	c.backend().setRead(c, true)
}

// Paused reports whether reading is paused. Loop-only.
func (c *Conn) Paused() bool { return c.is(connPaused) }

// ShutdownWrite sends FIN after whatever the kernel already holds. Loop-only.
func (c *Conn) ShutdownWrite() error {
	if c.is(connClosed) {
		return net.ErrClosed
	}
	return c.backend().shutdownWrite(c)
}

// Close closes the connection now, dropping unsent bytes; OnClose runs before
// it returns. Loop-only.
func (c *Conn) Close() { c.closeWith(nil) }

// Closed reports whether the connection is closed. Loop-only.
func (c *Conn) Closed() bool { return c.is(connClosed) }

// RemoteAddr is the peer's address. Safe from any goroutine.
// An accepted TCP connection makes a new *net.TCPAddr for each call.
func (c *Conn) RemoteAddr() net.Addr {
	if c.peerPort == 0 {
		return c.addrs.remote
	}
	ip := net.IP(c.peerIP[:])
	if ip4 := ip.To4(); ip4 != nil {
		ip = ip4
	}
	return &net.TCPAddr{IP: append(net.IP(nil), ip...), Port: int(c.peerPort)}
}

// LocalAddr is the connection's own address. Safe from any goroutine.
func (c *Conn) LocalAddr() net.Addr {
	return c.addrs.local
}

// addrPair is a connection's addresses; remote is nil for a peer kept inline.
type addrPair struct{ remote, local net.Addr }

func (c *Conn) closeWith(err error) {
	if c.is(connClosed) {
		return
	}
	c.set(connClosed, true)
	c.backend().close(c)
	c.retire()
	if err == io.EOF {
		err = nil
	}
	if c.h != nil {
		c.h.OnClose(c, err)
	}
}

// retire gives the output buffer back once the kernel has all of its bytes
// (or they are dropped), and remembers its size for the next one.
func (c *Conn) retire() {
	if o := c.out; o != nil {
		c.out = nil
		c.retireBuf(o.b)
		c.loop.putOutput(o)
	}
}

func (c *Conn) retireBuf(b []byte) {
	c.class = classFor(len(b))
	c.loop.putBuf(b)
}

// drainedLater is drained for a connection written out in the middle of a
// callback: its buffer goes back now, OnDrain once the callback returns.
func (c *Conn) drainedLater() {
	c.retire()
	if !c.is(connDrainDue) {
		c.set(connDrainDue, true)
		c.loop.later = append(c.loop.later, later{c: c})
	}
}

// drained is called by a backend once every byte of out is written.
func (c *Conn) drained() {
	c.retire()
	c.set(connDrainDue, false)
	queued := c.is(connQueued)
	c.set(connQueued, false)
	if c.h != nil {
		c.h.OnDrain(c, queued)
	}
}

// delivered hands read bytes to the handler.
func (c *Conn) delivered(b []byte) {
	c.BytesRead += int64(len(b))
	if c.h != nil {
		c.h.OnData(c, b)
	}
}

func (l *Loop) newConn(remote, local net.Addr) *Conn {
	return &Conn{loop: l, addrs: &addrPair{remote, local}}
}
