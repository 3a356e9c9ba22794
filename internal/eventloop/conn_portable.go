package eventloop

import (
	"errors"
	"net"
)

// adopt wraps a connected net.Conn; start begins its reader and writer once
// the new connection has a handler.
func (p *portablePoller) adopt(nc net.Conn) (*Conn, error) {
	l := p.l
	c := l.newConn(nc.RemoteAddr(), nc.LocalAddr())
	n := &netConn{p: p, l: l, c: c, nc: nc, ack: make(chan struct{}, 1), stop: make(chan struct{}), wake: make(chan struct{}, 1)}
	n.readFn = func() { n.onRead(n.rchunk, n.rerr) }
	n.writtenFn = func() { n.written(n.wn, n.werr) }
	c.portable = n
	p.conns[c] = struct{}{}
	return c, nil
}

func (p *portablePoller) start(c *Conn) {
	if c.is(connClosed) {
		return
	}
	n := c.portable
	p.l.wg.Add(2)
	go n.readLoop()
	go n.writeLoop()
}

// netConn is a connection on the portable backend: a reader goroutine hands
// each chunk to the loop and waits until the loop is done with it; a writer
// goroutine writes what the loop hands it.
type netConn struct {
	p  *portablePoller
	l  *Loop
	c  *Conn
	nc net.Conn

	ack  chan struct{}
	stop chan struct{}
	wake chan struct{}

	// A chunk that arrived while reading was paused.
	pend    []byte
	pendErr error
	hasPend bool

	wbuf, wfull []byte // bytes the writer holds, and the buffer they live in

	// What the reader read and the writer wrote, handed to the loop by tasks
	// made once per connection: each goroutine waits for the loop before it
	// fills its pair again.
	rchunk    []byte
	rerr      error
	readFn    func()
	wn        int
	werr      error
	writtenFn func()
}

func (n *netConn) readLoop() {
	defer n.l.wg.Done()
	buf := make([]byte, 16<<10)
	for {
		k, err := n.nc.Read(buf)
		n.rchunk, n.rerr = buf[:k], err
		n.l.Post(n.readFn)
		select {
		case <-n.ack:
		case <-n.stop:
			return
		}
		if err != nil {
			return
		}
	}
}

func (n *netConn) onRead(chunk []byte, err error) {
	c := n.c
	if c.is(connClosed) {
		n.release()
		return
	}
	if c.is(connPaused) {
		n.pend, n.pendErr, n.hasPend = chunk, err, true
		return
	}
	n.deliver(chunk, err)
}

func (n *netConn) deliver(chunk []byte, err error) {
	if len(chunk) > 0 {
		n.c.delivered(chunk)
	}
	if err != nil && !n.c.is(connClosed) {
		n.c.closeWith(err)
	}
	n.release()
}

// release lets the reader reuse its buffer.
func (n *netConn) release() {
	select {
	case n.ack <- struct{}{}:
	default:
	}
}

func (n *netConn) setRead(c *Conn, on bool) {
	if on && n.hasPend {
		// Delivered from a task: ResumeRead may be called from inside OnData.
		n.l.Post(func() {
			if n.hasPend && !c.is(connPaused) && !c.is(connClosed) {
				chunk, err := n.pend, n.pendErr
				n.pend, n.pendErr, n.hasPend = nil, nil, false
				n.deliver(chunk, err)
			}
		})
	}
}

func (n *netConn) writeLoop() {
	defer n.l.wg.Done()
	for {
		select {
		case <-n.wake:
		case <-n.stop:
			return
		}
		n.wn, n.werr = n.nc.Write(n.wbuf)
		n.l.Post(n.writtenFn)
	}
}

func (n *netConn) flush(c *Conn) {
	if n.wbuf != nil {
		c.set(connQueued, true) // the writer is still busy; this waits for it
		return
	}
	if c.waiting() == 0 {
		return
	}
	o := c.out
	n.wbuf, n.wfull = o.b[o.sent:], o.b
	c.out = nil
	c.loop.putOutput(o)
	n.wake <- struct{}{}
}

// push is flush: the writer goroutine writes, and what follows comes back to
// the loop as a task, never inside the callback that sent.
func (n *netConn) push(c *Conn) { n.flush(c) }

func (n *netConn) written(k int, err error) {
	c := n.c
	c.BytesWritten += int64(k)
	c.retireBuf(n.wfull)
	n.wbuf, n.wfull = nil, nil
	if c.is(connClosed) {
		return
	}
	if err != nil {
		c.closeWith(err)
		return
	}
	if c.waiting() > 0 {
		n.flush(c)
		return
	}
	c.drained()
}

func (n *netConn) shutdownWrite(c *Conn) error {
	if cw, ok := n.nc.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.New("eventloop: connection cannot half-close")
}

func (n *netConn) close(c *Conn) {
	delete(n.p.conns, c)
	close(n.stop)
	n.nc.Close()
}
