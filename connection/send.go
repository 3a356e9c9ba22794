package connection

import (
	"fmt"

	"github.com/workerman-go/workerman/protocols"
)

// Send encodes v with the connection's protocol (raw tcp takes a string or
// []byte) and queues it; the loop writes it at the end of its current round.
// It returns ErrClosed on a closing or closed connection and ErrBufferFull when
// the send buffer was already full (OnError runs with SendFail). Safe from any
// goroutine: off the loop the send is handed to the loop and only ErrClosed is
// reported.
func (c *TcpConnection) Send(v any) error {
	if c.Status() >= StatusClosing {
		return ErrClosed
	}
	if !onLoopWith(loop, func(c *TcpConnection, v any) { c.send(v, false) }, c, v) {
		return nil
	}
	return c.send(v, false)
}

// SendNow is Send written out at once rather than at the end of the round,
// telling apart Workerman's three answers: (true, nil) the kernel has taken
// every byte sent so far, (false, nil) some wait in the send buffer (as they
// always do before a client connection is established, off the loop, or on the
// portable backend, whose writes are its writer goroutine's), (false, err) the
// package was dropped as Send reports. It costs a write per call where Send
// batches a round's replies into one; use it when the answer matters. Safe
// from any goroutine.
func (c *TcpConnection) SendNow(v any) (bool, error) {
	if err := c.Send(v); err != nil || !loop.InLoop() || c.sock == nil {
		return false, err
	}
	c.flushTLS()
	return c.sock.WriteNow(), nil
}

// SendRaw queues b as is, bypassing the protocol's Encode; otherwise it is
// Send. Safe from any goroutine.
func (c *TcpConnection) SendRaw(b []byte) error {
	if c.Status() >= StatusClosing {
		return ErrClosed
	}
	if !onLoopWith(loop, func(c *TcpConnection, b []byte) { c.send(b, true) }, c, b) {
		return nil
	}
	return c.send(b, true)
}

// send appends v (encoded, or as is when raw) to the send buffer, or to the
// early buffer of a client connection that is not connected yet. Loop-only.
func (c *TcpConnection) send(v any, raw bool) error {
	if c.Status() >= StatusClosing {
		return ErrClosed
	}
	if t := c.tlsOf(); t != nil && t.state != tlsFailed {
		return c.sendTLS(t, v, raw)
	}
	if c.sock == nil {
		// Kept until the connection is established, then sent first.
		r := c.rare()
		if len(r.early) >= c.MaxSendBufferSize {
			return c.dropSend()
		}
		var err error
		r.early, err = c.encode(r.early, v, raw)
		if err != nil {
			return err
		}
		c.checkFull(len(r.early))
		return nil
	}
	if c.sock.Buffered() >= c.MaxSendBufferSize {
		return c.dropSend()
	}
	buf, err := c.encode(c.sock.OutBuf(), v, raw)
	c.sock.SetOutBuf(buf)
	c.watchOutput()
	if err != nil {
		return err
	}
	c.checkFull(c.sock.Buffered())
	if c.Status() == StatusClosing && c.sock.Buffered() == 0 && !c.ending() {
		c.Destroy() // Encode asked to close and appended nothing
	}
	return nil
}

// checkFull runs OnBufferFull once n bytes wait and that reaches the limit;
// OnBufferDrain follows once they are written, for the early buffer of a client
// connection too.
func (c *TcpConnection) checkFull(n int) {
	if n >= c.MaxSendBufferSize {
		c.full = true
		if c.OnBufferFull != nil {
			c.guard("OnBufferFull", func() { c.OnBufferFull(c) })
		}
	}
}

// encode appends v to dst through the protocol's Encode, or as is for a raw
// send or a connection without a protocol.
func (c *TcpConnection) encode(dst []byte, v any, raw bool) ([]byte, error) {
	var err error
	if c.origin.protocol != nil && !raw {
		dst, err = c.origin.protocol.Encode(dst, v, c)
	} else {
		dst, err = protocols.AppendBytes(dst, v)
	}
	if err != nil {
		return dst, fmt.Errorf("connection %d: %w", c.id, err)
	}
	return dst, nil
}

// dropSend reports a send dropped because the buffer is full.
func (c *TcpConnection) dropSend() error {
	stats.sendFail.Add(1)
	c.fail(SendFail, sendFullMsg)
	return ErrBufferFull
}

// SendBufferSize is the number of bytes waiting to be written. Loop-only.
func (c *TcpConnection) SendBufferSize() int {
	if c.sock == nil {
		if c.more == nil {
			return 0
		}
		return len(c.more.early)
	}
	return c.sock.Buffered()
}

// SendBufferLimit is MaxSendBufferSize, for protocols.
func (c *TcpConnection) SendBufferLimit() int { return c.MaxSendBufferSize }
