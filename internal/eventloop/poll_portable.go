package eventloop

import (
	"errors"
	"log/slog"
	"net"
	"os"
	"sync"
	"time"
)

// portablePoller sleeps on a channel: every socket event reaches the loop as a
// task posted by a reader, writer or accept goroutine.
type portablePoller struct {
	l     *Loop
	ch    chan struct{}
	timer *time.Timer
}

func newPortablePoller(l *Loop) *portablePoller {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &portablePoller{l: l, ch: make(chan struct{}, 1), timer: t}
}

func (p *portablePoller) wait(timeout time.Duration) {
	switch {
	case timeout == 0:
		select {
		case <-p.ch:
		default:
		}
	case timeout < 0:
		<-p.ch
	default:
		p.timer.Reset(timeout)
		select {
		case <-p.ch:
		case <-p.timer.C:
		}
		p.timer.Stop()
	}
}

func (p *portablePoller) wake() {
	select {
	case p.ch <- struct{}{}:
	default:
	}
}

func (p *portablePoller) close() {}

func (p *portablePoller) listen(ln *Listener, f *os.File) error {
	nl, err := net.FileListener(f)
	if err != nil {
		return err
	}
	pl := &netListener{l: p.l, ln: ln, nl: nl, accepting: !ln.paused}
	pl.cond = sync.NewCond(&pl.mu)
	ln.addr = nl.Addr()
	ln.io = pl
	p.l.wg.Add(1)
	go pl.acceptLoop()
	return nil
}

// netListener accepts on its own goroutine and hands connections to the loop.
type netListener struct {
	l  *Loop
	ln *Listener
	nl net.Listener

	mu        sync.Mutex
	cond      *sync.Cond
	accepting bool
	closed    bool
}

func (pl *netListener) acceptLoop() {
	defer pl.l.wg.Done()
	for {
		pl.mu.Lock()
		for !pl.accepting && !pl.closed {
			pl.cond.Wait()
		}
		closed := pl.closed
		pl.mu.Unlock()
		if closed {
			return
		}
		nc, err := pl.nl.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			slog.Error("workerman: accept", "err", err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		pl.l.Post(func() { pl.accepted(nc) })
	}
}

func (pl *netListener) accepted(nc net.Conn) {
	l := pl.l
	if pl.ln.closed || l.stopping {
		nc.Close()
		return
	}
	c, _ := l.poll.adopt(nc)
	pl.ln.accept(c)
	l.poll.start(c)
}

// adopt wraps a connected net.Conn; start begins its reader and writer once
// the new connection has a handler.
func (p *portablePoller) adopt(nc net.Conn) (*Conn, error) {
	l := p.l
	c := l.newConn(nil, nc.RemoteAddr(), nc.LocalAddr())
	n := &netConn{l: l, c: c, nc: nc, ack: make(chan struct{}, 1), stop: make(chan struct{}), wake: make(chan struct{}, 1)}
	n.readFn = func() { n.onRead(n.rchunk, n.rerr) }
	n.writtenFn = func() { n.written(n.wn, n.werr) }
	c.io = n
	return c, nil
}

func (p *portablePoller) start(c *Conn) {
	if c.closed {
		return
	}
	n := c.io.(*netConn)
	p.l.wg.Add(2)
	go n.readLoop()
	go n.writeLoop()
}

func (pl *netListener) setAccept(on bool) {
	pl.mu.Lock()
	pl.accepting = on
	pl.cond.Broadcast()
	pl.mu.Unlock()
}

func (pl *netListener) close() {
	pl.mu.Lock()
	pl.closed = true
	pl.cond.Broadcast()
	pl.mu.Unlock()
	pl.nl.Close()
}

// netConn is a connection on the portable backend: a reader goroutine hands
// each chunk to the loop and waits until the loop is done with it; a writer
// goroutine writes what the loop hands it.
type netConn struct {
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
	if c.closed {
		n.release()
		return
	}
	if c.paused {
		n.pend, n.pendErr, n.hasPend = chunk, err, true
		return
	}
	n.deliver(chunk, err)
}

func (n *netConn) deliver(chunk []byte, err error) {
	if len(chunk) > 0 {
		n.c.delivered(chunk)
	}
	if err != nil && !n.c.closed {
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
			if n.hasPend && !c.paused && !c.closed {
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
		c.queued = true // the writer is still busy; this waits for it
		return
	}
	if c.sent >= len(c.out) {
		return
	}
	n.wbuf, n.wfull = c.out[c.sent:], c.out
	c.out, c.sent = nil, 0
	n.wake <- struct{}{}
}

func (n *netConn) written(k int, err error) {
	c := n.c
	c.BytesWritten += int64(k)
	n.l.putBuf(n.wfull)
	n.wbuf, n.wfull = nil, nil
	if c.closed {
		return
	}
	if err != nil {
		c.closeWith(err)
		return
	}
	if c.sent < len(c.out) {
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
	close(n.stop)
	n.nc.Close()
}

func (p *portablePoller) listenPacket(pc *PacketConn, f *os.File) error {
	c, err := net.FilePacketConn(f)
	if err != nil {
		return err
	}
	np := &netPacket{l: p.l, pc: pc, c: c, ack: make(chan struct{}, 1), stop: make(chan struct{})}
	pc.addr = c.LocalAddr()
	pc.io = np
	p.l.wg.Add(1)
	go np.readLoop()
	return nil
}

// netPacket reads datagrams on its own goroutine and hands each to the loop,
// waiting until the loop is done with the buffer.
type netPacket struct {
	l    *Loop
	pc   *PacketConn
	c    net.PacketConn
	ack  chan struct{}
	stop chan struct{}

	held    []byte // a datagram that arrived while paused
	heldTo  net.Addr
	holding bool
}

func (np *netPacket) readLoop() {
	defer np.l.wg.Done()
	buf := make([]byte, MaxDatagramSize)
	for {
		n, from, err := np.c.ReadFrom(buf)
		if err != nil {
			if !errors.Is(err, net.ErrClosed) {
				slog.Error("workerman: read datagram", "err", err)
			}
			return
		}
		b := buf[:n]
		np.l.Post(func() { np.deliver(b, from) })
		select {
		case <-np.ack:
		case <-np.stop:
			return
		}
	}
}

func (np *netPacket) deliver(b []byte, from net.Addr) {
	pc := np.pc
	if pc.paused && !pc.closed {
		np.held, np.heldTo, np.holding = b, from, true
		return
	}
	if !pc.closed {
		pc.onPacket(pc, b, from)
	}
	np.release()
}

func (np *netPacket) release() {
	select {
	case np.ack <- struct{}{}:
	default:
	}
}

func (np *netPacket) setRead(on bool) {
	if on && np.holding {
		np.l.Post(func() {
			if np.holding && !np.pc.paused {
				b, from := np.held, np.heldTo
				np.held, np.heldTo, np.holding = nil, nil, false
				np.deliver(b, from)
			}
		})
	}
}

func (np *netPacket) writeTo(b []byte, to net.Addr) error {
	_, err := np.c.WriteTo(b, to)
	return err
}

func (np *netPacket) close() {
	close(np.stop)
	np.c.Close()
}
