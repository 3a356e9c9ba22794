package http

import (
	"net"

	"github.com/workerman-go/workerman/internal/prototest"
	"github.com/workerman-go/workerman/protocols"
)

// fakeConn is a protocols.Conn that records what the protocol does to it, for
// tests that drive Input, Decode and Encode by hand, with no socket.
type fakeConn struct {
	limit     int   // PackageLimit
	sendLimit int   // SendBufferLimit
	buffered  int   // SendBufferSize: what SendRaw added since the test last drained
	written   int64 // BytesWritten: what the test says the kernel took
	state     any
	out       []byte // Send (events) and SendRaw
	ended     []byte // End
	drain     func() // NotifyDrain
	closed    bool   // Close, End or CloseWhenFlushed
	paused    bool   // PauseRecv
	loop      prototest.Loop
}

var _ protocols.Conn = (*fakeConn)(nil)

func newFakeConn() *fakeConn { return &fakeConn{limit: 10 << 20, sendLimit: 1 << 20} }

func (c *fakeConn) ID() uint64        { return 1 }
func (c *fakeConn) PackageLimit() int { return c.limit }
func (c *fakeConn) Send(v any) error {
	if c.closed {
		return net.ErrClosed
	}
	if e, ok := v.(*ServerSentEvents); ok {
		c.out = e.appendTo(c.out)
	}
	return nil
}
func (c *fakeConn) SendRaw(b []byte) error {
	if c.closed {
		return net.ErrClosed
	}
	c.out = append(c.out, b...)
	c.buffered += len(b)
	return nil
}
func (c *fakeConn) Close(...any)           { c.closed = true }
func (c *fakeConn) End(b []byte)           { c.ended = append(c.ended, b...); c.closed = true }
func (c *fakeConn) Destroy()               { c.closed = true }
func (c *fakeConn) CloseWhenFlushed()      { c.closed = true }
func (c *fakeConn) SendBufferSize() int    { return c.buffered }
func (c *fakeConn) SendBufferLimit() int   { return c.sendLimit }
func (c *fakeConn) NotifyDrain(fn func())  { c.drain = fn }
func (c *fakeConn) PauseRecv()             { c.paused = true }
func (c *fakeConn) ResumeRecv()            { c.paused = false }
func (c *fakeConn) Loop() protocols.Loop   { return &c.loop }
func (c *fakeConn) BytesWritten() int64    { return c.written }
func (c *fakeConn) ProtocolState() any     { return c.state }
func (c *fakeConn) SetProtocolState(v any) { c.state = v }
func (c *fakeConn) RemoteAddr() net.Addr {
	return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 40000}
}
func (c *fakeConn) LocalAddr() net.Addr { return &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080} }
