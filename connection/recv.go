package connection

import (
	"log/slog"
	"unsafe"

	"github.com/workerman-go/workerman/protocols"
)

// parse cuts the bytes received so far into packages and hands each to
// OnMessage. b is the loop's read buffer (nil when resuming): packages that are
// whole inside it are decoded straight from it, and only the tail of an
// incomplete package is copied into the connection's own buffer.
func (c *TcpConnection) parse(b []byte) {
	if c.Status() != StatusEstablished {
		return // closing: what arrives now is not delivered
	}
	if c.protocol == nil {
		c.deliverRaw(b)
		return
	}
	data := b
	if len(c.recv) > 0 {
		c.recv = append(c.recv, b...)
		data = c.recv
	}
	c.reading = true
	off := 0
	for off < len(data) && c.Status() == StatusEstablished && !c.sock.Paused() {
		n, err := c.protocol.Input(data[off:], c)
		if err != nil {
			c.reading = false
			c.reject("bad package", err.Error(), n)
			return
		}
		if n > c.MaxPackageSize {
			c.reading = false
			c.reject("package too large", "package exceeds MaxPackageSize", n)
			return
		}
		if n == 0 || n > len(data)-off {
			if len(data)-off >= c.MaxPackageSize && !c.sock.Paused() {
				c.reading = false
				c.reject("package too large", "incomplete package reached MaxPackageSize", len(data)-off)
				return
			}
			break
		}
		pkg := data[off : off+n]
		off += n
		msg, err := c.protocol.Decode(pkg, c)
		stats.requests.Add(1)
		if err != nil {
			c.reading = false
			c.reject("bad package", err.Error(), n)
			return
		}
		if msg != nil { // nil: a package with nothing for the application
			c.deliver(msg)
		}
	}
	c.reading = false
	c.keep(data, off)
}

// keep holds the unparsed tail data[off:] for the next read, in a buffer from
// the loop's free list that goes back as soon as no package is incomplete: an
// idle connection holds no receive buffer.
func (c *TcpConnection) keep(data []byte, off int) {
	rest := data[off:]
	if len(rest) == 0 || c.Status() != StatusEstablished {
		c.dropRecv()
		return
	}
	if !held.take(len(rest) - c.held) {
		c.overBudget(len(rest))
		return
	}
	c.held = len(rest)
	if c.recv == nil {
		c.recv = c.loop.Buffer()
	}
	if len(c.recv) > 0 && &data[0] == &c.recv[0] {
		c.recv = c.recv[:copy(c.recv, rest)]
	} else {
		c.recv = append(c.recv[:0], rest...)
	}
}

func (c *TcpConnection) dropRecv() {
	held.release(c.held)
	c.held = 0
	if c.recv != nil {
		c.loop.Recycle(c.recv)
		c.recv = nil
	}
}

// overBudget closes a connection whose incomplete package would take the
// process past its InputBudget; the others keep theirs.
func (c *TcpConnection) overBudget(n int) {
	slog.Warn("workerman: closing connection: input budget exhausted", "id", c.id, "remote", addrString(c.RemoteAddr()),
		"protocol", protocolName(c), "incomplete", n, "held", held.bytes, "budget", InputBudget())
	c.fail(RecvBudgetFail, "incomplete packages of the process exceed the input budget")
	c.Destroy()
}

// reject closes a connection that sent what can never be a valid package.
func (c *TcpConnection) reject(what, reason string, n int) {
	slog.Warn("workerman: closing connection: "+what, "id", c.id, "remote", addrString(c.RemoteAddr()),
		"protocol", protocolName(c), "package_length", n, "reason", reason)
	if c.Status() == StatusEstablished {
		c.Destroy()
	}
}

func (c *TcpConnection) deliver(msg any) {
	defer func() {
		if r := recover(); r != nil {
			c.loop.Recovered("OnMessage", r)
			c.panicked()
		}
	}()
	if c.OnMessage != nil {
		c.OnMessage(c, msg)
	}
}

// deliverRaw hands a raw tcp read to OnMessage as a []byte that is valid only
// until OnMessage returns.
func (c *TcpConnection) deliverRaw(b []byte) {
	if len(b) == 0 {
		return
	}
	stats.requests.Add(1)
	c.deliver(c.raw.set(b))
}

// rawBox is one interface value holding a []byte whose slice header the
// connection rewrites before each delivery, so that handing a read to OnMessage
// allocates nothing. It is why the bytes are valid only during the callback.
type rawBox struct {
	v   any
	hdr *[]byte
}

func (r *rawBox) set(b []byte) any {
	if r.hdr == nil {
		// A non-nil slice: a nil one would be boxed as the runtime's shared zero value.
		r.v = make([]byte, 1)
		r.hdr = (*[]byte)((*[2]unsafe.Pointer)(unsafe.Pointer(&r.v))[1])
	}
	*r.hdr = b
	return r.v
}

func protocolName(c *TcpConnection) string {
	if c.protocol == nil {
		return "tcp"
	}
	return protocols.Name(c.protocol)
}
