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
	if c.origin.protocol == nil {
		c.deliverRaw(b)
		return
	}
	data := b
	if c.in != nil {
		c.in.buf = append(c.in.buf, b...)
		data = c.in.buf
	}
	c.reading = true
	off := 0
	for off < len(data) && c.Status() == StatusEstablished && !c.sock.Paused() {
		n, err := c.origin.protocol.Input(data[off:], c)
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
		msg, err := c.origin.protocol.Decode(pkg, c)
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

// input is an incomplete package a connection holds between reads.
type input struct {
	buf  []byte // its bytes, in a buffer from the loop's free list
	held int    // len(buf) as counted in the process's input budget
}

// spareInputs are input records no connection holds now, never more than
// the connections that held a partial package at once. Loop-only, like the
// tables of open connections.
var spareInputs []*input

// keep holds the unparsed tail data[off:] for the next read, in a buffer from
// the loop's free list that goes back as soon as no package is incomplete: an
// idle connection holds no receive buffer, and no record of one.
func (c *TcpConnection) keep(data []byte, off int) {
	rest := data[off:]
	if len(rest) == 0 || c.Status() != StatusEstablished {
		c.dropRecv()
		return
	}
	in := c.in
	held0 := 0
	if in != nil {
		held0 = in.held
	}
	if !held.take(len(rest) - held0) {
		c.overBudget(len(rest))
		return
	}
	if in == nil {
		if n := len(spareInputs); n > 0 {
			in = spareInputs[n-1]
			spareInputs[n-1] = nil
			spareInputs = spareInputs[:n-1]
		} else {
			in = &input{}
		}
		in.buf = loop.Buffer()
		c.in = in
	}
	in.held = len(rest)
	if len(in.buf) > 0 && &data[0] == &in.buf[0] {
		in.buf = in.buf[:copy(in.buf, rest)]
	} else {
		in.buf = append(in.buf[:0], rest...)
	}
}

func (c *TcpConnection) dropRecv() {
	in := c.in
	if in == nil {
		return
	}
	c.in = nil
	held.release(in.held)
	loop.Recycle(in.buf)
	*in = input{}
	spareInputs = append(spareInputs, in)
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
			loop.Recovered("OnMessage", r)
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
	c.deliver(c.rare().raw.set(b))
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
	if c.origin.protocol == nil {
		return "tcp"
	}
	return protocols.Name(c.origin.protocol)
}
