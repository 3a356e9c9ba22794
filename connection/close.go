package connection

import (
	"log/slog"

	"github.com/workerman-go/workerman/protocols"
)

// Close sends data (each value through Send), stops reading, and closes the
// connection once everything sent has reached the kernel. OnClose runs then.
// Safe from any goroutine.
func (c *TcpConnection) Close(data ...any) {
	if !onLoopWith(loop, func(c *TcpConnection, data []any) { c.Close(data...) }, c, data) {
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
	c.closeNotifyTLS()
	if c.sock.Buffered() == 0 {
		c.Destroy()
	}
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

// End sends b as is, stops reading and delivers no further package, then shuts
// the write side once b is flushed and closes after LingerTimeout or when the
// peer closes, whichever comes first. Protocols answer bad input with it, so
// that the peer reads the reply before the connection goes. Safe from any
// goroutine.
func (c *TcpConnection) End(b []byte) {
	if !onLoopWith(loop, (*TcpConnection).End, c, b) {
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
	c.rare().ending = true
	c.dropRecv()
	c.closeNotifyTLS()
	if c.sock.Buffered() == 0 {
		c.halfClose()
	}
}

// halfClose shuts the write side of an ending connection and gives the peer
// LingerTimeout to close its own. Loop-only.
func (c *TcpConnection) halfClose() {
	if err := c.sock.ShutdownWrite(); err != nil {
		c.Destroy()
		return
	}
	r := c.rare()
	r.linger = loop.AddSystemTimer(LingerTimeout, false, func() {
		r.linger = 0
		c.Destroy()
	})
}

// Destroy closes the connection now, dropping whatever is unsent; after a
// burst of dropped output the memory goes back to the system. Safe from any
// goroutine.
func (c *TcpConnection) Destroy() {
	if !onLoop(loop, (*TcpConnection).Destroy, c) {
		return
	}
	switch {
	case c.sock != nil && !c.sock.Closed():
		unsent := c.sock.Buffered()
		c.sock.Close() // runs handler.OnClose
		handBack.letGo(unsent)
	case c.sock == nil && c.Status() != StatusClosed:
		c.finish(nil) // a client connection that never connected
	}
}

// finish runs once the socket is gone, or a client connection failed or was
// given up before it had one. Loop-only.
func (c *TcpConnection) finish(err error) {
	c.status.Store(int32(StatusClosed))
	if r := c.more; r != nil {
		if r.linger != 0 {
			loop.DelTimer(r.linger)
			r.linger = 0
		}
		r.onDrain = nil
	}
	c.dropRecv()
	c.unwatchOutput()
	if err != nil {
		slog.Debug("workerman: connection closed", "id", c.id, "remote", addrString(c.RemoteAddr()), "err", err)
	}
	if c.closedCb {
		return
	}
	c.closedCb = true
	listed := c.counted
	if c.counted {
		c.counted = false
		stats.connections.Add(-1)
	}
	if c.OnClose != nil {
		c.guard("OnClose", func() { c.OnClose(c) })
	}
	notifyClosed(c)
	if p, ok := c.origin.protocol.(protocols.Closer); ok {
		p.OnClose(c)
	}
	if listed {
		c.unlist()
	}
}

// GoAway closes the connection because its server stops or is replaced. A
// protocol that can tell the peer so (protocols.GoingAway: WebSocket sends a
// Close frame with 1001) ends the connection in its own way, its closing
// handshake; any other connection is closed as by Close. Either way the
// output gets CloseTimeout to drain once the close begins. Loop-only;
// package worker calls it on every connection when a process stops.
func (c *TcpConnection) GoAway() {
	if p, ok := c.origin.protocol.(protocols.GoingAway); ok && c.Status() == StatusEstablished {
		p.OnGoingAway(c)
		return
	}
	c.Close()
}
