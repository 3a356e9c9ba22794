package websocket

import (
	"net"

	"github.com/workerman-go/workerman/internal/prototest"
	"github.com/workerman-go/workerman/protocols"
)

// fakeConn is a protocols.Conn with no socket, for fuzz tests and benchmarks
// that drive Input, Decode and Encode by hand.
type fakeConn struct {
	limit   int
	state   any
	written int64  // BytesWritten
	out     []byte // SendRaw and End
	closed  bool
	loop    prototest.Loop
}

var _ protocols.Conn = (*fakeConn)(nil)

func newFakeConn(limit int) *fakeConn { return &fakeConn{limit: limit} }

func (c *fakeConn) ID() uint64        { return 1 }
func (c *fakeConn) PackageLimit() int { return c.limit }
func (c *fakeConn) Send(any) error    { return nil }
func (c *fakeConn) SendRaw(b []byte) error {
	if c.closed {
		return net.ErrClosed
	}
	c.out = append(c.out, b...)
	return nil
}
func (c *fakeConn) Close(...any)           { c.closed = true }
func (c *fakeConn) End(b []byte)           { c.out = append(c.out, b...); c.closed = true }
func (c *fakeConn) Destroy()               { c.closed = true }
func (c *fakeConn) CloseWhenFlushed()      { c.closed = true }
func (c *fakeConn) SendBufferSize() int    { return len(c.out) }
func (c *fakeConn) SendBufferLimit() int   { return 1 << 20 }
func (c *fakeConn) NotifyDrain(func())     {}
func (c *fakeConn) PauseRecv()             {}
func (c *fakeConn) ResumeRecv()            {}
func (c *fakeConn) Loop() protocols.Loop   { return &c.loop }
func (c *fakeConn) BytesWritten() int64    { return c.written }
func (c *fakeConn) ProtocolState() any     { return c.state }
func (c *fakeConn) SetProtocolState(v any) { c.state = v }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *fakeConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }

// openConn is a connection whose handshake is done, for the server (or the
// client) side.
func openConn(limit int, client bool) *fakeConn {
	c := newFakeConn(limit)
	ep := &Default.init().ep
	if client {
		ep = &endpoint{client: true}
	}
	newState(c, ep).open = true
	return c
}

// feed runs bytes through Input and Decode as the connection does, and
// returns the messages. It stops where the connection would stop.
func feed(p protocols.Protocol, c *fakeConn, data []byte) (msgs []any, err error) {
	for off := 0; off < len(data) && !c.closed; {
		n, err := p.Input(data[off:], c)
		if err != nil || n == 0 || n > len(data)-off {
			return msgs, err
		}
		if n > c.limit {
			panic("Input returned a package over the limit")
		}
		msg, err := p.Decode(data[off:off+n], c)
		if err != nil {
			return msgs, err
		}
		if msg != nil {
			msgs = append(msgs, msg)
		}
		off += n
	}
	return msgs, nil
}

// openDeflateConn is openConn for the server side with permessage-deflate
// negotiated, each side keeping its context or not.
func openDeflateConn(limit int, keepWrite, keepRead bool) *fakeConn {
	c := openConn(limit, false)
	c.state.(*connState).z = &deflate{threshold: DefaultCompressThreshold, keepWrite: keepWrite, keepRead: keepRead}
	return c
}
