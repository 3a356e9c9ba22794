package http

import (
	"net"

	"github.com/workerman-go/workerman/protocols"
)

// fakeConn is a protocols.Conn that records what the protocol does to it, for
// tests that drive Input, Decode and Encode by hand.
type fakeConn struct {
	limit  int
	state  any
	out    []byte // SendRaw
	ended  []byte // End
	closed bool   // Close or CloseWhenFlushed
}

var _ protocols.Conn = (*fakeConn)(nil)

func newFakeConn() *fakeConn { return &fakeConn{limit: 10 << 20} }

func (c *fakeConn) ID() uint64             { return 1 }
func (c *fakeConn) PackageLimit() int      { return c.limit }
func (c *fakeConn) Send(any) error         { return nil }
func (c *fakeConn) SendRaw(b []byte) error { c.out = append(c.out, b...); return nil }
func (c *fakeConn) Close(...any)           { c.closed = true }
func (c *fakeConn) End(b []byte)           { c.ended = append(c.ended, b...); c.closed = true }
func (c *fakeConn) CloseWhenFlushed()      { c.closed = true }
func (c *fakeConn) SendBufferSize() int    { return 0 }
func (c *fakeConn) SendBufferLimit() int   { return 1 << 20 }
func (c *fakeConn) NotifyDrain(func())     {}
func (c *fakeConn) ProtocolState() any     { return c.state }
func (c *fakeConn) SetProtocolState(v any) { c.state = v }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *fakeConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
