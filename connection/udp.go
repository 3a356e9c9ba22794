package connection

import (
	"fmt"
	"net"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// UdpConnection is the sender of one datagram, as OnUdpMessage sees it: Send
// answers that sender from the socket the datagram arrived on. There is no
// connection state: no OnConnect, no OnClose, nothing to close.
type UdpConnection struct {
	pc       *eventloop.PacketConn
	remote   net.Addr
	protocol protocols.Protocol
}

// PacketOptions are for package worker only: how HandleDatagram treats a
// worker's datagrams, filled in from the Worker's fields. Applications set
// the Worker's fields instead.
type PacketOptions struct {
	Protocol protocols.Protocol
	// OnMessage gets each package; for a nil Protocol, the datagram as a
	// []byte that is valid only until OnMessage returns.
	OnMessage func(c *UdpConnection, data any)
	// MaxPackageSize caps one package (DefaultMaxPackageSize when zero).
	MaxPackageSize int
}

// HandleDatagram is for package worker only: it hands one datagram to
// OnMessage, whole without a protocol, else cut into packages by the
// protocol's Input (bytes after an incomplete package are dropped, as
// datagrams never continue). Applications cannot call it, as the socket
// comes from the framework's internal loop; they get datagrams in
// OnUdpMessage. Loop-only.
func HandleDatagram(pc *eventloop.PacketConn, b []byte, from net.Addr, o *PacketOptions) {
	c := &UdpConnection{pc: pc, remote: from, protocol: o.Protocol}
	c.packages(b, o.MaxPackageSize, func(msg any) { o.deliver(c, msg) })
}

// packages hands deliver a datagram: whole without a protocol, else each
// package the protocol's Input cuts from it (at most limit bytes each,
// DefaultMaxPackageSize when zero); bytes after an incomplete package are
// dropped, as datagrams never continue.
func (c *UdpConnection) packages(b []byte, limit int, deliver func(msg any)) {
	if c.protocol == nil {
		stats.requests.Add(1)
		deliver(b)
		return
	}
	if limit <= 0 {
		limit = DefaultMaxPackageSize
	}
	pconn := udpProtoConn{c, limit}
	for len(b) > 0 {
		n, err := c.protocol.Input(b, pconn)
		if err != nil || n <= 0 || n > len(b) || n > limit {
			return
		}
		msg, err := c.protocol.Decode(b[:n], pconn)
		b = b[n:]
		if err != nil {
			continue
		}
		stats.requests.Add(1)
		deliver(msg)
	}
}

func (o *PacketOptions) deliver(c *UdpConnection, msg any) {
	defer func() {
		if r := recover(); r != nil {
			c.pc.Loop().Recovered("OnUdpMessage", r)
		}
	}()
	if o.OnMessage != nil {
		o.OnMessage(c, msg)
	}
}

// Send encodes v with the protocol (raw: a string or []byte) and sends it to
// the datagram's sender as one datagram. Safe from any goroutine.
func (c *UdpConnection) Send(v any) error {
	if !onLoopWith(c.pc.Loop(), func(c *UdpConnection, v any) { c.Send(v) }, c, v) {
		return nil
	}
	buf := c.pc.Scratch()
	var err error
	if c.protocol != nil {
		buf, err = c.protocol.Encode(buf, v, udpProtoConn{c, DefaultMaxPackageSize})
	} else {
		buf, err = protocols.AppendBytes(buf, v)
	}
	if err != nil {
		return fmt.Errorf("udp: %w", err)
	}
	if len(buf) > eventloop.MaxDatagramSize {
		stats.sendFail.Add(1)
		return fmt.Errorf("udp: %d bytes do not fit a datagram", len(buf))
	}
	if err := c.pc.WriteTo(buf, c.remote); err != nil {
		stats.sendFail.Add(1)
		return err
	}
	return nil
}

// Close sends data, if any, to the sender; there is nothing else to close.
// Safe from any goroutine.
func (c *UdpConnection) Close(data ...any) {
	for _, d := range data {
		c.Send(d)
	}
}

// RemoteAddr is the sender's address.
func (c *UdpConnection) RemoteAddr() net.Addr { return c.remote }

// LocalAddr is the address the datagram arrived at.
func (c *UdpConnection) LocalAddr() net.Addr { return c.pc.Addr() }

// RemoteIP is the sender's IP.
func (c *UdpConnection) RemoteIP() string { ip, _ := splitAddr(c.remote); return ip }

// RemotePort is the sender's port.
func (c *UdpConnection) RemotePort() int { _, p := splitAddr(c.remote); return p }

// udpProtoConn is the datagram's sender as a protocol sees it: no stream, so
// the stream operations answer as a closed connection would.
type udpProtoConn struct {
	c     *UdpConnection
	limit int
}

func (u udpProtoConn) ID() uint64             { return 0 }
func (u udpProtoConn) PackageLimit() int      { return u.limit }
func (u udpProtoConn) Send(v any) error       { return u.c.Send(v) }
func (u udpProtoConn) SendRaw(b []byte) error { return u.c.pc.WriteTo(b, u.c.remote) }
func (u udpProtoConn) Close(data ...any)      { u.c.Close(data...) }
func (u udpProtoConn) End(b []byte)           { u.SendRaw(b) }
func (u udpProtoConn) CloseWhenFlushed()      {}
func (u udpProtoConn) SendBufferSize() int    { return 0 }
func (u udpProtoConn) SendBufferLimit() int   { return eventloop.MaxDatagramSize }
func (u udpProtoConn) NotifyDrain(fn func())  { u.c.pc.Loop().Post(fn) }
func (u udpProtoConn) PauseRecv()             {}
func (u udpProtoConn) ResumeRecv()            {}
func (u udpProtoConn) ProtocolState() any     { return nil }
func (u udpProtoConn) SetProtocolState(any)   {}
func (u udpProtoConn) RemoteAddr() net.Addr   { return u.c.remote }
func (u udpProtoConn) LocalAddr() net.Addr    { return u.c.pc.Addr() }
