package connection

import (
	"fmt"
	"net"
	"strings"
	"sync/atomic"

	"github.com/workerman-go/workerman/internal/eventloop"
	"github.com/workerman-go/workerman/protocols"
)

// AsyncUdpConnection is a UDP client on the event loop (Workerman's
// AsyncUdpConnection): it sends datagrams to one peer and hands the peer's
// answers to OnMessage, cut into packages by its protocol, as a udp:// worker
// does with the datagrams it receives.
//
//	c, _ := connection.NewAsyncUdp("text://127.0.0.1:5678")
//	c.OnMessage = func(c *connection.AsyncUdpConnection, data any) { fmt.Println(data) }
//	c.Send("hello") // opens the socket on first use
//
// Datagrams from any other address are ignored, as a connected socket would.
type AsyncUdpConnection struct {
	// OnMessage gets each package of the peer's datagrams; for raw udp the
	// datagram as a []byte that is valid only until OnMessage returns.
	OnMessage func(c *AsyncUdpConnection, data any)
	// OnClose runs on the loop once, after Close.
	OnClose func(c *AsyncUdpConnection)
	// MaxPackageSize caps one package (DefaultMaxPackageSize when zero).
	MaxPackageSize int
	// Context is the application's own value.
	Context any

	udp    UdpConnection // the socket, the peer and the protocol
	loop   *eventloop.Loop
	status atomic.Int32
}

// NewAsyncUdp makes a UDP client of remote, "udp://host:port" or a
// registered protocol's scheme ("text://host:port"). A host name is resolved
// here, so that nothing blocks the loop later. It opens no socket until
// Connect or the first Send.
func NewAsyncUdp(remote string) (*AsyncUdpConnection, error) {
	scheme, address, ok := strings.Cut(remote, "://")
	if !ok || scheme == "" || address == "" {
		return nil, fmt.Errorf("connection: bad remote address %q: want scheme://host:port", remote)
	}
	c := &AsyncUdpConnection{loop: eventloop.Default()}
	if scheme != "udp" {
		p, ok := protocols.Lookup(scheme)
		if !ok {
			return nil, fmt.Errorf("connection: %w %q in %q", protocols.ErrUnknownScheme, scheme, remote)
		}
		c.udp.protocol = p
	}
	ua, err := net.ResolveUDPAddr("udp", address)
	if err != nil {
		return nil, fmt.Errorf("connection: bad remote address %q: %w", remote, err)
	}
	c.udp.remote = ua
	return c, nil
}

// Connect opens the socket the connection sends from and reads answers on.
// It does nothing once the socket is open, and reports ErrClosed after
// Close. Safe from any goroutine: it runs on the loop and waits.
func (c *AsyncUdpConnection) Connect() error {
	var err error
	c.loop.Exec(func() { err = c.connect() })
	return err
}

// connect opens the socket. Loop-only.
func (c *AsyncUdpConnection) connect() error {
	switch c.Status() {
	case StatusEstablished:
		return nil
	case StatusClosed:
		return ErrClosed
	}
	remote := c.udp.remote.(*net.UDPAddr)
	network := "udp6"
	if remote.IP.To4() != nil {
		network = "udp4"
	}
	// An unconnected socket: every backend sends with an address on it.
	uc, err := net.ListenUDP(network, nil)
	if err != nil {
		return fmt.Errorf("connection: udp client of %s: %w", remote, err)
	}
	defer uc.Close()
	f, err := uc.File()
	if err != nil {
		return fmt.Errorf("connection: udp client of %s: %w", remote, err)
	}
	defer f.Close()
	pc, err := c.loop.ListenPacket(f, c.received)
	if err != nil {
		return fmt.Errorf("connection: udp client of %s: %w", remote, err)
	}
	c.udp.pc = pc
	c.status.Store(int32(StatusEstablished))
	return nil
}

// received hands over a datagram from the peer. Loop-only.
func (c *AsyncUdpConnection) received(_ *eventloop.PacketConn, b []byte, from net.Addr) {
	ua, ok := from.(*net.UDPAddr)
	remote := c.udp.remote.(*net.UDPAddr)
	if !ok || ua.Port != remote.Port || !ua.IP.Equal(remote.IP) || c.Status() != StatusEstablished {
		return
	}
	c.udp.packages(b, c.MaxPackageSize, c.deliver)
}

func (c *AsyncUdpConnection) deliver(msg any) {
	defer func() {
		if r := recover(); r != nil {
			c.loop.Recovered("OnMessage", r)
		}
	}()
	if c.OnMessage != nil {
		c.OnMessage(c, msg)
	}
}

// Send encodes v with the protocol (raw udp: a string or []byte) and sends it
// to the peer as one datagram, opening the socket first if need be. It
// returns ErrClosed after Close, and an error when the datagram is too large
// or the kernel does not take it (counted in Stats().SendFails). Safe from any
// goroutine: off the loop the send is handed to the loop and only ErrClosed is
// reported.
func (c *AsyncUdpConnection) Send(v any) error {
	if c.Status() == StatusClosed {
		return ErrClosed
	}
	if !onLoopWith(c.loop, func(c *AsyncUdpConnection, v any) { c.Send(v) }, c, v) {
		return nil
	}
	if err := c.connect(); err != nil {
		return err
	}
	return c.udp.Send(v)
}

// Close sends data, if any, closes the socket and runs OnClose; later calls
// do nothing. Safe from any goroutine.
func (c *AsyncUdpConnection) Close(data ...any) {
	if !onLoopWith(c.loop, func(c *AsyncUdpConnection, data []any) { c.Close(data...) }, c, data) {
		return
	}
	if c.Status() == StatusClosed {
		return
	}
	for _, d := range data {
		c.Send(d)
	}
	if c.udp.pc != nil {
		c.udp.pc.Close()
	}
	c.status.Store(int32(StatusClosed))
	if c.OnClose != nil {
		func() {
			defer func() {
				if r := recover(); r != nil {
					c.loop.Recovered("OnClose", r)
				}
			}()
			c.OnClose(c)
		}()
	}
}

// Status is StatusInitial until the socket opens, then StatusEstablished,
// and StatusClosed after Close. Safe from any goroutine.
func (c *AsyncUdpConnection) Status() Status { return Status(c.status.Load()) }

// Protocol is the connection's protocol, nil for raw udp.
func (c *AsyncUdpConnection) Protocol() protocols.Protocol { return c.udp.protocol }

// RemoteAddr is the peer's address.
func (c *AsyncUdpConnection) RemoteAddr() net.Addr { return c.udp.remote }

// LocalAddr is the address the connection sends from, nil until it is open.
func (c *AsyncUdpConnection) LocalAddr() net.Addr {
	if c.udp.pc == nil {
		return nil
	}
	return c.udp.pc.Addr()
}
